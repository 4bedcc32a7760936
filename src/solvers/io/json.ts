/**
 * JSON problem files: one problem {P, q, r, A, l, u, ...} or {"batch": [problem, ...]}.
 * Format reference: docs/problem-format.md.
 */
import type { CscMatrix, DenseMatrix, QpProblem } from '../qp/types';
import { zeros } from '../linalg/dense';
import { ProblemFormatError } from './errors';
import {
  MAX_DENSE_ENTRIES,
  describe,
  isRecord,
  readBounds,
  readCount,
  readMatrix,
  readVector,
  type Fail,
} from './json-fields';

/** Fields with a meaning in the engine form; every other top-level key goes to `meta`. */
const PROBLEM_KEYS = new Set(['n', 'm', 'P', 'q', 'r', 'A', 'l', 'u']);

/** Relative tolerance under which P and Pᵀ count as equal (then averaged). */
const SYMMETRY_TOL = 1e-10;

export interface ParsedProblems {
  problems: QpProblem[];
  /** True when the file was {"batch": [...]}, even with a single problem. */
  batch: boolean;
  /** Top-level keys of a batch file other than "batch". */
  batchMeta?: Record<string, unknown>;
}

/** A problem in JSON form, ready for JSON.stringify: CSC matrices, null for infinite bounds. */
export interface ProblemJson {
  [key: string]: unknown;
  n: number;
  m: number;
  P: CscMatrix;
  q: number[];
  r: number;
  A: CscMatrix;
  l: (number | null)[];
  u: (number | null)[];
}

/** Parse a JSON problem file (text, or an already parsed value). Throws ProblemFormatError. */
export function parseProblemJson(input: string | unknown): ParsedProblems {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new ProblemFormatError(`invalid JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (!isRecord(value))
    throw new ProblemFormatError(`a problem file must hold a JSON object, got ${describe(value)}`);
  if (!('batch' in value)) return { problems: [parseOne(value, '')], batch: false };

  const list = value.batch;
  if (!Array.isArray(list))
    throw new ProblemFormatError(`batch must be an array of problems, got ${describe(list)}`);
  if (list.length === 0) throw new ProblemFormatError('batch is empty');
  const problems = list.map((p, i) => {
    const prefix = `problem ${i}: `;
    if (!isRecord(p))
      throw new ProblemFormatError(`${prefix}expected an object, got ${describe(p)}`);
    return parseOne(p, prefix);
  });
  const batchMeta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'batch') batchMeta[k] = v;
  return Object.keys(batchMeta).length > 0
    ? { problems, batch: true, batchMeta }
    : { problems, batch: true };
}

function parseOne(obj: Record<string, unknown>, prefix: string): QpProblem {
  const fail: Fail = (message) => {
    throw new ProblemFormatError(prefix + message);
  };
  const nGiven = readCount(obj.n, 'n', fail);
  const mGiven = readCount(obj.m, 'm', fail);

  if (obj.q === undefined) fail('q is missing (the linear cost defines the number of variables n)');
  const q = readVector(obj.q, 'q', fail);
  const n = q.length;
  if (nGiven !== undefined && nGiven !== n) fail(`q has length ${n} but n is ${nGiven}`);
  if (n * n > MAX_DENSE_ENTRIES)
    fail(`q has length ${n}: the ${n}×${n} matrix P is too large for dense storage`);

  let P: DenseMatrix = zeros(n, n);
  if (obj.P !== undefined && obj.P !== null) {
    const parsed = readMatrix(obj.P, 'P', fail);
    const cols = parsed.colsKnown ? parsed.matrix.cols : 0;
    if (parsed.matrix.rows !== n || cols !== n) {
      fail(`P is ${parsed.matrix.rows}×${cols} but q has length ${n}`);
    }
    P = symmetricP(parsed.matrix, fail);
  }

  let A: DenseMatrix = zeros(0, n);
  if (obj.A !== undefined && obj.A !== null) {
    const parsed = readMatrix(obj.A, 'A', fail);
    if (!parsed.colsKnown) A = zeros(0, n);
    else if (parsed.matrix.cols !== n)
      fail(`A has ${parsed.matrix.cols} columns but q has length ${n}`);
    else A = parsed.matrix;
  }
  const m = A.rows;
  if (mGiven !== undefined && mGiven !== m) fail(`A has ${m} rows but m is ${mGiven}`);

  const l =
    obj.l === undefined ? new Float64Array(m).fill(-Infinity) : readBounds(obj.l, 'l', fail);
  const u = obj.u === undefined ? new Float64Array(m).fill(Infinity) : readBounds(obj.u, 'u', fail);
  if (l.length !== m) fail(`l has length ${l.length} but A has ${m} rows`);
  if (u.length !== m) fail(`u has length ${u.length} but A has ${m} rows`);
  for (let i = 0; i < m; i++) {
    if (l[i] === Infinity) fail(`l[${i}] is +infinite, so row ${i} can never be satisfied`);
    if (u[i] === -Infinity) fail(`u[${i}] is −infinite, so row ${i} can never be satisfied`);
    if (l[i] > u[i]) fail(`l[${i}] = ${l[i]} exceeds u[${i}] = ${u[i]}`);
  }

  let r = 0;
  if (obj.r !== undefined && obj.r !== null) {
    if (typeof obj.r !== 'number' || !Number.isFinite(obj.r))
      fail(`r must be a finite number, got ${describe(obj.r)}`);
    r = obj.r as number;
  }

  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!PROBLEM_KEYS.has(k)) meta[k] = v;
  const problem: QpProblem = { n, m, P, q, r, A, l, u };
  if (Object.keys(meta).length > 0) problem.meta = meta;
  return problem;
}

/**
 * Full symmetric P. A symmetric P is kept (averaged with Pᵀ to remove round-off);
 * a P with only its upper (OSQP convention) or only its lower triangle filled is
 * mirrored; anything else is not a valid cost Hessian.
 */
function symmetricP(P: DenseMatrix, fail: Fail): DenseMatrix {
  const n = P.rows;
  const d = P.data;
  let maxAbs = 0;
  for (let k = 0; k < d.length; k++) maxAbs = Math.max(maxAbs, Math.abs(d[k]));
  let worst = 0;
  let wi = 0;
  let wj = 0;
  let lowerNonzero = false;
  let upperNonzero = false;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const low = d[i * n + j];
      const up = d[j * n + i];
      if (low !== 0) lowerNonzero = true;
      if (up !== 0) upperNonzero = true;
      const gap = Math.abs(low - up);
      if (gap > worst) [worst, wi, wj] = [gap, i, j];
    }
  }
  const out = zeros(n, n);
  const o = out.data;
  // One triangle only: mirror it (then the other entry is 0 and low + up is the value).
  const oneTriangle = lowerNonzero !== upperNonzero;
  if (!oneTriangle && worst > SYMMETRY_TOL * maxAbs) {
    fail(
      `P is not symmetric: P[${wi}][${wj}] = ${d[wi * n + wj]} but P[${wj}][${wi}] = ${d[wj * n + wi]}`,
    );
  }
  for (let i = 0; i < n; i++) {
    o[i * n + i] = d[i * n + i];
    for (let j = 0; j < i; j++) {
      const low = d[i * n + j];
      const up = d[j * n + i];
      const v = oneTriangle ? low + up : (low + up) / 2;
      o[i * n + j] = v;
      o[j * n + i] = v;
    }
  }
  return out;
}

/** CSC copy of a dense matrix, zeros dropped, row indices sorted within each column. */
export function denseToCsc(M: DenseMatrix): CscMatrix {
  const indptr = [0];
  const indices: number[] = [];
  const data: number[] = [];
  for (let j = 0; j < M.cols; j++) {
    for (let i = 0; i < M.rows; i++) {
      const v = M.data[i * M.cols + j];
      if (v !== 0) {
        indices.push(i);
        data.push(v);
      }
    }
    indptr.push(indices.length);
  }
  return { shape: [M.rows, M.cols], indptr, indices, data };
}

function boundsToJson(v: Float64Array): (number | null)[] {
  return Array.from(v, (x) => (Number.isFinite(x) ? x : null));
}

/** JSON form of a problem (meta keys first, then the engine fields), inverse of parseProblemJson. */
export function problemToJson(p: QpProblem): ProblemJson {
  return {
    ...(p.meta ?? {}),
    n: p.n,
    m: p.m,
    P: denseToCsc(p.P),
    q: Array.from(p.q),
    r: p.r,
    A: denseToCsc(p.A),
    l: boundsToJson(p.l),
    u: boundsToJson(p.u),
  };
}
