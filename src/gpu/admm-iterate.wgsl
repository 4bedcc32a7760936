// Per-problem regime, direct x-update: `prm.iters` ADMM iterations (OSQP Algorithm 1) of one
// problem per workgroup, using its explicit K⁻¹, K = P̄ + σI + Āᵀdiag(ρ)Ā (admm-factor.wgsl):
//   x̃ = K⁻¹(σx − q̄ + Āᵀ(ρ∘z − y)),  z̃ = Āx̃,  then the z, y, x updates of admm-step.wgsl.
// Three barriers per iteration, where LDLᵀ substitution needed one per column (2n per solve).
// It is applied to the residual form x̃ = x + K⁻¹d, d = rhs − Kx = −q̄ − P̄x + Āᵀ(ρ∘(z − Āx) − y):
// K⁻¹ is applied to a small d near convergence, so its f32 error (ε‖K⁻¹‖‖·‖, large where ρ_eq
// = 10³ρ makes rhs large and cancelling) shrinks with the residuals. Applied to rhs itself, a
// warm start at the solution drifted (25 iterations instead of 5); LDLᵀ substitution on rhs
// stalled 12 of 16 BPQP 50×10 problems just above eps 1e-4 (this form: 125 iterations each).

// Per problem, stride 2n²: the LDLᵀ factor of K, then K⁻¹ (written by admm-factor.wgsl).
@group(0) @binding(4) var<storage, read_write> factor: array<f32>;
// Per problem, stride m: w = ρ∘(z − Āx) − y, the rows' part of d.
@group(0) @binding(6) var<storage, read_write> row_work: array<f32>;

override WG: u32 = 64u;
const NMAX: u32 = 1024u;
/** d = rhs − Kx: right-hand side of the correction K(x̃ − x) = d. */
var<workgroup> rv: array<f32, NMAX>;
/** x̃ = x + K⁻¹·d. */
var<workgroup> sv: array<f32, NMAX>;
var<workgroup> flag: f32;

fn xt(b: u32, j: u32) -> f32 { return sv[j]; }

@compute @workgroup_size(WG)
fn iterate(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wg.x;
  let t = lid.x;
  if (t == 0u) { flag = select(0.0, 1.0, stopped(b)); }
  if (workgroupUniformLoad(&flag) != 0.0) { return; }
  let n = prm.n;
  let m = prm.m;
  let kb = b * 2u * n * n + n * n;
  let wb = b * m;
  let pb = mat_p(b);
  let ab = mat_a(b);
  let xo = s_x(b);
  for (var it = 0u; it < prm.iters; it++) {
    // w = ρ∘(z − Āx) − y, one row per invocation.
    for (var i = t; i < m; i += WG) {
      var s = 0.0;
      for (var j = 0u; j < n; j++) { s += mats[ab + i * n + j] * state[xo + j]; }
      row_work[wb + i] = data[d_rho(b) + i] * (state[s_z(b) + i] - s) - state[s_y(b) + i];
    }
    storageBarrier();
    for (var j = t; j < n; j += WG) {
      var s = -data[d_q(b) + j];
      for (var k = 0u; k < n; k++) { s -= mats[pb + j * n + k] * state[xo + k]; }
      for (var i = 0u; i < m; i++) { s += mats[ab + i * n + j] * row_work[wb + i]; }
      rv[j] = s;
    }
    workgroupBarrier();
    for (var j = t; j < n; j += WG) {
      var s = 0.0;
      for (var k = 0u; k < n; k++) { s += factor[kb + j * n + k] * rv[k]; }
      sv[j] = state[xo + j] + s;
    }
    workgroupBarrier();
    update_zy(b, t);
    update_x(b, t);
    storageBarrier();
  }
  if (t == 0u) { info[b * INFO_STRIDE + INFO_ITER] += f32(prm.iters); }
}
