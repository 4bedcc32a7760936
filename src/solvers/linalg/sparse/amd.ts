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

export interface AmdOptions {
  /**
   * A row with more than max(16, dense·√n) off-diagonal entries is ordered last, outside the graph
   * (AMD's default dense = 10). A negative value keeps every row in the graph.
   */
  dense?: number;
  /** Absorb every element whose variables all lie in the new element (default true). */
  aggressive?: boolean;
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
  const n = A.cols;
  if (A.rows !== n) throw new Error(`amdOrder needs a square matrix, got ${A.rows}×${n}`);
  const aggressive = options.aggressive ?? true;
  const alpha = options.dense ?? 10;
  const denseLimit = alpha < 0 ? n : Math.max(16, alpha * Math.sqrt(n));

  // Symmetric adjacency without the diagonal or duplicates, packed into iw.
  const { start, adj } = symmetricAdjacency(A);
  const nzAdj = start[n];
  const iwlen = nzAdj + Math.ceil(nzAdj / 5) + 2 * n;
  const iw = new Int32Array(iwlen);
  iw.set(adj);

  /** Start of node i's list in iw (E_i then A_i for a variable, L_e for an element). */
  const pe = new Int32Array(n);
  /** Length of node i's list. */
  const len = new Int32Array(n);
  /** Number of elements at the head of a variable's list (|E_i|). */
  const elen = new Int32Array(n);
  /** Weight of a supervariable (negated while it sits in the new element); 0 for anything else. */
  const nv = new Int32Array(n).fill(1);
  /** Approximate external degree of a variable; weighted |L_e| of an element. */
  const degree = new Int32Array(n);
  /** Marks; for an element, w[e] − wflg = |L_e \ L_p| during a step; 0 once absorbed. */
  const w = new Int32Array(n).fill(1);
  const kind = new Uint8Array(n);
  /** Absorbing element, or representative supervariable, of a node that is gone. */
  const parent = new Int32Array(n).fill(-1);
  // Degree lists (doubly linked) and hash buckets for supervariable detection.
  const head = new Int32Array(n + 1).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const last = new Int32Array(n).fill(-1);
  const hashHead = new Int32Array(n).fill(-1);
  const hashNext = new Int32Array(n).fill(-1);
  const hashOf = new Int32Array(n);
  const saved = new Int32Array(n);
  /** Principal variables in the order they were eliminated (pivots and mass eliminations). */
  const elimOrder = new Int32Array(n);
  let nElim = 0;
  const stats: AmdInfo = { denseRows: 0, compressions: 0, merges: 0 };

  let nel = 0;
  for (let i = 0; i < n; i++) {
    pe[i] = start[i];
    len[i] = start[i + 1] - start[i];
    if (len[i] > denseLimit) {
      kind[i] = DENSE;
      nv[i] = 0;
      nel++;
      stats.denseRows++;
    }
  }
  for (let i = 0; i < n; i++) {
    if (kind[i] !== VARIABLE) continue;
    let d = 0;
    for (let p = pe[i]; p < pe[i] + len[i]; p++) if (nv[iw[p]] > 0) d++;
    degree[i] = d;
  }
  const insert = (i: number, d: number) => {
    const h = head[d];
    next[i] = h;
    last[i] = -1;
    if (h !== -1) last[h] = i;
    head[d] = i;
  };
  const remove = (i: number) => {
    if (last[i] !== -1) next[last[i]] = next[i];
    else head[degree[i]] = next[i];
    if (next[i] !== -1) last[next[i]] = last[i];
  };
  for (let i = 0; i < n; i++) if (kind[i] === VARIABLE) insert(i, degree[i]);

  let pfree = nzAdj;
  let wflg = 2;
  let lemax = 0;
  let mindeg = 0;
  const resetMarks = () => {
    for (let x = 0; x < n; x++) if (w[x] !== 0) w[x] = 1;
    wflg = 2;
  };

  /** Moves every live list to the front of iw, in place (each list's head is tagged −(node + 1)). */
  const compress = () => {
    stats.compressions++;
    for (let x = 0; x < n; x++) {
      if (kind[x] <= ELEMENT && len[x] > 0) {
        saved[x] = iw[pe[x]];
        iw[pe[x]] = -(x + 1);
      }
    }
    let dst = 0;
    let src = 0;
    while (src < pfree) {
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
    pfree = dst;
  };

  while (nel < n) {
    // 1. The pivot: a variable of least approximate degree.
    while (head[mindeg] === -1) mindeg++;
    const me = head[mindeg];
    remove(me);
    elimOrder[nElim++] = me;
    let nvpiv = nv[me];
    nel += nvpiv;
    nv[me] = -nvpiv;

    // 2. The new element L_me = (A_me ∪ ⋃_{e ∈ E_me} L_e) \ me, built at the end of iw; the
    //    elements of E_me are absorbed into it.
    if (iwlen - pfree < n) {
      compress();
      if (iwlen - pfree < n) throw new Error('amdOrder: quotient graph outgrew its storage');
    }
    const pme1 = pfree;
    let degme = 0;
    const meStart = pe[me];
    const meElen = elen[me];
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
            remove(i);
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
          remove(x);
        }
      }
    }
    const pme2 = pfree;
    kind[me] = ELEMENT;
    pe[me] = pme1;
    len[me] = pme2 - pme1;
    elen[me] = 0;

    // 3. w[e] − wflg = |L_e \ L_me| for every element e adjacent to a variable of L_me.
    for (let q = pme1; q < pme2; q++) {
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

    // 4. For each i in L_me: prune E_i and A_i, bound the degree, put me first in its list, hash it;
    //    or eliminate it with me when me is all it is adjacent to.
    for (let q = pme1; q < pme2; q++) {
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
        degme -= nvi;
        nvpiv += nvi;
        nel += nvi;
        nv[i] = 0;
        elen[i] = 0;
        len[i] = 0;
        kind[i] = MASS_ELIMINATED;
        elimOrder[nElim++] = i;
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
    degree[me] = degme;
    lemax = Math.max(lemax, degme);
    wflg += lemax + 1;
    if (wflg >= W_LIMIT) resetMarks();

    // 5. Supervariables: variables of L_me with equal lists (same hash, length and |E|) merge.
    for (let q = pme1; q < pme2; q++) {
      let i = iw[q];
      if (nv[i] >= 0) continue;
      const h = hashOf[i];
      if (hashHead[h] === -1) continue;
      i = hashHead[h];
      hashHead[h] = -1;
      while (i !== -1 && hashNext[i] !== -1) {
        const ln = len[i];
        const eln = elen[i];
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
            stats.merges++;
            j = hashNext[j];
            hashNext[jlast] = j;
          } else {
            jlast = j;
            j = hashNext[j];
          }
        }
        if (++wflg >= W_LIMIT) resetMarks();
        i = hashNext[i];
      }
    }

    // 6. Finalize: the degrees of L_me's variables, back in the degree lists; L_me compacted.
    const nleft = n - nel;
    let pme = pme1;
    for (let q = pme1; q < pme2; q++) {
      const i = iw[q];
      const nvi = -nv[i];
      if (nvi <= 0) continue;
      nv[i] = nvi;
      const deg = Math.min(degree[i] + degme - nvi, nleft - nvi);
      degree[i] = deg;
      insert(i, deg);
      if (deg < mindeg) mindeg = deg;
      iw[pme++] = i;
    }
    nv[me] = 0;
    degree[me] = degme;
    len[me] = pme - pme1;
    pfree = pme;
  }

  // Each eliminated principal variable is followed by the variables merged into it (a tree through
  // parent), then the dense rows come last.
  const childHead = new Int32Array(n).fill(-1);
  const sibling = new Int32Array(n).fill(-1);
  for (let j = n - 1; j >= 0; j--) {
    if (kind[j] !== MERGED) continue;
    sibling[j] = childHead[parent[j]];
    childHead[parent[j]] = j;
  }
  const perm = new Int32Array(n);
  let k = 0;
  const stack = saved;
  for (let t = 0; t < nElim; t++) {
    let top = 0;
    stack[top++] = elimOrder[t];
    while (top > 0) {
      const x = stack[--top];
      perm[k++] = x;
      for (let c = childHead[x]; c !== -1; c = sibling[c]) stack[top++] = c;
    }
  }
  for (let i = 0; i < n; i++) if (kind[i] === DENSE) perm[k++] = i;
  if (k !== n) throw new Error(`amdOrder: ordered ${k} of ${n} rows`);
  if (info) Object.assign(info, stats);
  return perm;
}

/** Row lists of the symmetric pattern of A with the diagonal and duplicate entries removed. */
function symmetricAdjacency(A: Csc): { start: Int32Array; adj: Int32Array } {
  const n = A.cols;
  const { indptr, indices } = A;
  const count = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) {
    for (let p = indptr[j]; p < indptr[j + 1]; p++) {
      const i = indices[p];
      if (i === j) continue;
      count[i + 1]++;
      count[j + 1]++;
    }
  }
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const fill = count.slice(0, n);
  const raw = new Int32Array(count[n]);
  for (let j = 0; j < n; j++) {
    for (let p = indptr[j]; p < indptr[j + 1]; p++) {
      const i = indices[p];
      if (i === j) continue;
      raw[fill[i]++] = j;
      raw[fill[j]++] = i;
    }
  }
  // Drop duplicates (a full symmetric A lists each edge twice per row).
  const mark = new Int32Array(n).fill(-1);
  const start = new Int32Array(n + 1);
  let q = 0;
  for (let i = 0; i < n; i++) {
    for (let p = count[i]; p < count[i + 1]; p++) {
      const j = raw[p];
      if (mark[j] === i) continue;
      mark[j] = i;
      raw[q++] = j;
    }
    start[i + 1] = q;
  }
  return { start, adj: raw.subarray(0, q) };
}
