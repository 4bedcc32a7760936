import type { Csc, DenseMatrix } from './types';
import { isCsc, type QpMatrix } from './matrix';
import { factorLinSys, type LinSys, type LinSysKind } from '../linalg/linsys';
import { SparseKktLinSys, type KktAnalysis } from '../linalg/sparse/kkt';
import type { Deadline } from '../deadline';

/** Bytes of numeric factors a cache keeps beyond its first entry (sparse factors can be large). */
const EXTRA_FACTOR_BYTES = 256 * 2 ** 20;

/** Options of a FactorCache. */
export interface FactorCacheOptions {
  /** Dense storage: reduced Cholesky (default) or the dense KKT LDLᵀ. */
  kind?: LinSysKind;
  /** Factorizations kept (distinct ρ vectors); sparse ones also within ~256 MB past the first. */
  capacity?: number;
  /** Sparse storage: the ordering and symbolic analysis of the KKT pattern, made beforehand. */
  analysis?: KktAnalysis;
  /** Sparse storage: refuse (FactorTooLargeError) a factor needing more bytes than this. */
  maxFactorBytes?: number;
}

/**
 * Factorizations of the x-update system keyed by the per-row ρ vector. A solve asks for the
 * factorization of its current ρ; problems sharing P̄ and Ā (a 'shared' batch, a handle) reuse each
 * other's. When full, the least recently used entry is refactored in place with `updateRho`.
 *
 * Dense P̄, Ā get the dense reduced Cholesky; CSC ones the sparse KKT LDLᵀ, whose AMD ordering and
 * symbolic analysis are made once per structure: every entry is a sibling of the first (same
 * analysis, its own values and numeric factor), and a ρ update only refactors numerically.
 */
export class FactorCache {
  private readonly entries = new Map<string, LinSys>();
  factorizations = 0;
  /** Entries kept at most (a handle raises it when its batch grows). */
  capacity: number;
  private readonly kind: LinSysKind;
  /** The first sparse system: the analysis every later entry shares. */
  private first?: SparseKktLinSys;

  constructor(
    private readonly P: QpMatrix,
    private readonly A: QpMatrix,
    private readonly sigma: number,
    private readonly options: FactorCacheOptions = {},
  ) {
    this.capacity = Math.max(1, options.capacity ?? 1);
    this.kind = options.kind ?? 'reduced-cholesky';
  }

  /** 'sparse' for CSC data, else 'dense'. */
  get storage(): 'dense' | 'sparse' {
    return isCsc(this.P) ? 'sparse' : 'dense';
  }

  /** The first sparse factorization (its analysis is shared by polishing and the backward pass). */
  get sparseSystem(): SparseKktLinSys | undefined {
    return this.first;
  }

  /**
   * The factorization for this ρ vector. Throws FactorizationError (P + σI + AᵀρA not positive
   * definite), FactorTooLargeError, or DeadlineError; a failed entry is dropped from the cache.
   */
  get(rhoVec: Float64Array, deadline?: Deadline): LinSys {
    const key = Array.prototype.join.call(rhoVec, ',');
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    this.factorizations++;
    let ls: LinSys;
    if (this.entries.size >= this.entryLimit()) {
      const [oldKey, old] = this.entries.entries().next().value as [string, LinSys];
      this.entries.delete(oldKey);
      old.updateRho(rhoVec, deadline);
      ls = old;
    } else {
      ls = this.create(rhoVec, deadline);
    }
    this.entries.set(key, ls);
    return ls;
  }

  private entryLimit(): number {
    if (!this.first) return this.capacity;
    const bytes = Math.max(1, this.first.ldl.factorBytes);
    return Math.max(1, Math.min(this.capacity, 1 + Math.floor(EXTRA_FACTOR_BYTES / bytes)));
  }

  private create(rhoVec: Float64Array, deadline?: Deadline): LinSys {
    if (!isCsc(this.P)) {
      return factorLinSys(this.kind, this.P, this.A as DenseMatrix, this.sigma, rhoVec, deadline);
    }
    if (this.first) return this.first.sibling(this.sigma, rhoVec, deadline);
    const A = this.A as Csc;
    const { analysis, maxFactorBytes } = this.options;
    const sys = analysis
      ? SparseKktLinSys.fromAnalysis(analysis, this.P, A, this.sigma, rhoVec, deadline)
      : SparseKktLinSys.create(this.P, A, this.sigma, rhoVec, { maxFactorBytes, deadline });
    this.first = sys;
    return sys;
  }
}
