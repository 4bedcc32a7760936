/**
 * Sparse LDLᵀ without pivoting of a symmetric matrix given by its upper triangle C (CSC): C = L D Lᵀ
 * with L unit lower triangular and D diagonal. Without pivoting it exists for every quasi-definite
 * matrix (Vanderbei 1995), such as OSQP's KKT matrix, under any symmetric permutation; so the
 * fill-reducing order is chosen beforehand (amd.ts) and the symbolic analysis, which depends only on
 * the pattern, is done once and reused by every numeric factorization with that pattern.
 *
 * Both phases are "up-looking": row k of L solves L₁₁ D₁ l_k = C(0:k, k), whose nonzero pattern is
 * the set of nodes on the elimination-tree paths from the rows of C(0:k, k) up to k.
 */
import { FactorizationError } from '../linsys';
import { CscFormatError, type Csc } from './csc';
import { NO_DEADLINE, type Deadline } from '../../deadline';

/** The pattern-only part of the factorization, shared by every numeric factorization. */
export interface LdlSymbolic {
  /** Order of the matrix. */
  n: number;
  /** Parent of each column in the elimination tree of C (the first off-diagonal row of L), −1 at a root. */
  etree: Int32Array;
  /** Number of entries of each column of L strictly below the diagonal. */
  colCounts: Int32Array;
  /** Column pointers of L (strictly lower part), length n + 1. */
  Lp: Int32Array;
  /** Entries of L strictly below the diagonal. */
  nnzL: number;
}

/** Bytes a numeric factorization of order n with nnzL entries allocates (L, D, D⁻¹, workspace). */
export function ldlNumericBytes(sym: { n: number; nnzL: number }): number {
  // Li (4) + Lx (8) per entry; D, D⁻¹, y (8 each) and four Int32 work arrays per column.
  return 12 * sym.nnzL + 40 * sym.n;
}

/** A factor would need more memory than allowed; raised before L is allocated. */
export class FactorTooLargeError extends Error {
  override name = 'FactorTooLargeError';
  constructor(
    /** Bytes the numeric factorization needs (a lower bound when `exact` is false). */
    readonly bytes: number,
    /** The limit it exceeds. */
    readonly limit: number,
    /** Entries of L (a lower bound when `exact` is false). */
    readonly nnzL: number,
    /** False when the analysis stopped early, as soon as the limit was passed. */
    readonly exact: boolean,
  ) {
    const mib = (b: number) =>
      b < 2 ** 20 ? `${(b / 1024).toFixed(1)} KiB` : `${(b / 2 ** 20).toFixed(1)} MiB`;
    super(
      `the LDLᵀ factor would need ${exact ? '' : 'more than '}${mib(bytes)} ` +
        `(nnz(L) ${exact ? '=' : '>'} ${nnzL}), over the limit of ${mib(limit)}`,
    );
  }
}

/**
 * Elimination tree and column counts of L from the pattern of the upper triangle C. Walking from each
 * row i of column k up the tree until a node already seen for k visits exactly the pattern of row k
 * of L, so each visit counts one entry of L. Time O(nnz(L)); no numeric values are read. Throws
 * FactorTooLargeError as soon as the factor is known to need more than maxFactorBytes, so a
 * hopeless analysis also stops early.
 */
export function ldlSymbolic(C: Csc, maxFactorBytes = Infinity): LdlSymbolic {
  const n = C.cols;
  if (C.rows !== n) throw new CscFormatError(`LDLᵀ needs a square matrix, got ${C.rows}×${n}`);
  const { indptr, indices } = C;
  const etree = new Int32Array(n).fill(-1);
  const colCounts = new Int32Array(n);
  const seen = new Int32Array(n);
  const maxNnzL = Math.min(0x7fffffff, (maxFactorBytes - 40 * n) / 12);
  let nnzL = 0;
  for (let k = 0; k < n; k++) {
    seen[k] = k + 1;
    for (let p = indptr[k]; p < indptr[k + 1]; p++) {
      let i = indices[p];
      if (i > k)
        throw new CscFormatError(
          `entry (${i}, ${k}) lies below the diagonal; LDLᵀ reads the upper triangle`,
        );
      while (seen[i] !== k + 1) {
        if (etree[i] === -1) etree[i] = k;
        colCounts[i]++;
        nnzL++;
        seen[i] = k + 1;
        i = etree[i];
      }
    }
    if (nnzL > maxNnzL) {
      if (nnzL > 0x7fffffff) throw new RangeError('L would have more than 2³¹ − 1 entries');
      const bytes = ldlNumericBytes({ n, nnzL });
      throw new FactorTooLargeError(bytes, maxFactorBytes, nnzL, k === n - 1);
    }
  }
  const Lp = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) Lp[j + 1] = Lp[j] + colCounts[j];
  return { n, etree, colCounts, Lp, nnzL };
}

/**
 * A numeric factorization C = L D Lᵀ for one symbolic analysis. `factor` may be called again with
 * new values in the same pattern; it allocates nothing.
 */
export class LdlNumeric {
  /** Row indices of the strictly lower entries of L, column j at Lp[j] .. Lp[j+1]. */
  readonly Li: Int32Array;
  /** Values of the strictly lower entries of L. */
  readonly Lx: Float64Array;
  /** The diagonal of D. */
  readonly D: Float64Array;
  /** 1 / D. */
  readonly Dinv: Float64Array;
  /** Number of positive pivots of the last factorization (the inertia's n₊, by Sylvester's law). */
  positive = 0;
  /** Scratch: the dense right-hand side of the current row solve. */
  private readonly y: Float64Array;
  /** Scratch: next free slot of each column of L while rows are appended. */
  private readonly next: Int32Array;
  /** Scratch: the row's pattern in topological order, filled from the top. */
  private readonly stack: Int32Array;
  /** Scratch: one elimination-tree path before it is pushed on the stack. */
  private readonly path: Int32Array;
  /** Scratch: seen[i] = k + 1 once node i is on row k's pattern. */
  private readonly seen: Int32Array;

  constructor(readonly symbolic: LdlSymbolic) {
    const { n, nnzL } = symbolic;
    this.Li = new Int32Array(nnzL);
    this.Lx = new Float64Array(nnzL);
    this.D = new Float64Array(n);
    this.Dinv = new Float64Array(n);
    this.y = new Float64Array(n);
    this.next = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.path = new Int32Array(n);
    this.seen = new Int32Array(n);
  }

  /**
   * Factors C, whose pattern must be the one analyzed. With `signs`, pivot k must have the sign of
   * signs[k] (quasi-definiteness: +1 on the H block, −1 on the −G block). Throws FactorizationError
   * on a zero, non-finite or wrong-sign pivot, naming it, and DeadlineError past the deadline.
   */
  factor(C: Csc, signs?: ArrayLike<number>, deadline: Deadline = NO_DEADLINE): void {
    const { n, etree, Lp } = this.symbolic;
    if (C.cols !== n) throw new Error(`matrix has order ${C.cols}, analysis has ${n}`);
    const { Li, Lx, D, Dinv, y, next, stack, path, seen } = this;
    const { indptr, indices, data } = C;
    next.set(Lp.subarray(0, n));
    seen.fill(0);
    y.fill(0); // a factorization that threw may have left a row behind
    let positive = 0;
    for (let k = 0; k < n; k++) {
      const stamp = k + 1;
      seen[k] = stamp;
      let dk = 0;
      let top = n;
      for (let p = indptr[k]; p < indptr[k + 1]; p++) {
        let i = indices[p];
        if (i === k) {
          dk += data[p];
          continue;
        }
        y[i] += data[p];
        let len = 0;
        while (seen[i] !== stamp) {
          if (i < 0) throw new Error(`column ${k} does not match the symbolic analysis`);
          seen[i] = stamp;
          path[len++] = i;
          i = etree[i];
        }
        while (len > 0) stack[--top] = path[--len];
      }
      // Sparse forward substitution in topological order: z_i = y_i, then l_ki = z_i / d_i.
      let work = n - top;
      for (let t = top; t < n; t++) {
        const i = stack[t];
        const yi = y[i];
        y[i] = 0;
        const end = next[i];
        work += end - Lp[i];
        for (let p = Lp[i]; p < end; p++) y[Li[p]] -= Lx[p] * yi;
        const lki = yi * Dinv[i];
        Li[end] = k;
        Lx[end] = lki;
        next[i] = end + 1;
        dk -= yi * lki;
      }
      if (dk === 0 || !Number.isFinite(dk)) {
        throw new FactorizationError(
          `LDLᵀ pivot ${k} is ${dk}: the matrix is singular or not quasi-definite`,
        );
      }
      if (signs !== undefined && dk > 0 !== signs[k] > 0) {
        throw new FactorizationError(
          `LDLᵀ pivot ${k} is ${dk}, expected ${signs[k] > 0 ? 'positive' : 'negative'}: the matrix is not quasi-definite`,
        );
      }
      if (dk > 0) positive++;
      D[k] = dk;
      Dinv[k] = 1 / dk;
      deadline.tick(work, 'an LDLᵀ factorization');
    }
    this.positive = positive;
  }

  /** Solves L D Lᵀ x = b in place (x overwrites b), in the factor's own order. */
  solve(x: Float64Array): void {
    ldlSolveArrays(this.symbolic.n, this.symbolic.Lp, this.Li, this.Lx, this.Dinv, x);
  }
}

/**
 * L D Lᵀ x = b in place on plain arrays. A separate function with the arrays as parameters and
 * each column's end read once: V8 then keeps them in registers (2 ns per entry of L against 5 ns
 * with the bounds re-read from the factor each step); two entries per step give the multiply-adds
 * of long columns room to overlap (~10 %).
 */
function ldlSolveArrays(
  n: number,
  Lp: Int32Array,
  Li: Int32Array,
  Lx: Float64Array,
  Dinv: Float64Array,
  x: Float64Array,
): void {
  for (let j = 0; j < n; j++) {
    const xj = x[j];
    if (xj === 0) continue;
    const end = Lp[j + 1];
    let p = Lp[j];
    for (; p + 1 < end; p += 2) {
      x[Li[p]] -= Lx[p] * xj;
      x[Li[p + 1]] -= Lx[p + 1] * xj;
    }
    if (p < end) x[Li[p]] -= Lx[p] * xj;
  }
  for (let j = 0; j < n; j++) x[j] *= Dinv[j];
  for (let j = n - 1; j >= 0; j--) {
    let s0 = x[j];
    let s1 = 0;
    const end = Lp[j + 1];
    let p = Lp[j];
    for (; p + 1 < end; p += 2) {
      s0 -= Lx[p] * x[Li[p]];
      s1 -= Lx[p + 1] * x[Li[p + 1]];
    }
    if (p < end) s0 -= Lx[p] * x[Li[p]];
    x[j] = s0 + s1;
  }
}
