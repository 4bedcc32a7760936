/**
 * Continuous multi-dimensional knapsack (You Shall Pass App. C.3, adapted there from PyEPO's
 * pyepo.data.knapsack.genData):
 *
 *   maximize wᵀx  s.t.  0 ≤ x ≤ 1,  Wx ≤ b,   i.e.  minimize −wᵀx over rows [I; W] (P = 0),
 *
 * n items, m resource constraints, W ∈ ℝ^{m×n} ~ U(3, 8) and b ∈ ℝ^m ~ U(20, 80), fixed per seed.
 * Per sample, o_i ~ N(0, I_k) and (App. C.3, with k = 16 so 1/√k = 1/4 and deg = 2):
 *
 *   w_i = ((B o_i/√k + 3)^deg + 1)·5/3.5^deg + ε_i,   B ∈ {0,1}^{n×k} ~ Bernoulli(½),
 *
 * with ε_i ~ U(0.5, 1.5) added, as App. C.3 prints it (5/3.5² = 0.408 is its "0.4"). PyEPO itself
 * multiplies by ε ~ U(1 − ω, 1 + ω) and rounds up to integers; `noise: 'multiplicative'` gives its
 * multiplicative noise (with ω = `noiseWidth`), without the rounding, since the problem is continuous.
 */
import { Rng } from '../../grad/rng';
import { dense, makeDataset, uniform, type PoDataset } from './dataset';

export interface KnapsackOptions {
  /** Items n (default 20, App. C.3). */
  items?: number;
  /** Resource constraints m (default 15). */
  constraints?: number;
  /** Feature width k (default 16). */
  features?: number;
  /** Samples N (default 512). */
  samples?: number;
  /** Polynomial degree (default 2). */
  deg?: number;
  /** 'additive' (App. C.3, default) or 'multiplicative' (PyEPO). */
  noise?: 'additive' | 'multiplicative';
  /** Half-width ω of the noise interval 1 ± ω (default 0.5, i.e. U(0.5, 1.5)). */
  noiseWidth?: number;
  seed?: number;
}

export function knapsackDataset(options: KnapsackOptions = {}): PoDataset {
  const o = {
    items: 20,
    constraints: 15,
    features: 16,
    samples: 512,
    deg: 2,
    noise: 'additive' as 'additive' | 'multiplicative',
    noiseWidth: 0.5,
    seed: 0,
    ...options,
  };
  for (const key of ['items', 'constraints', 'features', 'samples', 'deg'] as const)
    if (!(Number.isInteger(o[key]) && o[key] > 0))
      throw new Error(`knapsack: ${key} must be a positive integer, got ${o[key]}`);
  if (!(o.noiseWidth >= 0 && o.noiseWidth <= 1))
    throw new Error(`knapsack: noiseWidth not in [0, 1]`);
  const { items: n, constraints: m, features: k, samples: N, deg } = o;
  const rng = new Rng(o.seed);
  const W = Float64Array.from({ length: m * n }, () => uniform(rng, 3, 8));
  const b = Float64Array.from({ length: m }, () => uniform(rng, 20, 80));
  const B = Float64Array.from({ length: n * k }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const features = rng.normals(N * k);
  const costs = new Float64Array(N * n);
  const rescale = 5 / Math.pow(3.5, deg);
  for (let i = 0; i < N; i++) {
    for (let a = 0; a < n; a++) {
      let bo = 0;
      for (let j = 0; j < k; j++) bo += B[a * k + j] * features[i * k + j];
      let w = (Math.pow(bo / Math.sqrt(k) + 3, deg) + 1) * rescale;
      const eps = uniform(rng, 1 - o.noiseWidth, 1 + o.noiseWidth);
      w = o.noise === 'additive' ? w + eps : w * eps;
      costs[i * n + a] = -w;
    }
  }
  // Rows: 0 ≤ x_j ≤ 1 (j < n), then Wx ≤ b.
  const A = dense(n + m, n);
  const l = new Float64Array(n + m).fill(-Infinity);
  const u = new Float64Array(n + m);
  for (let j = 0; j < n; j++) {
    A.data[j * n + j] = 1;
    l[j] = 0;
    u[j] = 1;
  }
  A.data.set(W, n * n);
  u.set(b, n);
  return makeDataset(
    {
      name: 'knapsack',
      structure: { n, m: n + m, P: dense(n, n), q: new Float64Array(n), r: 0, A, l, u },
      size: N,
      featureSize: k,
      features,
      costs,
      settings: { ...o },
    },
    o.seed,
  );
}
