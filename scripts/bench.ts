/**
 * Benchmark in the shape of BPQP Table 1 / Table 3 on this machine (Node, Dawn): the same code as
 * the app's Benchmark panel (src/gpu/benchmark), plus the forward-only references npm `quadprog`
 * and HiGHS. Prints markdown tables and writes the JSON and markdown reports. Figures are printed,
 * never asserted. On SwiftShader (CPU-emulated WebGPU) GPU times say nothing about GPU speed; only
 * the fractions of the adapter's own matmul are meaningful there.
 *
 *   npm run bench -- --sizes 10x5,50x10 --batches 1,64 --engines cpu,gpu,cpu-shared,gpu-shared,quadprog,highs
 *
 * `npm run bench -- --help` lists the flags; the command itself is src/cli/bench.ts.
 */
import { benchCommand } from '../src/cli/bench';

process.exit(await benchCommand(process.argv.slice(2)));
