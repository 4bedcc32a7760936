import type { Workspace } from './workspace';
import {
  DIVISION_TOL,
  RHO_EQ_OVER_RHO_INEQ,
  RHO_MAX,
  RHO_MIN,
  RHO_TOL,
  RowType,
} from './workspace';
import { matTVec, matVec, normInf } from '../linalg/dense';

/** The ADMM steps of OSQP (Stellato et al. 2020, Algorithm 1), on the scaled problem. */

/** Classifies rows (loose / inequality / equality) from the scaled bounds, as OSQP. */
export function classifyRows(l: Float64Array, u: Float64Array): Int8Array {
  const t = new Int8Array(l.length);
  for (let i = 0; i < l.length; i++) {
    if (l[i] === -Infinity && u[i] === Infinity) t[i] = RowType.Loose;
    else if (u[i] - l[i] < RHO_TOL) t[i] = RowType.Equality;
    else t[i] = RowType.Inequality;
  }
  return t;
}

/** Clips ρ to [RHO_MIN, RHO_MAX] and fills ρᵢ (RHO_MIN on loose rows, 10³ρ on equalities) and 1/ρᵢ. */
export function fillRhoVec(
  rowType: Int8Array,
  rho: number,
  rhoVec: Float64Array,
  rhoInvVec: Float64Array,
): number {
  const r0 = Math.min(Math.max(rho, RHO_MIN), RHO_MAX);
  for (let i = 0; i < rowType.length; i++) {
    const t = rowType[i];
    const r =
      t === RowType.Loose ? RHO_MIN : t === RowType.Equality ? RHO_EQ_OVER_RHO_INEQ * r0 : r0;
    rhoVec[i] = r;
    rhoInvVec[i] = 1 / r;
  }
  return r0;
}

/** Sets the workspace's scalar ρ and per-row ρᵢ. */
export function setRhoVec(w: Workspace, rho: number): void {
  w.rho = fillRhoVec(w.rowType, rho, w.rhoVec, w.rhoInvVec);
}

/** Solves for (x̃ᵏ⁺¹, z̃ᵏ⁺¹) with right-hand side [σxᵏ − q ; zᵏ − ρ⁻¹yᵏ]. */
export function updateXZTilde(w: Workspace): void {
  const { n, m, rhs, settings } = w;
  for (let j = 0; j < n; j++) rhs[j] = settings.sigma * w.xPrev[j] - w.q[j];
  for (let i = 0; i < m; i++) rhs[n + i] = w.zPrev[i] - w.rhoInvVec[i] * w.y[i];
  w.linsys.solve(rhs);
  for (let j = 0; j < n; j++) w.xTilde[j] = rhs[j];
  for (let i = 0; i < m; i++) w.zTilde[i] = rhs[n + i];
}

/** xᵏ⁺¹ = αx̃ᵏ⁺¹ + (1 − α)xᵏ, and δx = xᵏ⁺¹ − xᵏ. */
export function updateX(w: Workspace): void {
  const a = w.settings.alpha;
  for (let j = 0; j < w.n; j++) {
    w.x[j] = a * w.xTilde[j] + (1 - a) * w.xPrev[j];
    w.deltaX[j] = w.x[j] - w.xPrev[j];
  }
}

/** zᵏ⁺¹ = Π[l,u](αz̃ᵏ⁺¹ + (1 − α)zᵏ + ρ⁻¹yᵏ). */
export function updateZ(w: Workspace): void {
  const a = w.settings.alpha;
  for (let i = 0; i < w.m; i++) {
    const v = a * w.zTilde[i] + (1 - a) * w.zPrev[i] + w.rhoInvVec[i] * w.y[i];
    w.z[i] = Math.min(Math.max(v, w.l[i]), w.u[i]);
  }
}

/** yᵏ⁺¹ = yᵏ + ρ(αz̃ᵏ⁺¹ + (1 − α)zᵏ − zᵏ⁺¹), and δy = yᵏ⁺¹ − yᵏ. */
export function updateY(w: Workspace): void {
  const a = w.settings.alpha;
  for (let i = 0; i < w.m; i++) {
    const d = w.rhoVec[i] * (a * w.zTilde[i] + (1 - a) * w.zPrev[i] - w.z[i]);
    w.deltaY[i] = d;
    w.y[i] += d;
  }
}

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
}

/** ‖diag(s)·v‖∞ (s omitted = identity). */
function normInfScaled(v: Float64Array, s: Float64Array | null): number {
  if (!s) return normInf(v);
  let r = 0;
  for (let i = 0; i < v.length; i++) r = Math.max(r, Math.abs(s[i] * v[i]));
  return r;
}

/** Fills w.Ax, w.Px, w.Aty at (x, z, y) and returns the residuals. */
export function computeResiduals(w: Workspace, x = w.x, z = w.z, y = w.y): Residuals {
  const { n, m, scaling: s, tmpN, tmpM } = w;
  matVec(w.A, x, w.Ax);
  matVec(w.P, x, w.Px);
  matTVec(w.A, y, w.Aty);
  for (let i = 0; i < m; i++) tmpM[i] = w.Ax[i] - z[i];
  for (let j = 0; j < n; j++) tmpN[j] = w.Px[j] + w.q[j] + w.Aty[j];
  const primScaled = normInf(tmpM);
  const dualScaled = normInf(tmpN);
  const primScaleScaled = Math.max(normInf(w.Ax), normInf(z));
  const dualScaleScaled = Math.max(normInf(w.Px), normInf(w.Aty), normInf(w.q));
  if (w.settings.scaled_termination) {
    return {
      prim: primScaled,
      dual: dualScaled,
      primScale: primScaleScaled,
      dualScale: dualScaleScaled,
      primScaled,
      dualScaled,
      primScaleScaled,
      dualScaleScaled,
    };
  }
  const Einv = s.Einv;
  const Dinv = s.Dinv;
  return {
    prim: normInfScaled(tmpM, Einv),
    dual: s.cinv * normInfScaled(tmpN, Dinv),
    primScale: Math.max(normInfScaled(w.Ax, Einv), normInfScaled(z, Einv)),
    dualScale:
      s.cinv *
      Math.max(normInfScaled(w.Px, Dinv), normInfScaled(w.Aty, Dinv), normInfScaled(w.q, Dinv)),
    primScaled,
    dualScaled,
    primScaleScaled,
    dualScaleScaled,
  };
}

/** ‖r_prim‖ ≤ ε_abs + ε_rel·primScale and ‖r_dual‖ ≤ ε_abs + ε_rel·dualScale; ×10 when approximate. */
export function checkTermination(w: Workspace, r: Residuals, approximate = false): boolean {
  const k = approximate ? 10 : 1;
  const { eps_abs, eps_rel } = w.settings;
  const primOk = w.m === 0 || r.prim <= k * (eps_abs + eps_rel * r.primScale);
  const dualOk = r.dual <= k * (eps_abs + eps_rel * r.dualScale);
  return primOk && dualOk;
}

/**
 * Primal infeasibility (OSQP paper §3.4): δy ≠ 0 with ‖Aᵀδy‖∞ ≤ ε and uᵀ(δy)₊ + lᵀ(δy)₋ < ε,
 * after normalizing δy and projecting it on the polar of the recession cone of [l, u].
 * Returns the unscaled certificate (‖·‖∞ = 1) or null.
 */
export function isPrimalInfeasible(w: Workspace, eps: number): Float64Array | null {
  const { m, scaling: s } = w;
  if (m === 0) return null;
  const dy = w.tmpM;
  for (let i = 0; i < m; i++) {
    let v = w.deltaY[i];
    // Polar of the recession cone: no positive part on rows with u = ∞, no negative with l = −∞.
    if (w.u[i] === Infinity) v = Math.min(v, 0);
    if (w.l[i] === -Infinity) v = Math.max(v, 0);
    dy[i] = v;
  }
  const unscale = !w.settings.scaled_termination;
  const norm = normInfScaled(dy, unscale ? s.E : null);
  if (norm <= DIVISION_TOL) return null;
  let support = 0;
  for (let i = 0; i < m; i++) {
    dy[i] /= norm;
    if (dy[i] > 0) support += w.u[i] * dy[i];
    else if (dy[i] < 0) support += w.l[i] * dy[i];
  }
  if (!(support < eps)) return null;
  matTVec(w.A, dy, w.tmpN);
  if (normInfScaled(w.tmpN, unscale ? s.Dinv : null) >= eps) return null;
  return dy.map((v, i) => s.E[i] * v);
}

/**
 * Dual infeasibility (unbounded below): δx ≠ 0 with ‖Pδx‖∞ ≤ ε, qᵀδx < −ε and Aδx in the
 * recession cone of [l, u] up to ε (all after normalizing δx). Returns the certificate or null.
 */
export function isDualInfeasible(w: Workspace, eps: number): Float64Array | null {
  const { n, m, scaling: s } = w;
  const unscale = !w.settings.scaled_termination;
  const cost = unscale ? s.c : 1;
  const norm = normInfScaled(w.deltaX, unscale ? s.D : null);
  if (norm <= DIVISION_TOL) return null;
  const dx = new Float64Array(n);
  for (let j = 0; j < n; j++) dx[j] = w.deltaX[j] / norm;
  let qdx = 0;
  for (let j = 0; j < n; j++) qdx += w.q[j] * dx[j];
  if (!(qdx < -cost * eps)) return null;
  matVec(w.P, dx, w.tmpN);
  if (normInfScaled(w.tmpN, unscale ? s.Dinv : null) >= cost * eps) return null;
  matVec(w.A, dx, w.tmpM);
  for (let i = 0; i < m; i++) {
    const v = unscale ? s.Einv[i] * w.tmpM[i] : w.tmpM[i];
    if ((w.u[i] < Infinity && v > eps) || (w.l[i] > -Infinity && v < -eps)) return null;
  }
  return dx.map((v, j) => s.D[j] * v);
}

/**
 * OSQP's ρ estimate ρ·√((‖r_prim‖/max(‖Ax‖,‖z‖)) / (‖r_dual‖/max(‖Px‖,‖Aᵀy‖,‖q‖))) in the scaled
 * problem, clipped to [RHO_MIN, RHO_MAX].
 */
export function estimateRho(w: Workspace, r: Residuals): number {
  const p = r.primScaled / (r.primScaleScaled + DIVISION_TOL);
  const d = r.dualScaled / (r.dualScaleScaled + DIVISION_TOL);
  const est = w.rho * Math.sqrt(p / (d + DIVISION_TOL));
  return Math.min(Math.max(est, RHO_MIN), RHO_MAX);
}

/** Adopts the ρ estimate (and refactors) when it differs from ρ by more than the tolerance. */
export function adaptRho(w: Workspace, r: Residuals): boolean {
  const rhoNew = estimateRho(w, r);
  const tol = w.settings.adaptive_rho_tolerance;
  if (!(rhoNew > w.rho * tol || rhoNew < w.rho / tol)) return false;
  setRhoVec(w, rhoNew);
  w.linsys = w.factors.get(w.rhoVec);
  w.rhoUpdates++;
  return true;
}
