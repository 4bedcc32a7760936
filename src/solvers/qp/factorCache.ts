import type { DenseMatrix } from './types';
import { factorLinSys, type LinSys, type LinSysKind } from '../linalg/linsys';

/**
 * Factorizations of the x-update system keyed by the per-row ρ vector. A solve asks for the
 * factorization of its current ρ; problems sharing P̄ and Ā (a 'shared' batch) reuse each other's.
 * When full, the least recently used entry is refactored in place with `updateRho`.
 */
export class FactorCache {
  private readonly entries = new Map<string, LinSys>();
  factorizations = 0;

  constructor(
    private readonly P: DenseMatrix,
    private readonly A: DenseMatrix,
    private readonly sigma: number,
    private readonly kind: LinSysKind = 'reduced-cholesky',
    /** Entries kept at most (a handle raises it when its batch grows). */
    public capacity = 1,
  ) {}

  get(rhoVec: Float64Array): LinSys {
    const key = Array.prototype.join.call(rhoVec, ',');
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    this.factorizations++;
    let ls: LinSys;
    if (this.entries.size >= this.capacity) {
      const [oldKey, old] = this.entries.entries().next().value as [string, LinSys];
      this.entries.delete(oldKey);
      old.updateRho(rhoVec);
      ls = old;
    } else {
      ls = factorLinSys(this.kind, this.P, this.A, this.sigma, rhoVec);
    }
    this.entries.set(key, ls);
    return ls;
  }
}
