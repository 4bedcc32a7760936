/**
 * Benchmark in the shape of BPQP Table 1 / Table 3: random QPs (BPQP §5.1, A.5) of sizes d×meq,
 * batches of problems, forward / backward / total time per problem for each engine, gradient
 * accuracy (cosine vs the exact dense KKT gradient in Float64) and, for the GPU, each kernel's
 * achieved GFLOP/s and its fraction of the same adapter's measured tiled-matmul throughput.
 * Figures are printed, never asserted. On SwiftShader (CPU-emulated WebGPU) GPU times say nothing
 * about GPU speed; only the fractions of the adapter's own matmul are meaningful there.
 *
 *   npm run bench -- --sizes 10x5,50x10 --batches 1,64 --engines cpu,gpu,gpu-shared,quadprog,highs
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { QpProblem, QpResult, QpSettings } from '../src/solvers/qp/types';
import { CpuEngine, solveQp } from '../src/solvers/qp';
import { backwardBatch as cpuBackwardBatch } from '../src/solvers/grad';
import { kktBackward } from '../src/solvers/grad/kkt';
import { cosine, flattenGradients } from '../src/solvers/grad/vec';
import { loadHighs, solveWithHighs, solveWithQuadprog } from '../src/solvers/qp/references';
import { bpqpRandomQp } from '../src/gpu/random-qp';
import { createNodeGpuEngine } from '../src/gpu/node';
import { measureMatmul } from '../src/gpu/gemm';
import type { KernelTimes } from '../src/gpu/device';

type EngineName = 'cpu' | 'gpu' | 'gpu-shared' | 'quadprog' | 'highs';
const ALL_ENGINES: EngineName[] = ['cpu', 'gpu', 'gpu-shared', 'quadprog', 'highs'];

function parseArgs(argv: string[]) {
  const get = (flag: string, def: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : def;
  };
  const sizes = get('--sizes', '10x5,50x10,100x20,500x100').split(',').map((s) => {
    const [d, meq] = s.split('x').map(Number);
    if (!(d > 0 && meq >= 0)) throw new Error(`--sizes: bad size '${s}', expected like 10x5`);
    return { d, meq };
  });
  const batches = get('--batches', '1,64,1024').split(',').map(Number);
  if (batches.some((b) => !(Number.isInteger(b) && b > 0))) throw new Error('--batches: positive integers expected');
  const engines = get('--engines', ALL_ENGINES.join(',')).split(',') as EngineName[];
  for (const e of engines) if (!ALL_ENGINES.includes(e)) throw new Error(`--engines: unknown '${e}', expected ${ALL_ENGINES.join(',')}`);
  return { sizes, batches, engines, eps: Number(get('--eps', '1e-4')), out: get('--out', 'bench-out') };
}

interface Row {
  size: string;
  batch: number;
  engine: EngineName;
  /** Milliseconds per problem. */
  forward: number;
  backward: number | null;
  total: number;
  solved: number;
  /**
   * Mean cosine of all gradients (dq, dl, du, dP, dA; BPQP's loss 1ᵀx*) vs the exact Float64 KKT
   * gradient at a tight CPU solution. (dq alone is 0 when n rows bind, and its cosine is noise.)
   */
  cosSim: number | null;
  kernels?: Record<string, { gflops: number; fractionOfMatmul: number; ms: number }>;
}

const ones = (n: number) => new Float64Array(n).fill(1);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const settings: Partial<QpSettings> = { eps_abs: args.eps, eps_rel: args.eps, max_iter: 4000 };
  const needGpu = args.engines.some((e) => e.startsWith('gpu'));
  const gpu = needGpu ? await createNodeGpuEngine() : null;
  const highs = args.engines.includes('highs') ? await loadHighs() : null;
  const cpu = new CpuEngine();
  let matmul = { gflops: NaN, source: 'n/a' as string };
  if (gpu) {
    matmul = await measureMatmul(gpu.ctx, 256, 4);
    console.log(`adapter: ${gpu.adapterInfo}; reference matmul 256³: ${matmul.gflops.toFixed(3)} GFLOP/s (${matmul.source})`);
  }
  const rows: Row[] = [];
  for (const { d, meq } of args.sizes) {
    for (const B of args.batches) {
      const size = `${d}x${meq}`;
      const problems = Array.from({ length: B }, (_, k) => bpqpRandomQp(1000 * d + k, d, meq));
      // The 'shared' variant: one (P, A, l, u), per-problem q (BPQP differentiates q).
      const shared = { kind: 'shared' as const, structure: problems[0], params: problems.map((p) => ({ q: p.q })) };
      const sharedProblems = problems.map((p) => ({ ...problems[0], q: p.q }));
      // Exact reference gradients: Float64 KKT at a tight CPU solution.
      const refOf = (ps: QpProblem[]) =>
        ps.map((p) => {
          const r = solveQp(p, { eps_abs: 1e-9, eps_rel: 1e-9, polish: true, max_iter: 50_000 });
          return r.status === 'solved' ? flattenGradients(kktBackward(p, r, ones(d))) : null;
        });
      let refs: (Float64Array | null)[] | null = null;
      let refsShared: (Float64Array | null)[] | null = null;
      for (const engine of args.engines) {
        const ps = engine === 'gpu-shared' ? sharedProblems : problems;
        let results: QpResult[] = [];
        let bwdMs: number | null = null;
        let cos: number | null = null;
        let kernels: KernelTimes | null = null;
        if (gpu && engine.startsWith('gpu')) gpu.ctx.startTiming();
        const t0 = performance.now();
        if (engine === 'cpu') results = await cpu.solveBatch({ kind: 'problems', problems }, settings);
        else if (engine === 'gpu') results = await gpu!.solveBatch({ kind: 'problems', problems }, settings);
        else if (engine === 'gpu-shared') results = await gpu!.solveBatch(shared, settings);
        else if (engine === 'quadprog') results = ps.map((p) => ({ status: 'solved', x: solveWithQuadprog(p).x }) as QpResult);
        else results = ps.map((p) => ({ status: solveWithHighs(highs!, p).status === 'Optimal' ? 'solved' : 'failed' }) as unknown as QpResult);
        const fwdMs = performance.now() - t0;
        const ok = results.map((r, k) => ({ r, k })).filter(({ r }) => r.status === 'solved' || r.status === 'solved_inaccurate');
        if (engine === 'cpu' || engine.startsWith('gpu')) {
          const items = ok.map(({ r, k }) => ({ problem: ps[k], result: r, dl_dx: ones(d) }));
          const t1 = performance.now();
          const grads = engine === 'cpu' ? cpuBackwardBatch(items, 'kkt') : await gpu!.backward.backwardBatch(items, 'kkt');
          bwdMs = performance.now() - t1;
          if (engine === 'gpu-shared') refsShared ??= refOf(sharedProblems);
          else refs ??= refOf(problems);
          const ref = engine === 'gpu-shared' ? refsShared! : refs!;
          const sims = grads.map((_, i) => ref[ok[i].k]).map((rq, i) => (rq ? cosine(flattenGradients(grads[i]), rq) : NaN)).filter(Number.isFinite);
          cos = sims.length ? sims.reduce((a, b) => a + b, 0) / sims.length : null;
        }
        if (gpu && engine.startsWith('gpu')) kernels = await gpu.ctx.stopTiming();
        const row: Row = { size, batch: B, engine, forward: fwdMs / B, backward: bwdMs === null ? null : bwdMs / B, total: (fwdMs + (bwdMs ?? 0)) / B, solved: ok.length, cosSim: cos };
        if (kernels) {
          row.kernels = {};
          for (const [label, e] of kernels) {
            const gflops = e.ns > 0 ? e.flops / e.ns : NaN;
            if (e.flops > 0) row.kernels[label] = { gflops, fractionOfMatmul: gflops / matmul.gflops, ms: e.ns / 1e6 };
          }
        }
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  }
  gpu?.dispose();
  printTables(rows, gpu?.adapterInfo ?? 'none', matmul);
  mkdirSync(args.out, { recursive: true });
  const file = `${args.out}/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ adapter: gpu?.adapterInfo ?? null, matmul, settings, rows }, null, 2));
  console.log(`\nJSON written to ${file}`);
}

function printTables(rows: Row[], adapter: string, matmul: { gflops: number; source: string }): void {
  const f = (v: number | null, digits = 3) => (v === null || !Number.isFinite(v) ? '–' : v.toPrecision(digits));
  console.log(`\n### Time per problem (ms), adapter: ${adapter}\n`);
  console.log('| size | batch | engine | forward | backward | total | solved | cos sim (grad) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.size} | ${r.batch} | ${r.engine} | ${f(r.forward)} | ${f(r.backward)} | ${f(r.total)} | ${r.solved}/${r.batch} | ${f(r.cosSim, 6)} |`);
  console.log(`\n### GPU kernels: achieved GFLOP/s and fraction of the reference matmul (${f(matmul.gflops)} GFLOP/s, ${matmul.source})\n`);
  console.log('| size | batch | engine | kernel | GPU ms | GFLOP/s | of matmul |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    for (const [k, v] of Object.entries(r.kernels ?? {})) console.log(`| ${r.size} | ${r.batch} | ${r.engine} | ${k} | ${f(v.ms)} | ${f(v.gflops)} | ${f(v.fractionOfMatmul, 2)} |`);
  }
}

await main();
