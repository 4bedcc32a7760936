// Per-problem regime: forms K = P̄ + σI + Āᵀdiag(ρ)Ā for every problem flagged INFO_REFACTOR
// and factors it (LDLᵀ) in place. One workgroup per problem.

override WG: u32 = 64u;
const NMAX: u32 = 1024u;
var<workgroup> sv: array<f32, NMAX>;
var<workgroup> flag: f32;

@compute @workgroup_size(WG)
fn factor(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wg.x;
  let t = lid.x;
  let n = prm.n;
  let m = prm.m;
  if (t == 0u) {
    let ib = b * INFO_STRIDE;
    flag = select(0.0, info[ib + INFO_REFACTOR], info[ib + INFO_STATUS] == 0.0);
  }
  if (workgroupUniformLoad(&flag) == 0.0) { return; }
  let fb = fac_base(b);
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
      fac[fb + i * n + j] = s;
    }
  }
  ldl_factor(fb, n, t);
  if (t == 0u) { info[b * INFO_STRIDE + INFO_REFACTOR] = 0.0; }
}
