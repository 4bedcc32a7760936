/**
 * Exact implicit differentiation at the solution (OptNet; BPQP Theorem 1 and Eq. 10–12).
 *
 * At x* with binding rows 𝒜 (bound b_𝒜: u for 'upper', l for 'lower', l = u for 'equality') the
 * KKT conditions of min ½xᵀPx + qᵀx s.t. l ≤ Ax ≤ u, in OSQP's sign (Px + q + Aᵀy = 0, y > 0 at an
 * upper bound), reduce to the equality-constrained system
 *
 *   K [x; y_𝒜] = [−q; b_𝒜],   K = [[P, A_𝒜ᵀ], [A_𝒜, 0]].
 *
 * The adjoint [x̃; ỹ] = K⁻¹[−g; 0] (BPQP's [z̃; ν̃]) gives every gradient of ℓ with g = ∂ℓ/∂x*
 * (Eq. 12): dq = x̃, dP = ½(x̃xᵀ + xx̃ᵀ), dA_𝒜 = ỹxᵀ + y_𝒜x̃ᵀ, db_𝒜 = −ỹ, zero on inactive rows.
 */
import type { ActiveKind, AnyQpProblem, DenseMatrix, QpProblem, QpResult } from '../qp/types';
import { mul } from '../qp/matrix';
import { assembleKkt, ldlFactor, ldlSolve, type LdlFactor } from '../linalg/ldl';
import { normInf, zeros } from '../linalg/dense';
import type { GradOptions, QpGradients } from './types';
import { norm2, symOuter, zeroGradients } from './vec';

export const DEFAULT_DELTA = 1e-6;
export const DEFAULT_REFINE_ITER = 10;

/** The binding rows at a solution. */
export interface ActiveSet {
  /** Row indices i ∈ 𝒜, increasing. */
  rows: number[];
  /** Which bound row rows[k] binds: 'lower', 'upper' or 'equality' (l = u). */
  kinds: Exclude<ActiveKind, 'inactive'>[];
}

const DIFFERENTIABLE = new Set(['solved', 'solved_inaccurate']);

/** Throws a one-line reason when (problem, result, g) cannot be differentiated. */
export function checkBackwardInput(
  problem: AnyQpProblem,
  result: QpResult,
  g: ArrayLike<number>,
): void {
  const { n, m } = problem;
  if (!DIFFERENTIABLE.has(result.status)) {
    throw new Error(`cannot differentiate: the forward solve ended with status '${result.status}'`);
  }
  if (result.x.length !== n)
    throw new Error(`result.x has length ${result.x.length}, expected n = ${n}`);
  if (result.y.length !== m)
    throw new Error(`result.y has length ${result.y.length}, expected m = ${m}`);
  if (g.length !== n) throw new Error(`dl_dx has length ${g.length}, expected n = ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(g[i])) throw new Error(`dl_dx[${i}] is ${g[i]}; it must be finite`);
    if (!Number.isFinite(result.x[i])) throw new Error(`result.x[${i}] is ${result.x[i]}`);
  }
}

/** |y_i| below this fraction of max(1, ‖y‖∞) counts as a zero multiplier. */
const ZERO_MULTIPLIER = 1e-10;
/** Relative slack above which a row with a zero multiplier is not binding. */
const SLACK_TOL = 1e-6;

/**
 * 𝒜 from `override` or `result.active`. A row with l = u counts as 'equality' whatever its label;
 * a row labelled with an infinite bound is an error rather than a silent guess. A row labelled
 * active only because of round-off in its multiplier (|y_i| ≈ 0) while clearly slack is dropped:
 * ADMM leaves y_i ≈ 1e-34 on inactive rows, and keeping such a row would pin x to a bound it is
 * not on. An explicit `override` is taken as is.
 */
export function activeSetOf(
  problem: AnyQpProblem,
  result: QpResult,
  override?: ActiveKind[],
): ActiveSet {
  const labels = override ?? result.active;
  if (!labels || labels.length !== problem.m) {
    throw new Error(`active set has length ${labels?.length ?? 0}, expected m = ${problem.m}`);
  }
  const yZero = ZERO_MULTIPLIER * Math.max(1, normInf(result.y));
  let Ax: Float64Array | undefined;
  const rows: number[] = [];
  const kinds: ActiveSet['kinds'] = [];
  for (let i = 0; i < problem.m; i++) {
    const label = labels[i];
    if (label === 'inactive') continue;
    const kind = problem.l[i] === problem.u[i] ? 'equality' : label;
    const bound = kind === 'lower' ? problem.l[i] : problem.u[i];
    if (!Number.isFinite(bound))
      throw new Error(`row ${i} is marked '${label}' but that bound is infinite`);
    if (!override && kind !== 'equality' && Math.abs(result.y[i]) <= yZero) {
      Ax ??= mul(problem.A, result.x);
      const slack = Math.abs(Ax[i] - bound);
      if (slack > SLACK_TOL * Math.max(1, Math.abs(bound))) continue;
    }
    rows.push(i);
    kinds.push(kind);
  }
  return { rows, kinds };
}

/** A_𝒜: the binding rows of A. */
export function activeRowsOf(A: DenseMatrix, rows: number[]): DenseMatrix {
  const n = A.cols;
  const B = zeros(rows.length, n);
  rows.forEach((i, k) => B.data.set(A.data.subarray(i * n, (i + 1) * n), k * n));
  return B;
}

/** The reduced KKT system at a solution, factorized once, reused for every right-hand side. */
export interface KktSystem {
  n: number;
  active: ActiveSet;
  /** K = [[P, A_𝒜ᵀ], [A_𝒜, 0]], unregularized: the matrix whose solution we want (residuals of Eq. 11). */
  K: DenseMatrix;
  /** LDLᵀ of K + ΔK, ΔK = diag(δI, −δI): quasi-definite, so it always factorizes (Eq. 10). */
  factor: LdlFactor;
  refineIter: number;
}

export function buildKktSystem(
  problem: QpProblem,
  active: ActiveSet,
  options: GradOptions = {},
): KktSystem {
  const delta = options.delta ?? DEFAULT_DELTA;
  if (!(delta > 0)) throw new Error(`delta must be > 0, got ${delta}`);
  const Aa = activeRowsOf(problem.A, active.rows);
  const K = assembleKkt(problem.P, Aa, 0, new Float64Array(active.rows.length));
  const factor = ldlFactor(
    assembleKkt(problem.P, Aa, delta, new Float64Array(active.rows.length).fill(delta)),
  );
  return { n: problem.n, active, K, factor, refineIter: options.refineIter ?? DEFAULT_REFINE_ITER };
}

/** r = rhs − K t. */
function residual(K: DenseMatrix, t: Float64Array, rhs: Float64Array): Float64Array {
  const N = K.rows;
  const r = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = rhs[i];
    for (let j = 0; j < N; j++) s -= K.data[i * N + j] * t[j];
    r[i] = s;
  }
  return r;
}

/**
 * Solves K t = rhs: t = (K+ΔK)⁻¹rhs, then iterative refinement (K+ΔK)Δt = rhs − Kt (BPQP Eq. 11),
 * stopping when the residual no longer shrinks. With K singular (e.g. an LP vertex with fewer
 * binding rows than variables) the result stays the δ-regularized solution.
 */
export function solveKkt(sys: KktSystem, rhs: Float64Array, start?: Float64Array): Float64Array {
  const t = start ? Float64Array.from(start) : ldlSolve(sys.factor, Float64Array.from(rhs));
  let r = residual(sys.K, t, rhs);
  let rn = norm2(r);
  for (let k = 0; k < sys.refineIter && rn > 0; k++) {
    const dt = ldlSolve(sys.factor, r);
    const trial = t.map((v, i) => v + dt[i]);
    const rTrial = residual(sys.K, trial, rhs);
    const rTrialNorm = norm2(rTrial);
    if (!(rTrialNorm < rn)) break;
    t.set(trial);
    r = rTrial;
    rn = rTrialNorm;
  }
  return t;
}

/** The adjoint [x̃; ỹ] = K⁻¹[−g; 0] (BPQP Eq. 3 restricted to 𝒜, i.e. Eq. 21). */
export function adjointSolve(
  sys: KktSystem,
  g: ArrayLike<number>,
): { xt: Float64Array; yt: Float64Array } {
  const rhs = new Float64Array(sys.K.rows);
  for (let i = 0; i < sys.n; i++) rhs[i] = -g[i];
  const t = solveKkt(sys, rhs);
  return { xt: t.slice(0, sys.n), yt: t.slice(sys.n) };
}

/**
 * Where the bound gradient db_i of binding row i goes. Equality rows (l = u) only define dl + du:
 * all of it goes to the side the multiplier pushes on (u when y > 0, l when y < 0, half each when
 * y = 0), which is the side whose one-sided perturbation keeps the problem feasible.
 */
export function splitBoundGradient(
  kind: ActiveSet['kinds'][number],
  y: number,
  db: number,
): [number, number] {
  if (kind === 'upper') return [0, db];
  if (kind === 'lower') return [db, 0];
  if (y > 0) return [0, db];
  if (y < 0) return [db, 0];
  return [db / 2, db / 2];
}

/** The bound perturbation db_i seen by binding row i for a perturbation (dl_i, du_i); adjoint of the split. */
export function boundPerturbation(
  kind: ActiveSet['kinds'][number],
  y: number,
  dl: number,
  du: number,
): number {
  const [wl, wu] = splitBoundGradient(kind, y, 1);
  return wl * dl + wu * du;
}

/** BPQP Eq. 12: the data gradients from the adjoint [x̃; ỹ] at (x, y) with binding rows 𝒜. */
export function gradientsFromAdjoint(
  problem: Pick<AnyQpProblem, 'n' | 'm'>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  active: ActiveSet,
  xt: Float64Array,
  yt: Float64Array,
): QpGradients {
  const { n, m } = problem;
  const grads = zeroGradients(n, m);
  grads.dq.set(xt);
  grads.dP = symOuter(xt, x);
  active.rows.forEach((i, k) => {
    for (let j = 0; j < n; j++) grads.dA.data[i * n + j] = yt[k] * x[j] + y[i] * xt[j];
    const [dl, du] = splitBoundGradient(active.kinds[k], y[i], -yt[k]);
    grads.dl[i] = dl;
    grads.du[i] = du;
  });
  return grads;
}

/** Exact gradients by implicit differentiation of the active-set KKT system. */
export function kktBackward(
  problem: QpProblem,
  result: QpResult,
  g: ArrayLike<number>,
  options: GradOptions = {},
): QpGradients {
  checkBackwardInput(problem, result, g);
  const active = activeSetOf(problem, result, options.active);
  const sys = buildKktSystem(problem, active, options);
  const { xt, yt } = adjointSolve(sys, g);
  return gradientsFromAdjoint(problem, result.x, result.y, active, xt, yt);
}
