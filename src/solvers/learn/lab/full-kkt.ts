/**
 * BPQP's "Exact" baseline (BPQP §5.1, Table 1; OptNet): the adjoint from the full KKT system of
 * Eq. 3, every inequality row included, solved by a dense LU with partial pivoting and no reuse of
 * the forward pass:
 *
 *   [ P        Gᵀ         A_eqᵀ ] [z̃]     [g]
 *   [ D(λ)G    D(Gx − h)  0     ] [λ̃] = − [0],      ∂ℓ/∂q = z̃,
 *   [ A_eq     0          0     ] [ν̃]     [0]
 *
 * with G x ≤ h the finite one-sided rows of l ≤ Ax ≤ u (a_iᵀx ≤ u_i and −a_iᵀx ≤ −l_i) and λ ≥ 0
 * their multipliers (from OSQP's y: y > 0 at u, y < 0 at l). An inactive row has λ = 0 and a nonzero
 * slack, so its λ̃ is 0 and z̃ is the reduced system's x̃ (kkt.ts); a weakly active row (λ = 0 at
 * zero slack) makes the matrix singular, and gets −δ for its slack (δ = 1e-10). It exists to time
 * the backward pass BPQP compares itself with; the lab's exact method is kkt.ts.
 */
import type { QpProblem, QpResult } from '../../qp/types';

const SLACK_DELTA = 1e-10;

/** Solves M z = b in place by LU with partial pivoting (M: N × N row-major, destroyed). */
export function luSolve(M: Float64Array, b: Float64Array, N: number): Float64Array {
  for (let k = 0; k < N; k++) {
    let p = k;
    let best = Math.abs(M[k * N + k]);
    for (let i = k + 1; i < N; i++) {
      const v = Math.abs(M[i * N + k]);
      if (v > best) [best, p] = [v, i];
    }
    if (best === 0) throw new Error(`full KKT: singular at column ${k}`);
    if (p !== k) {
      for (let j = 0; j < N; j++) {
        const t = M[k * N + j];
        M[k * N + j] = M[p * N + j];
        M[p * N + j] = t;
      }
      const t = b[k];
      b[k] = b[p];
      b[p] = t;
    }
    const d = M[k * N + k];
    for (let i = k + 1; i < N; i++) {
      const f = M[i * N + k] / d;
      if (f === 0) continue;
      M[i * N + k] = 0;
      for (let j = k + 1; j < N; j++) M[i * N + j] -= f * M[k * N + j];
      b[i] -= f * b[k];
    }
  }
  for (let i = N - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < N; j++) s -= M[i * N + j] * b[j];
    b[i] = s / M[i * N + i];
  }
  return b;
}

/** ∂ℓ/∂q by the full KKT system of BPQP Eq. 3 (see the file comment). */
export function fullKktDq(
  problem: QpProblem,
  result: QpResult,
  g: ArrayLike<number>,
): Float64Array {
  const { n, m, P, A, l, u } = problem;
  const x = result.x;
  const y = result.y;
  const eq: number[] = [];
  /** One-sided rows: (row of A, sign s: s·a_iᵀx ≤ s·bound, λ, slack = s·a_iᵀx − s·bound). */
  const ineq: { row: number; s: number; lambda: number; slack: number }[] = [];
  for (let i = 0; i < m; i++) {
    let ax = 0;
    for (let j = 0; j < n; j++) ax += A.data[i * n + j] * x[j];
    if (l[i] === u[i]) {
      eq.push(i);
      continue;
    }
    if (Number.isFinite(u[i]))
      ineq.push({ row: i, s: 1, lambda: Math.max(y[i], 0), slack: ax - u[i] });
    if (Number.isFinite(l[i]))
      ineq.push({ row: i, s: -1, lambda: Math.max(-y[i], 0), slack: l[i] - ax });
  }
  const mi = ineq.length;
  const N = n + mi + eq.length;
  const M = new Float64Array(N * N);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) M[a * N + b] = P.data[a * n + b];
  ineq.forEach(({ row, s, lambda, slack }, k) => {
    const r = n + k;
    for (let j = 0; j < n; j++) {
      const gij = s * A.data[row * n + j];
      M[j * N + r] = gij; // Gᵀ
      M[r * N + j] = lambda * gij; // D(λ)G
    }
    M[r * N + r] = Math.abs(slack) > 0 || lambda > 0 ? Math.min(slack, 0) : -SLACK_DELTA;
  });
  eq.forEach((row, k) => {
    const r = n + mi + k;
    for (let j = 0; j < n; j++) {
      M[j * N + r] = A.data[row * n + j];
      M[r * N + j] = A.data[row * n + j];
    }
  });
  const rhs = new Float64Array(N);
  for (let j = 0; j < n; j++) rhs[j] = -g[j];
  return luSolve(M, rhs, N).slice(0, n);
}
