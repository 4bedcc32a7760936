/**
 * Memory the engine needs for a problem, estimated from its shape and stored entries before
 * anything is allocated, so that a small file declaring a huge matrix is refused in milliseconds
 * instead of exhausting the machine. The model is the CPU engine's sparse path (src/solvers/qp):
 * CSC data, its scaled copy, the KKT matrix K = [[P + σI, Aᵀ], [A, −ρ⁻¹]] with its AMD ordering and
 * symbolic analysis, and the ADMM vectors. The LDLᵀ factor itself depends on the ordering: it is
 * not counted here but refused by the engine after its symbolic analysis, before it is allocated
 * (QpSettings.max_factor_bytes; the CLI gives it what the limit leaves). The engine takes its dense
 * path only for problems whose dense storage fits that same budget.
 */
import { ProblemFormatError } from './errors';

/** Limits a caller (the CLI) imposes on a problem file; none by default. */
export interface ParseLimits {
  /**
   * Refuse, before allocating, a file whose problems need more bytes than this by
   * `sparseFootprint`: Σ (data + output) over the problems plus the largest solver workspace
   * (the CPU engine solves one problem at a time).
   */
  maxMemoryBytes?: number;
}

/** Estimated bytes for one problem, in three parts. */
export interface Footprint {
  /** The parsed problem: CSC P (upper triangle) and A (12 bytes an entry), q, l, u. */
  data: number;
  /**
   * Solver workspace without the LDLᵀ factor: the scaled copies, K and its permuted copy with
   * their value maps, the AMD quotient graph, the symbolic analysis, and the ADMM vectors (about
   * 30 per variable and per row).
   */
  solver: number;
  /** The printed result: x, y, z and the active set as JS arrays and as JSON text. */
  output: number;
}

const F64 = 8;

/**
 * The footprint of a problem of n variables, m rows and nnz stored entries of P and A. Measured
 * against the CLI's peak resident memory (tests/unit/maxrss.mjs) on the Maros–Meszaros problems:
 * the estimate with the factor added stays above the measured growth (docs/problem-format.md).
 */
export function sparseFootprint(n: number, m: number, nnz: number): Footprint {
  const nnzK = nnz + n + m;
  return {
    data: 12 * nnz + 4 * (n + 1) + 4 * (n + 1) + F64 * (n + 2 * m),
    solver: 80 * nnzK + 30 * F64 * (n + m),
    output: 64 * (n + 2 * m) + 16 * m,
  };
}

/** Bytes the two LDLᵀ factors of the sparse path take (the ADMM's, and its sibling for polishing). */
export function factorFootprint(nnzL: number, n: number, m: number): number {
  return 2 * (12 * nnzL + 40 * (n + m));
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

  /** Bytes admitted so far (held data and output, plus the largest workspace). */
  get total(): number {
    return this.held + this.workspace;
  }

  /**
   * Counts a problem of n variables, m rows and nnz stored matrix entries; throws a
   * ProblemFormatError (code 'memory') naming the estimate and the limit when the total exceeds
   * `maxMemoryBytes`.
   */
  admit(n: number, m: number, prefix = '', nnz = 0): void {
    const limit = this.limits.maxMemoryBytes;
    const f = sparseFootprint(n, m, nnz);
    const held = this.held + f.data + f.output;
    const workspace = Math.max(this.workspace, f.solver);
    const total = held + workspace;
    if (limit !== undefined && total > limit) {
      const what = this.held > 0 ? 'with the problems before it, the file' : 'it';
      throw new ProblemFormatError(
        `${prefix}n = ${n} variables and m = ${m} rows with ${nnz} stored entries: ${what} needs ` +
          `about ${formatBytes(total)} before its LDLᵀ factor (data ${formatBytes(f.data)}, ` +
          `solver ${formatBytes(f.solver)}, output ${formatBytes(f.output)} for this problem), ` +
          `above the memory limit of ${Number((limit / MB).toPrecision(6))} MB`,
        'memory',
      );
    }
    this.held = held;
    this.workspace = workspace;
  }
}
