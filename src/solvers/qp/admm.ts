import type { Workspace } from './workspace';
import { RHO_EQ_OVER_RHO_INEQ, RHO_MAX, RHO_MIN, RHO_TOL, RowType } from './workspace';
import { normInf } from '../linalg/dense';
import { mul, symMul, tMul } from './matrix';
import { supportOfBounds, type AdmmEvaluation, type Residuals } from './evaluation';
import type { Deadline } from '../deadline';

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
  const r0 = clampRho(rho);
  for (let i = 0; i < rowType.length; i++) {
    const t = rowType[i];
    const r =
      t === RowType.Loose ? RHO_MIN : t === RowType.Equality ? RHO_EQ_OVER_RHO_INEQ * r0 : r0;
    rhoVec[i] = r;
    rhoInvVec[i] = 1 / r;
  }
  return r0;
}

/** Per-row ρ for a scalar ρ (as fillRhoVec), as a new array. */
export function rhoVector(rowType: Int8Array, rho: number): Float64Array {
  const v = new Float64Array(rowType.length);
  fillRhoVec(rowType, rho, v, new Float64Array(rowType.length));
  return v;
}

/** ρ clipped to OSQP's [RHO_MIN, RHO_MAX]. */
export const clampRho = (rho: number): number => Math.min(Math.max(rho, RHO_MIN), RHO_MAX);

/**
 * Sets the workspace's scalar ρ and per-row ρᵢ, and takes the factorization for them. Past the
 * deadline the factorization throws DeadlineError and the workspace keeps its previous ρ (the
 * driver then stops on its own time check).
 */
export function setRhoVec(w: Workspace, rho: number, deadline?: Deadline): void {
  const rhoVec = new Float64Array(w.m);
  const rhoInvVec = new Float64Array(w.m);
  const r = fillRhoVec(w.rowType, rho, rhoVec, rhoInvVec);
  w.linsys = w.factors.get(rhoVec, deadline);
  w.rho = r;
  w.rhoVec.set(rhoVec);
  w.rhoInvVec.set(rhoInvVec);
}

// The steps read the workspace's arrays into locals first: V8 then keeps them in registers
// instead of reloading each field from the workspace at every element.

/** Solves for (x̃ᵏ⁺¹, z̃ᵏ⁺¹) with right-hand side [σxᵏ − q ; zᵏ − ρ⁻¹yᵏ]. */
export function updateXZTilde(w: Workspace): void {
  const { n, m, rhs, xPrev, q, zPrev, rhoInvVec, y } = w;
  const sigma = w.settings.sigma;
  for (let j = 0; j < n; j++) rhs[j] = sigma * xPrev[j] - q[j];
  for (let i = 0; i < m; i++) rhs[n + i] = zPrev[i] - rhoInvVec[i] * y[i];
  // w.xTilde and w.zTilde are views of rhs[0, n) and rhs[n, n + m).
  w.linsys.solve(rhs);
}

/** xᵏ⁺¹ = αx̃ᵏ⁺¹ + (1 − α)xᵏ. */
export function updateX(w: Workspace): void {
  const { n, x, xTilde, xPrev } = w;
  const a = w.settings.alpha;
  for (let j = 0; j < n; j++) x[j] = a * xTilde[j] + (1 - a) * xPrev[j];
}

/** zᵏ⁺¹ = Π[l,u](αz̃ᵏ⁺¹ + (1 − α)zᵏ + ρ⁻¹yᵏ). */
export function updateZ(w: Workspace): void {
  const { m, z, zTilde, zPrev, rhoInvVec, y, l, u } = w;
  const a = w.settings.alpha;
  for (let i = 0; i < m; i++) {
    const v = a * zTilde[i] + (1 - a) * zPrev[i] + rhoInvVec[i] * y[i];
    z[i] = Math.min(Math.max(v, l[i]), u[i]);
  }
}

/** yᵏ⁺¹ = yᵏ + ρ(αz̃ᵏ⁺¹ + (1 − α)zᵏ − zᵏ⁺¹). */
export function updateY(w: Workspace): void {
  const { m, z, zTilde, zPrev, rhoVec, y } = w;
  const a = w.settings.alpha;
  for (let i = 0; i < m; i++) y[i] += rhoVec[i] * (a * zTilde[i] + (1 - a) * zPrev[i] - z[i]);
}

/**
 * δx, δy as the mean change per iteration since the previous evaluation, then a new snapshot
 * (Workspace.deltaX). Two evaluations at the same iteration keep the last δ.
 */
export function updateDeltas(w: Workspace): void {
  const k = w.iter - w.snapIter;
  if (k <= 0) return;
  for (let j = 0; j < w.n; j++) {
    w.deltaX[j] = (w.x[j] - w.xSnap[j]) / k;
    w.xSnap[j] = w.x[j];
  }
  for (let i = 0; i < w.m; i++) {
    w.deltaY[i] = (w.y[i] - w.ySnap[i]) / k;
    w.ySnap[i] = w.y[i];
  }
  w.snapIter = w.iter;
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
  mul(w.A, x, w.Ax);
  symMul(w.P, x, w.Px);
  tMul(w.A, y, w.Aty);
  let quad = 0;
  let lin = 0;
  for (let i = 0; i < m; i++) tmpM[i] = w.Ax[i] - z[i];
  for (let j = 0; j < n; j++) {
    tmpN[j] = w.Px[j] + w.q[j] + w.Aty[j];
    quad += x[j] * w.Px[j];
    lin += w.q[j] * x[j];
  }
  const primScaled = normInf(tmpM);
  const dualScaled = normInf(tmpN);
  const primScaleScaled = Math.max(normInf(w.Ax), normInf(z));
  const dualScaleScaled = Math.max(normInf(w.Px), normInf(w.Aty), normInf(w.q));
  // The gap's terms scale by c (x̄ᵀP̄x̄ = c·xᵀPx, q̄ᵀx̄ = c·qᵀx, ūᵀȳ₊ = c·uᵀy₊).
  const sc = supportOfBounds(w.l, w.u, y);
  const gapScaleScaled = Math.max(Math.abs(quad), Math.abs(lin), Math.abs(sc));
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
      gap: quad + lin + sc,
      gapScale: gapScaleScaled,
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
    gap: s.cinv * (quad + lin + sc),
    gapScale: s.cinv * gapScaleScaled,
  };
}

/**
 * What the driver needs at a check (src/solvers/qp/evaluation.ts): the residuals, and OSQP's
 * infeasibility quantities from δy (primal) and δx (dual), in the unscaled problem unless
 * `scaled_termination` (paper §3.4: δy projected on the polar of the recession cone of [l, u]).
 */
export function evaluateWorkspace(w: Workspace): AdmmEvaluation {
  updateDeltas(w);
  const r = computeResiduals(w);
  const { n, m, scaling: s } = w;
  const unscaled = !w.settings.scaled_termination;
  const E = unscaled ? s.E : null;
  const Dinv = unscaled ? s.Dinv : null;
  const dy = w.tmpM;
  let support = 0;
  for (let i = 0; i < m; i++) {
    let v = w.deltaY[i];
    if (w.u[i] === Infinity) v = Math.min(v, 0);
    if (w.l[i] === -Infinity) v = Math.max(v, 0);
    dy[i] = v;
    if (v > 0) support += w.u[i] * v;
    else if (v < 0) support += w.l[i] * v;
  }
  const dyNorm = normInfScaled(dy, E);
  const atdyNorm = normInfScaled(tMul(w.A, dy, w.tmpN), Dinv);
  const cinv = unscaled ? s.cinv : 1;
  const dxNorm = normInfScaled(w.deltaX, unscaled ? s.D : null);
  let qdx = 0;
  for (let j = 0; j < n; j++) qdx += w.q[j] * w.deltaX[j];
  const pdxNorm = cinv * normInfScaled(symMul(w.P, w.deltaX, w.tmpN), Dinv);
  mul(w.A, w.deltaX, w.tmpM);
  let adxUpper = -Infinity;
  let adxLower = -Infinity;
  for (let i = 0; i < m; i++) {
    const v = unscaled ? s.Einv[i] * w.tmpM[i] : w.tmpM[i];
    if (w.u[i] < Infinity) adxUpper = Math.max(adxUpper, v);
    if (w.l[i] > -Infinity) adxLower = Math.max(adxLower, -v);
  }
  return {
    prim: r.prim,
    dual: r.dual,
    primScale: r.primScale,
    dualScale: r.dualScale,
    primScaled: r.primScaled,
    dualScaled: r.dualScaled,
    primScaleScaled: r.primScaleScaled,
    dualScaleScaled: r.dualScaleScaled,
    gap: r.gap,
    gapScale: r.gapScale,
    dyNorm,
    atdyNorm,
    support,
    dxNorm,
    pdxNorm,
    qdx: cinv * qdx,
    adxUpper,
    adxLower,
  };
}
