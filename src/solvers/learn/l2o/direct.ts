/**
 * Direct maps πθ: x ↦ y (the tutorial's "end-to-end L2O"), trained
 *  - supervised:       ℓ = ‖πθ(x) − y*‖²  (labels from the solver),
 *  - self-supervised:  ℓ = f(y) + λ₁‖(Gy − h)₊‖² + λ₂‖Ay − x‖²  (no labels),
 * each plain, behind the projection layer (projection.ts), or with DC3's completion and correction
 * (dc3.ts). The loss is on the restored y; its gradient flows back through the restoration into θ.
 */
import { Mlp, mlpSpec } from '../mlp';
import { Adam } from '../optim';
import { BatchSampler, gatherRows } from '../batches';
import { l2Norm } from '../loss';
import type { RunClock } from '../runs';
import { completeAndCorrect, completeAndCorrectBackward, type Dc3, type Dc3Trace } from './dc3';
import type { ProjectionLayer } from './projection';
import {
  objectiveGradient,
  objective,
  quality,
  type L2oData,
  type L2oProblem,
  type Quality,
} from './problem';

export type Supervision = 'sup' | 'self';
export type Restoration = 'none' | 'proj' | 'dc3';

export interface DirectOptions {
  hidden: number[];
  epochs: number;
  batchSize: number;
  lr: number;
  /** λ₁ = λ₂ of the self-supervised penalties. */
  penalty: number;
  seed: number;
}

/** One epoch of one L2O variant (issue 9's record with the gap in place of the regret). */
export interface L2oEpoch {
  epoch: number;
  loss: number;
  /** Mean relative optimality gap; train is the running value over the epoch's mini-batches. */
  gap: { train: number; val: number; test: number };
  /** Largest equality and inequality violation on the validation split. */
  eq_max: number;
  ineq_max: number;
  grad_norm: number;
  forward_ms: number;
  backward_ms: number;
}

/** A direct map with its restoration. */
export interface DirectModel {
  problem: L2oProblem;
  net: Mlp;
  supervision: Supervision;
  restoration: Restoration;
  dc3?: Dc3;
  projection?: ProjectionLayer;
}

export function makeDirect(
  data: L2oData,
  supervision: Supervision,
  restoration: Restoration,
  o: DirectOptions,
  extras: { dc3?: Dc3; projection?: ProjectionLayer; init?: Mlp },
): DirectModel {
  const pr = data.problem;
  const out = restoration === 'dc3' ? pr.n - pr.neq : pr.n;
  const net = extras.init
    ? extras.init.clone()
    : Mlp.init(mlpSpec(pr.neq, o.hidden, out, 'leaky-relu'), o.seed);
  return {
    problem: pr,
    net,
    supervision,
    restoration,
    dc3: extras.dc3,
    projection: extras.projection,
  };
}

/** What a forward pass keeps for the reverse pass. */
interface Pass {
  X: Float64Array;
  tape: ReturnType<Mlp['forward']>;
  Y: Float64Array;
  traces: Dc3Trace[];
}

/** y for the instances idx (the network, then the restoration). */
export async function forwardDirect(
  model: DirectModel,
  data: L2oData,
  idx: ArrayLike<number>,
): Promise<Pass> {
  const pr = data.problem;
  const B = idx.length;
  const X = gatherRows(data.X, pr.neq, idx);
  const tape = model.net.forward(X, B);
  let Y = tape.output;
  const traces: Dc3Trace[] = [];
  if (model.restoration === 'proj') Y = (await model.projection!.project(Y, X, B)).Y;
  else if (model.restoration === 'dc3') {
    const np = pr.n - pr.neq;
    Y = new Float64Array(B * pr.n);
    for (let b = 0; b < B; b++)
      traces.push(
        completeAndCorrect(
          model.dc3!,
          pr,
          tape.output.subarray(b * np, (b + 1) * np),
          X.subarray(b * pr.neq, (b + 1) * pr.neq),
          Y.subarray(b * pr.n, (b + 1) * pr.n),
        ),
      );
  }
  return { X, tape, Y, traces };
}

/** Loss of y_b for instance i and ∂ℓ/∂y_b (written into `dy`). */
export function directLoss(
  data: L2oData,
  supervision: Supervision,
  penalty: number,
  i: number,
  y: Float64Array,
  x: Float64Array,
  dy: Float64Array,
): number {
  const pr = data.problem;
  const { n, neq, nineq } = pr;
  if (supervision === 'sup') {
    let l = 0;
    for (let j = 0; j < n; j++) {
      const r = y[j] - data.Y[i * n + j];
      l += r * r;
      dy[j] = 2 * r;
    }
    return l;
  }
  objectiveGradient(pr, y, dy);
  let l = objective(pr, y);
  for (let k = 0; k < neq + nineq; k++) {
    const eq = k < neq;
    const row = eq
      ? pr.A.subarray(k * n, (k + 1) * n)
      : pr.G.subarray((k - neq) * n, (k - neq + 1) * n);
    let s = eq ? -x[k] : -pr.h[k - neq];
    for (let j = 0; j < n; j++) s += row[j] * y[j];
    if (!eq && s <= 0) continue;
    l += penalty * s * s;
    for (let j = 0; j < n; j++) dy[j] += 2 * penalty * s * row[j];
  }
  return l;
}

/** ∂ℓ/∂(network output) from ∂ℓ/∂y, through the restoration. */
async function restorationBackward(model: DirectModel, pass: Pass, dY: Float64Array) {
  const B = pass.tape.batch;
  if (model.restoration === 'proj') return (await model.projection!.backward(dY, B)).dYhat;
  if (model.restoration === 'dc3') {
    const n = dY.length / B;
    const np = model.net.outputSize;
    const out = new Float64Array(B * np);
    pass.traces.forEach((t, b) =>
      out.set(
        completeAndCorrectBackward(model.dc3!, model.problem, t, dY.subarray(b * n, (b + 1) * n)),
        b * np,
      ),
    );
    return out;
  }
  return dY;
}

/** Trains a direct model in place; every epoch's record goes to `onEpoch`. */
export async function trainDirect(
  model: DirectModel,
  data: L2oData,
  split: { train: Int32Array; val: Int32Array; test: Int32Array },
  o: DirectOptions,
  clock: RunClock,
  onEpoch: (r: L2oEpoch) => void,
): Promise<L2oEpoch[]> {
  const pr = data.problem;
  const adam = new Adam(model.net.paramCount, { lr: o.lr });
  const sampler = new BatchSampler(split.train, o.batchSize, o.seed + 17);
  const records: L2oEpoch[] = [];
  for (let e = 1; e <= o.epochs; e++) {
    let loss = 0;
    let gapSum = 0;
    let gn = 0;
    let fwd = 0;
    let bwd = 0;
    let count = 0;
    const batches = sampler.epoch();
    for (const idx of batches) {
      const t0 = performance.now();
      const pass = await forwardDirect(model, data, idx);
      const B = idx.length;
      const dY = new Float64Array(B * pr.n);
      for (let b = 0; b < B; b++) {
        const y = pass.Y.subarray(b * pr.n, (b + 1) * pr.n);
        const x = pass.X.subarray(b * pr.neq, (b + 1) * pr.neq);
        loss +=
          directLoss(
            data,
            model.supervision,
            o.penalty,
            idx[b],
            y,
            x,
            dY.subarray(b * pr.n, (b + 1) * pr.n),
          ) / B;
      }
      dY.forEach((v, k) => (dY[k] = v / B));
      gapSum += quality(data, idx, pass.Y).gap;
      const t1 = performance.now();
      const dOut = await restorationBackward(model, pass, dY);
      const { grad } = model.net.backward(pass.tape, { dY: dOut });
      adam.step(model.net.params, grad);
      gn += l2Norm(grad);
      fwd += t1 - t0;
      bwd += performance.now() - t1;
      count++;
      clock.tick();
      await clock.turn();
    }
    const val = await evaluate(model, data, split.val);
    const test = await evaluate(model, data, split.test);
    const rec: L2oEpoch = {
      epoch: e,
      loss: loss / count,
      gap: { train: gapSum / count, val: val.gap, test: test.gap },
      eq_max: val.eq_max,
      ineq_max: val.ineq_max,
      grad_norm: gn / count,
      forward_ms: fwd,
      backward_ms: bwd,
    };
    records.push(rec);
    onEpoch(rec);
  }
  return records;
}

/** Quality of the model's decisions on idx. */
export async function evaluate(
  model: DirectModel,
  data: L2oData,
  idx: ArrayLike<number>,
): Promise<Quality> {
  const pass = await forwardDirect(model, data, idx);
  return quality(data, idx, pass.Y);
}
