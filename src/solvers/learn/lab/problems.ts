/**
 * A training problem: one seeded dataset with its true objective, its true optima (solved once),
 * the QP approximation's structure (P = I on the same constraints, You Shall Pass Eq. 4) and the
 * scaling of the predictor's output. Regret is Eq. 8 normalized (regret.ts): Σ(f(x̂) − f*)/Σ|f*|.
 */
import type { QpProblem, QpResult } from '../../qp/types';
import { solveQp } from '../../qp';
import { eye } from '../../linalg/dense';
import { CpuEngine } from '../../cpu-engine';
import type { PoDataset } from '../data/dataset';
import { sampleProblem, sampleVectors, sharedBatch } from '../data/dataset';
import { portfolioDataset } from '../data/portfolio';
import {
  lsePortfolioDataset,
  lseReturns,
  solveLseSample,
  type LsePortfolioDataset,
} from '../data/lse-portfolio';
import { knapsackDataset } from '../data/knapsack';
import { opfDataset } from '../data/opf';
import {
  TRUE_SOLVE_FALLBACK,
  TRUE_SOLVE_SETTINGS,
  trueObjective,
  trueObjectiveGradient,
} from '../regret';
import type { Splits } from '../batches';
import type { ProblemTraits } from './methods';

export type ProblemKind = 'portfolio' | 'lse-portfolio' | 'knapsack' | 'dc-opf';

export interface ProblemSpec {
  kind: ProblemKind;
  /** Assets (portfolio), items (knapsack) or nodes (DC-OPF). */
  size: number;
  samples: number;
  /** Risk aversion λ of Eq. 7 (portfolio only). */
  lambda: number;
  seed: number;
}

/** The predictor's output layer y ↦ scale·y + shift (App. C's x_scale, x_shift). */
export interface OutputScaling {
  scale: number;
  shift: number;
}

export interface LabProblem {
  /** Short key, unique within an experiment ('lambda=0.1', 'knapsack', …). */
  key: string;
  label: string;
  spec: ProblemSpec;
  traits: ProblemTraits;
  ds: PoDataset;
  /** The LogSumExp dataset (its objective), for 'lse-portfolio'. */
  lse: LsePortfolioDataset | null;
  /** The QP approximation: P = I, q = −ŵ on the same rows (its l, u per sample as the dataset's). */
  approx: QpProblem;
  /** True optima x_i* (N × n) and f_i* (NaN where unsolved). */
  optimum: { x: Float64Array; obj: Float64Array };
  /** The split, without samples whose true optimum could not be computed. */
  splits: Splits;
  /** Samples left out because their true problem did not solve. */
  unsolved: number;
  /** Output scaling for predictors of the cost (ĉ) and of the QP approximation's target (ŵ). */
  scaling: { cost: OutputScaling; approx: OutputScaling };
  /** f_i(x), the true objective of sample i in minimization form. */
  value(i: number, x: ArrayLike<number>): number;
  /** ∇f_i(x). */
  gradient(i: number, x: ArrayLike<number>): Float64Array;
}

/** A problem's traits from its spec alone (before any data exist): what decides which methods apply. */
export function traitsOf(spec: Pick<ProblemSpec, 'kind' | 'lambda'>): ProblemTraits {
  switch (spec.kind) {
    case 'portfolio':
      return { quadratic: true, linear: spec.lambda === 0 };
    case 'lse-portfolio':
      return { quadratic: false, linear: false };
    case 'knapsack':
    case 'dc-opf':
      return { quadratic: true, linear: true };
  }
}

export function problemKey(spec: ProblemSpec): string {
  return spec.kind === 'portfolio' ? `lambda=${spec.lambda}` : spec.kind;
}

export function problemLabel(spec: ProblemSpec): string {
  switch (spec.kind) {
    case 'portfolio':
      return `Portfolio λ = ${spec.lambda} (${spec.size} assets)`;
    case 'lse-portfolio':
      return `LogSumExp portfolio (${spec.size} assets)`;
    case 'knapsack':
      return `Knapsack (${spec.size} items)`;
    case 'dc-opf':
      return `DC-OPF (${spec.size} nodes)`;
  }
}

function datasetOf(spec: ProblemSpec): { ds: PoDataset; lse: LsePortfolioDataset | null } {
  const { size, samples, seed } = spec;
  switch (spec.kind) {
    case 'portfolio':
      return {
        ds: portfolioDataset({ assets: size, samples, lambda: spec.lambda, seed }),
        lse: null,
      };
    case 'lse-portfolio': {
      const lse = lsePortfolioDataset({ assets: size, samples, seed });
      return { ds: lse, lse };
    }
    case 'knapsack':
      return { ds: knapsackDataset({ items: size, samples, seed }), lse: null };
    case 'dc-opf':
      return { ds: opfDataset({ nodes: size, samples, seed }), lse: null };
  }
}

/** Mean and standard deviation of the entries of rows `idx` of an N × w matrix. */
function entryStats(
  data: Float64Array,
  w: number,
  idx: ArrayLike<number>,
): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  let k = 0;
  for (let r = 0; r < idx.length; r++) {
    const row = data.subarray(idx[r] * w, (idx[r] + 1) * w);
    for (let j = 0; j < w; j++) {
      if (!Number.isFinite(row[j])) continue;
      s += row[j];
      s2 += row[j] * row[j];
      k++;
    }
  }
  const mean = k > 0 ? s / k : 0;
  const std = k > 1 ? Math.sqrt(Math.max(s2 / k - mean * mean, 0)) : 1;
  return { mean, std: std > 1e-12 ? std : 1 };
}

const keepSolved = (idx: Int32Array, obj: Float64Array) =>
  idx.filter((i) => Number.isFinite(obj[i]));

import { yieldTurn } from '../../turns';

export { yieldTurn };

/**
 * True optima, as `solveOptima` and `lseOptima` compute them (regret.ts: ADMM to 1e-4 and
 * polishing, a sample whose polish fails solved again at 1e-7; SQP for the LogSumExp problem), but
 * asynchronously: the QPs through a CPU handle, which gives the event loop a turn every few tens
 * of milliseconds, and the SQP solves with a turn every 20 ms.
 */
async function trueOptima(
  ds: PoDataset,
  lse: LsePortfolioDataset | null,
): Promise<{ x: Float64Array; obj: Float64Array }> {
  const { n } = ds.structure;
  const x = new Float64Array(ds.size * n).fill(NaN);
  const obj = new Float64Array(ds.size).fill(NaN);
  if (lse) {
    let turn = performance.now();
    for (let i = 0; i < ds.size; i++) {
      const sol = solveLseSample(lse, i);
      if (sol.status === 'solved') {
        x.set(sol.x, i * n);
        obj[i] = sol.obj;
      }
      if (performance.now() - turn > 20) {
        await yieldTurn();
        turn = performance.now();
      }
    }
    return { x, obj };
  }
  const all = Int32Array.from({ length: ds.size }, (_, i) => i);
  const batch = sharedBatch(ds, all);
  const handle = await new CpuEngine().setup(ds.structure, TRUE_SOLVE_SETTINGS);
  handle.update(batch.kind === 'shared' ? batch.params : []);
  const first = await handle.solve(undefined);
  first.forEach((r0, i) => {
    let r: QpResult = r0;
    if (r0.polish !== 'success') {
      const warm = r0.status === 'solved' ? { x: r0.x, y: r0.y } : undefined;
      const retry = solveQp(sampleProblem(ds, i), TRUE_SOLVE_FALLBACK, warm);
      if (retry.status === 'solved' || r0.status !== 'solved') r = retry;
    }
    if (r.status !== 'solved') return;
    x.set(r.x, i * n);
    obj[i] = trueObjective(ds, i, r.x);
  });
  handle.dispose();
  return { x, obj };
}

/** Builds the dataset and solves every sample's true problem once. */
export async function buildProblem(spec: ProblemSpec): Promise<LabProblem> {
  const { ds, lse } = datasetOf(spec);
  const { n } = ds.structure;
  const optimum = await trueOptima(ds, lse);
  const splits: Splits = {
    train: keepSolved(ds.splits.train, optimum.obj),
    val: keepSolved(ds.splits.val, optimum.obj),
    test: keepSolved(ds.splits.test, optimum.obj),
  };
  const unsolved = ds.size - splits.train.length - splits.val.length - splits.test.length;
  if (splits.train.length === 0 || splits.val.length === 0 || splits.test.length === 0)
    throw new Error(`${problemLabel(spec)}: too few samples with a solved true problem`);
  const cost = entryStats(ds.costs, n, splits.train);
  const target = entryStats(optimum.x, n, splits.train);
  const approx: QpProblem = { ...ds.structure, P: eye(n), q: new Float64Array(n) };
  const value = lse
    ? (i: number, x: ArrayLike<number>) =>
        lse.objective.value(Float64Array.from(x), lseReturns(lse, i))
    : (i: number, x: ArrayLike<number>) => trueObjective(ds, i, x);
  const gradient = lse
    ? (i: number, x: ArrayLike<number>) =>
        lse.objective.at(lseReturns(lse, i)).gradient(Float64Array.from(x), new Float64Array(n))
    : (i: number, x: ArrayLike<number>) => trueObjectiveGradient(ds, i, x);
  const linear = ds.structure.P.data.every((v) => v === 0);
  return {
    key: problemKey(spec),
    label: problemLabel(spec),
    spec,
    traits: { quadratic: lse === null, linear: lse === null && linear },
    ds,
    lse,
    approx,
    optimum: { x: optimum.x, obj: optimum.obj },
    splits,
    unsolved,
    scaling: {
      cost: { scale: cost.std, shift: cost.mean },
      approx: { scale: target.std, shift: target.mean },
    },
    value,
    gradient,
  };
}

/** Sample i's true cost q_i (min form) and bounds. */
export function trueVectors(p: LabProblem, i: number) {
  return sampleVectors(p.ds, i);
}
