/**
 * What a training run reports: one record per method and epoch (the keys of the experiment JSON,
 * issue 9 §3), the best-on-validation summary (You Shall Pass App. C), and the run's halts.
 */

/** One epoch of one method. Times are milliseconds summed over the epoch's training steps. */
export interface EpochRecord {
  epoch: number;
  /**
   * Normalized regret (Eq. 8): train is the running value over the epoch's mini-batches (each at the
   * weights that step used, as a training loss is logged); val and test are evaluated at the epoch's end.
   */
  regret: { train: number; val: number; test: number };
  /** Mean over the epoch's steps of ‖∂ℓ/∂θ‖₂. */
  grad_norm: number;
  /** Forward solves of the training steps. */
  forward_ms: number;
  /** Backward passes (and the estimators' extra solves) of the training steps. */
  backward_ms: number;
  /** Mean training loss (the true objective, SPO+ or MSE: what the method minimizes). */
  loss: number;
  /** Validation and test decisions at the epoch's end. */
  eval_ms: number;
  /** Fraction of training samples whose ∂ℓ/∂(prediction) was zero (≤ 1e-9·‖∇ₓf‖). */
  zero_grad_share: number;
  /**
   * For the chosen test sample: the fraction of ‖∇ₓf(x̂)‖ inside N(x̂), the span of the active
   * normals, which implicit differentiation loses (You Shall Pass Thm. 3.8); null if unsolved.
   */
  lost_fraction: number | null;
  /** Solves that did not end solved this epoch (training and evaluation); never fatal. */
  failures: number;
  /** Training samples that contributed a gradient this epoch. */
  samples: number;
}

/** The model that was best on validation, and its test regret (You Shall Pass App. C). */
export interface BestEpoch {
  epoch: number;
  val: number;
  test: number;
  train: number;
}

/** A NaN or infinite value that stopped one method (the others go on). */
export interface Halt {
  method: string;
  epoch: number;
  /** Mini-batch within the epoch, from 1. */
  step: number;
  message: string;
}

/** Mean and sample standard deviation (0 for one value); NaNs are left out and counted. */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = v.reduce((s, x) => s + x, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}
