// In-place LDLᵀ factorization and solve of one N×N symmetric matrix held row-major in `factor`
// at `base` (lower triangle used: strictly lower part becomes unit L, the diagonal becomes D).
// No pivoting: valid for positive definite K (ADMM) and quasi-definite KKT matrices
// [[P+δI, Aᵀ], [A, −δI]] (backward), whose LDLᵀ exists for every symmetric permutation.
// Included by admm-factor.wgsl and kkt.wgsl; they declare `factor`, `sv` (workgroup vector) and WG.

/** Pivots smaller than this in magnitude are replaced (keeps f32 from dividing by zero). */
const PIVOT_FLOOR: f32 = 1e-30;

fn guard_pivot(d: f32) -> f32 {
  if (abs(d) < PIVOT_FLOOR) { return select(-PIVOT_FLOOR, PIVOT_FLOOR, d >= 0.0); }
  return d;
}

/** Right-looking LDLᵀ; one thread per trailing row, one barrier per column. */
fn ldl_factor(base: u32, N: u32, t: u32) {
  for (var k = 0u; k < N; k++) {
    storageBarrier();
    let d = guard_pivot(factor[base + k * N + k]);
    for (var i = k + 1u + t; i < N; i += WG) {
      let lik = factor[base + i * N + k] / d;
      for (var j = k + 1u; j <= i; j++) {
        factor[base + i * N + j] -= lik * factor[base + j * N + k];
      }
    }
    storageBarrier();
    for (var i = k + 1u + t; i < N; i += WG) {
      factor[base + i * N + k] /= d;
    }
  }
  storageBarrier();
  for (var i = t; i < N; i += WG) {
    factor[base + i * N + i] = guard_pivot(factor[base + i * N + i]);
  }
  storageBarrier();
}

/** Solves L D Lᵀ v = sv in place on the workgroup vector sv[0..N). */
fn ldl_solve(base: u32, N: u32, t: u32) {
  // L w = b (unit lower, column sweep: w_k is final once step k starts).
  for (var k = 0u; k < N; k++) {
    workgroupBarrier();
    let wk = sv[k];
    for (var i = k + 1u + t; i < N; i += WG) {
      sv[i] -= factor[base + i * N + k] * wk;
    }
  }
  workgroupBarrier();
  for (var i = t; i < N; i += WG) {
    sv[i] /= factor[base + i * N + i];
  }
  // Lᵀ v = w (row k of L is column k of Lᵀ).
  for (var kk = 0u; kk < N; kk++) {
    let k = N - 1u - kk;
    workgroupBarrier();
    let vk = sv[k];
    for (var i = t; i < k; i += WG) {
      sv[i] -= factor[base + k * N + i] * vk;
    }
  }
  workgroupBarrier();
}
