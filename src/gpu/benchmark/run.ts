/**
 * The benchmark itself, in the shape of BPQP Table 1 / Table 3: random QPs (BPQP §5.1, A.5) of
 * sizes d×meq, batches of problems, forward / backward / total time per problem for each engine,
 * gradient accuracy (cosine vs the exact dense KKT gradient in Float64) and, for the GPU, each
 * kernel's achieved GFLOP/s as a fraction of the same adapter's measured tiled-matmul throughput.
 * Runs unchanged in Node (scripts/bench.ts) and in a browser worker (the Benchmark panel).
 * Figures are measured, never asserted. On SwiftShader (CPU-emulated WebGPU) GPU times say nothing
 * about GPU speed; only the fractions of the adapter's own matmul are meaningful there.
 */
import type { QpBatch, QpProblem, QpResult, QpSettings } from '../../solvers/qp/types';
import { solveQp } from '../../solvers/qp';
import { CpuEngine } from '../../solvers/cpu-engine';
import { backwardBatch as cpuBackwardBatch, cosine, flattenGradients } from '../../solvers/grad';
import { kktBackward } from '../../solvers/grad/kkt';
import { bpqpRandomQp } from '../random-qp';
import { measureMatmul } from '../gemm';
import type { KernelTimes } from '../device';
import type { GpuEngines } from '../browser';
import {
  CORE_ENGINES,
  CPU_TWIN,
  sizeName,
  type BenchConfig,
  type BenchProgress,
  type BenchReport,
  type BenchRow,
  type KernelStat,
  type MatmulFigure,
} from './types';

export interface BenchEngines {
  /** The WebGPU engines; null when none (GPU engines are then refused up front). */
  gpu: GpuEngines | null;
  /** Forward-only reference solvers by name: true when the problem was solved. */
  references?: Record<string, (p: QpProblem) => boolean>;
}

export interface BenchHooks {
  onProgress?(p: BenchProgress): void;
  /** Each row as soon as it is measured (the panel shows partial results). */
  onRow?(row: BenchRow): void;
  /** Checked between steps; an aborted run throws an Error named 'AbortError'. */
  signal?: AbortSignal;
  /** Where it runs, for the report. */
  host?: string;
}

const ones = (n: number) => new Float64Array(n).fill(1);
const isSolved = (r: QpResult) => r.status === 'solved' || r.status === 'solved_inaccurate';

/** Rejects a configuration the run could not honour, with the reason. */
export function checkBenchConfig(c: BenchConfig, engines: BenchEngines): void {
  if (c.sizes.length === 0) throw new Error('benchmark: choose at least one problem size');
  if (c.batches.length === 0) throw new Error('benchmark: choose at least one batch size');
  if (c.engines.length === 0) throw new Error('benchmark: choose at least one engine');
  for (const s of c.sizes)
    if (!(Number.isInteger(s.d) && s.d > 0 && Number.isInteger(s.meq) && s.meq >= 0))
      throw new Error(`benchmark: bad size ${s.d}x${s.meq}`);
  for (const b of c.batches)
    if (!(Number.isInteger(b) && b > 0))
      throw new Error(`benchmark: batch sizes must be positive integers, got ${b}`);
  for (const e of c.engines) {
    const known = (CORE_ENGINES as readonly string[]).includes(e) || !!engines.references?.[e];
    if (!known) throw new Error(`benchmark: unknown engine '${e}'`);
    if (e.startsWith('gpu') && !engines.gpu)
      throw new Error(`benchmark: engine '${e}' needs WebGPU, which is not available`);
  }
  if (!(c.eps > 0 && c.maxIter > 0 && c.matmulSize > 0))
    throw new Error('benchmark: eps, maxIter and matmulSize must be positive');
}

function kernelStats(times: KernelTimes, matmul: MatmulFigure): Record<string, KernelStat> {
  const out: Record<string, KernelStat> = {};
  for (const [label, e] of times) {
    if (e.flops <= 0) continue;
    const gflops = e.ns > 0 ? e.flops / e.ns : NaN;
    out[label] = { ms: e.ns / 1e6, gflops, fractionOfMatmul: gflops / matmul.gflops };
  }
  return out;
}

/** One size and batch: the problem set, its shared-structure variant, and lazily their exact gradients. */
class Workload {
  readonly problems: QpProblem[];
  readonly sharedProblems: QpProblem[];
  readonly shared: QpBatch;
  private refs = new Map<boolean, (Float64Array | null)[]>();

  constructor(
    readonly d: number,
    readonly meq: number,
    readonly batch: number,
  ) {
    this.problems = Array.from({ length: batch }, (_, k) => bpqpRandomQp(1000 * d + k, d, meq));
    // One (P, A, l, u), per-problem q (BPQP differentiates q).
    this.shared = {
      kind: 'shared',
      structure: this.problems[0],
      params: this.problems.map((p) => ({ q: p.q })),
    };
    this.sharedProblems = this.problems.map((p) => ({ ...this.problems[0], q: p.q }));
  }

  set(shared: boolean): QpProblem[] {
    return shared ? this.sharedProblems : this.problems;
  }

  /** Exact reference gradients: Float64 KKT at a tight, polished CPU solution. */
  reference(shared: boolean): (Float64Array | null)[] {
    let r = this.refs.get(shared);
    if (!r) {
      r = this.set(shared).map((p) => {
        const s = solveQp(p, { eps_abs: 1e-9, eps_rel: 1e-9, polish: true, max_iter: 50_000 });
        return s.status === 'solved' ? flattenGradients(kktBackward(p, s, ones(this.d))) : null;
      });
      this.refs.set(shared, r);
    }
    return r;
  }
}

export async function runBenchmark(
  config: BenchConfig,
  engines: BenchEngines,
  hooks: BenchHooks = {},
): Promise<BenchReport> {
  checkBenchConfig(config, engines);
  const settings: Partial<QpSettings> = {
    eps_abs: config.eps,
    eps_rel: config.eps,
    max_iter: config.maxIter,
    polish: !!config.polish,
  };
  const cpu = new CpuEngine();
  const gpu = config.engines.some((e) => e.startsWith('gpu')) ? engines.gpu : null;
  const total = config.sizes.length * config.batches.length * config.engines.length;
  let step = 0;
  const report = (p: Omit<BenchProgress, 'step' | 'total'>) =>
    hooks.onProgress?.({ step, total, ...p });
  const checkpoint = async () => {
    // Lets the worker take a cancel message between steps.
    await new Promise((r) => setTimeout(r, 0));
    if (hooks.signal?.aborted)
      throw Object.assign(new Error('benchmark cancelled'), { name: 'AbortError' });
  };
  let matmul: MatmulFigure = { gflops: NaN, source: 'n/a', size: config.matmulSize };
  if (gpu) {
    report({ size: '', batch: 0, engine: 'gpu', phase: 'matmul' });
    matmul = { ...(await measureMatmul(gpu.ctx, config.matmulSize, 4)), size: config.matmulSize };
  }
  const rows: BenchRow[] = [];
  // CPU engines first at each size and batch, so every GPU row finds its CPU twin for the speed-up.
  const isGpu = (e: string) => Number(e.startsWith('gpu'));
  const runOrder = [...config.engines].sort((a, b) => isGpu(a) - isGpu(b));
  for (const size of config.sizes) {
    const warm = new Workload(size.d, size.meq, 1);
    const warmed = new Set<string>();
    for (const B of config.batches) {
      const work = new Workload(size.d, size.meq, B);
      for (const engine of runOrder) {
        await checkpoint();
        const where = { size: sizeName(size), batch: B, engine };
        if (!warmed.has(engine) && !engines.references?.[engine]) {
          // Untimed: shader compilation and JIT warm-up are one-time costs, not per-problem ones.
          report({ ...where, phase: 'warmup' });
          await warmUp(engine, warm, settings, cpu, gpu);
          warmed.add(engine);
        }
        const row = await runOne(
          engine,
          work,
          settings,
          cpu,
          gpu,
          engines.references,
          matmul,
          (phase) => report({ ...where, phase }),
        );
        const twin =
          CPU_TWIN[engine] &&
          rows.find((r) => r.size === row.size && r.batch === B && r.engine === CPU_TWIN[engine]);
        if (twin) row.speedup = twin.total / row.total;
        rows.push(row);
        step++;
        hooks.onRow?.(row);
      }
    }
  }
  return {
    adapter: gpu?.ctx.adapterInfo ?? null,
    matmul,
    config,
    rows,
    startedAt: new Date().toISOString(),
    host: hooks.host ?? 'unknown',
  };
}

/** One untimed forward + backward of a single problem on `engine`. */
async function warmUp(
  engine: string,
  work: Workload,
  settings: Partial<QpSettings>,
  cpu: CpuEngine,
  gpu: GpuEngines | null,
): Promise<void> {
  const isGpu = engine.startsWith('gpu');
  const batch: QpBatch = engine.endsWith('-shared')
    ? work.shared
    : { kind: 'problems', problems: work.problems };
  const [r] = await (isGpu ? gpu!.engine : cpu).solveBatch(batch, settings);
  if (!isSolved(r)) return;
  const items = [
    { problem: work.set(engine.endsWith('-shared'))[0], result: r, dl_dx: ones(work.d) },
  ];
  if (isGpu) await gpu!.backward.backwardBatch(items, 'kkt');
  else cpuBackwardBatch(items, 'kkt');
}

async function runOne(
  engine: string,
  work: Workload,
  settings: Partial<QpSettings>,
  cpu: CpuEngine,
  gpu: GpuEngines | null,
  references: BenchEngines['references'],
  matmul: MatmulFigure,
  phase: (p: BenchProgress['phase']) => void,
): Promise<BenchRow> {
  const shared = engine.endsWith('-shared');
  const isGpu = engine.startsWith('gpu');
  const ps = work.set(shared);
  const B = work.batch;
  const batch: QpBatch = shared ? work.shared : { kind: 'problems', problems: work.problems };
  phase('forward');
  if (isGpu) gpu!.ctx.startTiming();
  let results: QpResult[];
  let solved: number;
  const t0 = performance.now();
  const ref = references?.[engine];
  if (ref) {
    solved = ps.filter((p) => ref(p)).length;
    results = [];
  } else {
    results = await (isGpu ? gpu!.engine : cpu).solveBatch(batch, settings);
    solved = results.filter(isSolved).length;
  }
  const fwdMs = performance.now() - t0;
  let bwdMs: number | null = null;
  let cosSim: number | null = null;
  if (!ref) {
    const ok = results.map((r, k) => ({ r, k })).filter(({ r }) => isSolved(r));
    const items = ok.map(({ r, k }) => ({ problem: ps[k], result: r, dl_dx: ones(work.d) }));
    phase('backward');
    const t1 = performance.now();
    const grads = isGpu
      ? await gpu!.backward.backwardBatch(items, 'kkt')
      : cpuBackwardBatch(items, 'kkt');
    bwdMs = performance.now() - t1;
    phase('reference');
    const exact = work.reference(shared);
    const sims = grads
      .map((g, i) => (exact[ok[i].k] ? cosine(flattenGradients(g), exact[ok[i].k]!) : NaN))
      .filter(Number.isFinite);
    cosSim = sims.length ? sims.reduce((a, b) => a + b, 0) / sims.length : null;
  }
  const row: BenchRow = {
    size: sizeName(work),
    batch: B,
    engine,
    forward: fwdMs / B,
    backward: bwdMs === null ? null : bwdMs / B,
    total: (fwdMs + (bwdMs ?? 0)) / B,
    solved,
    cosSim,
    speedup: null,
  };
  if (isGpu) row.kernels = kernelStats(await gpu!.ctx.stopTiming(), matmul);
  return row;
}
