// Per-problem regime: `prm.iters` ADMM iterations (OSQP Algorithm 1) of one problem per
// workgroup, using its LDLᵀ factor of K = P̄ + σI + Āᵀdiag(ρ)Ā:
//   x̃ = K⁻¹(σx − q̄ + Āᵀ(ρ∘z − y)),  z̃ = Āx̃,
//   x ← αx̃ + (1−α)x,  z ← Π[l̄,ū](αz̃ + (1−α)z + y/ρ),  y ← y + ρ∘(αz̃ + (1−α)z − z_new).

override WG: u32 = 64u;
const NMAX: u32 = 1024u;
/** x̃: right-hand side, then solution, of the x-update system. */
var<workgroup> sv: array<f32, NMAX>;
var<workgroup> flag: f32;

@compute @workgroup_size(WG)
fn iterate(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wg.x;
  let t = lid.x;
  let n = prm.n;
  let m = prm.m;
  if (t == 0u) { flag = info[b * INFO_STRIDE + INFO_STATUS]; }
  if (workgroupUniformLoad(&flag) != 0.0) { return; }
  let ab = mat_a(b);
  let fb = fac_base(b);
  let xo = s_x(b);
  let zo = s_z(b);
  let yo = s_y(b);
  let qo = d_q(b);
  let lo = d_l(b);
  let uo = d_u(b);
  let ro = d_rho(b);
  let a = prm.alpha;
  for (var it = 0u; it < prm.iters; it++) {
    let record = prm.last_iter == 1u && it + 1u == prm.iters;
    for (var j = t; j < n; j += WG) {
      var s = prm.sigma * state[xo + j] - data[qo + j];
      for (var i = 0u; i < m; i++) {
        s += mats[ab + i * n + j] * (data[ro + i] * state[zo + i] - state[yo + i]);
      }
      sv[j] = s;
    }
    storageBarrier();
    ldl_solve(fb, n, t);
    for (var i = t; i < m; i += WG) {
      var zt = 0.0;
      for (var j = 0u; j < n; j++) { zt += mats[ab + i * n + j] * sv[j]; }
      let rho = data[ro + i];
      let zp = state[zo + i];
      let yp = state[yo + i];
      let zr = a * zt + (1.0 - a) * zp;
      let zn = clamp(zr + yp / rho, data[lo + i], data[uo + i]);
      let dy = rho * (zr - zn);
      state[zo + i] = zn;
      state[yo + i] = yp + dy;
      if (record) { state[s_dy(b) + i] = dy; }
    }
    for (var j = t; j < n; j += WG) {
      let xp = state[xo + j];
      let xn = a * sv[j] + (1.0 - a) * xp;
      state[xo + j] = xn;
      if (record) { state[s_dx(b) + j] = xn - xp; }
    }
    storageBarrier();
  }
  if (t == 0u) { info[b * INFO_STRIDE + INFO_ITER] += f32(prm.iters); }
}
