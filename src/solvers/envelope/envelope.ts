/**
 * Lagrange–Moreau envelopes of the linearized loss along a cut (LPGD, Sec. 3.2–3.6, Figure 1).
 *
 * For the LP over the box the Lagrangian is 𝓛(x, c) = ⟨x, c⟩; with the augmentation of Eq. 28
 * centred at the current solution x̂ = x*(ĉ), ĉ = c(t₀), it is 𝓛_ρ(x, c) = ⟨x, c⟩ + (ρ/2)‖x − x̂‖².
 * Write 𝓛*_ρ(c) = min_{x∈X} 𝓛_ρ(x, c) and D(x|c) = 𝓛_ρ(x, c) − 𝓛*_ρ(c) (Eq. 8). The loss is
 * linearized at x̂ (Eq. 5): ℓ̃(x) = ℓ(x̂) + ⟨x − x̂, g⟩, g = ∇ℓ(x̂). Because ℓ̃ is linear, the infimum
 * in Eq. 10 and the supremum in Eq. 12 are solves at a shifted cost (Eq. 21):
 *
 *   lower    ℓ̃_τ(c) = K + (1/τ)[𝓛*_ρ(c + τg) − 𝓛*_ρ(c)]                       (Eq. 10)
 *   upper    ℓ̃^τ(c) = K + (1/τ)[𝓛*_ρ(c) − 𝓛*_ρ(c − τg)]                       (Eq. 12)
 *   average  ½(ℓ̃_τ + ℓ̃^τ)                                                    (Eq. 15)
 *
 * with K = ℓ(x̂) − ⟨x̂, g⟩. By Danskin (Eq. 16, 22) their gradients at ĉ are the LPGD updates, so the
 * slope of each curve at t₀ must equal ⟨LPGD update, d⟩; `sweepEnvelopes` measures that slope by a
 * central difference of the curve itself. Since D(x|c) ≥ 0 vanishes at x_ρ(c) = argmin 𝓛_ρ(·, c),
 * lower ≤ ℓ̃(x_ρ(c)) ≤ upper; with ρ = 0, x_ρ = x*.
 */
import type { CutProblem } from './cut';
import { breakpoints, checkCut, costAt, loss, lossGradient } from './cut';

/**
 * Minimizers of ⟨x, c⟩ + (ρ/2)‖x − center‖² over the box, one per cost (ρ = 0: the LP, centre unused).
 * The worker answers it with one shared-structure batch of the QP engine; tests with the closed form.
 */
export type BoxArgmin = (
  costs: Float64Array[],
  rho: number,
  center: Float64Array,
) => Promise<Float64Array[]>;

export interface EnvelopeParams {
  /** Temperature τ > 0 of the envelopes. */
  tau: number;
  /** Augmentation strength ρ ≥ 0 (Eq. 28). */
  rho: number;
  /** Where the loss is linearized and the tangents are drawn; ĉ = c(t₀). */
  t0: number;
  /** Number of t-values on the plotted grid (≥ 2). */
  samples: number;
}

export interface Variants {
  lower: number;
  upper: number;
  average: number;
}

export interface EnvelopeSweep {
  /** The grid of t over [tMin, tMax]. */
  t: Float64Array;
  /** ℓ(x*(c(t))): the quadratic loss of the LP solution (piecewise constant). */
  loss: Float64Array;
  /** ℓ̃(x*(c(t))): the loss linearized at x̂ (Figure 1's black curve). */
  linearized: Float64Array;
  /** ℓ̃(x_ρ(c(t))): what the envelopes approximate once ρ > 0 (equals `linearized` at ρ = 0). */
  augmented: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  average: Float64Array;
  /** The t where x* changes. */
  breakpoints: number[];
  at: {
    t0: number;
    /** x̂ = x*(c(t₀)). */
    xHat: Float64Array;
    /** g = ∇ℓ(x̂). */
    g: Float64Array;
    /** ℓ(x̂). */
    loss: number;
    /** Envelope values at t₀. */
    value: Variants;
    /** [E(t₀ + h) − E(t₀ − h)] / 2h of each envelope curve. */
    slope: Variants;
    /** The difference step h. */
    h: number;
  };
}

/** 𝓛*_ρ(c) = ⟨x, c⟩ + (ρ/2)‖x − x̂‖² at its minimizer x over the box. */
export function augmentedOptimalValue(
  c: ArrayLike<number>,
  x: ArrayLike<number>,
  rho: number,
  xHat: ArrayLike<number>,
): number {
  let lin = 0;
  let sq = 0;
  for (let i = 0; i < c.length; i++) {
    lin += c[i] * x[i];
    sq += (x[i] - xHat[i]) ** 2;
  }
  return lin + (rho / 2) * sq;
}

/** Eq. 10 with the linearized loss: K + (1/τ)[𝓛*_ρ(c + τg) − 𝓛*_ρ(c)]. */
export function lowerEnvelope(K: number, Lc: number, LcPlus: number, tau: number): number {
  return K + (LcPlus - Lc) / tau;
}

/** Eq. 12 with the linearized loss: K + (1/τ)[𝓛*_ρ(c) − 𝓛*_ρ(c − τg)]. */
export function upperEnvelope(K: number, Lc: number, LcMinus: number, tau: number): number {
  return K + (Lc - LcMinus) / tau;
}

/** Eq. 15. */
export function averageEnvelope(lower: number, upper: number): number {
  return (lower + upper) / 2;
}

/** ℓ̃(x) = ℓ(x̂) + ⟨x − x̂, g⟩ = K + ⟨x, g⟩. */
function linearizedLoss(K: number, g: ArrayLike<number>, x: ArrayLike<number>): number {
  let s = K;
  for (let i = 0; i < g.length; i++) s += g[i] * x[i];
  return s;
}

export function checkParams(p: EnvelopeParams): void {
  if (!(p.tau > 0) || !Number.isFinite(p.tau))
    throw new Error(`τ must be a positive number, got ${p.tau}`);
  if (!(p.rho >= 0) || !Number.isFinite(p.rho))
    throw new Error(`ρ must be a non-negative number, got ${p.rho}`);
  if (!Number.isFinite(p.t0)) throw new Error(`t₀ must be finite, got ${p.t0}`);
  if (!Number.isInteger(p.samples) || p.samples < 2 || p.samples > 5000)
    throw new Error(`samples must be an integer in [2, 5000], got ${p.samples}`);
}

/** Relative step of the slope measurement: far below the grid spacing, far above round-off. */
const SLOPE_STEP = 1e-4;

/**
 * The curves of Figure 1 for one (τ, ρ, t₀): two batches of solves, the LP along the grid (for the
 * loss and x̂), then the ρ-augmented solves at c, c ± τg for every t (Eq. 21 with Eq. 28).
 */
export async function sweepEnvelopes(
  cut: CutProblem,
  params: EnvelopeParams,
  argmin: BoxArgmin,
): Promise<EnvelopeSweep> {
  checkCut(cut);
  checkParams(params);
  const { tau, rho, t0, samples } = params;
  const N = samples;
  const h = SLOPE_STEP * (cut.tMax - cut.tMin);
  const t = Float64Array.from(
    { length: N },
    (_, k) => cut.tMin + ((cut.tMax - cut.tMin) * k) / (N - 1),
  );
  // The grid, then t₀ − h, t₀, t₀ + h for the tangents.
  const ts = [...t, t0 - h, t0, t0 + h];
  const costs = ts.map((s) => costAt(cut, s));
  const none = new Float64Array(cut.n);

  const xStar = await argmin(costs, 0, none);
  const xHat = Float64Array.from(xStar[N + 1]);
  const g = lossGradient(cut, xHat);
  const K = loss(cut, xHat) - xHat.reduce((s, v, i) => s + v * g[i], 0);

  const shifted = costs.flatMap((c) => [
    c,
    c.map((ci, i) => ci + tau * g[i]),
    c.map((ci, i) => ci - tau * g[i]),
  ]);
  const xs = await argmin(shifted, rho, xHat);
  const L = (k: number) => augmentedOptimalValue(shifted[k], xs[k], rho, xHat);

  const M = ts.length;
  const lower = new Float64Array(M);
  const upper = new Float64Array(M);
  const average = new Float64Array(M);
  for (let k = 0; k < M; k++) {
    const Lc = L(3 * k);
    lower[k] = lowerEnvelope(K, Lc, L(3 * k + 1), tau);
    upper[k] = upperEnvelope(K, Lc, L(3 * k + 2), tau);
    average[k] = averageEnvelope(lower[k], upper[k]);
  }
  const pick = (v: Float64Array, k: number) => v[N + k];
  const slope = (v: Float64Array) => (pick(v, 2) - pick(v, 0)) / (2 * h);
  return {
    t,
    loss: Float64Array.from({ length: N }, (_, k) => loss(cut, xStar[k])),
    linearized: Float64Array.from({ length: N }, (_, k) => linearizedLoss(K, g, xStar[k])),
    augmented: Float64Array.from({ length: N }, (_, k) => linearizedLoss(K, g, xs[3 * k])),
    lower: lower.slice(0, N),
    upper: upper.slice(0, N),
    average: average.slice(0, N),
    breakpoints: breakpoints(cut),
    at: {
      t0,
      xHat,
      g,
      loss: loss(cut, xHat),
      value: { lower: pick(lower, 1), upper: pick(upper, 1), average: pick(average, 1) },
      slope: { lower: slope(lower), upper: slope(upper), average: slope(average) },
      h,
    },
  };
}
