/**
 * Core types of the QP engine, shared by the CPU engine (src/solvers), the WebGPU
 * engine (src/gpu), the workers and the CLI.
 *
 * Problem form (as OSQP):  minimize ½xᵀPx + qᵀx + r  subject to  l ≤ Ax ≤ u.
 */

/** Dense row-major matrix in Float64. Entry (i, j) is data[i * cols + j]. */
export interface DenseMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
  /** Never set: keeps a Csc (which has the same three fields) from passing as a DenseMatrix. */
  indptr?: never;
}

/**
 * A rows×cols matrix in compressed sparse column form on typed arrays, the storage of the sparse
 * engine: the entries of column j are data[indptr[j] .. indptr[j+1]), in rows indices[...].
 * "Canonical" means row indices strictly increase within each column (sorted, no duplicates).
 */
export interface Csc {
  rows: number;
  cols: number;
  /** Column pointers, length cols + 1, indptr[0] = 0, nondecreasing. */
  indptr: Int32Array;
  /** Row index of each stored entry, length nnz. */
  indices: Int32Array;
  /** Value of each stored entry, length nnz. */
  data: Float64Array;
}

/** Compressed sparse column matrix with plain arrays, as in the JSON problem format and OSQP. */
export interface CscMatrix {
  shape: [number, number];
  indptr: number[];
  indices: number[];
  data: number[];
}

/** A quadratic program in engine form. Infinite bounds are ±Infinity. */
export interface QpProblem {
  /** Number of variables. */
  n: number;
  /** Number of constraint rows. */
  m: number;
  /** Cost Hessian, n×n, full symmetric storage, positive semidefinite. */
  P: DenseMatrix;
  /** Linear cost, length n. */
  q: Float64Array;
  /** Constant cost term (only changes the reported objective). */
  r: number;
  /** Constraint matrix, m×n. */
  A: DenseMatrix;
  /** Lower bounds, length m; −Infinity where unbounded below. */
  l: Float64Array;
  /** Upper bounds, length m; +Infinity where unbounded above. */
  u: Float64Array;
  /** Anything else the file carried (name, source, reference objective). */
  meta?: Record<string, unknown>;
}

/**
 * A quadratic program with sparse data, as OSQP takes it: P as its upper triangle (entries with
 * row ≤ column) and A, both canonical CSC. Otherwise as QpProblem.
 */
export interface SparseQpProblem {
  n: number;
  m: number;
  /** Upper triangle of the cost Hessian (n×n, symmetric positive semidefinite). */
  P: Csc;
  q: Float64Array;
  r: number;
  /** Constraint matrix, m×n. */
  A: Csc;
  l: Float64Array;
  u: Float64Array;
  meta?: Record<string, unknown>;
}

/** A problem in either storage; the CPU engine takes both and chooses its linear system. */
export type AnyQpProblem = QpProblem | SparseQpProblem;

/** True when the problem's matrices are stored sparse (CSC). */
export function isSparseProblem(p: AnyQpProblem): p is SparseQpProblem {
  return p.P !== null && typeof p.P === 'object' && 'indptr' in p.P;
}

/**
 * How the CPU engine solves OSQP's x-update system: 'dense' (reduced Cholesky of P + σI + AᵀρA on
 * dense storage) or 'sparse' (quasi-definite LDLᵀ of the KKT matrix on CSC storage, AMD ordering).
 */
export type LinSysPath = 'dense' | 'sparse';

/** Solver settings, with OSQP's names and defaults. */
export interface QpSettings {
  /** ADMM step size ρ (initial value when adaptive). */
  rho: number;
  /** Regularization σ on the x-update. */
  sigma: number;
  /** Over-relaxation α ∈ (0, 2). */
  alpha: number;
  eps_abs: number;
  eps_rel: number;
  eps_prim_inf: number;
  eps_dual_inf: number;
  max_iter: number;
  /** Check termination every k iterations (0 disables checks until max_iter). */
  check_termination: number;
  /** Number of Ruiz equilibration iterations (0 disables scaling). */
  scaling: number;
  adaptive_rho: boolean;
  /**
   * Adapt ρ once the elapsed time exceeds this fraction of setup time (OSQP 0.6's rule); 0 means by
   * iteration count (`adaptive_rho_iterations`).
   */
  adaptive_rho_interval: number;
  /**
   * Iterations between ρ updates when adapting by iteration count: OSQP 1.x's `adaptive_rho_interval`
   * (default 50); 0 means OSQP's automatic rule, 4 × check_termination.
   */
  adaptive_rho_iterations: number;
  /** Change ρ only when the ratio new/old exceeds this tolerance. */
  adaptive_rho_tolerance: number;
  polish: boolean;
  /** Regularization δ used by polishing. */
  delta: number;
  /** Iterative refinement steps during polishing. */
  polish_refine_iter: number;
  /**
   * Polishing solves at most (not in OSQP, which makes one): when a polished point contradicts its
   * active-set guess, the guess is corrected one row at a time and re-solved. 1 = OSQP's polish.
   */
  polish_passes: number;
  warm_start: boolean;
  /** Wall time limit in seconds, 0 = none. */
  time_limit: number;
  /** Return scaled-back unscaled termination checks (OSQP scaled_termination). */
  scaled_termination: boolean;
  /**
   * 'solved' also requires the duality gap |xᵀPx + qᵀx + uᵀy₊ + lᵀy₋| ≤ ε_abs + ε_rel·max of its terms
   * (OSQP 1.x's `check_dualgap`, on by default in its double-precision builds).
   */
  check_dualgap: boolean;
  /** The CPU engine's linear system: chosen by size and density ('auto'), or forced. */
  linsys: 'auto' | LinSysPath;
  /**
   * Refuse a factorization that would allocate more bytes than this (found in the symbolic analysis,
   * before allocating): the problem ends `invalid_input` naming the size. 0 = no limit.
   */
  max_factor_bytes: number;
}

export const DEFAULT_SETTINGS: Readonly<QpSettings> = Object.freeze({
  rho: 0.1,
  sigma: 1e-6,
  alpha: 1.6,
  eps_abs: 1e-3,
  eps_rel: 1e-3,
  eps_prim_inf: 1e-4,
  eps_dual_inf: 1e-4,
  max_iter: 4000,
  check_termination: 25,
  scaling: 10,
  adaptive_rho: true,
  adaptive_rho_interval: 0,
  adaptive_rho_iterations: 50,
  adaptive_rho_tolerance: 5,
  polish: false,
  delta: 1e-6,
  polish_refine_iter: 3,
  polish_passes: 8,
  warm_start: true,
  time_limit: 0,
  scaled_termination: false,
  check_dualgap: true,
  linsys: 'auto',
  max_factor_bytes: 0,
});

export type QpStatus =
  | 'solved'
  | 'solved_inaccurate'
  | 'primal_infeasible'
  | 'dual_infeasible'
  | 'max_iter_reached'
  | 'time_limit_reached'
  | 'non_convex'
  | 'invalid_input';

/** Role of a constraint row at the returned point. */
export type ActiveKind = 'lower' | 'upper' | 'equality' | 'inactive';

export type PolishStatus = 'not_run' | 'success' | 'failed' | 'unsuccessful';

export interface QpResult {
  status: QpStatus;
  /** Primal solution (or the last iterate when not solved). */
  x: Float64Array;
  /** Dual solution, OSQP's sign: y > 0 at an active upper bound, y < 0 at an active lower bound. */
  y: Float64Array;
  /** z ∈ [l, u] with z ≈ Ax (ADMM's z, or Π[l,u](Ax) after polishing); prim_res = ‖Ax − z‖∞. */
  z: Float64Array;
  /** ½xᵀPx + qᵀx + r, NaN when there is no meaningful x. */
  obj: number;
  iter: number;
  /** ‖Ax − z‖∞ in the original (unscaled) problem. */
  prim_res: number;
  /** ‖Px + q + Aᵀy‖∞ in the original problem. */
  dual_res: number;
  /** Wall time of setup + solve + polish, milliseconds. */
  time_ms: number;
  /** Active set per row. */
  active: ActiveKind[];
  /** Final ρ (scalar, before per-row equality scaling). */
  rho: number;
  rho_updates: number;
  polish: PolishStatus;
  /** Human-readable detail for statuses like invalid_input or non_convex. */
  message?: string;
  /** Certificate for primal infeasibility (δy) or dual infeasibility (δx), when detected. */
  certificate?: Float64Array;
  /** The CPU engine's linear system ('dense' or 'sparse'); absent on other engines. */
  linsys?: LinSysPath;
  /** Where the time went, ms (CPU engine): validation, scaling and factorization; ADMM; polish. */
  timing?: { setup_ms: number; solve_ms: number; polish_ms: number };
}

/** Warm start for one problem: x and/or y from a previous solve. */
export interface WarmStart {
  x?: Float64Array;
  y?: Float64Array;
}

/**
 * A batch: either independent problems, or one structure (P, A) with many (q, l, u). Problems may
 * be dense or sparse; engines that need dense data (WebGPU) densify under a memory limit.
 */
export type QpBatch =
  | { kind: 'problems'; problems: AnyQpProblem[] }
  | {
      kind: 'shared';
      /** Structure shared by the batch: P, A (and r, n, m); its q, l, u are ignored. */
      structure: AnyQpProblem;
      /** Per-problem vectors; a missing vector means "use the structure's". */
      params: { q?: Float64Array; l?: Float64Array; u?: Float64Array }[];
    };

/** An engine solves batches. The CPU engine loops; the GPU engine runs them in parallel. */
export interface QpEngine {
  readonly name: 'cpu' | 'gpu';
  /** Short description of the hardware (adapter name for GPU). */
  readonly adapter: string;
  solveBatch(
    batch: QpBatch,
    settings?: Partial<QpSettings>,
    warm?: (WarmStart | undefined)[],
  ): Promise<QpResult[]>;
}
