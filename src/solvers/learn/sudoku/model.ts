/**
 * LPGD's Sudoku model (§4.2 and Appendix B, Eq. 29–30) at the 4×4 scale: a box-constrained LP whose
 * constraints are learned,
 *
 *   x*(A, b; e) = argmin_{x ∈ [0,1]ⁿ} ⟨x, e⟩  s.t.  Ax + b = 0,     e = −(one-hot clues), n = 64.
 *
 * b is parametrized as b = −A z₀ with z₀ = sigmoid(ζ) ∈ (0, 1)ⁿ (OptNet's b = A·exp(log z₀), moved
 * into the box), so z₀ is feasible and every LP of training has a solution. In the engine's form the
 * structure is P = 0 and the rows [A; I] with l = [Az₀; 0], u = [Az₀; 1]; it is shared by every puzzle
 * (only q = e changes), so one handle per parameter update solves the whole mini-batch.
 *
 * The gradient of ℓ(x*) reaches (A, ζ) through the constraint matrix and through b:
 *   ∂ℓ/∂A = dA_{1:m} + (dl + du)_{1:m} z₀ᵀ,   ∂ℓ/∂ζ = (Aᵀ(dl + du)_{1:m}) ⊙ z₀(1 − z₀),
 * with (dA, dl, du) from LPGD (Eq. 16/22 with Eq. 28's ρ; the handle's backward pass) or, for plain
 * gradient descent, from the exact KKT derivative of the ρ-augmented problem at x* (P = ρI,
 * q = e − ρx*: x* stays optimal, Appendix C.1), as the paper's GD baseline uses.
 */
import type { Engine, QpHandle } from '../../engine';
import type { QpProblem, QpResult, QpSettings } from '../../qp/types';
import type { QpGradients } from '../../grad/types';
import { kktBackward } from '../../grad/kkt';
import { Rng } from '../../grad/rng';
import { N_ONEHOT } from './puzzles';

export type SudokuMethod = 'lpgd' | 'lpgd-lower' | 'lpgd-upper' | 'gd';
export const SUDOKU_METHODS: readonly SudokuMethod[] = ['lpgd', 'lpgd-lower', 'lpgd-upper', 'gd'];

/** Forward LP solves: ADMM to 1e-3 (OSQP's default), then polishing onto the identified vertex. */
export const LP_SETTINGS: Partial<QpSettings> = Object.freeze({
  eps_abs: 1e-3,
  eps_rel: 1e-3,
  polish: true,
  max_iter: 20_000,
});

/**
 * LPGD's perturbed solves: the ρ-augmented problems are strongly convex and warm-started at x*; an
 * error ε in z moves the update by about ε/τ, so no polishing. (At 1e-4 instead of 1e-5 the runs
 * learned visibly worse: ADMM's early stop is not a small perturbation of z there.)
 */
export const BACKWARD_SETTINGS: Partial<QpSettings> = Object.freeze({
  eps_abs: 1e-5,
  eps_rel: 1e-5,
  polish: false,
});

export class SudokuLp {
  /** θ = [A; ζ], one buffer for the optimizer. */
  readonly params: Float64Array;
  /** Learned constraint rows, m × n (a view into θ). */
  readonly A: Float64Array;
  /** z₀ = sigmoid(ζ) (a view into θ). */
  readonly zeta: Float64Array;

  constructor(readonly m: number) {
    this.params = new Float64Array((m + 1) * N_ONEHOT);
    this.A = this.params.subarray(0, m * N_ONEHOT);
    this.zeta = this.params.subarray(m * N_ONEHOT);
  }

  /** A ~ U(0, 1) as OptNet's `torch.rand`, ζ = 0 (z₀ = ½). */
  static init(m: number, seed: number): SudokuLp {
    const model = new SudokuLp(m);
    const rng = new Rng(seed);
    for (let k = 0; k < model.A.length; k++) model.A[k] = rng.uniform();
    return model;
  }

  z0(): Float64Array {
    return this.zeta.map((v) => 1 / (1 + Math.exp(-v)));
  }

  /** The shared structure (q = 0; each puzzle brings its own q = e). */
  structure(): QpProblem {
    const n = N_ONEHOT;
    const m = this.m + n;
    const A = { rows: m, cols: n, data: new Float64Array(m * n) };
    A.data.set(this.A);
    for (let j = 0; j < n; j++) A.data[(this.m + j) * n + j] = 1;
    const z0 = this.z0();
    const l = new Float64Array(m);
    const u = new Float64Array(m);
    for (let i = 0; i < this.m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += this.A[i * n + j] * z0[j];
      l[i] = u[i] = s;
    }
    u.fill(1, this.m);
    return {
      n,
      m,
      P: { rows: n, cols: n, data: new Float64Array(n * n) },
      q: new Float64Array(n),
      r: 0,
      A,
      l,
      u,
    };
  }

  /** ∂ℓ/∂θ from the QP gradients of one puzzle, added into `grad` (θ's layout). */
  chain(g: QpGradients, grad: Float64Array): void {
    const n = N_ONEHOT;
    const gA = grad.subarray(0, this.m * n);
    const gZeta = grad.subarray(this.m * n);
    const z0 = this.z0();
    const dz = new Float64Array(n);
    for (let i = 0; i < this.m; i++) {
      const db = g.dl[i] + g.du[i];
      for (let j = 0; j < n; j++) {
        gA[i * n + j] += g.dA.data[i * n + j] + db * z0[j];
        dz[j] += db * this.A[i * n + j];
      }
    }
    for (let j = 0; j < n; j++) gZeta[j] += dz[j] * z0[j] * (1 - z0[j]);
  }
}

/** The cost vector of a puzzle: e = −(one-hot clues). */
export function costOf(clues: Float64Array): Float64Array {
  return clues.map((v) => -v);
}

/** Solves puzzles (rows of E, each a cost e) on one handle, warm from `warm` where given. */
export async function solvePuzzles(
  engine: Engine,
  model: SudokuLp,
  costs: Float64Array[],
  warm: (QpResult | undefined)[],
): Promise<{ handle: QpHandle; structure: QpProblem; results: QpResult[] }> {
  const structure = model.structure();
  const handle = await engine.setup(
    structure,
    LP_SETTINGS,
    costs.map((q) => ({ q })),
  );
  const results = await handle.solve(
    warm.map((r) => (r && r.x.every(Number.isFinite) ? { x: r.x, y: r.y } : undefined)),
  );
  return { handle, structure, results };
}

export interface BackwardChoice {
  method: SudokuMethod;
  tau: number;
  rho: number;
  /** LPGD's inner solves (default BACKWARD_SETTINGS). */
  settings?: Partial<QpSettings>;
}

/**
 * ∂ℓ/∂(x*) → QP gradients per puzzle: LPGD through the handle's backward pass, or the exact KKT
 * derivative of the ρ-augmented problem. A puzzle whose solve or backward pass failed gets null.
 */
export async function qpGradients(
  solved: { handle: QpHandle; structure: QpProblem; results: QpResult[] },
  costs: Float64Array[],
  dlDx: Float64Array[],
  choice: BackwardChoice,
): Promise<(QpGradients | null)[]> {
  const { handle, structure, results } = solved;
  if (choice.method !== 'gd') {
    const out = await handle.backward(dlDx, choice.method, {
      tau: choice.tau,
      rho: choice.rho,
      settings: choice.settings ?? BACKWARD_SETTINGS,
    });
    return out.map((o) => (o.ok ? o.grads : null));
  }
  return results.map((r, b) => {
    if (r.status !== 'solved') return null;
    const p = { ...structure, q: costs[b] };
    const n = p.n;
    const P = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let j = 0; j < n; j++) P.data[j * n + j] = choice.rho;
    const q = p.q.map((v, j) => v - choice.rho * r.x[j]);
    try {
      return kktBackward({ ...p, P, q }, r, dlDx[b]);
    } catch {
      return null;
    }
  });
}
