/**
 * The decisions of the ADMM driver, written once for every engine: what a check's numbers mean
 * (termination, OSQP's infeasibility tests), the ρ estimate, and the Float64 confirmations on the
 * original data that every status claim must pass before it is made.
 *
 * Backends (CPU in Float64, WebGPU in f32) only compute the numbers of `AdmmEvaluation`; they never
 * decide a status.
 */
import type { AnyQpProblem, QpSettings } from './types';
import { DIVISION_TOL, RHO_MAX, RHO_MIN } from './workspace';
import { normInf } from '../linalg/dense';
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
 * OSQP's tests (paper §3.4), on δy and δx normalized by their ∞-norms:
 * primal infeasible when ‖Aᵀδy‖ < ε and uᵀδy₊ + lᵀδy₋ < ε; dual infeasible when ‖Pδx‖ < ε,
 * qᵀδx < −ε and Aδx lies in the recession cone of [l, u] up to ε. Termination is tested first.
 */
export function decideCandidate(ev: AdmmEvaluation, m: number, s: QpSettings): Candidate {
  if (meetsTolerance(ev, m, s)) return 'solved';
  const ep = s.eps_prim_inf * ev.dyNorm;
  if (m > 0 && ev.dyNorm > DIVISION_TOL && ev.support < ep && ev.atdyNorm < ep)
    return 'primal_infeasible';
  const ed = s.eps_dual_inf * ev.dxNorm;
  if (
    ev.dxNorm > DIVISION_TOL &&
    ev.qdx < -ed &&
    ev.pdxNorm < ed &&
    ev.adxUpper <= ed &&
    ev.adxLower <= ed
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
): Residuals {
  const Ax = mul(p.A, x);
  const Px = symMul(p.P, x);
  const Aty = tMul(p.A, y);
  let prim = 0;
  for (let i = 0; i < p.m; i++) prim = Math.max(prim, Math.abs(Ax[i] - z[i]));
  let dual = 0;
  for (let j = 0; j < p.n; j++) dual = Math.max(dual, Math.abs(Px[j] + p.q[j] + Aty[j]));
  const primScale = Math.max(normInf(Ax), normInf(z));
  const dualScale = Math.max(normInf(Px), normInf(Aty), normInf(p.q));
  let quad = 0;
  let lin = 0;
  for (let j = 0; j < p.n; j++) {
    quad += x[j] * Px[j];
    lin += p.q[j] * x[j];
  }
  const sc = supportOfBounds(p.l, p.u, y);
  return {
    prim,
    dual,
    primScale,
    dualScale,
    primScaled: prim,
    dualScaled: dual,
    primScaleScaled: primScale,
    dualScaleScaled: dualScale,
    gap: quad + lin + sc,
    gapScale: Math.max(Math.abs(quad), Math.abs(lin), Math.abs(sc)),
  };
}

/**
 * A primal infeasibility certificate checked in Float64 on the original data: v = δy (unscaled,
 * projected on the polar of the recession cone) normalized to ‖v‖∞ = 1 must have ‖Aᵀv‖∞ < ε and
 * a negative support uᵀv₊ + lᵀv₋ < 0. OSQP accepts a support below +ε; we do not, since any
 * feasible x gives support ≥ vᵀAx ≥ −‖Aᵀv‖₁‖x‖∞, and a true certificate's support is negative.
 * Returns v, or null when the candidate does not hold up.
 */
export function confirmPrimalInfeasible(
  p: AnyQpProblem,
  dy: Float64Array,
  eps: number,
): Float64Array | null {
  const v = new Float64Array(p.m);
  for (let i = 0; i < p.m; i++) {
    let d = dy[i];
    if (p.u[i] === Infinity) d = Math.min(d, 0);
    if (p.l[i] === -Infinity) d = Math.max(d, 0);
    v[i] = d;
  }
  const norm = normInf(v);
  if (!(norm > DIVISION_TOL)) return null;
  let support = 0;
  for (let i = 0; i < p.m; i++) {
    v[i] /= norm;
    if (v[i] > 0) support += p.u[i] * v[i];
    else if (v[i] < 0) support += p.l[i] * v[i];
  }
  if (!(support < 0 && normInf(tMul(p.A, v)) < eps)) return null;
  return v;
}

/**
 * How much tighter than OSQP's eps_dual_inf the Float64 confirmation of an unboundedness
 * certificate is on ‖Pd‖ and on Ad's distance from the recession cone. OSQP accepts ‖Pd‖ < ε with
 * ε = 1e-4, which a bounded problem can meet along a direction of tiny but positive curvature
 * (PRIMALC1: ‖Pd‖ ≈ 7e-6, dᵀPd ≈ 5e-9, finite optimum). On a truly unbounded problem δx converges
 * to a direction with Pd = 0, so the tighter test passes a few checks later; on PRIMALC1 it never
 * does, and the solve ends honestly at max_iter instead of claiming infeasibility.
 */
export const DUAL_CERTIFICATE_MARGIN = 1e-2;

/**
 * A dual infeasibility (unboundedness) certificate checked in Float64 on the original data:
 * d = δx normalized to ‖d‖∞ = 1 must have qᵀd < −ε, ‖Pd‖∞ < ε·margin and Ad in the recession cone
 * of [l, u] up to ε·margin (DUAL_CERTIFICATE_MARGIN). Returns d, or null.
 */
export function confirmDualInfeasible(
  p: AnyQpProblem,
  dx: Float64Array,
  eps: number,
): Float64Array | null {
  const norm = normInf(dx);
  if (!(norm > DIVISION_TOL)) return null;
  const d = dx.map((v) => v / norm);
  const tight = eps * DUAL_CERTIFICATE_MARGIN;
  let qd = 0;
  for (let j = 0; j < p.n; j++) qd += p.q[j] * d[j];
  if (!(qd < -eps) || !(normInf(symMul(p.P, d)) < tight)) return null;
  const Ad = mul(p.A, d);
  for (let i = 0; i < p.m; i++) {
    if ((p.u[i] < Infinity && Ad[i] > tight) || (p.l[i] > -Infinity && Ad[i] < -tight)) return null;
  }
  return d;
}
