import type { QpSettings } from './types';
import type { QpMatrix } from './matrix';
import type { LinSys } from '../linalg/linsys';
import type { Scaling } from './scaling';
import type { FactorCache } from './factorCache';

/** OSQP's constants for the per-row ρ. */
export const RHO_MIN = 1e-6;
export const RHO_MAX = 1e6;
/** ρ on equality rows is this multiple of ρ (OSQP's RHO_EQ_OVER_RHO_INEQ). */
export const RHO_EQ_OVER_RHO_INEQ = 1e3;
/** A row with ū − l̄ below this (scaled) is treated as an equality for ρ (OSQP's RHO_TOL). */
export const RHO_TOL = 1e-4;
/** Guards divisions by norms that may vanish (OSQP's DIVISION_TOL). */
export const DIVISION_TOL = 1e-10;

/** Row type, for the per-row ρ: loose rows get RHO_MIN, equalities RHO_EQ_OVER_RHO_INEQ·ρ. */
export const RowType = { Loose: -1, Inequality: 0, Equality: 1 } as const;

/**
 * The state of one ADMM solve. Everything is in the scaled space (bars omitted):
 * P = c·DPD, q = c·Dq, A = EAD, l = El, u = Eu.
 */
export interface Workspace {
  n: number;
  m: number;
  settings: QpSettings;
  /** Scaled cost Hessian P̄ (dense: in full; CSC: its upper triangle). */
  P: QpMatrix;
  /** Scaled linear cost q̄. */
  q: Float64Array;
  /** Scaled constraint matrix Ā. */
  A: QpMatrix;
  /** Scaled bounds l̄, ū (±Infinity kept). */
  l: Float64Array;
  u: Float64Array;
  /** Ruiz scaling D, E, c (identity when scaling is off). */
  scaling: Scaling;
  /** Per-row type deciding the row's ρ. */
  rowType: Int8Array;
  /** Scalar ρ (the inequality-row value). */
  rho: number;
  /** Per-row ρᵢ and its reciprocal. */
  rhoVec: Float64Array;
  rhoInvVec: Float64Array;
  /** Factorization of the x-update system for the current ρ. */
  linsys: LinSys;
  /** Where factorizations come from (shared across a batch with identical P̄, Ā). */
  factors: FactorCache;
  /** Primal iterate xᵏ⁺¹ and the previous xᵏ. */
  x: Float64Array;
  xPrev: Float64Array;
  /** Constraint iterate zᵏ⁺¹ ∈ [l, u] and the previous zᵏ. */
  z: Float64Array;
  zPrev: Float64Array;
  /** Dual iterate yᵏ⁺¹. */
  y: Float64Array;
  /** Solutions x̃ᵏ⁺¹, z̃ᵏ⁺¹ = A x̃ᵏ⁺¹ of the linear system (views of `rhs`, where it solves). */
  xTilde: Float64Array;
  zTilde: Float64Array;
  /**
   * δx and δy: the mean change per iteration of x and y since the previous evaluation,
   * (xᵏ − xˢ)/(k − s), the certificate candidates of OSQP's infeasibility tests. OSQP takes the last
   * iteration's difference; the mean over a check interval points the same way for an infeasible
   * problem (δ converges) and is far less noisy in f32, where equality rows' ρ (10³ρ) magnifies the
   * rounding of one step's difference.
   */
  deltaX: Float64Array;
  deltaY: Float64Array;
  /** x and y at the previous evaluation, and the iteration counts then and now. */
  xSnap: Float64Array;
  ySnap: Float64Array;
  snapIter: number;
  iter: number;
  /** Right-hand side / solution buffer of the linear system, length n + m. */
  rhs: Float64Array;
  /** Products at the current iterate, filled by computeResiduals: Ax, Px, Aᵀy. */
  Ax: Float64Array;
  Px: Float64Array;
  Aty: Float64Array;
  /** Scratch vectors of length n and m. */
  tmpN: Float64Array;
  tmpM: Float64Array;
}
