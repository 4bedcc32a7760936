// Per-problem regime, direct x̃ solver: forms K = P̄ + σI + Āᵀdiag(ρ)Ā for every problem flagged
// INFO_REFACTOR, factors it (LDLᵀ) in place, then writes K⁻¹ beside the factor, so that every ADMM
// iteration's x̃ solve is one mat-vec (admm-iterate.wgsl) instead of 2n barrier-separated
// substitution steps. One workgroup per problem.

// Per problem, stride 2n²: the LDLᵀ factor of K (n×n, lower triangle), then K⁻¹ (n×n).
@group(0) @binding(4) var<storage, read_write> factor: array<f32>;

fn factor_base(b: u32) -> u32 { return b * 2u * prm.n * prm.n; }

override WG: u32 = 64u;
const NMAX: u32 = 1024u;
var<workgroup> sv: array<f32, NMAX>;
var<workgroup> flag: f32;

/**
 * Row c of K⁻¹ (= column c, K is symmetric) for the columns c of invocation t: solves
 * L D Lᵀ v = e_c in storage, each column independently — no barrier between columns.
 */
fn ldl_inverse(fb: u32, ib: u32, N: u32, t: u32) {
  for (var c = t; c < N; c += WG) {
    let o = ib + c * N;
    // L w = e_c, by rows (w_i = 0 for i < c): reads rows of L contiguously.
    for (var i = 0u; i < c; i++) { factor[o + i] = 0.0; }
    for (var i = c; i < N; i++) {
      var s = select(0.0, 1.0, i == c);
      for (var k = c; k < i; k++) { s -= factor[fb + i * N + k] * factor[o + k]; }
      factor[o + i] = s;
    }
    for (var i = c; i < N; i++) { factor[o + i] /= factor[fb + i * N + i]; }
    // Lᵀ v = w, by columns of Lᵀ (rows of L, contiguous): v_k is final once step k starts.
    for (var kk = 0u; kk < N; kk++) {
      let k = N - 1u - kk;
      let vk = factor[o + k];
      for (var i = 0u; i < k; i++) { factor[o + i] -= factor[fb + k * N + i] * vk; }
    }
  }
}

@compute @workgroup_size(WG)
fn factorize(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wg.x;
  let t = lid.x;
  let n = prm.n;
  let m = prm.m;
  if (t == 0u) {
    let ib = b * INFO_STRIDE;
    flag = select(0.0, info[ib + INFO_REFACTOR], !stopped(b));
  }
  if (workgroupUniformLoad(&flag) == 0.0) { return; }
  let fb = factor_base(b);
  let pb = mat_p(b);
  let ab = mat_a(b);
  let rb = d_rho(b);
  // Row i of the lower triangle: K_ij = P̄_ij + σδ_ij + Σ_r ρ_r Ā_ri Ā_rj.
  for (var i = t; i < n; i += WG) {
    for (var j = 0u; j <= i; j++) {
      var s = mats[pb + i * n + j];
      for (var r = 0u; r < m; r++) {
        s += data[rb + r] * mats[ab + r * n + i] * mats[ab + r * n + j];
      }
      if (i == j) { s += prm.sigma; }
      factor[fb + i * n + j] = s;
    }
  }
  ldl_factor(fb, n, t);
  ldl_inverse(fb, fb + n * n, n, t);
  if (t == 0u) { info[b * INFO_STRIDE + INFO_REFACTOR] = 0.0; }
}
