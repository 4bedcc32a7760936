/**
 * Regret (You Shall Pass Eq. 8; Elmachtoub & Grigas) of decisions x̂_i against the true problem
 * of each sample, in minimization form:
 *
 *   regret_i = f_i(x̂_i) − min_{x ∈ C_i} f_i(x) ≥ 0,   f_i(x) = ½xᵀPx + q_iᵀx,
 *
 * which is Eq. 8 with the sign flipped (the paper maximizes). Normalized by the optimal value as
 * PyEPO's `regret` does: Σ_i regret_i / Σ_i |f_i*| over a set, which stays finite when one sample's
 * optimum is near 0; the per-sample ratios regret_i/|f_i*| are returned too. The optima come from
 * the QP engine, solved once per dataset.
 *
 * Precision of the optima: ADMM alone converges slowly on the LPs (knapsack, DC-OPF: thousands of
 * iterations to 1e-6, some samples not at all), but polishing solves the reduced KKT system of the
 * identified active set exactly. So we stop ADMM early (eps 1e-4) and polish, which gave HiGHS's
 * optimal value to ~1e-13 on every sample tried; a sample whose polish fails is re-solved at eps 1e-7.
 */
import type { QpResult, QpSettings, QpStatus } from '../qp/types';
import { solveBatch, solveQp } from '../qp';
import { sampleProblem, sampleVectors, sharedBatch, type PoDataset } from './data/dataset';

/** First pass of the true-problem solves: early ADMM stop, then polishing. */
export const TRUE_SOLVE_SETTINGS: Readonly<Partial<QpSettings>> = Object.freeze({
  eps_abs: 1e-4,
  eps_rel: 1e-4,
  polish: true,
  max_iter: 100_000,
});

/** Fallback for samples whose polish failed in the first pass. */
export const TRUE_SOLVE_FALLBACK: Readonly<Partial<QpSettings>> = Object.freeze({
  eps_abs: 1e-7,
  eps_rel: 1e-7,
  polish: true,
  max_iter: 200_000,
});

/** True optima of a dataset's samples, indexed by sample (NaN where not solved). */
export interface Optima {
  /** x_i*, N × n. */
  x: Float64Array;
  /** f_i* = f_i(x_i*), length N. */
  obj: Float64Array;
  /** Solve status per sample ('' where not asked). */
  status: (QpStatus | '')[];
}

/** Solves the true problem of samples `indices` (default all) with the QP engine. */
export function solveOptima(
  ds: PoDataset,
  indices?: ArrayLike<number>,
  settings: Partial<QpSettings> = {},
): Optima {
  const { n } = ds.structure;
  const idx = indices ? Array.from(indices) : Array.from({ length: ds.size }, (_, i) => i);
  const out: Optima = {
    x: new Float64Array(ds.size * n).fill(NaN),
    obj: new Float64Array(ds.size).fill(NaN),
    status: Array.from({ length: ds.size }, () => '' as const),
  };
  const results = solveBatch(sharedBatch(ds, idx), { ...TRUE_SOLVE_SETTINGS, ...settings });
  results.forEach((first, r) => {
    const i = idx[r];
    let res: QpResult = first;
    if (first.polish !== 'success') {
      const warm = first.status === 'solved' ? { x: first.x, y: first.y } : undefined;
      const retry = solveQp(sampleProblem(ds, i), { ...TRUE_SOLVE_FALLBACK, ...settings }, warm);
      if (retry.status === 'solved' || first.status !== 'solved') res = retry;
    }
    out.status[i] = res.status;
    if (res.status !== 'solved') return;
    out.x.set(res.x, i * n);
    out.obj[i] = trueObjective(ds, i, res.x);
  });
  return out;
}

/** f_i(x) = ½xᵀPx + q_iᵀx of sample i (minimization form). */
export function trueObjective(ds: PoDataset, i: number, x: ArrayLike<number>): number {
  const { n, P } = ds.structure;
  const { q } = sampleVectors(ds, i);
  let f = 0;
  for (let a = 0; a < n; a++) {
    let px = 0;
    for (let b = 0; b < n; b++) px += P.data[a * n + b] * x[b];
    f += (0.5 * px + q[a]) * x[a];
  }
  return f;
}

/** ∂f_i/∂x = Px + q_i at x: the ∂ℓ/∂x̂ of a regret loss. */
export function trueObjectiveGradient(
  ds: PoDataset,
  i: number,
  x: ArrayLike<number>,
): Float64Array {
  const { n, P } = ds.structure;
  const { q } = sampleVectors(ds, i);
  return Float64Array.from({ length: n }, (_, a) => {
    let s = q[a];
    for (let b = 0; b < n; b++) s += P.data[a * n + b] * x[b];
    return s;
  });
}

/** Largest bound violation of Ax̂ for sample i (0 when x̂ is feasible). */
export function maxViolation(ds: PoDataset, i: number, x: ArrayLike<number>): number {
  const { n, m, A } = ds.structure;
  const { l, u } = sampleVectors(ds, i);
  let v = 0;
  for (let r = 0; r < m; r++) {
    let z = 0;
    for (let j = 0; j < n; j++) z += A.data[r * n + j] * x[j];
    v = Math.max(v, l[r] - z, z - u[r]);
  }
  return v;
}

export interface RegretSummary {
  /** Σ regret_i / Σ |f_i*| (PyEPO's normalized regret). */
  normalized: number;
  /** Mean of regret_i / |f_i*|. */
  meanRatio: number;
  /** regret_i per listed sample, in the order of `indices`. */
  regret: Float64Array;
  /** regret_i / |f_i*| per listed sample. */
  ratio: Float64Array;
}

/** Normalized regret from true objective values f_i(x̂_i) and optimal values f_i*. */
export function summarizeRegret(
  values: ArrayLike<number>,
  optimal: ArrayLike<number>,
): RegretSummary {
  if (values.length !== optimal.length) throw new Error(`regret: value/optimum count mismatch`);
  const N = values.length;
  const regret = Float64Array.from({ length: N }, (_, r) => values[r] - optimal[r]);
  const ratio = Float64Array.from(regret, (v, r) => v / Math.max(Math.abs(optimal[r]), 1e-12));
  let num = 0;
  let den = 0;
  for (let r = 0; r < N; r++) {
    num += regret[r];
    den += Math.abs(optimal[r]);
  }
  return {
    normalized: den > 0 ? num / den : NaN,
    meanRatio: ratio.reduce((s, v) => s + v, 0) / Math.max(N, 1),
    regret,
    ratio,
  };
}

/**
 * Regret of decisions x̂ (B × n, one row per listed sample) on samples `indices` against `optima`
 * (which must cover them).
 */
export function normalizedRegret(
  ds: PoDataset,
  indices: ArrayLike<number>,
  decisions: Float64Array,
  optima: Optima,
): RegretSummary {
  const { n } = ds.structure;
  const values = new Float64Array(indices.length);
  const best = new Float64Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    if (Number.isNaN(optima.obj[i])) throw new Error(`regret: no optimum for sample ${i}`);
    values[r] = trueObjective(ds, i, decisions.subarray(r * n, (r + 1) * n));
    best[r] = optima.obj[i];
  }
  return summarizeRegret(values, best);
}
