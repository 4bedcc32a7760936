/**
 * The Sobolev loss on a network proxy ĝθ of a solution map g (Sobolev training paper, Eq. of §3):
 *
 *   L(θ) = (1/(B·n)) Σ_b ‖ĝθ(p_b) − g(p_b)‖²  +  λ/(B·n·d) Σ_b ‖M_b ⊙ (Dĝθ(p_b) − Dg(p_b))‖²_F,
 *
 * i.e. the value MSE plus λ times the Jacobian MSE over all n·d entries with the unmasked ones set to
 * zero, so the derivative term shrinks with the mask density, as ℓ_d(M ⊙ Dĝ, M ⊙ Dg) does in the
 * paper. M_b ∈ {0, 1}^{n×d} is drawn afresh per instance and per mini-batch (Bernoulli of the
 * density). Dĝθ is never formed: each instance carries forward only the unit directions e_j of the
 * columns its mask touches (`Mlp.forward` tangents), and the tangent adjoints flow back through the
 * same reverse pass as the values (`Mlp.backward` with dT).
 *
 * Inputs and outputs are normalized: p̃ = 2(p − lo)/(hi − lo) − 1 on the family's box, ỹ = (y − shift)/
 * scale per output; the Jacobian targets follow, J̃_oj = J_oj (hi_j − lo_j) / (2 scale_o).
 */
import { Mlp, unitDirections } from '../mlp';
import { mseLoss, sobolevLoss } from '../loss';
import type { Rng } from '../../grad/rng';
import type { Family, Instance } from './families';

export interface Normalizer {
  lo: Float64Array;
  hi: Float64Array;
  shift: Float64Array;
  scale: Float64Array;
}

/** Input box from the family; output shift and scale from the instances (mean, std ≥ 1e-3·max). */
export function normalizerFor(family: Family, instances: Instance[]): Normalizer {
  const n = family.n;
  const shift = new Float64Array(n);
  const scale = new Float64Array(n);
  for (const it of instances) for (let o = 0; o < n; o++) shift[o] += it.x[o] / instances.length;
  for (const it of instances)
    for (let o = 0; o < n; o++) scale[o] += (it.x[o] - shift[o]) ** 2 / instances.length;
  let top = 0;
  for (let o = 0; o < n; o++) top = Math.max(top, Math.sqrt(scale[o]));
  for (let o = 0; o < n; o++) scale[o] = Math.max(Math.sqrt(scale[o]), 1e-3 * top, 1e-12);
  return { lo: family.lo, hi: family.hi, shift, scale };
}

/** Normalized training arrays. */
export interface SobolevData {
  d: number;
  n: number;
  N: number;
  /** p̃, N × d. */
  P: Float64Array;
  /** ỹ, N × n. */
  Y: Float64Array;
  /** J̃, N × n × d (instance, output, parameter). */
  J: Float64Array;
}

export function normalizeInput(norm: Normalizer, p: ArrayLike<number>, out: Float64Array): void {
  for (let j = 0; j < norm.lo.length; j++)
    out[j] = (2 * (p[j] - norm.lo[j])) / (norm.hi[j] - norm.lo[j]) - 1;
}

export function buildData(norm: Normalizer, instances: Instance[]): SobolevData {
  const d = norm.lo.length;
  const n = norm.shift.length;
  const N = instances.length;
  const P = new Float64Array(N * d);
  const Y = new Float64Array(N * n);
  const J = new Float64Array(N * n * d);
  instances.forEach((it, b) => {
    normalizeInput(norm, it.p, P.subarray(b * d, (b + 1) * d));
    for (let o = 0; o < n; o++) {
      Y[b * n + o] = (it.x[o] - norm.shift[o]) / norm.scale[o];
      for (let j = 0; j < d; j++)
        J[(b * n + o) * d + j] =
          (it.J[o * d + j] * (norm.hi[j] - norm.lo[j])) / (2 * norm.scale[o]);
    }
  });
  return { d, n, N, P, Y, J };
}

/** ĝθ at parameters p (rows of `ps`), in the original output units. */
export function predict(net: Mlp, norm: Normalizer, ps: Float64Array[]): Float64Array[] {
  const d = norm.lo.length;
  const n = norm.shift.length;
  const X = new Float64Array(ps.length * d);
  ps.forEach((p, b) => normalizeInput(norm, p, X.subarray(b * d, (b + 1) * d)));
  const Yh = net.predict(X, ps.length);
  return ps.map((_, b) =>
    Float64Array.from({ length: n }, (_, o) => Yh[b * n + o] * norm.scale[o] + norm.shift[o]),
  );
}

/** One mini-batch's loss parts and ∂L/∂θ. */
export interface StepValue {
  loss: number;
  mse: number;
  /** The masked Jacobian term before λ (0 when nothing is masked). */
  jac: number;
  grad: Float64Array;
  /** Tangent directions carried per instance (the mask's columns, padded to the batch's most). */
  tangentsPerInstance: number;
  /** Forward pass with tangents and the loss; reverse pass. */
  forwardMs: number;
  backwardMs: number;
}

/**
 * The Sobolev loss on instances `idx` with masks of the given density (1: every entry, 0: MSE only),
 * drawn from `rng`; only the columns a mask touches get tangents.
 */
export function sobolevBatch(
  net: Mlp,
  data: SobolevData,
  idx: ArrayLike<number>,
  lambda: number,
  density: number,
  rng: Rng | null,
): StepValue {
  const { d, n } = data;
  const B = idx.length;
  const X = new Float64Array(B * d);
  const T = new Float64Array(B * n);
  for (let b = 0; b < B; b++) {
    X.set(data.P.subarray(idx[b] * d, (idx[b] + 1) * d), b * d);
    T.set(data.Y.subarray(idx[b] * n, (idx[b] + 1) * n), b * n);
  }
  // Masks: per instance an n × d pattern; the columns it touches are the tangent directions.
  const masks: Uint8Array[] = [];
  const cols: number[][] = [];
  if (lambda > 0 && density > 0) {
    for (let b = 0; b < B; b++) {
      const M = new Uint8Array(n * d);
      for (let e = 0; e < n * d; e++)
        M[e] = density >= 1 || (rng && rng.uniform() < density) ? 1 : 0;
      masks.push(M);
      const used: number[] = [];
      for (let j = 0; j < d; j++) {
        for (let o = 0; o < n; o++)
          if (M[o * d + j]) {
            used.push(j);
            break;
          }
      }
      cols.push(used);
    }
  }
  const k = cols.reduce((s, c) => Math.max(s, c.length), 0);
  // Pad every instance to k columns; padded rows carry a zero mask.
  const padded = cols.map((c) => {
    const out = c.slice();
    for (let j = 0; out.length < k; j++) if (!c.includes(j)) out.push(j);
    return out;
  });
  const dirs = k > 0 ? unitDirections(d, padded) : undefined;
  const t0 = performance.now();
  const tape = net.forward(X, B, dirs);
  const value = mseLoss(tape.output, T);
  let jac = 0;
  let dT: Float64Array | null = null;
  if (k > 0) {
    const targets = new Float64Array(B * k * n);
    const mask = new Float64Array(B * k * n);
    for (let b = 0; b < B; b++) {
      const i = idx[b];
      padded[b].forEach((j, c) => {
        const real = c < cols[b].length;
        for (let o = 0; o < n; o++) {
          const row = (b * k + c) * n + o;
          targets[row] = data.J[(i * n + o) * d + j];
          mask[row] = real ? masks[b][o * d + j] : 0;
        }
      });
    }
    const s = sobolevLoss(tape.tangent, targets, B, mask);
    const w = lambda / (n * d);
    jac = s.loss / (n * d);
    dT = s.grad.map((g) => g * w);
  }
  const t1 = performance.now();
  const { grad } = net.backward(tape, { dY: value.grad, dT });
  return {
    loss: value.loss + lambda * jac,
    mse: value.loss,
    jac,
    grad,
    tangentsPerInstance: k,
    forwardMs: t1 - t0,
    backwardMs: performance.now() - t1,
  };
}
