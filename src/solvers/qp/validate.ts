import type { AnyQpProblem, Csc, DenseMatrix, QpSettings } from './types';
import { isSparseProblem } from './types';
import { asymmetry, dot } from '../linalg/dense';
import { symMul } from './matrix';
import { cscDefect } from '../linalg/sparse/csc';
import { convexityTest, PSD_TOL } from './convexity';
import { NO_DEADLINE, type Deadline } from '../deadline';

export { PSD_TOL } from './convexity';

/** Why a problem cannot be solved as given. */
export interface ValidationFailure {
  status: 'invalid_input' | 'non_convex';
  message: string;
}

/** Relative asymmetry max|P_ij − P_ji| / max|P| tolerated in P (rounding in assembled matrices). */
export const SYMMETRY_TOL = 1e-9;

function firstBad(v: ArrayLike<number>, allowInf: boolean): number {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (Number.isNaN(x) || (!allowInf && !Number.isFinite(x))) return i;
  }
  return -1;
}

function checkMatrix(
  name: string,
  M: DenseMatrix | undefined,
  rows: number,
  cols: number,
): string | null {
  if (!M || !(M.data instanceof Float64Array))
    return `${name} is missing or its data is not a Float64Array`;
  if (M.rows !== rows || M.cols !== cols)
    return `${name} is ${M.rows}×${M.cols}, expected ${rows}×${cols}`;
  if (M.data.length !== rows * cols)
    return `${name}.data has ${M.data.length} entries, expected ${rows * cols}`;
  const k = firstBad(M.data, false);
  if (k >= 0) {
    const i = Math.floor(k / cols);
    return `${name}[${i}][${k - i * cols}] is ${M.data[k]}; matrix entries must be finite`;
  }
  return null;
}

function checkVector(
  name: string,
  v: Float64Array | undefined,
  len: number,
  allowInf: boolean,
): string | null {
  if (!(v instanceof Float64Array)) return `${name} is missing or not a Float64Array`;
  if (v.length !== len) return `${name} has length ${v.length}, expected ${len}`;
  const k = firstBad(v, allowInf);
  if (k >= 0)
    return `${name}[${k}] is ${v[k]}; ${allowInf ? 'NaN is not allowed' : 'entries must be finite'}`;
  return null;
}

/** A CSC matrix of the sparse form: typed arrays, canonical, finite; P also upper triangular. */
function checkCsc(name: string, M: Csc | undefined, rows: number, cols: number, upper: boolean) {
  if (
    !M ||
    !(M.indptr instanceof Int32Array) ||
    !(M.indices instanceof Int32Array) ||
    !(M.data instanceof Float64Array)
  )
    return `${name} is missing or not a CSC matrix on typed arrays (Int32Array, Float64Array)`;
  if (M.rows !== rows || M.cols !== cols)
    return `${name} is ${M.rows}×${M.cols}, expected ${rows}×${cols}`;
  const defect = cscDefect(M, name);
  if (defect !== undefined) return defect;
  const k = firstBad(M.data, false);
  if (k >= 0) return `${name}.data[${k}] is ${M.data[k]}; matrix entries must be finite`;
  if (upper) {
    for (let j = 0; j < cols; j++) {
      const end = M.indptr[j + 1];
      if (end > M.indptr[j] && M.indices[end - 1] > j)
        return `${name} has the entry (${M.indices[end - 1]}, ${j}) below the diagonal; a sparse P holds its upper triangle`;
    }
  }
  return null;
}

const invalid = (message: string): ValidationFailure => ({ status: 'invalid_input', message });

/**
 * Checks n, m, P and A: shapes, finiteness, symmetry of a dense P, the CSC structure of sparse
 * ones, and convexity: P is accepted when P + 1e-5·‖P‖∞·I is positive definite, so rounding-level
 * negative eigenvalues in the data pass (./convexity.ts). Throws DeadlineError past the deadline.
 */
export function validateMatrices(
  p: AnyQpProblem,
  deadline: Deadline = NO_DEADLINE,
  convexity = true,
): ValidationFailure | null {
  const { n, m } = p;
  if (!Number.isInteger(n) || n < 1) return invalid(`n must be a positive integer, got ${n}`);
  if (!Number.isInteger(m) || m < 0) return invalid(`m must be a non-negative integer, got ${m}`);
  if (isSparseProblem(p)) {
    const err = checkCsc('P', p.P, n, n, true) ?? checkCsc('A', p.A as Csc, m, n, false);
    if (err) return invalid(err);
  } else {
    const err = checkMatrix('P', p.P, n, n) ?? checkMatrix('A', p.A, m, n);
    if (err) return invalid(err);
  }
  if (!Number.isFinite(p.r)) return invalid(`r is ${p.r}; it must be finite`);
  if (!isSparseProblem(p)) {
    const asym = asymmetry(p.P);
    if (asym > SYMMETRY_TOL) {
      return invalid(
        `P is not symmetric (relative asymmetry ${asym.toExponential(2)} > ${SYMMETRY_TOL})`,
      );
    }
  }
  return convexity ? convexityFailure(p, deadline) : null;
}

/** 'non_convex' with the reason when P fails the convexity test (./convexity.ts), else null. */
function convexityFailure(p: AnyQpProblem, deadline: Deadline): ValidationFailure | null {
  const test = convexityTest(p.P, PSD_TOL, deadline);
  return test.psd ? null : { status: 'non_convex', message: test.message };
}

/** Checks q, l, u against n and m: lengths, NaN, infinities only in bounds, l ≤ u. */
export function validateVectors(p: AnyQpProblem): ValidationFailure | null {
  const { n, m } = p;
  const err =
    checkVector('q', p.q, n, false) ??
    checkVector('l', p.l, m, true) ??
    checkVector('u', p.u, m, true);
  if (err) return invalid(err);
  for (let i = 0; i < m; i++) {
    if (p.l[i] > p.u[i]) return invalid(`l[${i}] = ${p.l[i]} > u[${i}] = ${p.u[i]}`);
    if (p.l[i] === Infinity) return invalid(`l[${i}] is +Infinity`);
    if (p.u[i] === -Infinity) return invalid(`u[${i}] is -Infinity`);
  }
  return null;
}

/** Structural and numerical checks; null when the problem is a valid convex QP. */
export function validateProblem(
  p: AnyQpProblem,
  deadline: Deadline = NO_DEADLINE,
): ValidationFailure | null {
  if (p === null || typeof p !== 'object') return invalid('problem is not an object');
  return (
    validateMatrices(p, deadline, false) ?? validateVectors(p) ?? convexityFailure(p, deadline)
  );
}

/** Checks settings ranges; null when valid. */
export function validateSettings(s: QpSettings): string | null {
  const pos: (keyof QpSettings)[] = ['rho', 'sigma', 'delta'];
  for (const k of pos)
    if (!(Number(s[k]) > 0) || !Number.isFinite(s[k]))
      return `setting ${k} must be > 0, got ${s[k]}`;
  const nonneg: (keyof QpSettings)[] = [
    'eps_abs',
    'eps_rel',
    'eps_prim_inf',
    'eps_dual_inf',
    'time_limit',
    'adaptive_rho_interval',
  ];
  for (const k of nonneg) if (!(Number(s[k]) >= 0)) return `setting ${k} must be ≥ 0, got ${s[k]}`;
  if (s.eps_abs === 0 && s.eps_rel === 0) return 'eps_abs and eps_rel cannot both be 0';
  if (!(s.alpha > 0 && s.alpha < 2)) return `setting alpha must lie in (0, 2), got ${s.alpha}`;
  const ints: (keyof QpSettings)[] = [
    'max_iter',
    'check_termination',
    'scaling',
    'polish_refine_iter',
    'polish_passes',
  ];
  for (const k of ints)
    if (!Number.isInteger(s[k]) || Number(s[k]) < 0)
      return `setting ${k} must be a non-negative integer, got ${s[k]}`;
  if (s.max_iter < 1) return `setting max_iter must be ≥ 1, got ${s.max_iter}`;
  if (!Number.isInteger(s.adaptive_rho_iterations) || s.adaptive_rho_iterations < 0)
    return `setting adaptive_rho_iterations must be a non-negative integer, got ${s.adaptive_rho_iterations}`;
  if (!['auto', 'dense', 'sparse'].includes(s.linsys))
    return `setting linsys must be 'auto', 'dense' or 'sparse', got ${String(s.linsys)}`;
  if (!(s.max_factor_bytes >= 0))
    return `setting max_factor_bytes must be ≥ 0, got ${s.max_factor_bytes}`;
  if (s.polish_passes < 1) return `setting polish_passes must be ≥ 1, got ${s.polish_passes}`;
  if (!(s.adaptive_rho_tolerance >= 1))
    return `setting adaptive_rho_tolerance must be ≥ 1, got ${s.adaptive_rho_tolerance}`;
  return null;
}

/** ½xᵀPx + qᵀx + r on the original problem. */
export function objective(p: AnyQpProblem, x: Float64Array): number {
  const Px = symMul(p.P, x);
  return 0.5 * dot(x, Px) + dot(p.q, x) + p.r;
}
