/**
 * Approximate minimum degree ordering (Amestoy, Davis & Duff, SIAM J. Matrix Anal. Appl. 17(4), 1996)
 * of a symmetric sparsity pattern, to reduce the fill of a Cholesky or LDLᵀ factor.
 *
 * Elimination is simulated on the quotient graph: eliminating a variable p turns it into an element
 * (a clique, stored as its list L_p of variables) that absorbs the elements adjacent to p, so storage
 * never exceeds the original graph's. Each variable i keeps a list of adjacent elements E_i and of
 * adjacent variables A_i. Exact degrees are too costly; the approximate external degree
 *   d_i ≤ min(n_left − |i|, d_i_old + |L_p \ i|, |A_i \ i| + |L_p \ i| + Σ_{e ∈ E_i \ p} |L_e \ L_p|)
 * is an upper bound that is exact in most steps. Indistinguishable variables (same E_i, A_i) merge
 * into supervariables of weight nv, variables whose only neighbour is the new element are eliminated
 * with it (mass elimination), elements covered by the new one are absorbed (aggressive absorption),
 * and rows denser than max(16, 10√n) are taken out first and ordered last.
 */
import type { Csc } from './csc';
import { cscSymmetricAdjacency } from './ops';
import type { Deadline } from '../../deadline';

export interface AmdOptions {
  /**
   * A row with more than max(16, dense·√n) off-diagonal entries is ordered last, outside the graph
   * (AMD's default dense = 10). A negative value keeps every row in the graph.
   */
  dense?: number;
  /** Absorb every element whose variables all lie in the new element (default true). */
  aggressive?: boolean;
  /** Stop with DeadlineError past this deadline (checked every 256 pivots). */
  deadline?: Deadline;
}

/** What the ordering did, for diagnostics and tests. */
export interface AmdInfo {
  /** Rows ordered last as dense. */
  denseRows: number;
  /** Garbage collections of the quotient-graph storage. */
  compressions: number;
  /** Supervariable merges (indistinguishable variables found). */
  merges: number;
}

/** Node kinds: the live ones of the quotient graph, then those that left it. */
const VARIABLE = 0;
const ELEMENT = 1;
/** An element absorbed into a newer one. */
const ABSORBED = 2;
/** A variable merged into an indistinguishable one (its supervariable). */
const MERGED = 3;
/** A variable eliminated together with the pivot whose element was its only neighbour. */
const MASS_ELIMINATED = 4;
/** A dense row, ordered last. */
const DENSE = 5;

/** Marks in w stay below this; then they are reset (they grow by up to n per step). */
const W_LIMIT = 0x3fffffff;

/**
 * A fill-reducing permutation of the symmetric pattern of the square A (upper triangle, lower
 * triangle or both; the diagonal and values are ignored): perm[k] is the original index placed k-th.
 */
export function amdOrder(A: Csc, options: AmdOptions = {}, info?: AmdInfo): Int32Array {
  if (A.rows !== A.cols) throw new Error(`amdOrder needs a square matrix, got ${A.rows}×${A.cols}`);
  const graph = new QuotientGraph(A, options);
  const deadline = options.deadline;
  for (let pivots = 0; graph.nel < graph.n; pivots++) {
    if (deadline && (pivots & 255) === 0) deadline.check('the AMD ordering');
    graph.eliminate();
  }
  const perm = graph.permutation();
  if (info) Object.assign(info, graph.stats);
  return perm;
}

/** The quotient graph and the state of the elimination; one method per step of a pivot. */
class QuotientGraph {
  readonly n: number;
  private readonly aggressive: boolean;
  /** Lists of all nodes, packed; live lists move to the front when space runs out. */
  private readonly iw: Int32Array;
  /** First free slot of iw. */
  private pfree: number;
  /** Start of node i's list in iw (E_i then A_i for a variable, L_e for an element). */
  private readonly pe: Int32Array;
  /** Length of node i's list. */
  private readonly len: Int32Array;
  /** Number of elements at the head of a variable's list (|E_i|). */
  private readonly elen: Int32Array;
  /** Weight of a supervariable (negated while it sits in the new element); 0 for anything else. */
  private readonly nv: Int32Array;
  /** Approximate external degree of a variable; weighted |L_e| of an element. */
  private readonly degree: Int32Array;
  /** Marks; for an element, w[e] − wflg = |L_e \ L_me| during a step; 0 once absorbed. */
  private readonly w: Int32Array;
  private wflg = 2;
  /** Largest element so far: marks of one step stay within wflg + lemax. */
  private lemax = 0;
  private readonly kind: Uint8Array;
  /** Absorbing element, or representative supervariable, of a node that left the graph. */
  private readonly parent: Int32Array;
  /** Degree lists: head[d] is the first variable of approximate degree d; next/last link them. */
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly last: Int32Array;
  /** Lowest degree that may have a variable. */
  private mindeg = 0;
  /** Hash buckets of the new element's variables, for supervariable detection. */
  private readonly hashHead: Int32Array;
  private readonly hashNext: Int32Array;
  private readonly hashOf: Int32Array;
  /** Principal variables in the order they were eliminated (pivots and mass eliminations). */
  private readonly elimOrder: Int32Array;
  private nElim = 0;
  /** Variables eliminated so far, weighted (dense rows count from the start). */
  nel = 0;
  readonly stats: AmdInfo = { denseRows: 0, compressions: 0, merges: 0 };
  // The current step: pivot me, its new element's list iw[pme1 .. pme2), its weighted size degme.
  private me = -1;
  private nvpiv = 0;
  private pme1 = 0;
  private pme2 = 0;
  private degme = 0;

  constructor(A: Csc, options: AmdOptions) {
    const n = (this.n = A.cols);
    this.aggressive = options.aggressive ?? true;
    const alpha = options.dense ?? 10;
    const denseLimit = alpha < 0 ? n : Math.max(16, alpha * Math.sqrt(n));
    const { start, adj } = cscSymmetricAdjacency(A);
    const nzAdj = start[n];
    // Live lists never outgrow the original graph, and a new element needs at most n slots.
    this.iw = new Int32Array(nzAdj + Math.ceil(nzAdj / 5) + 2 * n);
    this.iw.set(adj);
    this.pfree = nzAdj;
    this.pe = start.slice(0, n);
    this.len = new Int32Array(n);
    this.elen = new Int32Array(n);
    this.nv = new Int32Array(n).fill(1);
    this.degree = new Int32Array(n);
    this.w = new Int32Array(n).fill(1);
    this.kind = new Uint8Array(n);
    this.parent = new Int32Array(n).fill(-1);
    this.head = new Int32Array(n + 1).fill(-1);
    this.next = new Int32Array(n).fill(-1);
    this.last = new Int32Array(n).fill(-1);
    this.hashHead = new Int32Array(n).fill(-1);
    this.hashNext = new Int32Array(n).fill(-1);
    this.hashOf = new Int32Array(n);
    this.elimOrder = new Int32Array(n);
    const { iw, pe, len, nv, kind, degree } = this;
    for (let i = 0; i < n; i++) {
      len[i] = start[i + 1] - start[i];
      if (len[i] > denseLimit) {
        kind[i] = DENSE;
        nv[i] = 0;
        this.nel++;
        this.stats.denseRows++;
      }
    }
    for (let i = 0; i < n; i++) {
      if (kind[i] !== VARIABLE) continue;
      let d = 0;
      for (let p = pe[i]; p < pe[i] + len[i]; p++) if (nv[iw[p]] > 0) d++;
      degree[i] = d;
      this.insert(i, d);
    }
  }

  /** One pivot: select, build its element, update degrees, merge supervariables, finalize. */
  eliminate(): void {
    this.selectPivot();
    this.buildElement();
    this.externalSizes();
    this.updateDegrees();
    this.lemax = Math.max(this.lemax, this.degme);
    this.wflg += this.lemax + 1;
    if (this.wflg >= W_LIMIT) this.resetMarks();
    this.detectSupervariables();
    this.finalize();
  }

  private insert(i: number, d: number): void {
    const h = this.head[d];
    this.next[i] = h;
    this.last[i] = -1;
    if (h !== -1) this.last[h] = i;
    this.head[d] = i;
  }

  private remove(i: number): void {
    const { next, last } = this;
    if (last[i] !== -1) next[last[i]] = next[i];
    else this.head[this.degree[i]] = next[i];
    if (next[i] !== -1) last[next[i]] = last[i];
  }

  private resetMarks(): void {
    const { w } = this;
    for (let x = 0; x < this.n; x++) if (w[x] !== 0) w[x] = 1;
    this.wflg = 2;
  }

  /** 1. The pivot me: a variable of least approximate degree. */
  private selectPivot(): void {
    const { head } = this;
    while (head[this.mindeg] === -1) this.mindeg++;
    const me = head[this.mindeg];
    this.remove(me);
    this.elimOrder[this.nElim++] = me;
    this.me = me;
    this.nvpiv = this.nv[me];
    this.nel += this.nvpiv;
    this.nv[me] = -this.nvpiv;
  }

  /**
   * 2. The new element L_me = (A_me ∪ ⋃_{e ∈ E_me} L_e) \ me, built at the end of iw; its variables
   *    are flagged (nv < 0) and leave the degree lists; the elements of E_me are absorbed.
   */
  private buildElement(): void {
    if (this.iw.length - this.pfree < this.n) {
      this.compress();
      if (this.iw.length - this.pfree < this.n)
        throw new Error('amdOrder: quotient graph outgrew its storage');
    }
    const { iw, pe, len, nv, w, kind, parent, me } = this;
    let pfree = this.pfree;
    let degme = 0;
    const pme1 = pfree;
    const meStart = pe[me];
    const meElen = this.elen[me];
    for (let t = 0; t < len[me]; t++) {
      const x = iw[meStart + t];
      if (t < meElen) {
        if (w[x] === 0) continue;
        for (let q = pe[x]; q < pe[x] + len[x]; q++) {
          const i = iw[q];
          const nvi = nv[i];
          if (nvi > 0) {
            degme += nvi;
            nv[i] = -nvi;
            iw[pfree++] = i;
            this.remove(i);
          }
        }
        parent[x] = me;
        w[x] = 0;
        kind[x] = ABSORBED;
      } else {
        const nvi = nv[x];
        if (nvi > 0) {
          degme += nvi;
          nv[x] = -nvi;
          iw[pfree++] = x;
          this.remove(x);
        }
      }
    }
    kind[me] = ELEMENT;
    pe[me] = pme1;
    len[me] = pfree - pme1;
    this.elen[me] = 0;
    this.pfree = pfree;
    this.pme1 = pme1;
    this.pme2 = pfree;
    this.degme = degme;
  }

  /** 3. w[e] − wflg = |L_e \ L_me| for every element e adjacent to a variable of L_me. */
  private externalSizes(): void {
    const { iw, pe, elen, nv, w, degree, wflg } = this;
    for (let q = this.pme1; q < this.pme2; q++) {
      const i = iw[q];
      const eln = elen[i];
      if (eln <= 0) continue;
      const nvi = -nv[i];
      const wnvi = wflg - nvi;
      for (let p = pe[i]; p < pe[i] + eln; p++) {
        const e = iw[p];
        const we = w[e];
        if (we >= wflg) w[e] = we - nvi;
        else if (we !== 0) w[e] = degree[e] + wnvi;
      }
    }
  }

  /**
   * 4. For each i in L_me: prune E_i (absorbed elements; with aggressive absorption also those
   *    inside L_me) and A_i (variables now in L_me), bound the degree, put me first in the list and
   *    hash it; or eliminate i with me when me is all it is adjacent to (mass elimination).
   */
  private updateDegrees(): void {
    const { iw, pe, len, elen, nv, w, kind, parent, degree, me, wflg, aggressive, n } = this;
    const { hashHead, hashNext, hashOf } = this;
    for (let q = this.pme1; q < this.pme2; q++) {
      const i = iw[q];
      const p1 = pe[i];
      const p2 = p1 + elen[i];
      const p4 = p1 + len[i];
      let pn = p1;
      let deg = 0;
      let hash = 0;
      for (let p = p1; p < p2; p++) {
        const e = iw[p];
        const we = w[e];
        if (we === 0) continue;
        const dext = we - wflg;
        if (dext > 0 || !aggressive) {
          deg += dext;
          iw[pn++] = e;
          hash += e;
        } else {
          parent[e] = me;
          w[e] = 0;
          kind[e] = ABSORBED;
        }
      }
      const nElements = pn - p1 + 1;
      const p3 = pn;
      for (let p = p2; p < p4; p++) {
        const j = iw[p];
        const nvj = nv[j];
        if (nvj > 0) {
          deg += nvj;
          iw[pn++] = j;
          hash += j;
        }
      }
      if (nElements === 1 && p3 === pn) {
        const nvi = -nv[i];
        parent[i] = me;
        this.degme -= nvi;
        this.nvpiv += nvi;
        this.nel += nvi;
        nv[i] = 0;
        elen[i] = 0;
        len[i] = 0;
        kind[i] = MASS_ELIMINATED;
        this.elimOrder[this.nElim++] = i;
      } else {
        degree[i] = Math.min(degree[i], deg);
        // At least one entry (me itself, or an absorbed element) was dropped, so me fits.
        iw[pn] = iw[p3];
        iw[p3] = iw[p1];
        iw[p1] = me;
        len[i] = pn - p1 + 1;
        elen[i] = nElements;
        const h = hash % n;
        hashOf[i] = h;
        hashNext[i] = hashHead[h];
        hashHead[h] = i;
      }
    }
    degree[me] = this.degme;
  }

  /** 5. Variables of L_me with equal lists (same hash, length and |E_i|, then compared) merge. */
  private detectSupervariables(): void {
    const { iw, pe, len, elen, nv, w, kind, parent, hashHead, hashNext, hashOf } = this;
    for (let q = this.pme1; q < this.pme2; q++) {
      let i = iw[q];
      if (nv[i] >= 0) continue;
      const h = hashOf[i];
      if (hashHead[h] === -1) continue;
      i = hashHead[h];
      hashHead[h] = -1;
      while (i !== -1 && hashNext[i] !== -1) {
        const ln = len[i];
        const eln = elen[i];
        const wflg = this.wflg;
        for (let p = pe[i] + 1; p < pe[i] + ln; p++) w[iw[p]] = wflg;
        let jlast = i;
        let j = hashNext[i];
        while (j !== -1) {
          let same = len[j] === ln && elen[j] === eln;
          for (let p = pe[j] + 1; same && p < pe[j] + ln; p++) same = w[iw[p]] === wflg;
          if (same) {
            parent[j] = i;
            nv[i] += nv[j];
            nv[j] = 0;
            elen[j] = 0;
            len[j] = 0;
            kind[j] = MERGED;
            this.stats.merges++;
            j = hashNext[j];
            hashNext[jlast] = j;
          } else {
            jlast = j;
            j = hashNext[j];
          }
        }
        if (++this.wflg >= W_LIMIT) this.resetMarks();
        i = hashNext[i];
      }
    }
  }

  /** 6. L_me's variables get their degrees and go back in the degree lists; L_me is compacted. */
  private finalize(): void {
    const { iw, nv, degree, me, degme } = this;
    const nleft = this.n - this.nel;
    let pme = this.pme1;
    for (let q = this.pme1; q < this.pme2; q++) {
      const i = iw[q];
      const nvi = -nv[i];
      if (nvi <= 0) continue;
      nv[i] = nvi;
      const deg = Math.min(degree[i] + degme - nvi, nleft - nvi);
      degree[i] = deg;
      this.insert(i, deg);
      if (deg < this.mindeg) this.mindeg = deg;
      iw[pme++] = i;
    }
    nv[me] = 0;
    this.len[me] = pme - this.pme1;
    this.pfree = pme;
  }

  /** Moves every live list to the front of iw, in place (each list's head is tagged −(node + 1)). */
  private compress(): void {
    const { iw, pe, len, kind, n } = this;
    this.stats.compressions++;
    const saved = new Int32Array(n);
    for (let x = 0; x < n; x++) {
      if (kind[x] <= ELEMENT && len[x] > 0) {
        saved[x] = iw[pe[x]];
        iw[pe[x]] = -(x + 1);
      }
    }
    let dst = 0;
    let src = 0;
    while (src < this.pfree) {
      const v = iw[src];
      if (v >= 0) {
        src++;
        continue;
      }
      const x = -v - 1;
      pe[x] = dst;
      iw[dst++] = saved[x];
      for (let t = 1; t < len[x]; t++) iw[dst++] = iw[src + t];
      src += len[x];
    }
    this.pfree = dst;
  }

  /**
   * The order: each eliminated principal variable followed by the variables merged into it (a tree
   * through parent), then the dense rows.
   */
  permutation(): Int32Array {
    const { n, kind, parent } = this;
    const childHead = new Int32Array(n).fill(-1);
    const sibling = new Int32Array(n).fill(-1);
    for (let j = n - 1; j >= 0; j--) {
      if (kind[j] !== MERGED) continue;
      sibling[j] = childHead[parent[j]];
      childHead[parent[j]] = j;
    }
    const perm = new Int32Array(n);
    const stack = new Int32Array(n);
    let k = 0;
    for (let t = 0; t < this.nElim; t++) {
      let top = 0;
      stack[top++] = this.elimOrder[t];
      while (top > 0) {
        const x = stack[--top];
        perm[k++] = x;
        for (let c = childHead[x]; c !== -1; c = sibling[c]) stack[top++] = c;
      }
    }
    for (let i = 0; i < n; i++) if (kind[i] === DENSE) perm[k++] = i;
    if (k !== n) throw new Error(`amdOrder: ordered ${k} of ${n} rows`);
    return perm;
  }
}
