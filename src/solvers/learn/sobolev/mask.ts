/**
 * The mask study (Sobolev training paper, Appendix D Table 5): one network per mask density, trained
 * by Adam on mini-batches with the Sobolev loss of train.ts, masks redrawn per instance and per
 * mini-batch; density 0 is MSE-only training. Every density starts from the same seeded weights and
 * sees the same batches, so the densities differ only in their loss.
 *
 * Metrics on the test split, at the epoch best on validation MSE (You Shall Pass App. C's rule):
 *  - test MSE of the values (normalized outputs, the quantity Table 5 compares) and of the Jacobian;
 *  - constraint violation of the prediction x̂: max_i max(l_i − a_iᵀx̂, a_iᵀx̂ − u_i, 0) per instance,
 *    its worst case and median over the test instances;
 *  - optimality gap |f(x̂) − f*| / |f*| with f the QP's objective (mean and median);
 *  - stability: the relative standard deviation of the mini-batch value MSE over the last epochs.
 */
import { Mlp, mlpSpec, unitDirections } from '../mlp';
import { Adam } from '../optim';
import { BatchSampler } from '../batches';
import { l2Norm } from '../loss';
import { Rng } from '../../grad/rng';
import { maxOf, mean, median, type RunClock } from '../runs';
import type { Family, Instance } from './families';
import { buildData, predict, sobolevBatch, type Normalizer, type SobolevData } from './train';

export interface MaskTrainOptions {
  hidden: number[];
  epochs: number;
  batchSize: number;
  lr: number;
  lambda: number;
  seed: number;
  /** Epochs at the end whose mini-batch losses measure stability. */
  stabilityEpochs: number;
}

export interface SobolevEpoch {
  epoch: number;
  /** Mean mini-batch loss (value MSE + λ·masked Jacobian term), normalized units. */
  loss: number;
  /** Value MSE (normalized outputs) at the epoch's end. */
  mse: { train: number; val: number; test: number };
  /** Jacobian MSE over every entry (normalized), at the epoch's end. */
  jac_mse: { train: number; val: number; test: number };
  /** Mean ‖∂L/∂θ‖₂ over the epoch's steps. */
  grad_norm: number;
  /** Forward passes with tangents, and reverse passes, summed over the epoch's steps. */
  forward_ms: number;
  backward_ms: number;
}

export interface SobolevFinal {
  density: number;
  best_epoch: number;
  test_mse: number;
  test_jac_mse: number;
  violation_max: number;
  violation_median: number;
  gap_mean: number;
  gap_median: number;
  /** std/mean of the mini-batch value MSE over the last `stabilityEpochs` epochs. */
  stability: number;
  /** Tangent directions carried per instance, mean over the run (d for a dense mask). */
  tangents_per_instance: number;
  train_ms: number;
}

/** Violation of l ≤ Ax ≤ u (0 when feasible). */
export function violation(it: Instance, x: ArrayLike<number>): number {
  const { A, l, u, m, n } = it.problem;
  let v = 0;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A.data[i * n + j] * x[j];
    v = Math.max(v, l[i] - s, s - u[i]);
  }
  return v;
}

/** ½xᵀPx + qᵀx + r. */
export function objective(it: Instance, x: ArrayLike<number>): number {
  const { P, q, r, n } = it.problem;
  let f = r;
  for (let i = 0; i < n; i++) {
    f += q[i] * x[i];
    for (let j = 0; j < n; j++) f += 0.5 * x[i] * P.data[i * n + j] * x[j];
  }
  return f;
}

/** Value and Jacobian MSE of the network on a normalized set. */
function errors(net: Mlp, data: SobolevData, idx: ArrayLike<number>): { mse: number; jac: number } {
  const { d, n } = data;
  const B = idx.length;
  if (B === 0) return { mse: NaN, jac: NaN };
  const X = new Float64Array(B * d);
  for (let b = 0; b < B; b++) X.set(data.P.subarray(idx[b] * d, (idx[b] + 1) * d), b * d);
  const all = Array.from({ length: d }, (_, j) => j);
  const tape = net.forward(
    X,
    B,
    unitDirections(
      d,
      Array.from({ length: B }, () => all),
    ),
  );
  let mse = 0;
  let jac = 0;
  for (let b = 0; b < B; b++) {
    const i = idx[b];
    for (let o = 0; o < n; o++) {
      mse += (tape.output[b * n + o] - data.Y[i * n + o]) ** 2;
      for (let j = 0; j < d; j++)
        jac += (tape.tangent[(b * d + j) * n + o] - data.J[(i * n + o) * d + j]) ** 2;
    }
  }
  return { mse: mse / (B * n), jac: jac / (B * n * d) };
}

export interface MaskRun {
  epochs: SobolevEpoch[];
  final: SobolevFinal;
}

/** Trains one density; `onEpoch` sees each record as it is made. */
export async function trainDensity(
  family: Family,
  norm: Normalizer,
  instances: Instance[],
  split: { train: Int32Array; val: Int32Array; test: Int32Array },
  density: number,
  o: MaskTrainOptions,
  clock: RunClock,
  onEpoch: (r: SobolevEpoch) => void,
): Promise<MaskRun> {
  const t0 = performance.now();
  const data = buildData(norm, instances);
  const net = Mlp.init(mlpSpec(family.d, o.hidden, family.n, 'tanh'), o.seed);
  const adam = new Adam(net.paramCount, { lr: o.lr });
  const sampler = new BatchSampler(split.train, o.batchSize, o.seed + 1);
  const maskRng = new Rng(o.seed + 2);
  const epochs: SobolevEpoch[] = [];
  const batchMse: number[][] = [];
  let best = { val: Infinity, epoch: 0, params: net.params.slice() };
  let tangents = 0;
  let steps = 0;
  for (let e = 1; e <= o.epochs; e++) {
    let loss = 0;
    let gn = 0;
    let fwd = 0;
    let bwd = 0;
    const mses: number[] = [];
    const batches = sampler.epoch();
    for (const idx of batches) {
      const v = sobolevBatch(net, data, idx, o.lambda, density, maskRng);
      fwd += v.forwardMs;
      bwd += v.backwardMs;
      adam.step(net.params, v.grad);
      loss += v.loss;
      gn += l2Norm(v.grad);
      mses.push(v.mse);
      tangents += v.tangentsPerInstance;
      steps++;
      clock.tick();
      await clock.turn();
    }
    batchMse.push(mses);
    const tr = errors(net, data, split.train);
    const va = errors(net, data, split.val);
    const te = errors(net, data, split.test);
    const rec: SobolevEpoch = {
      epoch: e,
      loss: loss / batches.length,
      mse: { train: tr.mse, val: va.mse, test: te.mse },
      jac_mse: { train: tr.jac, val: va.jac, test: te.jac },
      grad_norm: gn / batches.length,
      forward_ms: fwd,
      backward_ms: bwd,
    };
    epochs.push(rec);
    onEpoch(rec);
    if (va.mse < best.val) best = { val: va.mse, epoch: e, params: net.params.slice() };
  }
  net.params.set(best.params);
  const te = errors(net, data, split.test);
  const testSet = Array.from(split.test, (i) => instances[i]);
  const xs = predict(
    net,
    norm,
    testSet.map((it) => it.p),
  );
  const viol = testSet.map((it, k) => violation(it, xs[k]));
  const gaps = testSet.map(
    (it, k) => Math.abs(objective(it, xs[k]) - it.obj) / Math.max(Math.abs(it.obj), 1e-12),
  );
  const last = batchMse.slice(-o.stabilityEpochs).flat();
  const m = mean(last);
  const sd = Math.sqrt(mean(last.map((v) => (v - m) ** 2)));
  return {
    epochs,
    final: {
      density,
      best_epoch: best.epoch,
      test_mse: te.mse,
      test_jac_mse: te.jac,
      violation_max: maxOf(viol),
      violation_median: median(viol),
      gap_mean: mean(gaps),
      gap_median: median(gaps),
      stability: sd / m,
      tangents_per_instance: steps > 0 ? tangents / steps : 0,
      train_ms: performance.now() - t0,
    },
  };
}
