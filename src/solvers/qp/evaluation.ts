/**
 * The decisions of the ADMM driver, written once for every engine: what a check's numbers mean
 * (termination, OSQP's infeasibility tests), the ρ estimate, and the Float64 confirmations on the
 * original data that every status claim must pass before it is made.
 *
 * Backends (CPU in Float64, WebGPU in f32) only compute the numbers of `AdmmEvaluation`; they never
 * decide a status.
 */
import type { Scaling } from './scaling';
import type { AnyQpProblem, QpSettings } from './types';
import { DIVISION_TOL, RHO_MAX, RHO_MIN } from './workspace';
import { mul, symMul, tMul } from './matrix';

/** Residuals and their normalizers, in the unscaled problem unless `scaled_termination`. */
export interface Residuals {
  /** ‖Ax − z‖∞. */
  prim: number;
  /** ‖Px + q + Aᵀy‖∞. */
  dual: number;
  /** max(‖Ax‖∞, ‖z‖∞): scales eps_rel in the primal test. */
  primScale: number;
  /** max(‖Px‖∞, ‖Aᵀy‖∞, ‖q‖∞): scales eps_rel in the dual test. */
  dualScale: number;
  /** The same four in the scaled problem (for the ρ estimate). */
  primScaled: number;
  dualScaled: number;
  primScaleScaled: number;
  dualScaleScaled: number;
  /**
   * Duality gap xᵀPx + qᵀx + uᵀy₊ + lᵀy₋ (y projected on the polar of the recession cone of [l, u])
   * and max(|xᵀPx|, |qᵀx|, |uᵀy₊ + lᵀy₋|), which scales eps_rel in OSQP's gap test. Absent when a
   * backend does not compute them (the Float64 confirmation always does).
   */
  gap?: number;
  gapScale?: number;
}

/**
 * One problem's numbers at a check, as a backend computes them from its (scaled) iterate. δy is
 * projected on the polar of the recession cone of [l, u] (no positive part where u = ∞, no
 * negative part where l = −∞). Units are those of the termination test: unscaled (D, E, c undone)
 * unless `scaled_termination`.
 */
export interface AdmmEvaluation extends Residuals {
  /** ‖δy‖∞. */
  dyNorm: number;
  /** ‖Aᵀδy‖∞. */
  atdyNorm: number;
  /** uᵀ(δy)₊ + lᵀ(δy)₋ (the support function of [l, u] at δy). */
  support: number;
  /** ‖δx‖∞. */
  dxNorm: number;
  /** ‖Pδx‖∞. */
  pdxNorm: number;
  /** qᵀδx. */
  qdx: number;
  /** max of (Aδx)ᵢ over rows with a finite upper bound (−∞ when none). */
  adxUpper: number;
  /** max of −(Aδx)ᵢ over rows with a finite lower bound (−∞ when none). */
  adxLower: number;
}

/** What a check suggests for one problem; the driver confirms it in Float64 before claiming it. */
export type Candidate = 'solved' | 'primal_infeasible' | 'dual_infeasible' | null;

/**
 * ‖r‖ ≤ k·(ε_abs + ε_rel·scale) for both residuals and, with check_dualgap, for the duality gap
 * when it is known (k = 10: OSQP's 'solved_inaccurate').
 */
export function meetsTolerance(r: Residuals, m: number, s: QpSettings, k = 1): boolean {
  const primOk = m === 0 || r.prim <= k * (s.eps_abs + s.eps_rel * r.primScale);
  const dualOk = r.dual <= k * (s.eps_abs + s.eps_rel * r.dualScale);
  const gapOk =
    !s.check_dualgap ||
    r.gap === undefined ||
    Math.abs(r.gap) <= k * (s.eps_abs + s.eps_rel * (r.gapScale ?? 0));
  return primOk && dualOk && gapOk;
}

/**
 * uᵀy₊ + lᵀy₋ with y projected on the polar of the recession cone of [l, u] (no positive part
 * where u = ∞, no negative part where l = −∞), entries within 1e-15 of zero dropped (OSQP's
 * deadzone): the support function of [l, u] at y, the dual objective's constraint term.
 */
export function supportOfBounds(l: Float64Array, u: Float64Array, y: ArrayLike<number>): number {
  let sc = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v > 1e-15 && u[i] !== Infinity) sc += u[i] * v;
    else if (v < -1e-15 && l[i] !== -Infinity) sc += l[i] * v;
  }
  return sc;
}

/**
 * OSQP's tests (paper §3.4), on δy and δx normalized by their ∞-norms, as candidates: with `scale`
 * (certificates.ts, CandidateScales) their tolerances on Aᵀδy, Pδx and Aδx grow with the data's
 * norms, so that an f32 backend can still propose what the Float64 confirmation then decides:
 * primal infeasible when ‖Aᵀδy‖ < ε and uᵀδy₊ + lᵀδy₋ < ε; dual infeasible when ‖Pδx‖ < ε,
 * qᵀδx < −ε and Aδx lies in the recession cone of [l, u] up to ε. Termination is tested first.
 */
/**
 * A primal candidate needs only ‖Aᵀδy‖ < 10⁻²‖Aᵀ‖‖δy‖ (with a negative support): δy from an f32
 * backend, or from PCG's inexact x̃ solves (1 % off on parallel rows at scale 300), is far from
 * OSQP's 10⁻⁴ while pointing at a certificate that the Float64 refinement recovers exactly. The
 * confirmation (certificates.ts) decides; a candidate only costs reading that problem's iterate.
 */
const PRIMAL_CANDIDATE_REL = 1e-2;

export function decideCandidate(
  ev: AdmmEvaluation,
  m: number,
  s: QpSettings,
  scale: { aT: number; a: number; p: number } = { aT: 1, a: 1, p: 1 },
): Candidate {
  if (meetsTolerance(ev, m, s)) return 'solved';
  const ep = s.eps_prim_inf * ev.dyNorm;
  if (
    m > 0 &&
    ev.dyNorm > DIVISION_TOL &&
    ev.support < ep &&
    ev.atdyNorm < Math.max(s.eps_prim_inf, PRIMAL_CANDIDATE_REL) * ev.dyNorm * Math.max(1, scale.aT)
  )
    return 'primal_infeasible';
  const ed = s.eps_dual_inf * ev.dxNorm;
  const eda = ed * Math.max(1, scale.a);
  if (
    ev.dxNorm > DIVISION_TOL &&
    ev.qdx < -ed &&
    ev.pdxNorm < ed * Math.max(1, scale.p) &&
    ev.adxUpper <= eda &&
    ev.adxLower <= eda
  )
    return 'dual_infeasible';
  return null;
}

/**
 * OSQP's ρ estimate ρ·√((‖r_prim‖/max(‖Ax‖,‖z‖)) / (‖r_dual‖/max(‖Px‖,‖Aᵀy‖,‖q‖))) in the scaled
 * problem, clipped to [RHO_MIN, RHO_MAX].
 */
export function estimateRho(rho: number, r: Residuals): number {
  const p = r.primScaled / (r.primScaleScaled + DIVISION_TOL);
  const d = r.dualScaled / (r.dualScaleScaled + DIVISION_TOL);
  const est = rho * Math.sqrt(p / (d + DIVISION_TOL));
  return Math.min(Math.max(est, RHO_MIN), RHO_MAX);
}

/** Whether a new ρ differs from the current one by more than the adaptation tolerance. */
export function rhoChanged(rho: number, next: number, s: QpSettings): boolean {
  const tol = s.adaptive_rho_tolerance;
  return next > rho * tol || next < rho / tol;
}

/** The residuals and duality gap of (x, z, y) on the original problem, in Float64. */
export function originalResiduals(
  p: AnyQpProblem,
  x: Float64Array,
  z: Float64Array,
  y: Float64Array,
  scaling?: Scaling,
): Residuals {
  const Ax = mul(p.A, x);
  const Px = symMul(p.P, x);
  const Aty = tMul(p.A, y);
  // With `scaling`: the same quantities in the scaled problem (OSQP's scaled_termination), i.e.
  // row i of the primal terms times Eᵢ, column j of the dual terms times c·Dⱼ, the gap times c.
  const e = (i: number) => (scaling ? scaling.E[i] : 1);
  const d = (j: number) => (scaling ? scaling.c * scaling.D[j] : 1);
  let prim = 0;
  let axN = 0;
  let zN = 0;
  for (let i = 0; i < p.m; i++) {
    prim = Math.max(prim, e(i) * Math.abs(Ax[i] - z[i]));
    axN = Math.max(axN, e(i) * Math.abs(Ax[i]));
    zN = Math.max(zN, e(i) * Math.abs(z[i]));
  }
  let dual = 0;
  let pxN = 0;
  let atyN = 0;
  let qN = 0;
  for (let j = 0; j < p.n; j++) {
    dual = Math.max(dual, d(j) * Math.abs(Px[j] + p.q[j] + Aty[j]));
    pxN = Math.max(pxN, d(j) * Math.abs(Px[j]));
    atyN = Math.max(atyN, d(j) * Math.abs(Aty[j]));
    qN = Math.max(qN, d(j) * Math.abs(p.q[j]));
  }
  const primScale = Math.max(axN, zN);
  const dualScale = Math.max(pxN, atyN, qN);
  let quad = 0;
  let lin = 0;
  for (let j = 0; j < p.n; j++) {
    quad += x[j] * Px[j];
    lin += p.q[j] * x[j];
  }
  const sc = supportOfBounds(p.l, p.u, y);
  const c = scaling ? scaling.c : 1;
  return {
    prim,
    dual,
    primScale,
    dualScale,
    primScaled: prim,
    dualScaled: dual,
    primScaleScaled: primScale,
    dualScaleScaled: dualScale,
    gap: c * (quad + lin + sc),
    gapScale: c * Math.max(Math.abs(quad), Math.abs(lin), Math.abs(sc)),
  };
}
