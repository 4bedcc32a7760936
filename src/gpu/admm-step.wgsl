// The ADMM steps around the x̃ solve (OSQP Algorithm 1), shared by the two per-problem kernels:
// admm-iterate.wgsl (direct, LDLᵀ) and admm-pcg.wgsl (indirect, PCG). Each of them defines
//   fn xt(b: u32, j: u32) -> f32   — x̃_j once its solve is done (workgroup or storage memory).
// Rows and columns are owned by invocation t as t, t + WG, t + 2·WG, …

/** (σx − q̄ + Āᵀ(ρ∘z − y))_j: the right-hand side of K x̃ = rhs. */
fn rhs_x(b: u32, j: u32) -> f32 {
  let n = prm.n;
  let ab = mat_a(b);
  let ro = d_rho(b);
  let zo = s_z(b);
  let yo = s_y(b);
  var s = prm.sigma * state[s_x(b) + j] - data[d_q(b) + j];
  for (var i = 0u; i < prm.m; i++) {
    s += mats[ab + i * n + j] * (data[ro + i] * state[zo + i] - state[yo + i]);
  }
  return s;
}

/**
 * z̃ = Āx̃ on the rows of t, then the relaxed z and y updates:
 *   z ← Π[l̄,ū](αz̃ + (1−α)z + y/ρ),  y ← y + ρ∘(αz̃ + (1−α)z − z_new).
 */
fn update_zy(b: u32, t: u32) {
  let n = prm.n;
  let a = prm.alpha;
  let ab = mat_a(b);
  let ro = d_rho(b);
  let zo = s_z(b);
  let yo = s_y(b);
  for (var i = t; i < prm.m; i += WG) {
    var zt = 0.0;
    for (var j = 0u; j < n; j++) { zt += mats[ab + i * n + j] * xt(b, j); }
    let rho = data[ro + i];
    let zp = state[zo + i];
    let yp = state[yo + i];
    let zr = a * zt + (1.0 - a) * zp;
    let zn = clamp(zr + yp / rho, data[d_l(b) + i], data[d_u(b) + i]);
    state[zo + i] = zn;
    state[yo + i] = yp + rho * (zr - zn);
  }
}

/** x ← αx̃ + (1−α)x on the columns of t. */
fn update_x(b: u32, t: u32) {
  let a = prm.alpha;
  let xo = s_x(b);
  for (var j = t; j < prm.n; j += WG) {
    let xp = state[xo + j];
    state[xo + j] = a * xt(b, j) + (1.0 - a) * xp;
  }
}
