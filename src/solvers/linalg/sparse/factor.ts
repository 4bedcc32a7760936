/**
 * A symmetric sparse LDLᵀ with its fill-reducing ordering: analyze once (ordering, permutation,
 * elimination tree, nnz(L)), then factor and refactor as values change in the same pattern.
 */
import { amdOrder, type AmdOptions } from './amd';
import { cscNnz, type Csc } from './csc';
import { LdlNumeric, ldlNumericBytes, ldlSymbolic, type LdlSymbolic } from './ldl';
import { cscSymPermUpper } from './ops';
import type { Deadline } from '../../deadline';

/** How the rows are ordered before factorization. */
export type Ordering = 'amd' | 'natural' | ArrayLike<number>;

export interface SparseLdlOptions {
  /** Fill-reducing ordering (default 'amd'), or an explicit permutation (perm[k] = k-th row). */
  ordering?: Ordering;
  amd?: AmdOptions;
  /**
   * Refuse with FactorTooLargeError, during the symbolic analysis and before L is allocated, when
   * the numeric factor would need more bytes than this.
   */
  maxFactorBytes?: number;
}

/** The ordering as a permutation array. */
export function orderingPermutation(
  U: Csc,
  ordering: Ordering = 'amd',
  amd?: AmdOptions,
): Int32Array {
  if (ordering === 'amd') return amdOrder(U, amd);
  if (ordering === 'natural') return Int32Array.from({ length: U.cols }, (_, i) => i);
  return Int32Array.from(ordering);
}

/**
 * LDLᵀ of a symmetric matrix S given by its upper triangle U, as C = S(perm, perm) = L D Lᵀ.
 * `analyze` allocates only O(nnz(U) + n); L is allocated by the first `factor`, so `factorBytes`
 * can be checked against a budget before any large allocation.
 */
export class SparseLdl {
  /** Order of the matrix. */
  readonly n: number;
  /** Scratch for solves in the permuted order. */
  private readonly work: Float64Array;
  /** Scratch: the expected pivot signs in the permuted order. */
  private readonly signsPerm: Int8Array;
  private numeric?: LdlNumeric;
  /** False after a factorization that threw: the factor is then partial and must not be used. */
  private valid = false;

  private constructor(
    /** perm[k] = the original row and column placed k-th. */
    readonly perm: Int32Array,
    /** Upper triangle of S(perm, perm), the matrix factored; its values are rewritten in place. */
    readonly C: Csc,
    /** map[k] = position in C.data of entry k of the analyzed U. */
    readonly map: Int32Array,
    readonly symbolic: LdlSymbolic,
  ) {
    this.n = C.cols;
    this.work = new Float64Array(this.n);
    this.signsPerm = new Int8Array(this.n);
  }

  /**
   * A factorization of another matrix with the same pattern: the ordering and symbolic analysis are
   * shared, the values (a copy of this one's) and the numeric factor are its own.
   */
  sibling(): SparseLdl {
    return new SparseLdl(
      this.perm,
      { ...this.C, data: new Float64Array(this.C.data) },
      this.map,
      this.symbolic,
    );
  }

  /** Orders U's pattern and analyzes the permuted matrix; U's values are copied. */
  static analyze(U: Csc, options: SparseLdlOptions = {}): SparseLdl {
    const perm = orderingPermutation(U, options.ordering, options.amd);
    const { C, map } = cscSymPermUpper(U, perm);
    return new SparseLdl(perm, C, map, ldlSymbolic(C, options.maxFactorBytes));
  }

  /** Entries of L strictly below the diagonal. */
  get nnzL(): number {
    return this.symbolic.nnzL;
  }

  /** Stored entries of the upper triangle being factored. */
  get nnzC(): number {
    return cscNnz(this.C);
  }

  /** Bytes that the numeric factorization allocates (once; refactoring reuses them). */
  get factorBytes(): number {
    return ldlNumericBytes(this.symbolic);
  }

  /** Number of positive pivots of the last factorization. */
  get positivePivots(): number {
    return this.valid && this.numeric ? this.numeric.positive : 0;
  }

  /** True once `factor` has succeeded at least once. */
  get factored(): boolean {
    return this.valid;
  }

  /** Marks the factor unusable (a caller rejected it), until the next successful `factor`. */
  invalidate(): void {
    this.valid = false;
  }

  /** Replaces all values, given in the entry order of the analyzed U. */
  setValues(values: ArrayLike<number>): void {
    const { map } = this;
    const data = this.C.data;
    if (values.length !== map.length)
      throw new Error(`expected ${map.length} values, got ${values.length}`);
    for (let k = 0; k < map.length; k++) data[map[k]] = values[k];
  }

  /**
   * Numeric factorization of the current values. With `signs` (original order), each pivot must
   * have its row's sign. Throws FactorizationError (DeadlineError past the deadline); returns the
   * number of positive pivots.
   */
  factor(signs?: ArrayLike<number>, deadline?: Deadline): number {
    const numeric = (this.numeric ??= new LdlNumeric(this.symbolic));
    this.valid = false;
    let permuted: Int8Array | undefined;
    if (signs !== undefined) {
      permuted = this.signsPerm;
      for (let k = 0; k < this.n; k++) permuted[k] = signs[this.perm[k]] > 0 ? 1 : -1;
    }
    numeric.factor(this.C, permuted, deadline);
    this.valid = true;
    return numeric.positive;
  }

  /** Solves S x = b in place (b becomes x), in the original order. */
  solve(b: Float64Array): void {
    const { perm, work, n } = this;
    for (let k = 0; k < n; k++) work[k] = b[perm[k]];
    this.solvePermuted(work);
    for (let k = 0; k < n; k++) b[perm[k]] = work[k];
  }

  /** Solves C w = v in place on a vector already in the factor's order (w[k] is row perm[k]). */
  solvePermuted(v: Float64Array): void {
    if (this.numeric === undefined || !this.valid)
      throw new Error('SparseLdl.solve needs a successful factor() first');
    this.numeric.solve(v);
  }
}
