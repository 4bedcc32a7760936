/**
 * Dense least squares by Householder QR, for the δ² study's exact fits: min ‖AX − B‖²_F + ρ‖X‖²_F
 * (A: R × F, B: R × k, several right-hand sides at once). The ridge rows √ρ·I are appended, so the
 * stacked system is always over-determined and QR solves it as accurately as A's conditioning
 * allows (the normal equations would square it).
 */

/** X (F × k, row-major) minimizing ‖AX − B‖² + ρ‖X‖², A row-major R × F, B row-major R × k. */
export function ridgeLeastSquares(
  A: Float64Array,
  R: number,
  F: number,
  B: Float64Array,
  k: number,
  ridge: number,
): Float64Array {
  const extra = ridge > 0 ? F : 0;
  const M = R + extra;
  if (M < F) throw new Error(`ridgeLeastSquares: ${R} rows for ${F} unknowns need a ridge`);
  const S = new Float64Array(M * F);
  S.set(A.subarray(0, R * F));
  const sq = Math.sqrt(ridge);
  for (let c = 0; c < extra; c++) S[(R + c) * F + c] = sq;
  const { Q, R: U } = householderQr(S, M, F);
  const X = new Float64Array(F * k);
  const y = new Float64Array(F);
  for (let c = 0; c < k; c++) {
    // y = Qᵀ[B; 0] (the ridge rows of the right-hand side are zero), then U x = y.
    y.fill(0);
    for (let r = 0; r < R; r++) {
      const b = B[r * k + c];
      if (b === 0) continue;
      for (let i = 0; i < F; i++) y[i] += Q[r * F + i] * b;
    }
    for (let i = F - 1; i >= 0; i--) {
      let s = y[i];
      for (let j = i + 1; j < F; j++) s -= U[i * F + j] * X[j * k + c];
      X[i * k + c] = s / U[i * F + i];
    }
  }
  return X;
}

/**
 * Householder QR of the row-major M × N matrix A (M ≥ N): R (N × N, upper) and, when asked, the thin
 * Q (M × N) with A = QR.
 */
export function householderQr(
  A: Float64Array,
  M: number,
  N: number,
  withQ = true,
): { Q: Float64Array; R: Float64Array } {
  const W = Float64Array.from(A);
  const vs: Float64Array[] = [];
  for (let k = 0; k < N; k++) {
    let norm = 0;
    for (let i = k; i < M; i++) norm += W[i * N + k] ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(M - k);
    if (norm === 0) {
      vs.push(v);
      continue;
    }
    const alpha = W[k * N + k] > 0 ? -norm : norm;
    for (let i = k; i < M; i++) v[i - k] = W[i * N + k];
    v[0] -= alpha;
    let vv = 0;
    for (const x of v) vv += x * x;
    if (vv > 0)
      for (let j = k; j < N; j++) {
        let s = 0;
        for (let i = k; i < M; i++) s += v[i - k] * W[i * N + j];
        const f = (2 * s) / vv;
        for (let i = k; i < M; i++) W[i * N + j] -= f * v[i - k];
      }
    vs.push(vv > 0 ? v.map((x) => x / Math.sqrt(vv / 2)) : v);
  }
  const R = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = i; j < N; j++) R[i * N + j] = W[i * N + j];
  const Q = new Float64Array(withQ ? M * N : 0);
  if (withQ) {
    // Q = H₀ H₁ … H_{N−1} [I; 0], applied from the last reflector (each v scaled so H = I − vvᵀ).
    for (let j = 0; j < N; j++) Q[j * N + j] = 1;
    for (let k = N - 1; k >= 0; k--) {
      const v = vs[k];
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let i = k; i < M; i++) s += v[i - k] * Q[i * N + j];
        if (s !== 0) for (let i = k; i < M; i++) Q[i * N + j] -= s * v[i - k];
      }
    }
  }
  return { Q, R };
}
