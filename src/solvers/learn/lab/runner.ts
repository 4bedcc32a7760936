/**
 * Runs an experiment one mini-batch at a time, for the CLI (a loop) and the page's worker (play,
 * pause, step): jobs in order (problem × seed), each a Trainer race. Everything it learns goes out
 * through hooks as it happens (a job's start, each epoch's records, a snapshot after each epoch,
 * halts, progress); the report is assembled from those records (report.ts), so the page can
 * assemble it too, and a run resumed in a new worker after a crash needs only the last snapshot.
 */
import { buildProblem, type LabProblem } from './problems';
import { jobPlans, checkSettings, type ExperimentSettings, type JobPlan } from './experiments';
import { splitApplicable, type LabMethod } from './methods';
import { Trainer, type TrainConfig, type TrainerSnapshot } from './trainer';
import type { LayerEngines } from './layer';
import type { EpochRecord, Halt } from './records';

export interface JobInfo {
  /** Index in the run's job list. */
  job: number;
  problem: { key: string; label: string };
  seed: number;
  methods: LabMethod[];
  disabled: { method: LabMethod; reason: string }[];
  /** Mini-batches per epoch. */
  batches: number;
  epochs: number;
  /** Training samples, and samples left out because their true problem did not solve. */
  trainSize: number;
  unsolved: number;
  /** Where each method's forward solves and backward passes run. */
  engines: Partial<Record<LabMethod, { forward: 'cpu' | 'gpu'; backward: 'cpu' | 'gpu' }>>;
  alpha: number;
}

export interface Progress {
  /** Mini-batches done and planned over the whole run (planned is an estimate until each job starts). */
  done: number;
  total: number;
  job: number;
  jobs: number;
  epoch: number;
  batch: number;
  batches: number;
  elapsedMs: number;
  /** Estimated time left (NaN before the first mini-batch). */
  leftMs: number;
}

export interface RunHooks {
  onJob?(info: JobInfo): void;
  onEpoch?(job: number, method: LabMethod, record: EpochRecord): void;
  onHalt?(job: number, halt: Halt): void;
  /** After each epoch: everything needed to resume from it. */
  onSnapshot?(snap: RunSnapshot): void;
  onProgress?(p: Progress): void;
}

export interface RunSnapshot {
  job: number;
  trainer: TrainerSnapshot;
}

export type StepState = 'stepped' | 'epoch' | 'done';

/** Mini-batches of a job, estimated before its data exist (the 70 % training split). */
function estimatedBatches(s: ExperimentSettings): number {
  return Math.ceil(Math.round(0.7 * s.samples) / s.batchSize);
}

export class ExperimentRunner {
  readonly settings: ExperimentSettings;
  readonly jobs: JobPlan[];
  private index = 0;
  private trainer: Trainer | null = null;
  private pending: RunSnapshot | null = null;
  private done_ = 0;
  /** Exact batches per epoch of jobs started so far. */
  private readonly batches: number[] = [];
  private elapsedMs = 0;

  constructor(
    settings: ExperimentSettings,
    private readonly engines: LayerEngines,
    private readonly hooks: RunHooks = {},
    /** Builds a job's problem (tests pass a cache). */
    private readonly build: (plan: JobPlan) => Promise<LabProblem> = (plan) =>
      buildProblem({ ...plan.spec, seed: plan.seed }),
  ) {
    this.settings = checkSettings(settings);
    this.jobs = jobPlans(settings);
  }

  get done(): boolean {
    return this.index >= this.jobs.length;
  }

  /** Continue from a snapshot (a crashed worker's last epoch): the next step starts after it. */
  resumeFrom(snap: RunSnapshot): void {
    if (!(snap.job >= 0 && snap.job < this.jobs.length))
      throw new Error(`snapshot job ${snap.job} is not in this run`);
    this.index = snap.job;
    this.pending = snap;
    const per = estimatedBatches(this.settings) * this.settings.epochs;
    this.done_ = snap.job * per + snap.trainer.epoch * estimatedBatches(this.settings);
  }

  private configFor(plan: JobPlan, methods: LabMethod[]): TrainConfig {
    const s = this.settings;
    return {
      methods,
      seed: plan.seed,
      epochs: s.epochs,
      batchSize: s.batchSize,
      lr: s.lr,
      hidden: s.hidden,
      weightDecay: s.weightDecay,
      alpha: plan.alpha,
      tau: s.tau,
      blackboxLambda: s.blackboxLambda,
      sigma: s.sigma,
      perturbSamples: s.perturbSamples,
      lostSample: s.lostSample,
    };
  }

  /** Starts the current job (builds its data, solves its optima, sets up its handles). */
  private async startJob(): Promise<Trainer | null> {
    const plan = this.jobs[this.index];
    const problem = await this.build(plan);
    const { methods, disabled } = splitApplicable(this.settings.methods, problem.traits);
    const info: Omit<JobInfo, 'batches' | 'engines'> = {
      job: this.index,
      problem: { key: problem.key, label: problem.label },
      seed: plan.seed,
      methods,
      disabled,
      epochs: this.settings.epochs,
      trainSize: problem.splits.train.length,
      unsolved: problem.unsolved,
      alpha: plan.alpha,
    };
    if (methods.length === 0) {
      this.hooks.onJob?.({ ...info, batches: 0, engines: {} });
      return null;
    }
    const trainer = await Trainer.create(problem, this.configFor(plan, methods), this.engines);
    if (this.pending) {
      trainer.restore(this.pending.trainer);
      this.pending = null;
    }
    this.batches[this.index] = trainer.batchesPerEpoch;
    this.hooks.onJob?.({ ...info, batches: trainer.batchesPerEpoch, engines: trainer.engines() });
    return trainer;
  }

  /** Mini-batches planned for the whole run (exact for started jobs). */
  get totalSteps(): number {
    const est = estimatedBatches(this.settings);
    return this.jobs.reduce((s, _, j) => s + (this.batches[j] ?? est) * this.settings.epochs, 0);
  }

  /**
   * Runs one mini-batch of the current job (starting it first if needed). 'epoch' when it ended an
   * epoch (its records and a snapshot were sent), 'done' when nothing is left.
   */
  async step(): Promise<StepState> {
    if (this.done) return 'done';
    const t0 = performance.now();
    let state: StepState = 'stepped';
    try {
      if (!this.trainer) {
        this.trainer = await this.startJob();
        if (!this.trainer || this.trainer.done) {
          this.trainer?.dispose();
          this.trainer = null;
          this.index++;
          return this.done ? 'done' : 'epoch';
        }
      }
      const job = this.index;
      const r = await this.trainer.step();
      this.done_++;
      for (const h of r.halts) this.hooks.onHalt?.(job, h);
      if (r.records) {
        state = 'epoch';
        for (const [m, rec] of Object.entries(r.records))
          this.hooks.onEpoch?.(job, m as LabMethod, rec);
        this.hooks.onSnapshot?.({ job, trainer: this.trainer.snapshot() });
      }
      if (this.trainer.done) {
        // Steps that halted methods will not take still count as done.
        const t = this.trainer;
        this.done_ += Math.max(0, (this.settings.epochs - t.epoch) * t.batchesPerEpoch - t.batch);
        t.dispose();
        this.trainer = null;
        this.index++;
        state = this.done ? 'done' : 'epoch';
      }
      return state;
    } finally {
      this.elapsedMs += performance.now() - t0;
      this.hooks.onProgress?.(this.progress());
    }
  }

  progress(): Progress {
    const total = this.totalSteps;
    const t = this.trainer;
    return {
      done: this.done_,
      total,
      job: Math.min(this.index, this.jobs.length - 1),
      jobs: this.jobs.length,
      epoch: t ? t.epoch + (t.batch > 0 ? 1 : 0) : this.done ? this.settings.epochs : 0,
      batch: t?.batch ?? 0,
      batches: t?.batchesPerEpoch ?? this.batches[this.index] ?? estimatedBatches(this.settings),
      elapsedMs: this.elapsedMs,
      leftMs:
        this.done_ > 0 ? (this.elapsedMs / this.done_) * Math.max(total - this.done_, 0) : NaN,
    };
  }

  /** Releases the current job's handles. */
  dispose(): void {
    this.trainer?.dispose();
    this.trainer = null;
  }
}
