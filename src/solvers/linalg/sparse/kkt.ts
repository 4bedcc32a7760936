/**
 * OSQP's x-update system in sparse form: the quasi-definite KKT matrix
 *
 *   K = [P + σI   Aᵀ        ]
 *       [A        −diag(ρ)⁻¹]
 *
 * assembled as its upper triangle, with the position of every P, A, σ and ρ value remembered so that
 * a ρ update, or new P/A values in the same pattern, rewrites values in place and reruns only the
 * numeric factorization.
 */
import { FactorizationError, type LinSys } from '../linsys';
import { CscFormatError, cscAlloc, cscCheck, cscNnz, cscTransposeWithMap, type Csc } from './csc';
import { SparseLdl, type SparseLdlOptions } from './factor';
import { checkUpperTriangular } from './ops';
import { NO_DEADLINE, type Deadline } from '../../deadline';

/** The upper triangle of K and where each datum lands in it. */
export interface KktAssembly {
  n: number;
  m: number;
  /**
   * Upper triangle of K, (n + m)×(n + m), columns sorted, with the values given at assembly (a
   * SparseKktLinSys rewrites its own permuted copy, not this one).
   */
  K: Csc;
  /** Position in K.data of each entry of P (P's entry order). */
  pPos: Int32Array;
  /** Position in K.data of each entry of A (A's entry order). */
  aPos: Int32Array;
  /** Position in K.data of K(j, j) = P_jj + σ, j < n (present even where P_jj is not stored). */
  sigmaPos: Int32Array;
  /** Position in K.data of K(n + i, n + i) = −1/ρ_i. */
  rhoPos: Int32Array;
}

/** Checks P (n×n upper triangle) and A (m×n), both canonical; returns [n, m]. */
function checkKktData(P: Csc, A: Csc): [number, number] {
  cscCheck(P, 'P');
  cscCheck(A, 'A');
  checkUpperTriangular(P, 'P');
  if (A.cols !== P.cols)
    throw new CscFormatError(`A has ${A.cols} columns but P is ${P.rows}×${P.cols}`);
  return [P.cols, A.rows];
}

/**
 * The upper triangle of K for P (upper triangle, canonical CSC) and A (canonical CSC). Column j < n
 * holds P's column j then the diagonal; column n + i holds row i of A then −1/ρ_i.
 */
export function assembleKktUpper(
  P: Csc,
  A: Csc,
  sigma: number,
  rhoVec: ArrayLike<number>,
): KktAssembly {
  const [n, m] = checkKktData(P, A);
  const N = n + m;
  const { T: At, map: tMap } = cscTransposeWithMap(A);
  let nnz = cscNnz(At) + m;
  for (let j = 0; j < n; j++) {
    const end = P.indptr[j + 1];
    nnz += end - P.indptr[j];
    if (end === P.indptr[j] || P.indices[end - 1] !== j) nnz++;
  }
  const K = cscAlloc(N, N, nnz);
  const pPos = new Int32Array(cscNnz(P));
  const aPos = new Int32Array(cscNnz(A));
  const sigmaPos = new Int32Array(n);
  const rhoPos = new Int32Array(m);
  let q = 0;
  for (let j = 0; j < n; j++) {
    for (let k = P.indptr[j]; k < P.indptr[j + 1]; k++) {
      const i = P.indices[k];
      if (i === j) continue;
      K.indices[q] = i;
      pPos[k] = q++;
    }
    const end = P.indptr[j + 1];
    if (end > P.indptr[j] && P.indices[end - 1] === j) pPos[end - 1] = q;
    K.indices[q] = j;
    sigmaPos[j] = q++;
    K.indptr[j + 1] = q;
  }
  const atStart = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    atStart[i] = q;
    for (let t = At.indptr[i]; t < At.indptr[i + 1]; t++) K.indices[q++] = At.indices[t];
    K.indices[q] = n + i;
    rhoPos[i] = q++;
    K.indptr[n + i + 1] = q;
  }
  for (let j = 0; j < A.cols; j++) {
    for (let k = A.indptr[j]; k < A.indptr[j + 1]; k++) {
      const i = A.indices[k];
      aPos[k] = atStart[i] + (tMap[k] - At.indptr[i]);
    }
  }
  const assembly: KktAssembly = { n, m, K, pPos, aPos, sigmaPos, rhoPos };
  writeKktValues(assembly, K.data, P, A.data, sigma, rhoVec);
  return assembly;
}

/**
 * Writes K's values into `out` (K's entry order, or any order through `remap`): P with σ on its
 * diagonal, A, and −1/ρ.
 */
function writeKktValues(
  a: KktAssembly,
  out: Float64Array,
  P: Csc,
  Ax: ArrayLike<number> | undefined,
  sigma: number,
  rhoVec: ArrayLike<number> | undefined,
  remap?: Int32Array,
): void {
  const at = (q: number) => (remap ? remap[q] : q);
  for (let j = 0; j < a.n; j++) {
    out[at(a.sigmaPos[j])] = sigma;
    for (let k = P.indptr[j]; k < P.indptr[j + 1]; k++) {
      const q = at(a.pPos[k]);
      if (P.indices[k] === j) out[q] += P.data[k];
      else out[q] = P.data[k];
    }
  }
  if (Ax) for (let k = 0; k < a.aPos.length; k++) out[at(a.aPos[k])] = Ax[k];
  if (rhoVec) for (let i = 0; i < a.m; i++) out[at(a.rhoPos[i])] = -1 / rhoVec[i];
}

/** Sizes from the symbolic analysis, available before the numeric factor is allocated. */
export interface KktAnalysis {
  n: number;
  m: number;
  /** Stored entries of K's upper triangle. */
  nnzK: number;
  /** Entries of L strictly below the diagonal, for the chosen ordering. */
  nnzL: number;
  /** Bytes the numeric factorization will allocate. */
  factorBytes: number;
  /** Multiply-adds of one numeric factorization, Σⱼ cⱼ² over the column counts cⱼ of L. */
  factorFlops: number;
  /** The assembly and the ordered, analyzed pattern, for SparseKktLinSys.fromAnalysis. */
  assembly: KktAssembly;
  ldl: SparseLdl;
}

/** Options of SparseKktLinSys.create: the ordering and memory limit, and a deadline. */
export interface SparseKktOptions extends SparseLdlOptions {
  deadline?: Deadline;
}

/**
 * Sparse quasi-definite LDLᵀ of OSQP's KKT system behind the LinSys verbs (OSQP's QDLDL backend).
 * P (upper triangle) and A must be canonical CSC; their patterns are fixed for the system's life.
 *
 * Each factorization is accepted when K has OSQP's inertia: n positive pivots (and m negative),
 * which holds exactly when P + σI + AᵀρA is positive definite (Sylvester's law on the Schur
 * complement), as the x-update needs. OSQP checks the same count. Pivots are not required to have
 * their block's sign one by one, so a P whose smallest eigenvalue is a rounding-level negative
 * number still factors whenever the constraints make the x-update strictly convex.
 */
export class SparseKktLinSys implements LinSys {
  readonly kind = 'kkt-ldl' as const;
  /** Storage of the factorization, to tell this system from the dense 'kkt-ldl'. */
  readonly storage = 'sparse' as const;
  readonly n: number;
  readonly m: number;
  /** The factorization (ordering, symbolic analysis, numeric factor). */
  readonly ldl: SparseLdl;
  private readonly assembly: KktAssembly;
  /** P as last given: its block of K is rewritten whole (with σ) whenever P or A changes. */
  private readonly P: Csc;
  /** Per-row ρ and 1/ρ. */
  private readonly rhoVec: Float64Array;
  private readonly rhoInv: Float64Array;
  /** Scratch: the right-hand side in the factor's order. */
  private readonly w: Float64Array;
  /** Per position k of the factor's order: 0 and 1 for an x row, 1 and 1/ρ for a ν row (solve). */
  private readonly keep: Float64Array;
  private readonly scale: Float64Array;

  private constructor(
    assembly: KktAssembly,
    ldl: SparseLdl,
    P: Csc,
    private readonly sigma: number,
    rhoVec: ArrayLike<number>,
  ) {
    this.assembly = assembly;
    this.ldl = ldl;
    this.n = assembly.n;
    this.m = assembly.m;
    this.P = { ...P, data: new Float64Array(P.data) };
    this.rhoVec = Float64Array.from(rhoVec);
    this.rhoInv = this.rhoVec.map((r) => 1 / r);
    this.w = new Float64Array(this.n + this.m);
    this.keep = new Float64Array(this.n + this.m);
    this.scale = new Float64Array(this.n + this.m);
    this.setRecovery();
  }

  /**
   * Assembles, orders and analyzes K, then factors it. Throws FactorTooLargeError past
   * options.maxFactorBytes (before allocating L), FactorizationError when P + σI + AᵀρA is not
   * positive definite (P not PSD, in exact arithmetic), and DeadlineError past options.deadline.
   */
  static create(
    P: Csc,
    A: Csc,
    sigma: number,
    rhoVec: ArrayLike<number>,
    options: SparseKktOptions = {},
  ): SparseKktLinSys {
    if (rhoVec.length !== A.rows)
      throw new Error(`rhoVec has length ${rhoVec.length}, A has ${A.rows} rows`);
    const assembly = assembleKktUpper(P, A, sigma, rhoVec);
    options.deadline?.check('the ordering of the KKT matrix');
    const ldl = SparseLdl.analyze(assembly.K, options);
    const sys = new SparseKktLinSys(assembly, ldl, P, sigma, rhoVec);
    sys.refactor(options.deadline);
    return sys;
  }

  /**
   * The same K with another σ and per-row ρ, factored: the ordering and symbolic analysis are
   * shared with this system (no new AMD), the values and the numeric factor are its own. A cache of
   * factorizations for several ρ, polishing (σ = δ, ρ = 1/δ on its active rows) and the backward
   * pass take their systems this way.
   */
  sibling(sigma: number, rhoVec: ArrayLike<number>, deadline?: Deadline): SparseKktLinSys {
    if (rhoVec.length !== this.m)
      throw new Error(`rhoVec has length ${rhoVec.length}, expected ${this.m}`);
    const sib = new SparseKktLinSys(this.assembly, this.ldl.sibling(), this.P, sigma, rhoVec);
    writeKktValues(this.assembly, sib.ldl.C.data, this.P, undefined, sigma, rhoVec, sib.ldl.map);
    sib.refactor(deadline);
    return sib;
  }

  /**
   * Sizes of K and of its factor under the chosen ordering, without a numeric factorization
   * (FactorTooLargeError past options.maxFactorBytes, found early).
   */
  static analyze(P: Csc, A: Csc, options: SparseLdlOptions = {}): KktAnalysis {
    const assembly = assembleKktUpper(P, A, 1, new Float64Array(A.rows).fill(1));
    const { n, m, K } = assembly;
    const ldl = SparseLdl.analyze(K, options);
    let factorFlops = 0;
    for (const c of ldl.symbolic.colCounts) factorFlops += c * c;
    return {
      n,
      m,
      nnzK: cscNnz(K),
      nnzL: ldl.nnzL,
      factorBytes: ldl.factorBytes,
      factorFlops,
      assembly,
      ldl,
    };
  }

  /**
   * A system on an analysis of the same pattern (the analysis may have been made on other values,
   * e.g. the unscaled data before Ruiz scaling), with the values P, A, σ, ρ, factored.
   */
  static fromAnalysis(
    analysis: KktAnalysis,
    P: Csc,
    A: Csc,
    sigma: number,
    rhoVec: ArrayLike<number>,
    deadline?: Deadline,
  ): SparseKktLinSys {
    const { assembly } = analysis;
    if (P.data.length !== assembly.pPos.length || A.data.length !== assembly.aPos.length)
      throw new Error('P and A do not have the pattern that was analyzed');
    if (rhoVec.length !== assembly.m)
      throw new Error(`rhoVec has length ${rhoVec.length}, A has ${assembly.m} rows`);
    const sys = new SparseKktLinSys(assembly, analysis.ldl.sibling(), P, sigma, rhoVec);
    writeKktValues(assembly, sys.ldl.C.data, P, A.data, sigma, rhoVec, sys.ldl.map);
    sys.refactor(deadline);
    return sys;
  }

  get nnzK(): number {
    return cscNnz(this.assembly.K);
  }

  get nnzL(): number {
    return this.ldl.nnzL;
  }

  /** Positive pivots of the current factor: n for a quasi-definite K. */
  get positivePivots(): number {
    return this.ldl.positivePivots;
  }

  /**
   * Maps b = [σxᵏ − q ; zᵏ − ρ⁻¹yᵏ] (length n + m) in place to [x̃ ; z̃]. Allocates nothing. The
   * permutation back from the factor's order and z̃ = (zᵏ − ρ⁻¹yᵏ) + ρ⁻¹ν are one pass:
   * b[perm[k]] = keep[k]·b[perm[k]] + scale[k]·w[k].
   */
  solve(b: Float64Array): void {
    const { perm } = this.ldl;
    const { w, keep, scale } = this;
    const N = w.length;
    for (let k = 0; k < N; k++) w[k] = b[perm[k]];
    this.ldl.solvePermuted(w);
    for (let k = 0; k < N; k++) {
      const i = perm[k];
      b[i] = keep[k] * b[i] + scale[k] * w[k];
    }
  }

  /** keep and scale of `solve` for the current ρ. */
  private setRecovery(): void {
    const { perm } = this.ldl;
    for (let k = 0; k < perm.length; k++) {
      const i = perm[k];
      const row = i - this.n;
      this.keep[k] = row < 0 ? 0 : 1;
      this.scale[k] = row < 0 ? 1 : this.rhoInv[row];
    }
  }

  /** Replaces the per-row ρ (length m) and refactors numerically (the ordering and analysis stay). */
  updateRho(rhoVec: ArrayLike<number>, deadline?: Deadline): void {
    if (rhoVec.length !== this.m)
      throw new Error(`rhoVec has length ${rhoVec.length}, expected ${this.m}`);
    this.rhoVec.set(rhoVec);
    for (let i = 0; i < this.m; i++) this.rhoInv[i] = 1 / rhoVec[i];
    this.setRecovery();
    const { rhoPos } = this.assembly;
    const { map, C } = this.ldl;
    for (let i = 0; i < this.m; i++) C.data[map[rhoPos[i]]] = -1 / rhoVec[i];
    this.refactor(deadline);
  }

  /**
   * New values of P and/or A in the patterns given at creation (entry order of those CSC arrays),
   * then a numeric refactorization with the same analysis. A FactorizationError (P no longer PSD)
   * leaves the system unable to solve until an update factors.
   */
  updateMatrices(Px?: ArrayLike<number>, Ax?: ArrayLike<number>): void {
    if (Px !== undefined) {
      if (Px.length !== this.P.data.length)
        throw new Error(`Px has ${Px.length} values, P has ${this.P.data.length} entries`);
      this.P.data.set(Px);
    }
    if (Ax !== undefined && Ax.length !== this.assembly.aPos.length)
      throw new Error(`Ax has ${Ax.length} values, A has ${this.assembly.aPos.length} entries`);
    // σ sits on P's diagonal entries, so P's block is always rewritten whole.
    writeKktValues(this.assembly, this.ldl.C.data, this.P, Ax, this.sigma, undefined, this.ldl.map);
    this.refactor();
  }

  private refactor(deadline: Deadline = NO_DEADLINE): void {
    const positive = this.ldl.factor(undefined, deadline);
    if (positive !== this.n) {
      // Leave no usable factor behind: its inertia says the x-update is not strictly convex.
      this.ldl.invalidate();
      throw new FactorizationError(
        `the KKT matrix has ${positive} positive pivots, expected n = ${this.n}: ` +
          'P + σI + AᵀρA is not positive definite (is P PSD?)',
      );
    }
  }
}
