/**
 * One method's part of a training step, and its evaluation: decide (solve the mini-batch through
 * the method's QP layer, or by SQP), turn ∂ℓ/∂x̂ into ∂ℓ/∂(prediction) by the method's backward pass,
 * backpropagate through the network and take the optimizer step. NaN or infinite values throw
 * NonFinite, which stops the method (trainer.ts).
 */
import type { Mlp } from '../mlp';
import type { Adam } from '../optim';
import { gatherRows } from '../batches';
import { l2Norm, mseLoss } from '../loss';
import { zeroGradientReport } from '../../grad/zero-gradient';
import { projectionDistanceRegularizer } from '../../grad/smoothed';
import { solveSqp, type SqpResult } from '../sqp';
import { sqpBackward } from '../sqp-backward';
import type { QpProblem, QpResult } from '../../qp/types';
import { METHOD_INFO, type LabMethod } from './methods';
import { yieldTurn, type LabProblem } from './problems';
import type { QpLayer } from './layer';
import { blackboxDq, identityDq, lpgdDq, perturbedSamples, spoPlusDq } from './estimators';
import type { BestEpoch, Halt } from './records';

export interface TrainConfig {
  /** Methods that apply to the problem (see methods.ts: splitApplicable). */
  methods: LabMethod[];
  seed: number;
  epochs: number;
  batchSize: number;
  /** Adam's learning rate (App. C: Adam at PyTorch's defaults otherwise). */
  lr: number;
  /** Hidden widths of the predictor (App. C: [256, 256]; LeakyReLU). */
  hidden: number[];
  weightDecay: number;
  /** α of the projection-distance penalty (Eq. 6), smoothed QP only. */
  alpha: number;
  /** LPGD's τ, applied to the per-sample gradient ∇f(x̂). */
  tau: number;
  /** Blackbox differentiation's λ. */
  blackboxLambda: number;
  /** Perturbed optimizer's σ, in units of the costs' standard deviation. */
  sigma: number;
  /** Perturbed optimizer's Monte Carlo samples M. */
  perturbSamples: number;
  /** Position, in the test split, of the sample whose lost fraction is tracked. */
  lostSample: number;
}

/** Seeds derived from counters (mulberry32-style mixing), so nothing random depends on history. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
  }
  return (h ^ (h >>> 16)) >>> 0;
}

/** What a method's step reads: the problem and the run's configuration. */
export interface StepContext {
  problem: LabProblem;
  config: TrainConfig;
}

/** Samples decided per call when evaluating (a turn of the event loop between calls). */
export const EVAL_CHUNK = 128;

/** A NaN or infinite value: stops the method at this step. */
export class NonFinite extends Error {}

export const solvedOk = (r: QpResult | undefined): r is QpResult =>
  !!r && (r.status === 'solved' || r.status === 'solved_inaccurate');

export const GRAD_METHOD = {
  exact: 'kkt',
  bpqp: 'bpqp',
  qp: 'kkt',
  'smoothed-qp': 'smoothed-qp',
} as const;

export interface Accumulator {
  gradNorm: number;
  steps: number;
  loss: number;
  lossCount: number;
  regretNum: number;
  regretDen: number;
  zero: number;
  samples: number;
  failures: number;
  forwardMs: number;
  backwardMs: number;
}

export const freshAcc = (): Accumulator => ({
  gradNorm: 0,
  steps: 0,
  loss: 0,
  lossCount: 0,
  regretNum: 0,
  regretDen: 0,
  zero: 0,
  samples: 0,
  failures: 0,
  forwardMs: 0,
  backwardMs: 0,
});

export interface MethodState {
  method: LabMethod;
  net: Mlp;
  opt: Adam;
  /** The QP layer deciding (true problem or QP approximation); null for SQP. */
  layer: QpLayer | null;
  /** SQP's warm starts per sample (true-problem). */
  sqpWarm: ({ x: Float64Array; y: Float64Array } | undefined)[];
  best: BestEpoch | null;
  halted: Halt | null;
  acc: Accumulator;
}

/** One sample's decision: x̂, and what the backward pass and the lost fraction need. */
export interface Decision {
  x: Float64Array;
  problem: QpProblem;
  result: QpResult;
  sqp?: SqpResult;
}

/** Predictions, as the costs the deciding problem is solved with (ĉ, or −ŵ for Eq. 4). */
export function costsOf(s: MethodState, pred: Float64Array): Float64Array {
  return METHOD_INFO[s.method].decision === 'qp-approx' ? pred.map((v) => -v) : pred;
}

/** Decisions for samples idx from the network's outputs; null where the solve failed. */
export async function decide(
  ctx: StepContext,
  s: MethodState,
  idx: Int32Array,
  pred: Float64Array,
): Promise<(Decision | null)[]> {
  const { ds } = ctx.problem;
  const n = ds.structure.n;
  if (s.method === 'true-problem') {
    const lse = ctx.problem.lse!;
    const t0 = performance.now();
    const out = Array.from(idx, (i, r) => {
      const p = Float64Array.from(pred.subarray(r * n, (r + 1) * n), (v) => -v);
      const w = s.sqpWarm[i];
      const x0 = w?.x ?? new Float64Array(n).fill(1 / n);
      const sol = solveSqp(
        lse.objective.at(p),
        { A: ds.structure.A, l: ds.structure.l, u: ds.structure.u },
        { x0, y0: w?.y },
      );
      if (sol.status !== 'solved') return null;
      s.sqpWarm[i] = { x: sol.x, y: sol.y };
      return { x: sol.x, problem: sol.qp.problem, result: sol.qp.result, sqp: sol };
    });
    s.acc.forwardMs += performance.now() - t0;
    return out;
  }
  const layer = s.layer!;
  const res = await layer.solve(idx, costsOf(s, pred));
  const probs = layer.lastProblems();
  return res.map((r, k) =>
    solvedOk(r) && r.x.every(Number.isFinite) ? { x: r.x, problem: probs[k], result: r } : null,
  );
}

export async function trainStep(
  ctx: StepContext,
  s: MethodState,
  idx: Int32Array,
  epoch: number,
  step: number,
): Promise<void> {
  const { ds } = ctx.problem;
  const n = ds.structure.n;
  const B = idx.length;
  const X = gatherRows(ctx.problem.ds.features, ds.featureSize, idx);
  const tape = s.net.forward(X, B);
  const pred = tape.output;
  const dY = new Float64Array(B * n);
  let loss = 0;
  if (s.method === 'mse') {
    const target = gatherRows(ds.costs, n, idx);
    const m = mseLoss(pred, target);
    loss = m.loss;
    dY.set(m.grad);
    // Decisions only to log the running train regret.
    const dec = await decide(ctx, s, idx, pred);
    countRegret(ctx, s, idx, dec);
    s.acc.samples += B;
  } else {
    loss = await decisionStep(ctx, s, idx, pred, dY, epoch, step);
  }
  if (!Number.isFinite(loss)) throw new NonFinite(`the loss is ${loss}`);
  for (let k = 0; k < dY.length; k++)
    if (!Number.isFinite(dY[k]))
      throw new NonFinite(`∂ℓ/∂(prediction) is ${dY[k]} (sample ${idx[Math.floor(k / n)]})`);
  const { grad } = s.net.backward(tape, { dY });
  const norm = l2Norm(grad);
  if (!Number.isFinite(norm)) throw new NonFinite(`the gradient norm is ${norm}`);
  const before = s.net.params.slice();
  s.opt.step(s.net.params, grad);
  if (!s.net.params.every(Number.isFinite)) {
    s.net.params.set(before);
    throw new NonFinite('the weights overflowed');
  }
  s.acc.gradNorm += norm;
  s.acc.steps++;
  s.acc.loss += loss;
  s.acc.lossCount++;
}

export function countRegret(
  ctx: StepContext,
  s: MethodState,
  idx: Int32Array,
  dec: (Decision | null)[],
): void {
  const p = ctx.problem;
  dec.forEach((d, k) => {
    if (!d) return void s.acc.failures++;
    const i = idx[k];
    s.acc.regretNum += p.value(i, d.x) - p.optimum.obj[i];
    s.acc.regretDen += Math.abs(p.optimum.obj[i]);
  });
}

/** A decision-focused step: ∂ℓ/∂(prediction) into dY (B × n); returns the batch loss. */
export async function decisionStep(
  ctx: StepContext,
  s: MethodState,
  idx: Int32Array,
  pred: Float64Array,
  dY: Float64Array,
  epoch: number,
  step: number,
): Promise<number> {
  const p = ctx.problem;
  const cfg = ctx.config;
  const n = p.ds.structure.n;
  const B = idx.length;
  const dec = await decide(ctx, s, idx, pred);
  countRegret(ctx, s, idx, dec);
  const g = dec.map((d, k) => (d ? p.gradient(idx[k], d.x) : new Float64Array(n)));
  const okRows = dec.map((d) => d !== null);
  let loss = 0;
  dec.forEach((d, k) => d && (loss += p.value(idx[k], d.x) / B));
  /** ∂ℓ_k/∂(cost) per sample, for the loss (1/B)Σ ℓ_k; null = no gradient (failed). */
  let dc: (Float64Array | null)[] = dec.map(() => null);
  const costs = costsOf(s, pred);
  const results = dec.map((d) => d?.result);
  const tb = performance.now();
  switch (s.method) {
    case 'exact':
    case 'bpqp':
    case 'qp':
    case 'smoothed-qp': {
      const out = await s.layer!.backward(g, GRAD_METHOD[s.method]);
      dc = out.map((o, k) => (okRows[k] && o.ok ? o.grads.dq : null));
      break;
    }
    case 'lpgd':
    case 'lpgd-lower':
    case 'lpgd-upper':
      dc = await lpgdDq(s.layer!, idx, costs, results as QpResult[], g, cfg.tau, s.method);
      break;
    case 'blackbox':
      dc = await blackboxDq(s.layer!, idx, costs, results as QpResult[], g, cfg.blackboxLambda);
      break;
    case 'spo+': {
      const cTrue = Array.from(idx, (i) => p.ds.costs.subarray(i * n, (i + 1) * n));
      const xTrue = Array.from(idx, (i) => p.optimum.x.subarray(i * n, (i + 1) * n));
      const out = await spoPlusDq(s.layer!, idx, costs, cTrue, xTrue, results as QpResult[]);
      loss = 0;
      dc = out.map((o, k) => {
        if (!o || !okRows[k]) return null;
        loss += o.loss / B;
        return o.dq;
      });
      break;
    }
    case 'perturbed': {
      const seeds = Array.from(idx, (_, r) => mixSeed(cfg.seed, epoch, step, r, 0x9e7));
      const sigma = cfg.sigma * p.scaling.cost.scale;
      const out = await perturbedSamples(
        s.layer!,
        idx,
        costs,
        results as QpResult[],
        sigma,
        cfg.perturbSamples,
        seeds,
      );
      loss = 0;
      dc = out.map((o, k) => {
        if (!o || !okRows[k]) return null;
        loss += p.value(idx[k], o.y) / B;
        return o.vjp(p.gradient(idx[k], o.y));
      });
      break;
    }
    case 'identity':
      dc = dec.map((d, k) => (d ? identityDq(g[k], costs.subarray(k * n, (k + 1) * n)) : null));
      break;
    case 'true-problem': {
      dc = dec.map((d, k) => {
        if (!d?.sqp) return null;
        try {
          const pHat = Float64Array.from(pred.subarray(k * n, (k + 1) * n), (v) => -v);
          const dp = sqpBackward(p.lse!.objective, pHat, d.sqp, g[k]).dtheta;
          return dp.map((v) => -v);
        } catch {
          return null;
        }
      });
      s.acc.backwardMs += performance.now() - tb;
      break;
    }
    case 'mse':
      throw new Error('unreachable');
  }
  // ∂ℓ/∂(prediction): the cost's gradient, or minus it for the QP approximation (q = −ŵ).
  const sign = METHOD_INFO[s.method].decision === 'qp-approx' ? -1 : 1;
  dc.forEach((v, k) => {
    if (!v) {
      if (okRows[k]) s.acc.failures++;
      return;
    }
    let norm = 0;
    for (let j = 0; j < n; j++) {
      const val = (sign * v[j]) / B;
      dY[k * n + j] = val;
      norm += val * val;
    }
    const gn = l2Norm(g[k]) / B;
    if (Math.sqrt(norm) <= 1e-9 * gn) s.acc.zero++;
    s.acc.samples++;
  });
  if (s.method === 'smoothed-qp' && cfg.alpha > 0) {
    dec.forEach((d, k) => {
      if (!d) return;
      const w = pred.subarray(k * n, (k + 1) * n);
      const reg = projectionDistanceRegularizer(d.x, w, cfg.alpha);
      loss += reg.value / B;
      for (let j = 0; j < n; j++) dY[k * n + j] += reg.grad[j] / B;
    });
  }
  return loss;
}

/** Normalized regret of a method's decisions on samples idx (failed solves left out, counted). */
export async function regretOn(
  ctx: StepContext,
  s: MethodState,
  idx: Int32Array,
  lostIdx?: number,
): Promise<{ regret: number; failures: number; lost: number | null }> {
  const p = ctx.problem;
  let num = 0;
  let den = 0;
  let failures = 0;
  let lost: number | null = null;
  // In chunks, with a turn of the event loop between them (a worker answers its pings).
  for (let c = 0; c < idx.length; c += EVAL_CHUNK) {
    if (c > 0) await yieldTurn();
    const part = idx.subarray(c, c + EVAL_CHUNK);
    const X = gatherRows(p.ds.features, p.ds.featureSize, part);
    const dec = await decide(ctx, s, part, s.net.predict(X, part.length));
    dec.forEach((d, k) => {
      const i = part[k];
      if (!d) return void failures++;
      num += p.value(i, d.x) - p.optimum.obj[i];
      den += Math.abs(p.optimum.obj[i]);
      if (i === lostIdx) {
        try {
          lost = zeroGradientReport(d.problem, d.result, p.gradient(i, d.x)).lostFraction;
        } catch {
          lost = null;
        }
      }
    });
  }
  return { regret: den > 0 ? num / den : NaN, failures, lost };
}
