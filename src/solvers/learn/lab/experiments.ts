/**
 * The lab's experiments (issue 9 §3) as settings with defaults, resolved into jobs: one job per
 * problem and seed, each a race of methods (trainer.ts).
 *  - portfolio: You Shall Pass Figure 3 (Eq. 7, λ sweep; α of Eq. 6 per λ as in §4.1);
 *  - lse-portfolio: Table 1 (Eq. 9; true problem by SQP against the QP methods);
 *  - linear: Figure 4 (knapsack, DC-OPF, portfolio at λ = 0 and 0.1; the linear methods against
 *    LPGD, QP and smoothed QP).
 * The numbers are classroom scale (seconds to a minute on a laptop CPU); docs/training.md puts what
 * they give beside the paper's.
 */
import { LAB_METHODS, isLabMethod, type LabMethod } from './methods';
import type { ProblemSpec } from './problems';

export const EXPERIMENTS = ['portfolio', 'lse-portfolio', 'linear'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

export const LINEAR_PROBLEMS = ['knapsack', 'dc-opf', 'lambda=0', 'lambda=0.1'] as const;
export type LinearProblem = (typeof LINEAR_PROBLEMS)[number];

export interface ExperimentSettings {
  experiment: ExperimentName;
  /** First seed; seed s + k is the k-th run (data, split, initialization and batches). */
  seed: number;
  /** Runs per problem (mean ± std in the table). */
  seeds: number;
  /** Risk aversions of the portfolio experiment (Figure 3 sweeps {0, 0.1, 0.25, 0.5, 1, 2}). */
  lambdas: number[];
  /** Problems of the linear experiment. */
  problems: LinearProblem[];
  /** Assets (portfolio), items (knapsack), nodes (DC-OPF). */
  size: number;
  samples: number;
  epochs: number;
  batchSize: number;
  lr: number;
  hidden: number[];
  methods: LabMethod[];
  /** α of Eq. 6, or 'auto': §4.1's 0 for λ ≤ 0.1, 0.01 for 0.25 and 0.5, 0.1 for 1 and 2. */
  alpha: number | 'auto';
  tau: number;
  blackboxLambda: number;
  sigma: number;
  perturbSamples: number;
  weightDecay: number;
  /** Position in the test split of the sample whose lost fraction is tracked. */
  lostSample: number;
  quick: boolean;
}

export const DEFAULT_METHODS: Record<ExperimentName, LabMethod[]> = {
  portfolio: ['mse', 'exact', 'qp', 'smoothed-qp', 'lpgd'],
  'lse-portfolio': ['mse', 'true-problem', 'qp', 'smoothed-qp'],
  linear: ['spo+', 'perturbed', 'identity', 'lpgd', 'qp', 'smoothed-qp'],
};

/** The default of every setting; `quick` shrinks the run to seconds. */
export function defaultSettings(experiment: ExperimentName, quick = false): ExperimentSettings {
  const base: ExperimentSettings = {
    experiment,
    seed: 1,
    seeds: 1,
    lambdas: [0.1],
    problems: [...LINEAR_PROBLEMS],
    size: 20,
    samples: 500,
    epochs: 20,
    batchSize: 8,
    lr: 1e-3,
    hidden: [64, 64],
    methods: [...DEFAULT_METHODS[experiment]],
    alpha: 'auto',
    tau: 1,
    blackboxLambda: 1,
    sigma: 0.5,
    perturbSamples: 4,
    weightDecay: 0,
    lostSample: 0,
    quick,
  };
  // SQP solves ~5 QPs per sample; ADMM needs ~10× more iterations on the LPs than on the QPs.
  if (experiment === 'lse-portfolio') base.samples = 300;
  if (experiment === 'linear') Object.assign(base, { samples: 200, epochs: 10, size: 12 });
  if (quick) Object.assign(base, { samples: 100, epochs: 3, hidden: [32, 32], size: 10 });
  return base;
}

/** α of Eq. 6 for risk aversion λ (You Shall Pass §4.1). */
export function alphaForLambda(lambda: number): number {
  return lambda <= 0.1 ? 0 : lambda <= 0.5 ? 0.01 : 0.1;
}

/** Limits that keep one run within what a browser tab or the CLI can hold. */
export const LIMITS = {
  size: [2, 200],
  samples: [20, 20_000],
  epochs: [1, 1000],
  batchSize: [1, 1024],
  seeds: [1, 20],
  hiddenWidth: [1, 1024],
  hiddenLayers: [0, 4],
} as const;

/** Validates settings; throws one message naming the first bad setting. */
export function checkSettings(s: ExperimentSettings): ExperimentSettings {
  const intIn = (v: number, [lo, hi]: readonly [number, number], name: string) => {
    if (!(Number.isInteger(v) && v >= lo && v <= hi))
      throw new Error(`${name} must be an integer from ${lo} to ${hi}, got ${v}`);
  };
  if (!(EXPERIMENTS as readonly string[]).includes(s.experiment))
    throw new Error(
      `unknown experiment '${s.experiment}' (experiments: ${EXPERIMENTS.join(', ')})`,
    );
  intIn(s.seed, [0, 2 ** 31 - 1], 'seed');
  intIn(s.seeds, LIMITS.seeds, 'seeds');
  intIn(s.size, LIMITS.size, 'size');
  intIn(s.samples, LIMITS.samples, 'samples');
  intIn(s.epochs, LIMITS.epochs, 'epochs');
  intIn(s.batchSize, LIMITS.batchSize, 'batch size');
  intIn(s.hidden.length, LIMITS.hiddenLayers, 'the number of hidden layers');
  s.hidden.forEach((h) => intIn(h, LIMITS.hiddenWidth, 'a hidden width'));
  intIn(s.perturbSamples, [1, 64], 'perturbed samples');
  intIn(s.lostSample, [0, 1_000_000], 'the tracked test sample');
  if (!(s.lr > 0 && s.lr <= 1)) throw new Error(`learning rate must be in (0, 1], got ${s.lr}`);
  for (const [v, name] of [
    [s.tau, 'tau'],
    [s.blackboxLambda, 'blackbox lambda'],
    [s.sigma, 'sigma'],
  ] as const)
    if (!(v > 0 && v <= 1e6)) throw new Error(`${name} must be in (0, 1e6], got ${v}`);
  if (!(s.weightDecay >= 0 && s.weightDecay <= 1))
    throw new Error(`weight decay must be in [0, 1], got ${s.weightDecay}`);
  if (s.alpha !== 'auto' && !(s.alpha >= 0 && s.alpha <= 100))
    throw new Error(`alpha must be 'auto' or in [0, 100], got ${s.alpha}`);
  if (s.lambdas.length === 0 || s.lambdas.length > 12)
    throw new Error('give 1 to 12 values of lambda');
  for (const l of s.lambdas)
    if (!(l >= 0 && l <= 100)) throw new Error(`lambda must be in [0, 100], got ${l}`);
  if (s.problems.length === 0) throw new Error('the linear experiment needs at least one problem');
  for (const p of s.problems)
    if (!(LINEAR_PROBLEMS as readonly string[]).includes(p))
      throw new Error(`unknown problem '${p}' (problems: ${LINEAR_PROBLEMS.join(', ')})`);
  if (s.methods.length === 0) throw new Error('choose at least one method');
  for (const m of s.methods)
    if (!isLabMethod(m))
      throw new Error(`unknown method '${m}' (methods: ${LAB_METHODS.join(', ')})`);
  return s;
}

/** One problem of an experiment, with the α its smoothed QP uses. */
export interface ProblemPlan {
  spec: Omit<ProblemSpec, 'seed'>;
  alpha: number;
}

export function problemPlans(s: ExperimentSettings): ProblemPlan[] {
  const alpha = (lambda: number) => (s.alpha === 'auto' ? alphaForLambda(lambda) : s.alpha);
  const { size, samples } = s;
  switch (s.experiment) {
    case 'portfolio':
      return s.lambdas.map((lambda) => ({
        spec: { kind: 'portfolio', size, samples, lambda },
        alpha: alpha(lambda),
      }));
    case 'lse-portfolio':
      return [{ spec: { kind: 'lse-portfolio', size, samples, lambda: 0 }, alpha: alpha(0) }];
    case 'linear':
      return s.problems.map((p) =>
        p === 'knapsack' || p === 'dc-opf'
          ? { spec: { kind: p, size, samples, lambda: 0 }, alpha: alpha(0) }
          : {
              spec: { kind: 'portfolio', size, samples, lambda: p === 'lambda=0' ? 0 : 0.1 },
              alpha: alpha(p === 'lambda=0' ? 0 : 0.1),
            },
      );
  }
}

/** A job: one problem at one seed. */
export interface JobPlan extends ProblemPlan {
  seed: number;
}

export function jobPlans(s: ExperimentSettings): JobPlan[] {
  return problemPlans(s).flatMap((p) =>
    Array.from({ length: s.seeds }, (_, k) => ({ ...p, seed: s.seed + k })),
  );
}
