/**
 * Memory the engine needs for a problem, estimated from its shape before anything is allocated, so
 * that a small file declaring a huge matrix is refused in milliseconds instead of exhausting the
 * machine. The model is today's dense Float64 CPU engine (src/solvers/qp): a CSC matrix in the
 * file costs its nnz, but the engine stores P as n² and A as m·n doubles. When a sparse engine
 * lands, `denseFootprint` is the one place to change.
 */
import { ProblemFormatError } from './errors';

/** Limits a caller (the CLI) imposes on a problem file; none by default. */
export interface ParseLimits {
  /**
   * Refuse, before allocating, a file whose problems need more bytes than this by
   * `denseFootprint`: Σ (data + output) over the problems plus the largest solver workspace
   * (the CPU engine solves one problem at a time).
   */
  maxMemoryBytes?: number;
}

/** Estimated bytes for one problem of n variables and m rows, in three parts. */
export interface Footprint {
  /** The parsed problem: dense P (n²) and A (m·n), q, l, u. */
  data: number;
  /**
   * Solver workspace: scaled copies of P and A, the reduced KKT matrix P + σI + AᵀρA and its two
   * triangular factors, the polishing KKT system of n + min(m, n) rows and its factor, and the
   * ADMM vectors (about 30 per variable and per row).
   */
  solver: number;
  /** The printed result: x, y, z and the active set as JS arrays and as JSON text. */
  output: number;
}

const F64 = 8;

/**
 * Measured against the CPU engine's peak resident memory (process.resourceUsage().maxRSS) while
 * solving with polishing: n = 1000, m = 0: 52 MB measured, 64 MB estimated; n = m = 1000: 113 MB
 * and 128 MB; n = 2, m = 2·10⁶: 614 MB and 864 MB.
 */
export function denseFootprint(n: number, m: number): Footprint {
  const k = n + Math.min(m, n);
  return {
    data: F64 * (n * n + m * n + n + 2 * m),
    solver: F64 * (5 * n * n + m * n + 2 * k * k + 30 * (n + m)),
    output: 64 * (n + 2 * m) + 16 * m,
  };
}

const MB = 2 ** 20;

/** Bytes as "812 MB" or "20.8 GB" (binary units, as the --max-memory-mb flag). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MB) return `${(bytes / (1024 * MB)).toFixed(1)} GB`;
  return `${Math.max(1, Math.round(bytes / MB))} MB`;
}

/** Running total of the memory a file's problems need, checked as each problem's shape is known. */
export class MemoryBudget {
  /** Σ (data + output) of the problems admitted so far: all of them are held at once. */
  private held = 0;
  /** Largest solver workspace so far: problems are solved one after another. */
  private workspace = 0;

  constructor(private readonly limits: ParseLimits = {}) {}

  /**
   * Counts a problem of n variables and m rows; throws a ProblemFormatError (code 'memory') naming
   * the estimate and the limit when the total exceeds `maxMemoryBytes`.
   */
  admit(n: number, m: number, prefix = ''): void {
    const limit = this.limits.maxMemoryBytes;
    const f = denseFootprint(n, m);
    const held = this.held + f.data + f.output;
    const workspace = Math.max(this.workspace, f.solver);
    const total = held + workspace;
    if (limit !== undefined && total > limit) {
      const what = this.held > 0 ? 'with the problems before it, the file' : 'it';
      throw new ProblemFormatError(
        `${prefix}n = ${n} variables and m = ${m} rows: ${what} needs about ${formatBytes(total)} ` +
          `in the dense engine (data ${formatBytes(f.data)}, solver ${formatBytes(f.solver)}, ` +
          `output ${formatBytes(f.output)} for this problem), above the memory limit of ` +
          `${Number((limit / MB).toPrecision(6))} MB`,
        'memory',
      );
    }
    this.held = held;
    this.workspace = workspace;
  }
}
