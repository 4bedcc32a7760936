/**
 * The solver-based gradient estimators, as extra batched solves on a QpLayer's handle: each takes
 * the mini-batch's predicted costs ĉ (B × n), the forward solutions x̂ and the per-sample loss
 * gradients g_i = ∇f_i(x̂_i), and returns ∂ℓ_i/∂ĉ_i per sample (null where a solve failed).
 * They are the batched, warm-started versions of src/solvers/grad (lpgdBackward's dq,
 * blackboxGradient, spoPlus, perturbedOptimizer) and are tested against those.
 */
import type { QpResult } from '../../qp/types';
import { Rng } from '../../grad/rng';
import { identityWithProjection } from '../../grad/linear';
import type { QpLayer } from './layer';

export type LpgdKind = 'lpgd' | 'lpgd-lower' | 'lpgd-upper';

const ok = (r: QpResult | undefined): r is QpResult =>
  !!r && (r.status === 'solved' || r.status === 'solved_inaccurate');

/** ĉ + s·g, row by row (B × n). */
function shifted(c: Float64Array, g: Float64Array[], s: number): Float64Array {
  const n = g[0]?.length ?? 0;
  const out = Float64Array.from(c);
  g.forEach((gi, r) => {
    for (let j = 0; j < n; j++) out[r * n + j] += s * gi[j];
  });
  return out;
}

/**
 * LPGD's dq (LPGD Eq. 16, 22; ∇_q𝓛 = x): lower (x(ĉ + τg) − x̂)/τ, upper (x̂ − x(ĉ − τg))/τ,
 * average (x(ĉ + τg) − x(ĉ − τg))/2τ, each perturbed solve started at x̂. With polishing x̂ is the
 * exact solution, so lower/upper need no re-solve of z* (lpgd.ts re-solves it to cancel the
 * solver's own error).
 */
export async function lpgdDq(
  layer: QpLayer,
  idx: Int32Array,
  c: Float64Array,
  xhat: QpResult[],
  g: Float64Array[],
  tau: number,
  kind: LpgdKind,
): Promise<(Float64Array | null)[]> {
  if (!(tau > 0)) throw new Error(`tau must be > 0, got ${tau}`);
  const up = kind === 'lpgd-upper' ? null : await layer.probe(idx, shifted(c, g, tau), xhat);
  const down = kind === 'lpgd-lower' ? null : await layer.probe(idx, shifted(c, g, -tau), xhat);
  return xhat.map((r, k) => {
    const a = up ? up[k] : r;
    const b = down ? down[k] : r;
    if (!ok(r) || !ok(a) || !ok(b)) return null;
    const s = up && down ? 2 * tau : tau;
    return a.x.map((v, j) => (v - b.x[j]) / s);
  });
}

/** Blackbox differentiation (Vlastelica et al.): (x(ĉ + λg) − x̂)/λ. */
export function blackboxDq(
  layer: QpLayer,
  idx: Int32Array,
  c: Float64Array,
  xhat: QpResult[],
  g: Float64Array[],
  lambda: number,
): Promise<(Float64Array | null)[]> {
  if (!(lambda > 0)) throw new Error(`blackbox lambda must be > 0, got ${lambda}`);
  return lpgdDq(layer, idx, c, xhat, g, lambda, 'lpgd-lower');
}

/**
 * SPO+ (Elmachtoub & Grigas): loss (c − 2ĉ)ᵀx' + 2ĉᵀx*(c) − cᵀx*(c) with x' = x(2ĉ − c), and the
 * subgradient 2(x*(c) − x'). `trueX[k]` = x*(c_k), the sample's true optimum.
 */
export async function spoPlusDq(
  layer: QpLayer,
  idx: Int32Array,
  c: Float64Array,
  cTrue: Float64Array[],
  trueX: Float64Array[],
  xhat: QpResult[],
): Promise<({ loss: number; dq: Float64Array } | null)[]> {
  const n = cTrue[0]?.length ?? 0;
  const target = Float64Array.from(c);
  cTrue.forEach((ct, r) => {
    for (let j = 0; j < n; j++) target[r * n + j] = 2 * c[r * n + j] - ct[j];
  });
  const xs = await layer.probe(idx, target, xhat);
  return xs.map((r, k) => {
    if (!ok(r)) return null;
    const ct = cTrue[k];
    const xt = trueX[k];
    let loss = 0;
    for (let j = 0; j < n; j++)
      loss += (ct[j] - 2 * c[k * n + j]) * r.x[j] + 2 * c[k * n + j] * xt[j] - ct[j] * xt[j];
    return { loss, dq: Float64Array.from(xt, (v, j) => 2 * (v - r.x[j])) };
  });
}

export interface PerturbedSample {
  /** y_σ = mean of x(ĉ + σZ_k). */
  y: Float64Array;
  /** Jᵀv = Σ_k Z_k (x_kᵀv) / (σM), the Jacobian's transpose applied to v. */
  vjp(v: ArrayLike<number>): Float64Array;
}

/**
 * Perturbed optimizer (Berthet et al.): M solves x(ĉ + σZ_k) per sample, Z_k ~ N(0, I) drawn from
 * Rng(seeds[k]) as `perturbedOptimizer` draws them, all B·M in one batch.
 */
export async function perturbedSamples(
  layer: QpLayer,
  idx: Int32Array,
  c: Float64Array,
  xhat: QpResult[],
  sigma: number,
  samples: number,
  seeds: number[],
): Promise<(PerturbedSample | null)[]> {
  if (!(sigma > 0)) throw new Error(`sigma must be > 0, got ${sigma}`);
  if (!(Number.isInteger(samples) && samples >= 1))
    throw new Error(`perturbed samples must be a positive integer, got ${samples}`);
  const B = idx.length;
  const n = c.length / Math.max(B, 1);
  const Z: Float64Array[][] = seeds.map((s) => {
    const rng = new Rng(s);
    return Array.from({ length: samples }, () => rng.normals(n));
  });
  const rep = new Int32Array(B * samples);
  const qs = new Float64Array(B * samples * n);
  const from: (QpResult | undefined)[] = [];
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < samples; k++) {
      const row = b * samples + k;
      rep[row] = idx[b];
      for (let j = 0; j < n; j++) qs[row * n + j] = c[b * n + j] + sigma * Z[b][k][j];
      from.push(xhat[b]);
    }
  }
  const xs = await layer.probe(rep, qs, from);
  return Array.from({ length: B }, (_, b) => {
    const sols = xs.slice(b * samples, (b + 1) * samples);
    if (!sols.every(ok)) return null;
    const y = new Float64Array(n);
    for (const r of sols) for (let j = 0; j < n; j++) y[j] += r.x[j] / samples;
    return {
      y,
      vjp: (v: ArrayLike<number>) => {
        const out = new Float64Array(n);
        sols.forEach((r, k) => {
          let xv = 0;
          for (let j = 0; j < n; j++) xv += r.x[j] * v[j];
          for (let j = 0; j < n; j++) out[j] += (Z[b][k][j] * xv) / (sigma * samples);
        });
        return out;
      },
    };
  });
}

/** Identity with projection, "norm" (You Shall Pass Table 4): −g with ĉ's direction removed. */
export function identityDq(g: Float64Array, cHat: Float64Array): Float64Array {
  return identityWithProjection(g, ['sphere'], cHat);
}
