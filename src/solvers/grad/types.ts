import type { ActiveKind, DenseMatrix, QpProblem, QpResult, QpSettings } from '../qp/types';

/**
 * Gradients of a scalar loss ℓ(x*) with respect to the QP's data, given g = ∂ℓ/∂x*.
 * dP is symmetric. For an equality row (l = u) only dl + du is defined; see docs/gradients.md
 * for how it is split.
 */
export interface QpGradients {
  dq: Float64Array;
  dl: Float64Array;
  du: Float64Array;
  dP: DenseMatrix;
  dA: DenseMatrix;
}

export type GradMethod =
  'kkt' | 'bpqp' | 'lpgd' | 'lpgd-lower' | 'lpgd-upper' | 'smoothed-qp' | 'fd';

export interface GradOptions {
  /** LPGD finite-difference step τ. */
  tau?: number;
  /** LPGD / smoothed-QP augmentation ρ. */
  rho?: number;
  /** Regularization δ of the backward system (KKT, BPQP; BPQP Eq. 10). Default 1e-6, as in the paper. */
  delta?: number;
  /** Iterative-refinement steps against the unregularized KKT matrix (BPQP Eq. 11). Default 10. */
  refineIter?: number;
  /**
   * Active set to differentiate at, overriding `result.active` (same length m). Decides what a
   * weakly active row (binding, zero multiplier) means: 'inactive' = free branch, bound = binding branch.
   */
  active?: ActiveKind[];
  /** Central finite-difference step h (method 'fd'). Default 1e-6. */
  fdStep?: number;
  /** Solver settings for any inner forward or backward solves. */
  settings?: Partial<QpSettings>;
}

/** One backward request: a problem, its forward solution and the incoming gradient ∂ℓ/∂x*. */
export interface BackwardItem {
  problem: QpProblem;
  result: QpResult;
  dl_dx: Float64Array;
}

/** Engines that differentiate batches (CPU in src/solvers/grad, WebGPU in src/gpu). */
export interface BackwardEngine {
  readonly name: 'cpu' | 'gpu';
  backwardBatch(
    items: BackwardItem[],
    method: GradMethod,
    options?: GradOptions,
  ): Promise<QpGradients[]>;
}
