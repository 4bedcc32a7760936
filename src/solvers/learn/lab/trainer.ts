/**
 * One seeded training race on one problem: every method gets the same initial network (same seed,
 * same layout), the same mini-batches in the same order, and steps in lockstep, one mini-batch
 * each per `step()`. After an epoch's last mini-batch every method is evaluated on validation and
 * test, and its records come back. All randomness is derived from (seed, epoch, mini-batch), so
 * `restore(snapshot)` continues a run exactly where an epoch ended (issue 9 §6).
 */
import { Mlp, mlpSpec } from '../mlp';
import { Adam, type OptimizerState } from '../optim';
import { shuffleInPlace } from '../batches';
import { Rng } from '../../grad/rng';
import { METHOD_INFO, type LabMethod } from './methods';
import { yieldTurn, type LabProblem, type OutputScaling } from './problems';
import { QpLayer, type LayerEngines } from './layer';
import type { BestEpoch, EpochRecord, Halt } from './records';
import {
  GRAD_METHOD,
  NonFinite,
  freshAcc,
  mixSeed,
  regretOn,
  trainStep,
  type MethodState,
  type StepContext,
  type TrainConfig,
} from './method-step';

export { mixSeed, type TrainConfig } from './method-step';

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

export class Trainer {
  /** Epochs completed. */
  epoch = 0;
  /** Mini-batches done in the current epoch. */
  batch = 0;
  private batches: Int32Array[] = [];
  private readonly states: MethodState[];
  private readonly ctx: StepContext;

  private constructor(
    readonly problem: LabProblem,
    readonly config: TrainConfig,
    states: MethodState[],
  ) {
    this.states = states;
    this.ctx = { problem, config };
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
        await trainStep(this.ctx, s, idx, epoch, this.batch);
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
      const val = await regretOn(this.ctx, s, p.splits.val);
      const test = await regretOn(this.ctx, s, p.splits.test, lostIdx);
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
