import type { DenseMatrix } from '../qp/types';
import { choleskyFactor, choleskySolve, isCholeskyFailure, type CholeskyFactor } from './cholesky';
import { assembleKkt, ldlFactor, ldlSolve, type LdlFactor } from './ldl';
import { dotAt, matTVec, matVec, transpose } from './dense';
import { errorMessage } from '../errors';
import { NO_DEADLINE, type Deadline } from '../deadline';

/**
 * The linear system of OSQP's x-update, as a small table of verbs (OSQP's `LinSysSolver`):
 *
 *   [P + σI   Aᵀ      ] [x̃]   [σxᵏ − q      ]
 *   [A        −diag(ρ)⁻¹] [ν ] = [zᵏ − ρ⁻¹yᵏ  ],   z̃ = zᵏ + ρ⁻¹(ν − yᵏ)  (= A x̃).
 *
 * `solve` maps b = [σxᵏ − q ; zᵏ − ρ⁻¹yᵏ] (length n+m) in place to [x̃ ; z̃].
 */
export interface LinSys {
  readonly kind: LinSysKind;
  /** Where the matrices live: dense arrays or CSC. */
  readonly storage: 'dense' | 'sparse';
  solve(b: Float64Array): void;
  /** Replaces the per-row ρ (length m) and refactors; DeadlineError past the deadline. */
  updateRho(rhoVec: Float64Array, deadline?: Deadline): void;
}

export type LinSysKind = 'reduced-cholesky' | 'kkt-ldl';

/** The x-update matrix could not be factorized (in exact arithmetic only if P is not PSD). */
export class FactorizationError extends Error {
  override name = 'FactorizationError';
}

/** Factors the system for the given dense data; throws if the matrix is not factorizable. */
export function factorLinSys(
  kind: LinSysKind,
  P: DenseMatrix,
  A: DenseMatrix,
  sigma: number,
  rhoVec: Float64Array,
  deadline: Deadline = NO_DEADLINE,
): LinSys {
  return kind === 'kkt-ldl'
    ? new KktLdlLinSys(P, A, sigma, rhoVec, deadline)
    : new ReducedCholeskyLinSys(P, A, sigma, rhoVec, deadline);
}

/**
 * Eliminates ν: (P + σI + Aᵀ diag(ρ) A) x̃ = σxᵏ − q + Aᵀ(ρzᵏ − yᵏ), then z̃ = A x̃.
 * n×n positive definite for σ > 0 and P ⪰ 0, so a Cholesky factorization suffices.
 */
class ReducedCholeskyLinSys implements LinSys {
  readonly kind = 'reduced-cholesky' as const;
  readonly storage = 'dense' as const;
  private factor!: CholeskyFactor;
  private readonly rhoVec: Float64Array;
  /** Scratch: ρ ∘ (zᵏ − ρ⁻¹yᵏ) and Aᵀ of it. */
  private readonly tm: Float64Array;
  private readonly tn: Float64Array;
  /** Aᵀ (n×m, made at the first factorization) and Aᵀ with its columns scaled by ρ. */
  private At?: DenseMatrix;
  private readonly Atw: Float64Array;

  constructor(
    private readonly P: DenseMatrix,
    private readonly A: DenseMatrix,
    private readonly sigma: number,
    rhoVec: Float64Array,
    deadline: Deadline,
  ) {
    this.rhoVec = new Float64Array(rhoVec);
    this.tm = new Float64Array(A.rows);
    this.tn = new Float64Array(A.cols);
    this.Atw = new Float64Array(A.rows * A.cols);
    this.refactor(deadline);
  }

  private refactor(deadline: Deadline): void {
    const { P, A, sigma, rhoVec } = this;
    const n = P.rows;
    const m = A.rows;
    const M: DenseMatrix = { rows: n, cols: n, data: new Float64Array(P.data) };
    for (let i = 0; i < n; i++) M.data[i * n + i] += sigma;
    // Lower triangle of Aᵀ diag(ρ) A as dot products of the rows of Aᵀ (contiguous): (Aᵀρ)ᵢ·(Aᵀ)ⱼ.
    const At = (this.At ??= transpose(A)).data;
    const Atw = this.Atw;
    for (let i = 0; i < n; i++)
      for (let r = 0; r < m; r++) Atw[i * m + r] = At[i * m + r] * rhoVec[r];
    for (let i = 0; i < n; i++) {
      const mi = i * n;
      for (let j = 0; j <= i; j++) M.data[mi + j] += dotAt(Atw, i * m, At, j * m, m);
      deadline.tick(i * m, 'forming P + σI + AᵀρA');
    }
    const f = choleskyFactor(M, 0, deadline);
    if (isCholeskyFailure(f)) {
      throw new FactorizationError(
        `reduced KKT matrix not positive definite (pivot ${f.index} = ${f.pivot}); is P PSD?`,
      );
    }
    this.factor = f;
  }

  solve(b: Float64Array): void {
    const { A, rhoVec, tm, tn } = this;
    const n = A.cols;
    const m = A.rows;
    for (let i = 0; i < m; i++) tm[i] = rhoVec[i] * b[n + i];
    matTVec(A, tm, tn);
    // b[0..n) is the x part: the solve and A x̃ only read the first n entries, so no view is needed.
    for (let j = 0; j < n; j++) b[j] += tn[j];
    choleskySolve(this.factor, b);
    matVec(A, b, tm);
    b.set(tm, n);
  }

  updateRho(rhoVec: Float64Array, deadline: Deadline = NO_DEADLINE): void {
    this.rhoVec.set(rhoVec);
    this.refactor(deadline);
  }
}

/** The full quasi-definite KKT matrix, factorized by LDLᵀ (OSQP's QDLDL path, dense). */
class KktLdlLinSys implements LinSys {
  readonly kind = 'kkt-ldl' as const;
  readonly storage = 'dense' as const;
  private factor!: LdlFactor;
  private readonly rhoVec: Float64Array;

  constructor(
    private readonly P: DenseMatrix,
    private readonly A: DenseMatrix,
    private readonly sigma: number,
    rhoVec: Float64Array,
    deadline: Deadline,
  ) {
    this.rhoVec = new Float64Array(rhoVec);
    this.refactor(deadline);
  }

  private refactor(deadline: Deadline): void {
    deadline.check('a KKT factorization');
    const g = this.rhoVec.map((r) => 1 / r);
    try {
      this.factor = ldlFactor(assembleKkt(this.P, this.A, this.sigma, g));
    } catch (e) {
      throw new FactorizationError(errorMessage(e));
    }
  }

  solve(b: Float64Array): void {
    const n = this.P.rows;
    const m = this.A.rows;
    // Keep zᵏ − ρ⁻¹yᵏ to recover z̃ = (zᵏ − ρ⁻¹yᵏ) + ρ⁻¹ν.
    const w = b.slice(n);
    ldlSolve(this.factor, b);
    for (let i = 0; i < m; i++) b[n + i] = w[i] + b[n + i] / this.rhoVec[i];
  }

  updateRho(rhoVec: Float64Array, deadline: Deadline = NO_DEADLINE): void {
    this.rhoVec.set(rhoVec);
    this.refactor(deadline);
  }
}
