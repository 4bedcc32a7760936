/**
 * The benchmark's configuration and report, shared by `npm run bench` (Node, Dawn) and the app's
 * Benchmark panel (a browser worker): plain data, structured-clonable, written to JSON as is.
 */

/** BPQP Table 1 problem sizes: d variables, meq equalities and meq inequalities ("d×meq"). */
export interface BenchSize {
  d: number;
  meq: number;
}

export const TABLE1_SIZES: readonly BenchSize[] = [
  { d: 10, meq: 5 },
  { d: 50, meq: 10 },
  { d: 100, meq: 20 },
  { d: 500, meq: 100 },
];

export const sizeName = (s: BenchSize): string => `${s.d}x${s.meq}`;

/**
 * Engines: 'cpu' / 'gpu' solve independent random problems (kind 'problems'); 'cpu-shared' /
 * 'gpu-shared' solve the same problems with the first one's P and A (kind 'shared', BPQP varies q),
 * so each GPU row has a CPU row on the same problems. Other names are forward-only references
 * supplied by the caller (the CLI's quadprog, HiGHS).
 */
export type CoreEngine = 'cpu' | 'cpu-shared' | 'gpu' | 'gpu-shared';
export const CORE_ENGINES: readonly CoreEngine[] = ['cpu', 'cpu-shared', 'gpu', 'gpu-shared'];

/** The CPU engine each GPU engine is compared with (same problems, same run). */
export const CPU_TWIN: Record<string, CoreEngine> = { gpu: 'cpu', 'gpu-shared': 'cpu-shared' };

export interface BenchConfig {
  sizes: BenchSize[];
  batches: number[];
  engines: string[];
  /** eps_abs = eps_rel of every forward solve (1e-4: what f32 reaches reliably). */
  eps: number;
  maxIter: number;
  /**
   * Polish every forward solution (CPU engines in Float64; GPU engines: the f32 iterate polished on
   * the CPU in Float64, timed as part of the forward). Off by default: the GPU rows then time the
   * WGSL alone.
   */
  polish?: boolean;
  /** Edge of the reference matmul (size³ multiply-adds) measuring the adapter's throughput. */
  matmulSize: number;
}

export const DEFAULT_BENCH: Omit<BenchConfig, 'sizes' | 'batches' | 'engines'> = {
  eps: 1e-4,
  maxIter: 4000,
  matmulSize: 256,
};

export interface KernelStat {
  /** GPU time summed over the passes, milliseconds (0 without timestamp queries). */
  ms: number;
  gflops: number;
  /** gflops over the reference matmul's, on the same adapter in the same run. */
  fractionOfMatmul: number;
}

export interface BenchRow {
  size: string;
  batch: number;
  engine: string;
  /** Milliseconds per problem. */
  forward: number;
  backward: number | null;
  total: number;
  /** Problems ending `solved` or `solved_inaccurate`. */
  solved: number;
  /**
   * Mean cosine of all gradients (dq, dl, du, dP, dA of BPQP's loss 1ᵀx*) vs the exact Float64 KKT
   * gradient at a tight CPU solution. (dq alone is 0 when n rows bind, and its cosine is noise.)
   */
  cosSim: number | null;
  /** For GPU rows: the CPU twin's total over this row's total, both measured in this run. */
  speedup: number | null;
  kernels?: Record<string, KernelStat>;
  /**
   * What went wrong in this row without stopping the run, e.g. a reference solver that threw on
   * some of its problems (those count as unsolved). Absent when nothing did.
   */
  error?: string;
}

export interface MatmulFigure {
  gflops: number;
  source: 'timestamps' | 'wall' | 'n/a';
  size: number;
}

export interface BenchReport {
  adapter: string | null;
  matmul: MatmulFigure;
  config: BenchConfig;
  rows: BenchRow[];
  startedAt: string;
  /** Where it ran (navigator.userAgent or "node <version>"). */
  host: string;
  /** Why the run stopped early, when it did: `rows` then holds the rows measured before. */
  error?: string;
}

/** Where a running benchmark is: step `step` of `total` (one step = one engine at one size and batch). */
export interface BenchProgress {
  step: number;
  total: number;
  size: string;
  batch: number;
  engine: string;
  phase: 'matmul' | 'warmup' | 'forward' | 'backward' | 'reference';
}
