// Per-problem regime, direct x-update: `prm.iters` ADMM iterations (OSQP Algorithm 1) of one
// problem per workgroup, using its LDLᵀ factor of K = P̄ + σI + Āᵀdiag(ρ)Ā (admm-factor.wgsl):
//   x̃ = K⁻¹(σx − q̄ + Āᵀ(ρ∘z − y)),  z̃ = Āx̃,  then the z, y, x updates of admm-step.wgsl.

override WG: u32 = 64u;
const NMAX: u32 = 1024u;
/** x̃: right-hand side, then solution, of the x-update system. */
var<workgroup> sv: array<f32, NMAX>;
var<workgroup> flag: f32;

fn xt(b: u32, j: u32) -> f32 { return sv[j]; }

@compute @workgroup_size(WG)
fn iterate(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wg.x;
  let t = lid.x;
  if (t == 0u) { flag = info[b * INFO_STRIDE + INFO_STATUS]; }
  if (workgroupUniformLoad(&flag) != 0.0) { return; }
  let fb = fac_base(b);
  for (var it = 0u; it < prm.iters; it++) {
    let record = prm.last_iter == 1u && it + 1u == prm.iters;
    for (var j = t; j < prm.n; j += WG) { sv[j] = rhs_x(b, j); }
    storageBarrier();
    ldl_solve(fb, prm.n, t);
    update_zy(b, t, record);
    update_x(b, t, record);
    storageBarrier();
  }
  if (t == 0u) { info[b * INFO_STRIDE + INFO_ITER] += f32(prm.iters); }
}
