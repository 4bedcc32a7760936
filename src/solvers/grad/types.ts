import type { DenseMatrix, QpProblem, QpResult, QpSettings } from '../qp/types';

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
  | 'kkt'
  | 'bpqp'
  | 'lpgd'
  | 'lpgd-lower'
  | 'lpgd-upper'
  | 'smoothed-qp'
  | 'fd';

export interface GradOptions {
  /** LPGD finite-difference step τ. */
  tau?: number;
  /** LPGD / smoothed-QP augmentation ρ. */
  rho?: number;
  /** Regularization δ of the backward system (KKT, BPQP). */
  delta?: number;
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
  backwardBatch(items: BackwardItem[], method: GradMethod, options?: GradOptions): Promise<QpGradients[]>;
}
