/**
 * JSON problem files: one problem {P, q, r, A, l, u, ...} or {"batch": [problem, ...]}.
 * Format reference: docs/problem-format.md.
 */
import type { AnyQpProblem, Csc, CscMatrix, DenseMatrix, SparseQpProblem } from '../qp/types';
import { isSparseProblem } from '../qp/types';
import { cscAlloc, cscToMatrix, cscTranspose } from '../linalg/sparse/csc';
import { ProblemFormatError, echo, stripBom } from './errors';
import { symmetricUpper } from './symmetric';
import {
  MAX_DIMENSION,
  declaredEntries,
  declaredShape,
  describe,
  isRecord,
  readBounds,
  readCount,
  readMatrix,
  readVector,
  type Fail,
} from './json-fields';
import { FREE_META_KEY, META_KEYS, PROBLEM_KEYS, nearestKey } from './keys';
import { MemoryBudget, type ParseLimits } from './limits';
import { errorMessage } from '../errors';

/** Keys of a problem object, and of a batch file's top level. */
const PROBLEM_FILE_KEYS: readonly string[] = [...PROBLEM_KEYS, ...META_KEYS, FREE_META_KEY];
const BATCH_FILE_KEYS: readonly string[] = ['batch', ...META_KEYS, FREE_META_KEY];

export interface ParsedProblems {
  /** The problems in the sparse form the files use: CSC, P as its upper triangle (OSQP's). */
  problems: SparseQpProblem[];
  /** True when the file was {"batch": [...]}, even with a single problem. */
  batch: boolean;
  /** Top-level keys of a batch file other than "batch". */
  batchMeta?: Record<string, unknown>;
  /**
   * What the parser accepted but the user should know (a QPS file without ENDATA read with
   * allowTruncated, an ignored RHS set, ...), one line each; absent when there is none.
   */
  warnings?: string[];
}

export interface JsonOptions {
  /** Refuse files whose problems would not fit (checked before anything large is allocated). */
  limits?: ParseLimits;
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

/**
 * Parse a JSON problem file (text, or an already parsed value). A leading UTF-8 byte-order mark is
 * skipped. Throws ProblemFormatError.
 */
export function parseProblemJson(
  input: string | unknown,
  options: JsonOptions = {},
): ParsedProblems {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(stripBom(input));
    } catch (e) {
      throw new ProblemFormatError(`invalid JSON: ${echo(errorMessage(e).split('\n')[0], 200)}`);
    }
  }
  if (!isRecord(value))
    throw new ProblemFormatError(`a problem file must hold a JSON object, got ${describe(value)}`);
  const budget = new MemoryBudget(options.limits);
  if (!Object.hasOwn(value, 'batch')) {
    // "Batch" is closer to the batch key than to any problem key: suggest among both.
    checkKeys(value, PROBLEM_FILE_KEYS, 'unknown top-level key', '', ['batch']);
    return { problems: [parseOne(value, '', budget)], batch: false };
  }

  checkKeys(value, BATCH_FILE_KEYS, 'unknown top-level key in a batch file', '');
  const list = value.batch;
  if (!Array.isArray(list))
    throw new ProblemFormatError(`batch must be an array of problems, got ${describe(list)}`);
  if (list.length === 0) throw new ProblemFormatError('batch is empty');
  const problems = list.map((p, i) => {
    const prefix = `problem ${i}: `;
    if (!isRecord(p))
      throw new ProblemFormatError(`${prefix}expected an object, got ${describe(p)}`);
    checkKeys(p, PROBLEM_FILE_KEYS, 'unknown key', prefix);
    return parseOne(p, prefix, budget);
  });
  const batchMeta = metaOf(value, ['batch'], '');
  return batchMeta ? { problems, batch: true, batchMeta } : { problems, batch: true };
}

/** Throws for the first key not in `known`, naming the nearest known key. */
function checkKeys(
  obj: Record<string, unknown>,
  known: readonly string[],
  what: string,
  prefix: string,
  alsoSuggest: readonly string[] = [],
): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = nearestKey(key, [...known, ...alsoSuggest]);
    throw new ProblemFormatError(
      `${prefix}${what} "${echo(key)}"${near ? ` (did you mean "${near}"?)` : ''}; ` +
        `free-form fields go inside "${FREE_META_KEY}": {...}`,
    );
  }
}

/**
 * The descriptive keys of an object (all but `skip`), with the entries of its free-form "meta"
 * object merged in; undefined when there are none. Built with Object.fromEntries, so a key named
 * "__proto__" is an ordinary property.
 */
function metaOf(
  obj: Record<string, unknown>,
  skip: readonly string[],
  prefix: string,
): Record<string, unknown> | undefined {
  const entries = Object.entries(obj).filter(([k]) => !skip.includes(k) && k !== FREE_META_KEY);
  const free = obj[FREE_META_KEY];
  if (free !== undefined) {
    if (!isRecord(free))
      throw new ProblemFormatError(`${prefix}meta must be an object, got ${describe(free)}`);
    entries.push(...Object.entries(free));
  }
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function parseOne(
  obj: Record<string, unknown>,
  prefix: string,
  budget: MemoryBudget,
): SparseQpProblem {
  const fail: Fail = (message) => {
    throw new ProblemFormatError(prefix + message);
  };
  const nGiven = readCount(obj.n, 'n', fail);
  const mGiven = readCount(obj.m, 'm', fail);

  if (obj.q === undefined) fail('q is missing (the linear cost defines the number of variables n)');
  const q = readVector(obj.q, 'q', fail);
  const n = q.length;
  if (nGiven !== undefined && nGiven !== n) fail(`q has length ${n} but n is ${nGiven}`);

  // Shapes first, from what the file declares, so that nothing large is allocated for a problem
  // that does not fit: a 115-byte file can declare a 50,000,000-row A.
  const hasP = obj.P !== undefined && obj.P !== null;
  const hasA = obj.A !== undefined && obj.A !== null;
  const pShape = hasP ? declaredShape(obj.P) : undefined;
  if (pShape && (pShape[0] !== n || pShape[1] !== n))
    fail(`P is ${pShape[0]}×${pShape[1]} but q has length ${n}`);
  const aShape = hasA ? declaredShape(obj.A) : undefined;
  if (aShape && aShape[1] !== n) fail(`A has ${aShape[1]} columns but q has length ${n}`);
  const mDeclared = aShape ? aShape[0] : 0;
  if (mGiven !== undefined && mGiven !== mDeclared && (aShape || !hasA))
    fail(`A has ${mDeclared} rows but m is ${mGiven}`);
  if (mDeclared > MAX_DIMENSION)
    fail(`A has ${mDeclared} rows, too many (at most ${MAX_DIMENSION})`);
  const nnzDeclared = (hasP ? declaredEntries(obj.P) : 0) + (hasA ? declaredEntries(obj.A) : 0);
  budget.admit(n, mDeclared, prefix, nnzDeclared);

  let P: Csc = cscAlloc(n, n, 0);
  if (hasP) {
    const parsed = readMatrix(obj.P, 'P', fail);
    const cols = parsed.colsKnown ? parsed.matrix.cols : 0;
    if (parsed.matrix.rows !== n || cols !== n) {
      fail(`P is ${parsed.matrix.rows}×${cols} but q has length ${n}`);
    }
    const U = symmetricUpper(parsed.matrix);
    if (!('indptr' in U))
      fail(`P is not symmetric: P[${U.j}][${U.i}] = ${U.pji} but P[${U.i}][${U.j}] = ${U.pij}`);
    else P = U;
  }

  let A: Csc = cscAlloc(0, n, 0);
  if (hasA) {
    const parsed = readMatrix(obj.A, 'A', fail);
    if (!parsed.colsKnown) A = cscAlloc(0, n, 0);
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

  const meta = metaOf(obj, PROBLEM_KEYS, prefix);
  const problem: SparseQpProblem = { n, m, P, q, r, A, l, u };
  if (meta) problem.meta = meta;
  return problem;
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

/** The full symmetric matrix in CSC from its upper triangle U (the strictly upper part mirrored). */
function symmetricFull(U: Csc): CscMatrix {
  const T = cscTranspose(U);
  const indptr = [0];
  const indices: number[] = [];
  const data: number[] = [];
  for (let j = 0; j < U.cols; j++) {
    // Rows above and on the diagonal from U's column j, below it from row j of U (Tᵀ's column j).
    for (let k = U.indptr[j]; k < U.indptr[j + 1]; k++) {
      indices.push(U.indices[k]);
      data.push(U.data[k]);
    }
    for (let k = T.indptr[j]; k < T.indptr[j + 1]; k++) {
      if (T.indices[k] <= j) continue;
      indices.push(T.indices[k]);
      data.push(T.data[k]);
    }
    indptr.push(indices.length);
  }
  return { shape: [U.rows, U.cols], indptr, indices, data };
}

/**
 * JSON form of a problem, inverse of parseProblemJson: the descriptive meta keys (name, source,
 * ...) first, any other meta entry inside "meta", then the engine fields. P is written in full
 * (both triangles), as the Maros–Meszaros files and scipy's symmetric matrices are.
 */
export function problemToJson(p: AnyQpProblem): ProblemJson {
  const entries = Object.entries(p.meta ?? {});
  const described = entries.filter(([k]) => META_KEYS.includes(k));
  const free = entries.filter(([k]) => !META_KEYS.includes(k));
  return {
    ...Object.fromEntries(described),
    ...(free.length > 0 ? { [FREE_META_KEY]: Object.fromEntries(free) } : {}),
    n: p.n,
    m: p.m,
    P: isSparseProblem(p) ? symmetricFull(p.P) : denseToCsc(p.P),
    q: Array.from(p.q),
    r: p.r,
    A: isSparseProblem(p) ? cscToMatrix(p.A) : denseToCsc(p.A),
    l: boundsToJson(p.l),
    u: boundsToJson(p.u),
  };
}
