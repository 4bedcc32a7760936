/**
 * Mean–variance portfolio (You Shall Pass §4.1, Eq. 7; BPQP §5.2, Eq. 18):
 *
 *   maximize pᵀx − λ xᵀQx  s.t.  1ᵀx = 1, x ≥ 0,   i.e.  minimize ½xᵀ(2λQ)x − pᵀx  (q = −p),
 *
 * with returns p generated from features by PyEPO's portfolio generator (pyepo.data.portfolio.genData,
 * Tang & Khalil 2022), whose polynomial degree sets how misspecified a linear model is:
 *
 *   B ∈ {0,1}^{n×k} ~ Bernoulli(½),  L ∈ ℝ^{n×k} ~ U(−0.0025τ, 0.0025τ),  o_i ~ N(0, I_k),
 *   p_i = (0.05·B o_i/√k + 0.1^{1/deg})^deg + L f_i + 0.01τ ε_i,   f_i ~ N(0, I_k), ε_i ~ N(0, I_n),
 *   Σ = LLᵀ + (0.01τ)² I   (the covariance of the factor model's noise),
 *
 * n assets, k features, noise level τ. We use Q = κΣ. PyEPO puts Σ in a risk constraint, where its
 * scale does not matter; in Eq. 7's objective it does: with PyEPO's scale (diag Σ ≈ 1e-4 against a
 * return spread ≈ 0.03 across assets) every λ ∈ {0, …, 2} gives the same corner solution. The
 * default κ ('auto') makes the mean diagonal of Q equal the mean cross-asset standard deviation of
 * the returns, so that λ = 1 weighs a single asset's variance like a typical return gap: λ = 0 is
 * linear (a vertex), λ = 0.1 almost linear, λ = 2 diversified (the spectrum §4.1 asks for).
 */
import { Rng } from '../../grad/rng';
import { dense, makeDataset, uniform, type PoDataset } from './dataset';

/** Risk-aversion values of You Shall Pass §4.1 / Figure 3. */
export const PORTFOLIO_LAMBDAS = [0, 0.1, 0.25, 0.5, 1, 2] as const;

export interface PortfolioOptions {
  /** Number of assets n (default 20; You Shall Pass samples 50 of 503). */
  assets?: number;
  /** Feature width k (default 5, PyEPO's examples). */
  features?: number;
  /** Number of samples N (default 500). */
  samples?: number;
  /** Polynomial degree of the feature → return map (default 4); 1 is well specified. */
  deg?: number;
  /** PyEPO's noise level τ (default 1). */
  noiseLevel?: number;
  /** Risk aversion λ (default 0.1). */
  lambda?: number;
  /** κ in Q = κΣ, or 'auto' (default; see above). */
  riskScale?: number | 'auto';
  seed?: number;
}

/** Returns and covariance of the PyEPO factor model, before any problem is built. */
export interface PortfolioData {
  n: number;
  k: number;
  N: number;
  /** Features, N × k. */
  features: Float64Array;
  /** Returns p_i, N × n. */
  returns: Float64Array;
  /** Q = κΣ, n × n. */
  Q: Float64Array;
  /** κ used. */
  riskScale: number;
  /** The resolved options (defaults filled in). */
  options: Required<PortfolioOptions>;
}

function resolve(o: PortfolioOptions): Required<PortfolioOptions> {
  const r = {
    assets: 20,
    features: 5,
    samples: 500,
    deg: 4,
    noiseLevel: 1,
    lambda: 0.1,
    riskScale: 'auto' as number | 'auto',
    seed: 0,
    ...o,
  };
  for (const key of ['assets', 'features', 'samples', 'deg'] as const)
    if (!(Number.isInteger(r[key]) && r[key] > 0))
      throw new Error(`portfolio: ${key} must be a positive integer, got ${r[key]}`);
  if (!(r.lambda >= 0)) throw new Error(`portfolio: lambda must be ≥ 0, got ${r.lambda}`);
  if (!(r.noiseLevel >= 0)) throw new Error(`portfolio: noiseLevel must be ≥ 0`);
  return r;
}

/** The PyEPO factor model: features, returns and the scaled covariance. */
export function portfolioData(options: PortfolioOptions = {}): PortfolioData {
  const o = resolve(options);
  const { assets: n, features: k, samples: N, deg, noiseLevel: tau } = o;
  const rng = new Rng(o.seed);
  const B = Float64Array.from({ length: n * k }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const L = Float64Array.from({ length: n * k }, () => uniform(rng, -2.5e-3 * tau, 2.5e-3 * tau));
  const features = rng.normals(N * k);
  const returns = new Float64Array(N * n);
  const base = Math.pow(0.1, 1 / deg);
  for (let i = 0; i < N; i++) {
    const o_i = features.subarray(i * k, (i + 1) * k);
    const f = rng.normals(k);
    const eps = rng.normals(n);
    for (let a = 0; a < n; a++) {
      let bo = 0;
      let lf = 0;
      for (let j = 0; j < k; j++) {
        bo += B[a * k + j] * o_i[j];
        lf += L[a * k + j] * f[j];
      }
      returns[i * n + a] =
        Math.pow((0.05 * bo) / Math.sqrt(k) + base, deg) + lf + 0.01 * tau * eps[a];
    }
  }
  const Sigma = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let s = a === b ? (0.01 * tau) ** 2 : 0;
      for (let j = 0; j < k; j++) s += L[a * k + j] * L[b * k + j];
      Sigma[a * n + b] = s;
    }
  }
  const kappa = o.riskScale === 'auto' ? autoRiskScale(returns, Sigma, n, N) : o.riskScale;
  if (!(kappa >= 0 && Number.isFinite(kappa))) throw new Error(`portfolio: bad riskScale ${kappa}`);
  const Q = Sigma.map((v) => kappa * v);
  return { n, k, N, features, returns, Q, riskScale: kappa, options: o };
}

/** κ with mean diag(κΣ) = mean over samples of the cross-asset standard deviation of p_i. */
function autoRiskScale(returns: Float64Array, Sigma: Float64Array, n: number, N: number): number {
  let spread = 0;
  for (let i = 0; i < N; i++) {
    let mean = 0;
    for (let a = 0; a < n; a++) mean += returns[i * n + a] / n;
    let v = 0;
    for (let a = 0; a < n; a++) v += (returns[i * n + a] - mean) ** 2 / n;
    spread += Math.sqrt(v) / N;
  }
  let diag = 0;
  for (let a = 0; a < n; a++) diag += Sigma[a * n + a] / n;
  return diag > 0 ? spread / diag : 1;
}

/** The simplex {x : 1ᵀx = 1, x ≥ 0} as rows [1ᵀ; I] with bounds [1, 1] and [0, +∞). */
export function simplexConstraints(n: number) {
  const A = dense(n + 1, n);
  const l = new Float64Array(n + 1);
  const u = new Float64Array(n + 1).fill(Infinity);
  for (let j = 0; j < n; j++) {
    A.data[j] = 1;
    A.data[(j + 1) * n + j] = 1;
  }
  l[0] = u[0] = 1;
  return { A, l, u };
}

/** The Eq. 7 dataset: P = 2λQ, q_i = −p_i over the simplex. */
export function portfolioDataset(options: PortfolioOptions = {}): PoDataset {
  const o = resolve(options);
  const d = portfolioData(o);
  const { A, l, u } = simplexConstraints(d.n);
  const P = dense(
    d.n,
    d.n,
    d.Q.map((v) => 2 * o.lambda * v),
  );
  return makeDataset(
    {
      name: 'portfolio',
      structure: { n: d.n, m: d.n + 1, P, q: new Float64Array(d.n), r: 0, A, l, u },
      size: d.N,
      featureSize: d.k,
      features: d.features,
      costs: d.returns.map((v) => -v),
      settings: { ...o, riskScale: d.riskScale },
    },
    o.seed,
  );
}
