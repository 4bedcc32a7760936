/**
 * Losses as (value, adjoint) pairs that feed `Mlp.backward`.
 *
 * A training step is always: tape = net.forward(X, B [, directions]); a loss turns tape.output
 * (and tape.tangent) into ℓ and its adjoints; net.backward(tape, adjoints) gives ∂ℓ/∂θ. The MSE
 * loss and the Sobolev term are here. A loss computed elsewhere, such as the QP layer's ∂ℓ/∂q̂
 * from a backward method, is passed to backward as `dY` as is: `externalLoss` only checks it.
 */

export interface LossValue {
  /** ℓ. */
  loss: number;
  /** ∂ℓ/∂(what the loss read), same shape. */
  grad: Float64Array;
}

/** ℓ = (1/(B·d)) Σ (ŷ − y)², the mean over every entry (PyTorch's MSELoss). */
export function mseLoss(pred: ArrayLike<number>, target: ArrayLike<number>): LossValue {
  if (pred.length !== target.length)
    throw new Error(`mseLoss: prediction has ${pred.length} entries, target ${target.length}`);
  const N = pred.length;
  const grad = new Float64Array(N);
  let loss = 0;
  for (let i = 0; i < N; i++) {
    const r = pred[i] - target[i];
    loss += r * r;
    grad[i] = (2 * r) / N;
  }
  return { loss: loss / Math.max(N, 1), grad };
}

/**
 * The Sobolev term of Training lab II, ℓ = (1/B) Σ_b Σ_d Σ_o M²·(T̂ − T)² over the masked entries,
 * where T̂ = Dĝθ(x_b)·v_d are the network's output tangents (tape.tangent, B·k × d rows) and T the
 * target directional derivatives Dg(x_b)·v_d. `mask` (same shape, entries M ∈ {0, 1} or weights)
 * selects entries; omit it for every entry. Its gradient is the dT adjoint of `Mlp.backward`.
 */
export function sobolevLoss(
  tangents: ArrayLike<number>,
  targets: ArrayLike<number>,
  batch: number,
  mask?: ArrayLike<number>,
): LossValue {
  if (tangents.length !== targets.length)
    throw new Error(
      `sobolevLoss: tangents have ${tangents.length} entries, targets ${targets.length}`,
    );
  if (mask && mask.length !== tangents.length)
    throw new Error(`sobolevLoss: mask has wrong length`);
  const grad = new Float64Array(tangents.length);
  let loss = 0;
  const inv = 1 / Math.max(batch, 1);
  for (let i = 0; i < tangents.length; i++) {
    const m = mask ? mask[i] : 1;
    const r = m * (tangents[i] - targets[i]);
    loss += r * r;
    grad[i] = 2 * m * r * inv;
  }
  return { loss: loss * inv, grad };
}

/**
 * A loss whose gradient with respect to the prediction was computed outside (the QP layer's
 * ∂ℓ/∂q̂ from a backward method). Checks shape and finiteness, so a NaN stops the step with a
 * message naming the sample, and returns the adjoint to pass as `dY`.
 */
export function externalLoss(
  loss: number,
  dPred: Float64Array,
  batch: number,
  outputSize: number,
): LossValue {
  if (dPred.length !== batch * outputSize)
    throw new Error(
      `external gradient has ${dPred.length} entries, expected ${batch}×${outputSize}`,
    );
  if (!Number.isFinite(loss)) throw new Error(`loss is ${loss}`);
  for (let i = 0; i < dPred.length; i++) {
    if (!Number.isFinite(dPred[i])) {
      const b = Math.floor(i / outputSize);
      throw new Error(`∂ℓ/∂ŷ is ${dPred[i]} at sample ${b}, output ${i - b * outputSize}`);
    }
  }
  return { loss, grad: dPred };
}

/** ‖v‖₂. */
export function l2Norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
