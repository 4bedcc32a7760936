/**
 * Gradient estimators for linear programs x*(c) = argmin_{x ∈ C} cᵀx in predict-and-optimize, where
 * ∂x* / ∂c is zero almost everywhere. Each takes an `LpOracle`; `lpOracle` builds one on the ADMM
 * engine (P = 0, tight tolerances, polishing to land on a vertex).
 */
import type { QpSettings } from '../qp/types';
import { solveQp } from '../qp';
import { zeros } from '../linalg/dense';
import type { FeasibleSet } from './smoothed';
import { Rng } from './rng';

/** x*(c) = argmin_{x ∈ C} cᵀx. */
export type LpOracle = (c: Float64Array) => Float64Array;

/** An LP oracle over C on the QP engine; throws when the LP is infeasible or unbounded. */
export function lpOracle(C: FeasibleSet, settings: Partial<QpSettings> = {}): LpOracle {
  const n = C.A.cols;
  const P = zeros(n, n);
  return (c) => {
    if (c.length !== n) throw new Error(`cost has length ${c.length}, expected ${n}`);
    const res = solveQp(
      { n, m: C.A.rows, P, q: c, r: 0, A: C.A, l: C.l, u: C.u },
      { eps_abs: 1e-9, eps_rel: 1e-9, polish: true, max_iter: 100_000, ...settings },
    );
    if (res.status !== 'solved')
      throw new Error(`LP oracle: the solve ended with status '${res.status}'`);
    return res.x;
  };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * SPO+ (Elmachtoub & Grigas): ℓ(ĉ, c) = max_{x∈C} (c − 2ĉ)ᵀx + 2ĉᵀx*(c) − z*(c), z*(c) = cᵀx*(c),
 * convex in ĉ, with subgradient 2(x*(c) − x*(2ĉ − c)). `xTrue` = x*(c) may be passed when known.
 */
export function spoPlus(
  cHat: Float64Array,
  c: Float64Array,
  oracle: LpOracle,
  xTrue?: Float64Array,
): { loss: number; grad: Float64Array } {
  if (cHat.length !== c.length) throw new Error(`ĉ has length ${cHat.length}, c has ${c.length}`);
  const xc = xTrue ?? oracle(c);
  const xt = oracle(cHat.map((v, j) => 2 * v - c[j])); // argmax (c − 2ĉ)ᵀx = argmin (2ĉ − c)ᵀx
  const loss =
    dot(
      c.map((v, j) => v - 2 * cHat[j]),
      xt,
    ) +
    2 * dot(cHat, xc) -
    dot(c, xc);
  return { loss, grad: xc.map((v, j) => 2 * (v - xt[j])) };
}

export interface PerturbedOptions {
  /** Noise scale σ > 0. */
  sigma: number;
  /** Number of Monte Carlo samples M. */
  samples: number;
  seed: number;
}

/**
 * Perturbed optimizer (Berthet et al.) with Gaussian noise Z: y_σ(θ) = E[x*(θ + σZ)], estimated with
 * M samples, and its Jacobian J = ∂y_σ/∂θ = E[x*(θ + σZ) Zᵀ] / σ (the Gaussian score identity).
 * `vjp(g)` = Jᵀg = E[Z · x*(θ + σZ)ᵀg] / σ, the backward pass for a loss on y_σ.
 */
export function perturbedOptimizer(
  theta: Float64Array,
  oracle: LpOracle,
  options: PerturbedOptions,
): { y: Float64Array; jacobian: Float64Array[]; vjp: (g: ArrayLike<number>) => Float64Array } {
  const { sigma, samples, seed } = options;
  if (!(sigma > 0)) throw new Error(`sigma must be > 0, got ${sigma}`);
  if (!Number.isInteger(samples) || samples < 1)
    throw new Error(`samples must be a positive integer, got ${samples}`);
  const n = theta.length;
  const rng = new Rng(seed);
  const y = new Float64Array(n);
  /** jacobian[i][j] = ∂y_i/∂θ_j. */
  const jacobian = Array.from({ length: n }, () => new Float64Array(n));
  for (let s = 0; s < samples; s++) {
    const Z = rng.normals(n);
    const x = oracle(theta.map((v, j) => v + sigma * Z[j]));
    for (let i = 0; i < n; i++) {
      y[i] += x[i] / samples;
      for (let j = 0; j < n; j++) jacobian[i][j] += (x[i] * Z[j]) / (sigma * samples);
    }
  }
  const vjp = (g: ArrayLike<number>): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j] += g[i] * jacobian[i][j];
    return out;
  };
  return { y, jacobian, vjp };
}

export type IdentityProjection = 'sphere' | 'mean';

/**
 * Identity with projection (Sahoo et al.): replace ∂x* / ∂c by −I (a minimizer moves against its cost),
 * so ∂ℓ/∂ĉ ≈ −g, then remove the directions the solver ignores: 'mean' projects out 1 (solvers with
 * a fixed number of selections are invariant to c + t1), 'sphere' projects out ĉ (invariant to the
 * scale of ĉ, i.e. the backward pass of ĉ ↦ ĉ/‖ĉ‖ up to 1/‖ĉ‖).
 */
export function identityWithProjection(
  g: ArrayLike<number>,
  projections: IdentityProjection[] = [],
  cHat?: ArrayLike<number>,
): Float64Array {
  const out = Float64Array.from(g, (v) => -v);
  const n = out.length;
  for (const p of projections) {
    if (p === 'mean') {
      const mean = out.reduce((s, v) => s + v, 0) / n;
      for (let j = 0; j < n; j++) out[j] -= mean;
    } else {
      if (!cHat) throw new Error("identityWithProjection: 'sphere' needs ĉ");
      const cc = dot(cHat, cHat);
      if (cc === 0) throw new Error("identityWithProjection: 'sphere' is undefined at ĉ = 0");
      const t = dot(cHat, out) / cc;
      for (let j = 0; j < n; j++) out[j] -= t * cHat[j];
    }
  }
  return out;
}

/**
 * Blackbox differentiation (Vlastelica et al.): ∂ℓ/∂c ≈ [x*(c + λg) − x*(c)] / λ, the gradient of a
 * piecewise-affine interpolation of c ↦ gᵀx*(c). It is LPGD's lower update for an LP (LPGD Eq. 25).
 */
export function blackboxGradient(
  c: Float64Array,
  g: ArrayLike<number>,
  lambda: number,
  oracle: LpOracle,
  xStar?: Float64Array,
): Float64Array {
  if (!(lambda > 0)) throw new Error(`lambda must be > 0, got ${lambda}`);
  const x0 = xStar ?? oracle(c);
  const x1 = oracle(c.map((v, j) => v + lambda * g[j]));
  return x1.map((v, j) => (v - x0[j]) / lambda);
}
