/**
 * One seeded training race on one problem: every method gets the same initial network (same seed,
 * same layout), the same mini-batches in the same order, and steps in lockstep, one mini-batch
 * each per `step()`. After an epoch's last mini-batch every method is evaluated on validation and
 * test, and its records come back. All randomness is derived from (seed, epoch, mini-batch), so
 * `restore(snapshot)` continues a run exactly where an epoch ended (issue 9 §6).
 */
import { Mlp, mlpSpec } from '../mlp';
import { Adam, type OptimizerState } from '../optim';
import { gatherRows, shuffleInPlace } from '../batches';
import { l2Norm, mseLoss } from '../loss';
import { Rng } from '../../grad/rng';
import { zeroGradientReport } from '../../grad/zero-gradient';
import { projectionDistanceRegularizer } from '../../grad/smoothed';
import { solveSqp, type SqpResult } from '../sqp';
import { sqpBackward } from '../sqp-backward';
import type { QpProblem, QpResult } from '../../qp/types';
import { METHOD_INFO, type LabMethod } from './methods';
import { yieldTurn, type LabProblem, type OutputScaling } from './problems';
import { QpLayer, type LayerEngines } from './layer';
import { blackboxDq, identityDq, lpgdDq, perturbedSamples, spoPlusDq } from './estimators';
import type { BestEpoch, EpochRecord, Halt } from './records';

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

/** Per-method state kept across epochs; what `snapshot` saves. */
export interface MethodSnapshot {
  params: Float64Array;
  opt: OptimizerState;
  best: BestEpoch | null;
  halted: Halt | null;
}

export interface TrainerSnapshot {
  /** Epochs completed. */
  epoch: number;
  methods: Partial<Record<LabMethod, MethodSnapshot>>;
}

export interface StepResult {
  /** The epoch this mini-batch belongs to (from 1) and its index within it (from 1). */
  epoch: number;
  batch: number;
  /** Set when the mini-batch ended an epoch: every running method's record. */
  records: Partial<Record<LabMethod, EpochRecord>> | null;
  /** Methods stopped by a NaN or infinite value in this step. */
  halts: Halt[];
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

/** Epoch `epoch`'s mini-batches of `train` (a fresh seeded shuffle per epoch). */
export function epochBatches(
  train: Int32Array,
  batchSize: number,
  seed: number,
  epoch: number,
): Int32Array[] {
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  const order = shuffleInPlace(train.slice(), new Rng(mixSeed(seed, epoch, 0xba7c)));
  const out: Int32Array[] = [];
  for (let s = 0; s < order.length; s += batchSize) out.push(order.slice(s, s + batchSize));
  return out;
}

/** Samples decided per call when evaluating (a turn of the event loop between calls). */
const EVAL_CHUNK = 128;

/** A NaN or infinite value: stops the method at this step. */
class NonFinite extends Error {}

const solvedOk = (r: QpResult | undefined): r is QpResult =>
  !!r && (r.status === 'solved' || r.status === 'solved_inaccurate');

const GRAD_METHOD = {
  exact: 'kkt',
  bpqp: 'bpqp',
  qp: 'kkt',
  'smoothed-qp': 'smoothed-qp',
} as const;

interface Accumulator {
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

const freshAcc = (): Accumulator => ({
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

interface MethodState {
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
interface Decision {
  x: Float64Array;
  problem: QpProblem;
  result: QpResult;
  sqp?: SqpResult;
}

export class Trainer {
  /** Epochs completed. */
  epoch = 0;
  /** Mini-batches done in the current epoch. */
  batch = 0;
  private batches: Int32Array[] = [];
  private readonly states: MethodState[];
  private readonly features: Float64Array;

  private constructor(
    readonly problem: LabProblem,
    readonly config: TrainConfig,
    states: MethodState[],
  ) {
    this.states = states;
    this.features = problem.ds.features;
    this.batches = epochBatches(problem.splits.train, config.batchSize, config.seed, 1);
  }

  static async create(
    problem: LabProblem,
    config: TrainConfig,
    engines: LayerEngines,
  ): Promise<Trainer> {
    checkConfig(config);
    const { ds } = problem;
    const n = ds.structure.n;
    const bounds =
      ds.lower || ds.upper
        ? (i: number) => ({
            l: ds.lower
              ? ds.lower.subarray(i * ds.structure.m, (i + 1) * ds.structure.m)
              : ds.structure.l,
            u: ds.upper
              ? ds.upper.subarray(i * ds.structure.m, (i + 1) * ds.structure.m)
              : ds.structure.u,
          })
        : null;
    const states: MethodState[] = [];
    try {
      for (const method of config.methods) {
        const info = METHOD_INFO[method];
        const scaling: OutputScaling =
          info.decision === 'qp-approx' ? problem.scaling.approx : problem.scaling.cost;
        const net = Mlp.init(
          mlpSpec(ds.featureSize, config.hidden, n, 'leaky-relu', scaling),
          mixSeed(config.seed, 0x6e7),
        );
        const structure = info.decision === 'qp-approx' ? problem.approx : ds.structure;
        const layer =
          method === 'true-problem'
            ? null
            : await QpLayer.create(engines, structure, ds.size, bounds);
        states.push({
          method,
          net,
          opt: new Adam(net.paramCount, { lr: config.lr, weightDecay: config.weightDecay }),
          layer,
          sqpWarm: new Array(ds.size),
          best: null,
          halted: null,
          acc: freshAcc(),
        });
      }
    } catch (e) {
      for (const s of states) s.layer?.dispose();
      throw e;
    }
    return new Trainer(problem, config, states);
  }

  get batchesPerEpoch(): number {
    return this.batches.length;
  }

  get done(): boolean {
    return this.epoch >= this.config.epochs || this.states.every((s) => s.halted);
  }

  /** Methods still training. */
  get running(): LabMethod[] {
    return this.states.filter((s) => !s.halted).map((s) => s.method);
  }

  /** Where each method's forward solves and backward passes run. */
  engines(): Partial<Record<LabMethod, { forward: 'cpu' | 'gpu'; backward: 'cpu' | 'gpu' }>> {
    const out: Partial<Record<LabMethod, { forward: 'cpu' | 'gpu'; backward: 'cpu' | 'gpu' }>> = {};
    for (const s of this.states) {
      const layer = s.layer;
      const kind = METHOD_INFO[s.method].backward;
      const backward = !layer
        ? 'cpu'
        : kind === 'engine'
          ? layer.backwardEngine(GRAD_METHOD[s.method as keyof typeof GRAD_METHOD])
          : kind === 'solves'
            ? layer.engine
            : 'cpu';
      out[s.method] = { forward: layer?.engine ?? 'cpu', backward };
    }
    return out;
  }

  /** One mini-batch for every running method; evaluates when it ends the epoch. */
  async step(): Promise<StepResult> {
    if (this.done) throw new Error('the run is finished');
    const epoch = this.epoch + 1;
    const idx = this.batches[this.batch];
    this.batch++;
    const halts: Halt[] = [];
    for (const [k, s] of this.states.entries()) {
      if (s.halted) continue;
      // A turn of the event loop between methods: a large mini-batch takes a while.
      if (k > 0) await yieldTurn();
      try {
        await this.trainStep(s, idx, epoch, this.batch);
      } catch (e) {
        if (!(e instanceof NonFinite)) throw e;
        s.halted = {
          method: s.method,
          epoch,
          step: this.batch,
          message: `${METHOD_INFO[s.method].label}: ${e.message} at epoch ${epoch}, mini-batch ${this.batch}; this method stopped, the others go on`,
        };
        halts.push(s.halted);
      }
    }
    let records: StepResult['records'] = null;
    if (this.batch >= this.batches.length) {
      records = await this.endEpoch(epoch);
      this.epoch = epoch;
      this.batch = 0;
      if (!this.done)
        this.batches = epochBatches(
          this.problem.splits.train,
          this.config.batchSize,
          this.config.seed,
          epoch + 1,
        );
    }
    return { epoch, batch: this.batch === 0 ? this.batches.length : this.batch, records, halts };
  }

  /** Predictions, as the costs the deciding problem is solved with (ĉ, or −ŵ for Eq. 4). */
  private costsOf(s: MethodState, pred: Float64Array): Float64Array {
    return METHOD_INFO[s.method].decision === 'qp-approx' ? pred.map((v) => -v) : pred;
  }

  /** Decisions for samples idx from the network's outputs; null where the solve failed. */
  private async decide(
    s: MethodState,
    idx: Int32Array,
    pred: Float64Array,
  ): Promise<(Decision | null)[]> {
    const { ds } = this.problem;
    const n = ds.structure.n;
    if (s.method === 'true-problem') {
      const lse = this.problem.lse!;
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
    const res = await layer.solve(idx, this.costsOf(s, pred));
    const probs = layer.lastProblems();
    return res.map((r, k) =>
      solvedOk(r) && r.x.every(Number.isFinite) ? { x: r.x, problem: probs[k], result: r } : null,
    );
  }

  private async trainStep(
    s: MethodState,
    idx: Int32Array,
    epoch: number,
    step: number,
  ): Promise<void> {
    const { ds } = this.problem;
    const n = ds.structure.n;
    const B = idx.length;
    const X = gatherRows(this.features, ds.featureSize, idx);
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
      const dec = await this.decide(s, idx, pred);
      this.countRegret(s, idx, dec);
      s.acc.samples += B;
    } else {
      loss = await this.decisionStep(s, idx, pred, dY, epoch, step);
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

  private countRegret(s: MethodState, idx: Int32Array, dec: (Decision | null)[]): void {
    const p = this.problem;
    dec.forEach((d, k) => {
      if (!d) return void s.acc.failures++;
      const i = idx[k];
      s.acc.regretNum += p.value(i, d.x) - p.optimum.obj[i];
      s.acc.regretDen += Math.abs(p.optimum.obj[i]);
    });
  }

  /** A decision-focused step: ∂ℓ/∂(prediction) into dY (B × n); returns the batch loss. */
  private async decisionStep(
    s: MethodState,
    idx: Int32Array,
    pred: Float64Array,
    dY: Float64Array,
    epoch: number,
    step: number,
  ): Promise<number> {
    const p = this.problem;
    const cfg = this.config;
    const n = p.ds.structure.n;
    const B = idx.length;
    const dec = await this.decide(s, idx, pred);
    this.countRegret(s, idx, dec);
    const g = dec.map((d, k) => (d ? p.gradient(idx[k], d.x) : new Float64Array(n)));
    const okRows = dec.map((d) => d !== null);
    let loss = 0;
    dec.forEach((d, k) => d && (loss += p.value(idx[k], d.x) / B));
    /** ∂ℓ_k/∂(cost) per sample, for the loss (1/B)Σ ℓ_k; null = no gradient (failed). */
    let dc: (Float64Array | null)[] = dec.map(() => null);
    const costs = this.costsOf(s, pred);
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

  /** Validation and test decisions of every running method; the epoch's records. */
  private async endEpoch(epoch: number): Promise<Partial<Record<LabMethod, EpochRecord>>> {
    const p = this.problem;
    const out: Partial<Record<LabMethod, EpochRecord>> = {};
    const lostIdx = p.splits.test[this.config.lostSample % p.splits.test.length];
    for (const s of this.states) {
      if (s.halted && s.acc.steps === 0) continue;
      const times = s.layer?.takeTimes() ?? { forwardMs: 0, backwardMs: 0 };
      const a = s.acc;
      const trainMs = {
        forward: times.forwardMs + a.forwardMs,
        backward: times.backwardMs + a.backwardMs,
      };
      const t0 = performance.now();
      const val = await this.regretOn(s, p.splits.val);
      const test = await this.regretOn(s, p.splits.test, lostIdx);
      // Evaluation solves count as evaluation, not as training forward time.
      s.layer?.takeTimes();
      const rec: EpochRecord = {
        epoch,
        regret: {
          train: a.regretDen > 0 ? a.regretNum / a.regretDen : NaN,
          val: val.regret,
          test: test.regret,
        },
        grad_norm: a.steps > 0 ? a.gradNorm / a.steps : NaN,
        forward_ms: trainMs.forward,
        backward_ms: trainMs.backward,
        loss: a.lossCount > 0 ? a.loss / a.lossCount : NaN,
        eval_ms: performance.now() - t0,
        zero_grad_share: a.samples > 0 ? a.zero / a.samples : NaN,
        lost_fraction: test.lost,
        failures: a.failures + val.failures + test.failures,
        samples: a.samples,
      };
      out[s.method] = rec;
      if (Number.isFinite(rec.regret.val) && (!s.best || rec.regret.val < s.best.val))
        s.best = { epoch, val: rec.regret.val, test: rec.regret.test, train: rec.regret.train };
      s.acc = freshAcc();
    }
    return out;
  }

  /** Normalized regret of a method's decisions on samples idx (failed solves left out, counted). */
  private async regretOn(
    s: MethodState,
    idx: Int32Array,
    lostIdx?: number,
  ): Promise<{ regret: number; failures: number; lost: number | null }> {
    const p = this.problem;
    let num = 0;
    let den = 0;
    let failures = 0;
    let lost: number | null = null;
    // In chunks, with a turn of the event loop between them (a worker answers its pings).
    for (let c = 0; c < idx.length; c += EVAL_CHUNK) {
      if (c > 0) await yieldTurn();
      const part = idx.subarray(c, c + EVAL_CHUNK);
      const X = gatherRows(p.ds.features, p.ds.featureSize, part);
      const dec = await this.decide(s, part, s.net.predict(X, part.length));
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

  /** The best-on-validation epoch of each method so far. */
  best(): Partial<Record<LabMethod, BestEpoch | null>> {
    return Object.fromEntries(this.states.map((s) => [s.method, s.best]));
  }

  /** Halts so far. */
  halts(): Halt[] {
    return this.states.flatMap((s) => (s.halted ? [s.halted] : []));
  }

  /** Weights, optimizer moments and best-so-far of every method, at an epoch boundary. */
  snapshot(): TrainerSnapshot {
    if (this.batch !== 0) throw new Error('snapshots are taken between epochs');
    const methods: TrainerSnapshot['methods'] = {};
    for (const s of this.states)
      methods[s.method] = {
        params: s.net.params.slice(),
        opt: s.opt.snapshot(),
        best: s.best ? { ...s.best } : null,
        halted: s.halted ? { ...s.halted } : null,
      };
    return { epoch: this.epoch, methods };
  }

  /** Continues from a snapshot of the same configuration. */
  restore(snap: TrainerSnapshot): void {
    if (!(Number.isInteger(snap.epoch) && snap.epoch >= 0 && snap.epoch <= this.config.epochs))
      throw new Error(`snapshot epoch ${snap.epoch} is outside 0..${this.config.epochs}`);
    for (const s of this.states) {
      const m = snap.methods[s.method];
      if (!m) throw new Error(`the snapshot has no weights for ${s.method}`);
      if (m.params.length !== s.net.paramCount)
        throw new Error(
          `the snapshot's ${s.method} network has ${m.params.length} weights, expected ${s.net.paramCount}`,
        );
      s.net.params.set(m.params);
      s.opt.restore(m.opt);
      s.best = m.best ? { ...m.best } : null;
      s.halted = m.halted ? { ...m.halted } : null;
      s.acc = freshAcc();
      s.layer?.clearWarmStarts();
      s.sqpWarm.fill(undefined);
    }
    this.epoch = snap.epoch;
    this.batch = 0;
    if (!this.done)
      this.batches = epochBatches(
        this.problem.splits.train,
        this.config.batchSize,
        this.config.seed,
        this.epoch + 1,
      );
  }

  dispose(): void {
    for (const s of this.states) s.layer?.dispose();
  }
}

function checkConfig(c: TrainConfig): void {
  const posInt = (v: number, name: string) => {
    if (!(Number.isInteger(v) && v > 0))
      throw new Error(`${name} must be a positive integer, got ${v}`);
  };
  posInt(c.epochs, 'epochs');
  posInt(c.batchSize, 'batch size');
  posInt(c.perturbSamples, 'perturbed samples');
  if (!(c.lr > 0 && Number.isFinite(c.lr)))
    throw new Error(`learning rate must be > 0, got ${c.lr}`);
  if (!(c.weightDecay >= 0)) throw new Error(`weight decay must be ≥ 0, got ${c.weightDecay}`);
  if (!(c.alpha >= 0)) throw new Error(`alpha must be ≥ 0, got ${c.alpha}`);
  for (const [v, name] of [
    [c.tau, 'tau'],
    [c.blackboxLambda, 'blackbox lambda'],
    [c.sigma, 'sigma'],
  ] as const)
    if (!(v > 0 && Number.isFinite(v))) throw new Error(`${name} must be > 0, got ${v}`);
  if (c.hidden.some((h) => !(Number.isInteger(h) && h > 0)))
    throw new Error(`hidden widths must be positive integers, got ${c.hidden.join(',')}`);
  if (c.methods.length === 0) throw new Error('no method to train');
}
