// Backward pass, exact method: for each problem (one workgroup) the adjoint t = [x̃; ỹ] of
//   K t = [−g; 0],  K = [[P, A_𝒜ᵀ], [A_𝒜, 0]]   (BPQP Eq. 3 on the active set 𝒜)
// from an LDLᵀ factor of the δ-regularized, quasi-definite K + diag(δI, −δI) (Eq. 10), then
// iterative refinement against the unregularized K (Eq. 11), a step kept only while it lowers
// ‖rhs − K t‖₂ (as src/solvers/grad/kkt.ts). Optionally starts from a given t (BPQP's ADMM adjoint).

struct KktParams {
  n: u32,           // @0
  m: u32,           // @4  rows of A (the active list has up to m entries)
  batch: u32,       // @8
  refine: u32,      // @12 maximum refinement steps
  delta: f32,       // @16 δ
  mat_stride: u32,  // @20 floats between problems' [P | A] blocks
  fac_stride: u32,  // @24 floats between problems' factor blocks ((n+m)²)
  _pad: u32,        // @28 (struct size 32)
}

@group(0) @binding(0) var<uniform> kp: KktParams;
// Per problem: P (n×n) then A (m×n), unscaled, row-major.
@group(0) @binding(1) var<storage, read> kmats: array<f32>;
// Per problem, stride 2 + 2n + 2m: [k, has_start, g[n], active rows[m] (as f32), start[n+m]].
@group(0) @binding(2) var<storage, read> kvec: array<f32>;
@group(0) @binding(3) var<storage, read_write> factor: array<f32>;
// Per problem, stride n + m + 1: t[0..n+k) then the final ‖rhs − K t‖₂ at index n+m.
@group(0) @binding(4) var<storage, read_write> kout: array<f32>;

override WG: u32 = 64u;
const NMAX: u32 = 1024u;
/** Solve vector of ldl_solve. */
var<workgroup> sv: array<f32, NMAX>;
/** Current adjoint t. */
var<workgroup> tv: array<f32, NMAX>;
/** Residual rhs − K t. */
var<workgroup> rv: array<f32, NMAX>;
var<workgroup> red: array<f32, WG>;
var<workgroup> shared_k: u32;
var<workgroup> shared_f: f32;

fn vec_base(b: u32) -> u32 { return b * (2u + 2u * kp.n + 2u * kp.m); }

/** Entry K_ij (+ regularization when `reg`) of problem b's reduced KKT matrix. */
fn kval(b: u32, i: u32, j: u32, reg: bool) -> f32 {
  let n = kp.n;
  let mb = b * kp.mat_stride;
  let vb = vec_base(b) + 2u + n;
  if (i < n && j < n) {
    return kmats[mb + i * n + j] + select(0.0, kp.delta, reg && i == j);
  }
  if (i >= n && j >= n) {
    return select(0.0, -kp.delta, reg && i == j);
  }
  if (i >= n) {
    return kmats[mb + n * n + u32(kvec[vb + i - n]) * n + j];
  }
  return kmats[mb + n * n + u32(kvec[vb + j - n]) * n + i];
}

/** rv ← rhs − K tv, and returns ‖rv‖₂² (uniform). */
fn residual(b: u32, N: u32, t: u32) -> f32 {
  let n = kp.n;
  let gb = vec_base(b) + 2u;
  var acc = 0.0;
  for (var i = t; i < N; i += WG) {
    var r = select(0.0, -kvec[gb + i], i < n);
    for (var j = 0u; j < N; j++) { r -= kval(b, i, j, false) * tv[j]; }
    rv[i] = r;
    acc += r * r;
  }
  red[t] = acc;
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (t < s) { red[t] += red[t + s]; }
  }
  workgroupBarrier();
  if (t == 0u) { shared_f = red[0]; }
  return workgroupUniformLoad(&shared_f);
}

@compute @workgroup_size(WG)
fn kkt(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wg.x;
  let t = lid.x;
  let n = kp.n;
  if (t == 0u) { shared_k = u32(kvec[vec_base(b)]); }
  let N = n + workgroupUniformLoad(&shared_k);
  let fb = b * kp.fac_stride;
  for (var i = t; i < N; i += WG) {
    for (var j = 0u; j <= i; j++) { factor[fb + i * N + j] = kval(b, i, j, true); }
  }
  ldl_factor(fb, N, t);
  let vb = vec_base(b);
  let startb = vb + 2u + n + kp.m;
  if (t == 0u) { shared_f = kvec[vb + 1u]; }
  let hasStart = workgroupUniformLoad(&shared_f) != 0.0;
  for (var i = t; i < N; i += WG) {
    sv[i] = select(0.0, -kvec[vb + 2u + i], i < n);
    if (hasStart) { tv[i] = kvec[startb + i]; }
  }
  if (!hasStart) {
    ldl_solve(fb, N, t);
    for (var i = t; i < N; i += WG) { tv[i] = sv[i]; }
  }
  workgroupBarrier();
  var rn = residual(b, N, t);
  for (var k = 0u; k < kp.refine; k++) {
    if (!(rn > 0.0)) { break; }
    // Δt = (K + ΔK)⁻¹ r; keep tv + Δt only if the residual shrinks.
    for (var i = t; i < N; i += WG) { sv[i] = rv[i]; }
    ldl_solve(fb, N, t);
    for (var i = t; i < N; i += WG) { tv[i] += sv[i]; }
    workgroupBarrier();
    let rt = residual(b, N, t);
    if (!(rt < rn)) {
      for (var i = t; i < N; i += WG) { tv[i] -= sv[i]; }
      workgroupBarrier();
      break;
    }
    rn = rt;
  }
  let ob = b * (n + kp.m + 1u);
  for (var i = t; i < N; i += WG) { kout[ob + i] = tv[i]; }
  if (t == 0u) { kout[ob + n + kp.m] = sqrt(rn); }
}
