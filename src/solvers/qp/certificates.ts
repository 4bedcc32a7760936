/**
 * Infeasibility certificates that mean what they say, checked in Float64 on the original data.
 *
 * OSQP's tests accept δy with ‖Aᵀv‖∞ < ε (v = δy/‖δy‖∞) and uᵀv₊ + lᵀv₋ < ε. An approximate
 * certificate proves little on its own: any feasible x gives support(v) ≥ vᵀAx ≥ −‖Aᵀv‖₁‖x‖∞, so
 * it only rules out feasible points with ‖x‖∞ < −support/‖Aᵀv‖₁. Two nearly parallel rows
 * (x₁ + x₂ = 5, x₁ + (1+10⁻⁶)x₂ ≤ 4.99999, feasible at (15, −10)) pass OSQP's test. Here:
 *  - a primal certificate with few rows in its support is first refined to an exact one, by
 *    projecting v onto null(A_Sᵀ) (the rows S it uses; an eigen-decomposition of A_S A_Sᵀ): a true
 *    certificate survives with Aᵀv = 0 to rounding, an approximate one on nearly parallel rows
 *    keeps its ‖Aᵀv‖. This also recovers f32 candidates, whose δy carries 10⁻⁷‖A‖ of noise;
 *  - then it must rule out every x up to a radius far beyond the problem's own scale:
 *    −support/‖Aᵀv‖₁ ≥ CERT_RADIUS·max(1, x_scale), x_scale = max |bound|/‖row‖∞ over finite bounds.
 *  - a dual (unboundedness) certificate d must have ‖Pd‖ small, and the objective must fall along d
 *    by more than DUAL_DECREASE before its curvature stops it: (qᵀd)²/(2dᵀPd) (∞ when dᵀPd = 0);
 *    a strictly convex QP (P ≻ 0) is never unbounded, whatever ‖Pd‖ an iterate shows.
 */
import type { DenseMatrix } from './types';
import type { AnyQpProblem } from './types';
import { isCsc, mul, symMul, tMul } from './matrix';
import { DIVISION_TOL } from './workspace';
import { symmetricEigen } from '../linalg/eigen';
import { normInf } from '../linalg/dense';

/** A certificate must rule out feasible points up to this many times the problem's x scale. */
export const CERT_RADIUS = 1e6;
/** Rows in a primal certificate's support refined exactly (an |S|³ eigen-decomposition). */
export const REFINE_MAX_ROWS = 120;
/** Eigenvalues of A_S A_Sᵀ below this fraction of the largest span null(A_Sᵀ). */
const NULL_TOL = 1e-12;
/** Entries of a normalized certificate below this are not in its support. */
const SUPPORT_TOL = 1e-9;
/** An unboundedness certificate must let the objective fall by at least this (times max(1, ‖q‖∞)). */
export const DUAL_DECREASE = 1e10;

/**
 * The operator norms that put OSQP's candidate tests in the data's own units (driver.ts): a
 * backend's δy in f32 carries ~10⁻⁷‖Aᵀ‖ of rounding in ‖Aᵀδy‖, so on a problem whose A is far from
 * unit scale the absolute test ‖Aᵀδy‖ < ε‖δy‖ would never propose the certificate that the
 * Float64 refinement above can confirm. max(1, ·) keeps OSQP's test for unit-scale data.
 */
export interface CandidateScales {
  /** max_j Σ_i |A_ij| = ‖Aᵀ‖ (∞ → ∞). */
  aT: number;
  /** max_i Σ_j |A_ij| = ‖A‖ (∞ → ∞). */
  a: number;
  /** max_j Σ_i |P_ij| (P symmetric). */
  p: number;
}

function absSums(M: AnyQpProblem['A'], byRow: boolean, rows: number, cols: number): number {
  const out = new Float64Array(byRow ? rows : cols);
  if (isCsc(M)) {
    for (let j = 0; j < M.cols; j++)
      for (let t = M.indptr[j]; t < M.indptr[j + 1]; t++)
        out[byRow ? M.indices[t] : j] += Math.abs(M.data[t]);
  } else {
    const { data } = M as DenseMatrix;
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) out[byRow ? i : j] += Math.abs(data[i * cols + j]);
  }
  return normInf(out);
}

export function candidateScales(p: AnyQpProblem): CandidateScales {
  // A sparse P holds its upper triangle: row and column sums together bound the full matrix's.
  const pCol = isCsc(p.P)
    ? absSums(p.P, false, p.n, p.n) + absSums(p.P, true, p.n, p.n)
    : absSums(p.P, false, p.n, p.n);
  return { aT: absSums(p.A, false, p.m, p.n), a: absSums(p.A, true, p.m, p.n), p: pCol };
}

/** max over rows with a finite bound of |bound| / ‖row‖∞: how large x must be to meet the rows. */
export function xScale(p: AnyQpProblem): number {
  const rowMax = rowAbsMax(p);
  let s = 0;
  for (let i = 0; i < p.m; i++) {
    if (!(rowMax[i] > 0)) continue;
    for (const b of [p.l[i], p.u[i]])
      if (Number.isFinite(b)) s = Math.max(s, Math.abs(b) / rowMax[i]);
  }
  return s;
}

function rowAbsMax(p: AnyQpProblem): Float64Array {
  const out = new Float64Array(p.m);
  const A = p.A;
  if (isCsc(A)) {
    for (let k = 0; k < A.indptr[A.cols]; k++) {
      const i = A.indices[k];
      out[i] = Math.max(out[i], Math.abs(A.data[k]));
    }
  } else {
    const { cols, data } = A as DenseMatrix;
    for (let i = 0; i < p.m; i++)
      for (let j = 0; j < cols; j++) out[i] = Math.max(out[i], Math.abs(data[i * cols + j]));
  }
  return out;
}

/** G = A_S A_Sᵀ for the rows S of A (|S| × |S|). */
function rowGram(A: AnyQpProblem['A'], S: number[]): DenseMatrix {
  const k = S.length;
  const G = new Float64Array(k * k);
  if (isCsc(A)) {
    const pos = new Map<number, number>(S.map((i, a) => [i, a]));
    const idx: number[] = [];
    const val: number[] = [];
    for (let j = 0; j < A.cols; j++) {
      idx.length = 0;
      val.length = 0;
      for (let t = A.indptr[j]; t < A.indptr[j + 1]; t++) {
        const a = pos.get(A.indices[t]);
        if (a === undefined) continue;
        idx.push(a);
        val.push(A.data[t]);
      }
      for (let x = 0; x < idx.length; x++)
        for (let y = 0; y < idx.length; y++) G[idx[x] * k + idx[y]] += val[x] * val[y];
    }
  } else {
    const { cols, data } = A as DenseMatrix;
    for (let a = 0; a < k; a++)
      for (let b = a; b < k; b++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += data[S[a] * cols + j] * data[S[b] * cols + j];
        G[a * k + b] = s;
        G[b * k + a] = s;
      }
  }
  return { rows: k, cols: k, data: G };
}

/** v restricted to the polar of the recession cone of [l, u], normalized to ‖v‖∞ = 1 (or null). */
function polarNormalized(p: AnyQpProblem, v: Float64Array): Float64Array | null {
  const w = new Float64Array(p.m);
  for (let i = 0; i < p.m; i++) {
    let d = v[i];
    if (p.u[i] === Infinity) d = Math.min(d, 0);
    if (p.l[i] === -Infinity) d = Math.max(d, 0);
    w[i] = d;
  }
  const norm = normInf(w);
  if (!(norm > DIVISION_TOL)) return null;
  for (let i = 0; i < p.m; i++) w[i] /= norm;
  return w;
}

/** v projected onto null(A_Sᵀ) on its support S (when small enough), back in the polar cone. */
function refine(p: AnyQpProblem, v: Float64Array): Float64Array {
  const S: number[] = [];
  for (let i = 0; i < p.m; i++) if (Math.abs(v[i]) > SUPPORT_TOL) S.push(i);
  if (S.length === 0 || S.length > REFINE_MAX_ROWS) return v;
  const G = rowGram(p.A, S);
  const { values, vectors } = symmetricEigen(G);
  const k = S.length;
  const top = Math.max(...Array.from(values, Math.abs));
  const out = new Float64Array(p.m);
  for (let e = 0; e < k; e++) {
    if (Math.abs(values[e]) > NULL_TOL * top) continue;
    const ve = vectors[e];
    let c = 0;
    for (let a = 0; a < k; a++) c += ve[a] * v[S[a]];
    for (let a = 0; a < k; a++) out[S[a]] += c * ve[a];
  }
  return polarNormalized(p, out) ?? v;
}

/** uᵀv₊ + lᵀv₋, the support function of [l, u] at v (v in the polar of the recession cone). */
function support(p: AnyQpProblem, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < p.m; i++) {
    if (v[i] > 0) s += p.u[i] * v[i];
    else if (v[i] < 0) s += p.l[i] * v[i];
  }
  return s;
}

const norm1 = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
  return s;
};

/**
 * A primal infeasibility certificate from δy (unscaled), or null: OSQP's test (‖Aᵀv‖∞ < ε, here
 * with a negative support), on the refined v, and the radius it rules out beyond the problem's
 * scale (file comment). Returns v with ‖v‖∞ = 1.
 */
export function confirmPrimalInfeasible(
  p: AnyQpProblem,
  dy: Float64Array,
  eps: number,
): Float64Array | null {
  const v0 = polarNormalized(p, dy);
  if (!v0) return null;
  const v = refine(p, v0);
  const sup = support(p, v);
  if (!(sup < 0)) return null;
  const Atv = tMul(p.A, v);
  if (!(normInf(Atv) < eps)) return null;
  const radius = -sup / Math.max(norm1(Atv), Number.MIN_VALUE);
  return radius >= CERT_RADIUS * Math.max(1, xScale(p)) ? v : null;
}

/**
 * How much tighter than OSQP's eps_dual_inf the Float64 confirmation of an unboundedness
 * certificate is on ‖Pd‖ and on Ad's distance from the recession cone. OSQP accepts ‖Pd‖ < ε with
 * ε = 1e-4, which a bounded problem can meet along a direction of tiny but positive curvature
 * (PRIMALC1: ‖Pd‖ ≈ 7e-6, dᵀPd ≈ 5e-9, finite optimum). On a truly unbounded problem δx converges
 * to a direction with Pd = 0, so the tighter test passes a few checks later; on PRIMALC1 it never
 * does, and the solve ends honestly at max_iter instead of claiming infeasibility.
 */
export const DUAL_CERTIFICATE_MARGIN = 1e-2;

/**
 * A dual infeasibility (unboundedness) certificate from δx (unscaled), or null: d = δx/‖δx‖∞ must
 * have qᵀd < −ε, ‖Pd‖∞ < ε·margin, Ad in the recession cone of [l, u] up to ε·margin, and the
 * objective must fall along d by (qᵀd)²/(2dᵀPd) ≥ DUAL_DECREASE·max(1, ‖q‖∞) before its curvature
 * stops it. Returns d.
 */
export function confirmDualInfeasible(
  p: AnyQpProblem,
  dx: Float64Array,
  eps: number,
): Float64Array | null {
  const norm = normInf(dx);
  if (!(norm > DIVISION_TOL)) return null;
  const d = dx.map((v) => v / norm);
  const tight = eps * DUAL_CERTIFICATE_MARGIN;
  let qd = 0;
  for (let j = 0; j < p.n; j++) qd += p.q[j] * d[j];
  const Pd = symMul(p.P, d);
  if (!(qd < -eps) || !(normInf(Pd) < tight)) return null;
  let curvature = 0;
  for (let j = 0; j < p.n; j++) curvature += d[j] * Pd[j];
  const decrease = curvature > 0 ? (qd * qd) / (2 * curvature) : Infinity;
  if (!(decrease >= DUAL_DECREASE * Math.max(1, normInf(p.q)))) return null;
  const Ad = mul(p.A, d);
  for (let i = 0; i < p.m; i++) {
    if ((p.u[i] < Infinity && Ad[i] > tight) || (p.l[i] > -Infinity && Ad[i] < -tight)) return null;
  }
  return d;
}
