/**
 * The setup of LPGD's Figure 1 (Sec. 4.1): the linear program x*(c) = argmin_{x ∈ [0,1]ⁿ} ⟨x, c⟩
 * (Eq. 24), a quadratic loss ℓ(x) = ½‖x − x_target‖², and a one-dimensional cut c(t) = c₀ + t·d
 * through the cost space.
 *
 * The generator puts every breakpoint of t ↦ x*(c(t)) inside the plotted window: coordinate i is
 * c_i(t) = d_i (t − b_i) with b_i drawn in the window, so x*_i flips exactly once, at t = b_i.
 */
import type { QpProblem } from '../qp/types';
import { Rng } from '../grad/rng';

/** Largest dimension offered: the plot is meant to show a handful of steps, not a staircase. */
export const MAX_CUT_DIM = 8;

export interface CutProblem {
  /** Dimension n of the box [0,1]ⁿ. */
  n: number;
  /** Cost at t = 0. */
  c0: Float64Array;
  /** Direction d of the cut through cost space. */
  d: Float64Array;
  /** x_target of the loss ℓ(x) = ½‖x − x_target‖². */
  xTarget: Float64Array;
  /** Plotted window of t. */
  tMin: number;
  tMax: number;
}

/** A seeded random cut (same seed, same problem). */
export function makeCut(seed: number, n: number): CutProblem {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CUT_DIM)
    throw new Error(`cut dimension n must be an integer in [1, ${MAX_CUT_DIM}], got ${n}`);
  const rng = new Rng(seed);
  const tMin = -2;
  const tMax = 2;
  const c0 = new Float64Array(n);
  const d = new Float64Array(n);
  const xTarget = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Breakpoints kept off the window's edges so every step is visible.
    const b = 0.8 * (tMin + (tMax - tMin) * rng.uniform());
    d[i] = (rng.uniform() < 0.5 ? -1 : 1) * (0.5 + rng.uniform());
    c0[i] = -b * d[i];
    // Targets reach past the box: with x_target inside it, every vertex x̂ would maximize the
    // linearized loss ⟨x, x̂ − x_target⟩ and the upper envelope would be flat at t₀ for every t₀.
    xTarget[i] = -0.5 + 2 * rng.uniform();
  }
  return { n, c0, d, xTarget, tMin, tMax };
}

/** Throws a readable error when the cut's arrays do not fit n or hold non-finite numbers. */
export function checkCut(cut: CutProblem): void {
  const { n } = cut;
  if (!Number.isInteger(n) || n < 1) throw new Error(`cut dimension must be ≥ 1, got ${n}`);
  for (const [name, v] of [
    ['c0', cut.c0],
    ['d', cut.d],
    ['xTarget', cut.xTarget],
  ] as const) {
    if (v.length !== n) throw new Error(`cut.${name} has length ${v.length}, expected n = ${n}`);
    if (!v.every(Number.isFinite)) throw new Error(`cut.${name} holds a non-finite entry`);
  }
  if (!(cut.tMin < cut.tMax)) throw new Error(`empty window [${cut.tMin}, ${cut.tMax}]`);
}

/** c(t) = c₀ + t·d. */
export function costAt(cut: CutProblem, t: number): Float64Array {
  return cut.c0.map((c, i) => c + t * cut.d[i]);
}

/** The t where c_i(t) = 0, i.e. where x*_i flips (coordinates with d_i = 0 never flip). */
export function breakpoints(cut: CutProblem): number[] {
  const out: number[] = [];
  for (let i = 0; i < cut.n; i++) if (cut.d[i] !== 0) out.push(-cut.c0[i] / cut.d[i]);
  return out.sort((a, b) => a - b);
}

/** ℓ(x) = ½‖x − x_target‖². */
export function loss(cut: CutProblem, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < cut.n; i++) s += (x[i] - cut.xTarget[i]) ** 2;
  return s / 2;
}

/** ∇ℓ(x) = x − x_target. */
export function lossGradient(cut: CutProblem, x: ArrayLike<number>): Float64Array {
  return cut.xTarget.map((xt, i) => x[i] - xt);
}

/**
 * The box problem in OSQP form with Hessian ρI: min ½ρ‖x‖² + qᵀx s.t. 0 ≤ x ≤ 1 (A = I). With
 * ρ = 0 it is the LP (24); with q = c − ρx̂ it is the ρ-augmented solve of Eq. 28 centred at x̂.
 */
export function boxProblem(n: number, rho: number, q: ArrayLike<number>): QpProblem {
  const P = new Float64Array(n * n);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    P[i * n + i] = rho;
    A[i * n + i] = 1;
  }
  return {
    n,
    m: n,
    P: { rows: n, cols: n, data: P },
    q: Float64Array.from(q),
    r: 0,
    A: { rows: n, cols: n, data: A },
    l: new Float64Array(n),
    u: new Float64Array(n).fill(1),
  };
}
