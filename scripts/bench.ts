/**
 * Benchmark in the shape of BPQP Table 1 / Table 3 on this machine (Node, Dawn): the same code as
 * the app's Benchmark panel (src/gpu/benchmark), plus the forward-only references npm `quadprog`
 * and HiGHS. Prints markdown tables and writes the JSON report. Figures are printed, never
 * asserted. On SwiftShader (CPU-emulated WebGPU) GPU times say nothing about GPU speed; only the
 * fractions of the adapter's own matmul are meaningful there.
 *
 *   npm run bench -- --sizes 10x5,50x10 --batches 1,64 --engines cpu,gpu,cpu-shared,gpu-shared,quadprog,highs
 *
 * Flags: --sizes, --batches, --engines, --eps (1e-4), --matmul (256), --out (bench-out), and
 * --polish (polish every forward solution in Float64; GPU iterates are polished on the CPU).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { QpProblem } from '../src/solvers/qp/types';
import { loadHighs, solveWithHighs, solveWithQuadprog } from '../src/solvers/qp/references';
import { createNodeGpu } from '../src/gpu/node';
import { GpuEngine } from '../src/gpu/engine';
import { GpuBackwardEngine } from '../src/gpu/backward';
import type { GpuEngines } from '../src/gpu/browser';
import { runBenchmark } from '../src/gpu/benchmark/run';
import { reportMarkdown } from '../src/gpu/benchmark/format';
import { CORE_ENGINES, DEFAULT_BENCH, type BenchConfig } from '../src/gpu/benchmark/types';

const REFERENCES = ['quadprog', 'highs'];
const ALL_ENGINES = [...CORE_ENGINES, ...REFERENCES];

function parseArgs(argv: string[]): BenchConfig & { out: string } {
  const get = (flag: string, def: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : def;
  };
  const sizes = get('--sizes', '10x5,50x10,100x20,500x100')
    .split(',')
    .map((s) => {
      const [d, meq] = s.split('x').map(Number);
      if (!(d > 0 && meq >= 0)) throw new Error(`--sizes: bad size '${s}', expected like 10x5`);
      return { d, meq };
    });
  const batches = get('--batches', '1,64,1024').split(',').map(Number);
  const engines = get('--engines', ALL_ENGINES.join(',')).split(',');
  for (const e of engines)
    if (!ALL_ENGINES.includes(e))
      throw new Error(`--engines: unknown '${e}', expected ${ALL_ENGINES.join(',')}`);
  return {
    ...DEFAULT_BENCH,
    sizes,
    batches,
    engines,
    eps: Number(get('--eps', String(DEFAULT_BENCH.eps))),
    matmulSize: Number(get('--matmul', String(DEFAULT_BENCH.matmulSize))),
    polish: argv.includes('--polish'),
    out: get('--out', 'bench-out'),
  };
}

async function nodeGpuEngines(): Promise<GpuEngines> {
  const ctx = await createNodeGpu((e) => {
    if (e.type !== 'recreated')
      console.warn(`[webgpu] ${e.type}: ${'message' in e ? e.message : ''}`);
  });
  const engine = new GpuEngine(ctx);
  return { ctx, engine, backward: new GpuBackwardEngine(ctx, engine) };
}

async function main(): Promise<void> {
  const { out, ...config } = parseArgs(process.argv.slice(2));
  const gpu = config.engines.some((e) => e.startsWith('gpu')) ? await nodeGpuEngines() : null;
  const highs = config.engines.includes('highs') ? await loadHighs() : null;
  const references: Record<string, (p: QpProblem) => boolean> = {
    quadprog: (p) => {
      try {
        return solveWithQuadprog(p).x.every(Number.isFinite);
      } catch {
        return false;
      }
    },
    highs: (p) => solveWithHighs(highs!, p).status === 'Optimal',
  };
  try {
    const report = await runBenchmark(
      config,
      { gpu, references },
      {
        host: `node ${process.version}`,
        onProgress: (p) => p.phase === 'matmul' && console.log('measuring the reference matmul…'),
        onRow: (row) => console.log(JSON.stringify(row)),
      },
    );
    console.log(`\n${reportMarkdown(report)}`);
    mkdirSync(out, { recursive: true });
    const file = `${out}/bench-${report.startedAt.replace(/[:.]/g, '-')}.json`;
    writeFileSync(file, JSON.stringify(report, null, 2));
    console.log(`JSON written to ${file}`);
  } finally {
    gpu?.ctx.dispose();
  }
}

await main();
