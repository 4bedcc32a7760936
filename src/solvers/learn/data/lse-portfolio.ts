/**
 * The LogSumExp portfolio (You Shall Pass §4.1, Eq. 9; Table 1): the features and returns of the
 * PyEPO factor model (portfolio.ts) with the true objective f_lse(x, p) = −log Σ exp(−β p_i x_i)
 * over the simplex instead of Eq. 7's mean–variance.
 *
 * The dataset's QP structure is the simplex with P = 0 and q_i = −p_i: what the QP approximation
 * (Eq. 4) and the linear methods see. The true problem is solved by SQP (sqp.ts), and regret is
 * measured with f_lse: regret_i = max f_lse(·, p_i) − f_lse(x̂_i, p_i), normalized as in regret.ts.
 *
 * β: Eq. 9 has β = 1. With PyEPO's returns (≈ 0.1) and weights ≤ 1 the argument of exp is small
 * and f_lse is nearly linear: at β = 1 the optimum holds 2–3 of 20 assets. As β grows f_lse tends to
 * the hard minimum of β p_i x_i, whose optimum x_i ∝ 1/p_i holds every asset. The default
 * β = 'auto' = 1/mean(p) (Eq. 9 on returns normalized to mean 1) sits between: about half the
 * assets are held, so the solution has both binding bounds x_i ≥ 0 and curvature.
 */
import { LseObjective } from '../lse';
import { solveSqp, type SqpResult } from '../sqp';
import { summarizeRegret, type RegretSummary } from '../regret';
import { portfolioData, simplexConstraints, type PortfolioOptions } from './portfolio';
import { dense, makeDataset, sampleVectors, type PoDataset } from './dataset';

export interface LsePortfolioOptions extends Omit<PortfolioOptions, 'lambda'> {
  /** β of f_lse, or 'auto' (default; see above). */
  beta?: number | 'auto';
  /** Optional risk term λxᵀQx kept from Eq. 7 (default 0: Eq. 9 exactly). */
  lambda?: number;
}

export interface LsePortfolioDataset extends PoDataset {
  name: 'lse-portfolio';
  /** φ(x; p) = −f_lse(x, p) + λxᵀQx, p = −q_i. */
  objective: LseObjective;
}

export function lsePortfolioDataset(options: LsePortfolioOptions = {}): LsePortfolioDataset {
  const { beta: betaOpt = 'auto', lambda = 0, ...rest } = options;
  const d = portfolioData(rest);
  const { A, l, u } = simplexConstraints(d.n);
  const meanP = d.returns.reduce((s, v) => s + v, 0) / d.returns.length;
  const beta = betaOpt === 'auto' ? 1 / Math.abs(meanP) : betaOpt;
  const objective = new LseObjective(d.n, { beta, lambda, Q: d.Q });
  const seed = d.options.seed;
  const base = makeDataset(
    {
      name: 'lse-portfolio',
      structure: {
        n: d.n,
        m: d.n + 1,
        P: dense(d.n, d.n),
        q: new Float64Array(d.n),
        r: 0,
        A,
        l,
        u,
      },
      size: d.N,
      featureSize: d.k,
      features: d.features,
      costs: d.returns.map((v) => -v),
      settings: { ...d.options, lambda, beta, riskScale: d.riskScale },
    },
    seed,
  );
  return { ...base, name: 'lse-portfolio', objective };
}

/** Sample i's returns p_i = −q_i (a copy). */
export function lseReturns(ds: LsePortfolioDataset, i: number): Float64Array {
  return sampleVectors(ds, i).q.map((v) => -v);
}

/** SQP solve of sample i's true problem for returns `p` (default: the sample's true p_i). */
export function solveLseSample(ds: LsePortfolioDataset, i: number, p?: Float64Array): SqpResult {
  const v = sampleVectors(ds, i);
  const theta = p ?? lseReturns(ds, i);
  const x0 = new Float64Array(ds.structure.n).fill(1 / ds.structure.n);
  return solveSqp(ds.objective.at(theta), { A: ds.structure.A, l: v.l, u: v.u }, { x0 });
}

/** True optima x_i*, φ_i* of samples `indices` by SQP (NaN where the SQP did not converge). */
export function lseOptima(
  ds: LsePortfolioDataset,
  indices: ArrayLike<number>,
): { x: Float64Array; obj: Float64Array; status: string[] } {
  const n = ds.structure.n;
  const x = new Float64Array(ds.size * n).fill(NaN);
  const obj = new Float64Array(ds.size).fill(NaN);
  const status = Array.from({ length: ds.size }, () => '');
  for (const i of Array.from(indices)) {
    const sol = solveLseSample(ds, i);
    status[i] = sol.status;
    if (sol.status !== 'solved') continue;
    x.set(sol.x, i * n);
    obj[i] = sol.obj;
  }
  return { x, obj, status };
}

/**
 * The true-problem evaluator: regret of decisions x̂ (one row per listed sample) under f_lse, as
 * φ_i(x̂_i) − φ_i*, normalized by |φ_i*| = |max f_lse| (regret.ts).
 */
export function lseRegret(
  ds: LsePortfolioDataset,
  indices: ArrayLike<number>,
  decisions: Float64Array,
  optima: { obj: Float64Array },
): RegretSummary {
  const n = ds.structure.n;
  const values = new Float64Array(indices.length);
  const best = new Float64Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    if (Number.isNaN(optima.obj[i])) throw new Error(`lse regret: no optimum for sample ${i}`);
    values[r] = ds.objective.value(decisions.subarray(r * n, (r + 1) * n), lseReturns(ds, i));
    best[r] = optima.obj[i];
  }
  return summarizeRegret(values, best);
}
