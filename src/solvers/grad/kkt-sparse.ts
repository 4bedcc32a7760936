/**
 * Exact implicit differentiation (./kkt.ts) for sparse problems, on the sparse structure: the
 * adjoint system [[P, A_𝒜ᵀ], [A_𝒜, 0]] [x̃; ỹ] = [−g; 0] is solved through the KKT matrix of all m
 * rows, K = [[P + δI, Aᵀ], [A, −diag(d)]] with d = δ on the binding rows and 1/δ on the others
 * (eliminating the others regularizes by δ(I + A_outᵀA_out)), then refined against the exact
 * system. K has the pattern of the forward solve's KKT matrix, so the AMD ordering and symbolic
 * analysis are the forward's when a handle gives them (`analysis`: a factored system on the same
 * pattern, e.g. the CPU handle's scaled one); otherwise they are made once here. The gradients of
 * P and A are returned on their sparsity patterns (P: its upper triangle), as OSQP's
 * adjoint_derivative does: the dense dP is a rank-two matrix, n² numbers that a sparse problem
 * cannot afford.
 */
import type { Csc, QpResult, SparseQpProblem } from '../qp/types';
import { SparseKktLinSys } from '../linalg/sparse/kkt';
import { activeKktSolver, type KktFactor } from '../qp/active-kkt';
import type { Scaling } from '../qp/scaling';
import { activeSetOf, checkBackwardInput, DEFAULT_DELTA, DEFAULT_REFINE_ITER } from './kkt';
import { splitBoundGradient, type ActiveSet } from './kkt';
import type { GradOptions } from './types';

/** Gradients of ℓ(x*) with respect to a sparse problem's data, dP and dA on their patterns. */
export interface SparseQpGradients {
  dq: Float64Array;
  dl: Float64Array;
  du: Float64Array;
  /**
   * ∂ℓ/∂P on P's stored upper triangle: entry (i, j) holds the dense gradient's (i, j) entry
   * ½(x̃ᵢxⱼ + xᵢx̃ⱼ), the same number the dense methods give at (i, j) and (j, i).
   */
  dP: Csc;
  /** ∂ℓ/∂A on A's pattern: ỹᵢxⱼ + yᵢx̃ⱼ on binding rows, 0 elsewhere. */
  dA: Csc;
}

/**
 * Where the adjoint is solved: `factor(σ, ρ)` factors the KKT matrix of P and A with that σ and
 * per-row ρ on an existing ordering and symbolic analysis (the CPU handle's: a sibling of its ADMM
 * system), and `scaling` when P and A are scaled data (P̄ = cDPD, Ā = EAD).
 */
export interface AdjointStructure {
  factor: KktFactor;
  scaling?: Scaling;
  P: Csc;
  A: Csc;
}

/**
 * The adjoint [x̃; ỹ_𝒜] of `active` on the structure (../qp/active-kkt.ts), refined until the
 * residual stops shrinking, mapped back from the structure's scaling when it has one.
 */
function adjointOnStructure(
  st: AdjointStructure,
  active: ActiveSet,
  g: ArrayLike<number>,
  delta: number,
  refineIter: number,
): { xt: Float64Array; yt: Float64Array } {
  const { P, A, scaling } = st;
  const n = P.cols;
  // In scaled data the system reads [[P̄, Ā_𝒜ᵀ], [Ā_𝒜, 0]] [x̄; ȳ] = [−c·D·g; 0], x̃ = D x̄, ỹ = E ȳ / c.
  const rx = Float64Array.from(
    { length: n },
    (_, j) => -(scaling ? scaling.c * scaling.D[j] : 1) * g[j],
  );
  const solve = activeKktSolver(P, A, st.factor, delta);
  const t = solve(active.rows, rx, new Float64Array(active.rows.length), refineIter);
  if (!t) throw new Error('the adjoint KKT system could not be factored');
  const xt = t.slice(0, n);
  const yt = t.slice(n);
  if (scaling) {
    for (let j = 0; j < n; j++) xt[j] *= scaling.D[j];
    active.rows.forEach((i, k) => (yt[k] *= scaling.E[i] * scaling.cinv));
  }
  return { xt, yt };
}

/** The gradients from the adjoint (BPQP Eq. 12), dP and dA on the problem's patterns. */
function sparseGradients(
  p: SparseQpProblem,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  active: ActiveSet,
  xt: Float64Array,
  yt: Float64Array,
): SparseQpGradients {
  const { n, m } = p;
  const dl = new Float64Array(m);
  const du = new Float64Array(m);
  const ytRow = new Float64Array(m);
  const binding = new Uint8Array(m);
  active.rows.forEach((i, k) => {
    binding[i] = 1;
    ytRow[i] = yt[k];
    const [a, b] = splitBoundGradient(active.kinds[k], y[i], -yt[k]);
    dl[i] = a;
    du[i] = b;
  });
  const dP: Csc = { ...p.P, data: new Float64Array(p.P.data.length) };
  for (let j = 0; j < n; j++) {
    for (let k = p.P.indptr[j]; k < p.P.indptr[j + 1]; k++) {
      const i = p.P.indices[k];
      dP.data[k] = 0.5 * (xt[i] * x[j] + x[i] * xt[j]);
    }
  }
  const dA: Csc = { ...p.A, data: new Float64Array(p.A.data.length) };
  for (let j = 0; j < n; j++) {
    for (let k = p.A.indptr[j]; k < p.A.indptr[j + 1]; k++) {
      const i = p.A.indices[k];
      if (binding[i]) dA.data[k] = ytRow[i] * x[j] + y[i] * xt[j];
    }
  }
  return { dq: Float64Array.from(xt), dl, du, dP, dA };
}

/** The problem's own KKT ordering and analysis, made once. */
function ownStructure(p: SparseQpProblem): AdjointStructure {
  const analysis = SparseKktLinSys.analyze(p.P, p.A);
  return {
    factor: (sigma, rhoVec) => SparseKktLinSys.fromAnalysis(analysis, p.P, p.A, sigma, rhoVec),
    P: p.P,
    A: p.A,
  };
}

/**
 * The adjoint [x̃; ỹ_𝒜] = K_𝒜⁻¹[−g; 0] of a sparse problem at its solution, on the sparse structure;
 * `structure` supplies the forward solve's ordering and analysis (see AdjointStructure), else they
 * are computed here.
 */
export function sparseAdjoint(
  problem: SparseQpProblem,
  result: QpResult,
  g: ArrayLike<number>,
  options: GradOptions = {},
  structure?: AdjointStructure,
): { active: ActiveSet; xt: Float64Array; yt: Float64Array } {
  checkBackwardInput(problem, result, g);
  const delta = options.delta ?? DEFAULT_DELTA;
  if (!(delta > 0)) throw new Error(`delta must be > 0, got ${delta}`);
  const active = activeSetOf(problem, result, options.active);
  const st = structure ?? ownStructure(problem);
  const refine = options.refineIter ?? DEFAULT_REFINE_ITER;
  return { active, ...adjointOnStructure(st, active, g, delta, refine) };
}

/**
 * Exact gradients of a sparse problem by implicit differentiation of its active-set KKT system
 * (as kktBackward), on the sparse structure, with dP and dA on their patterns.
 */
export function kktBackwardSparse(
  problem: SparseQpProblem,
  result: QpResult,
  g: ArrayLike<number>,
  options: GradOptions = {},
  structure?: AdjointStructure,
): SparseQpGradients {
  const { active, xt, yt } = sparseAdjoint(problem, result, g, options, structure);
  return sparseGradients(problem, result.x, result.y, active, xt, yt);
}
