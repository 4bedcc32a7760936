// Termination and infeasibility checks of every running problem (one workgroup per problem),
// the same tests as src/solvers/qp/admm.ts: residuals in the unscaled problem (unless
// scaled_termination), OSQP's primal/dual infeasibility certificates from δy, δx, and the
// ratio for the adaptive ρ estimate. Writes INFO_STATUS / PRIM / DUAL / RHO_RATIO / APPROX and
// the scaled residuals PRIM_SCALED / DUAL_SCALED.

override WG: u32 = 64u;
const NEG_BIG: f32 = -3.0e38;
// r0: prim, primScale, primScaled, primScaleScaled (max)
// r1: dual, dualScale, dualScaled, dualScaleScaled (max, dual ones still times 1/c)
// r2: ‖δy‖, ‖Aᵀδy‖, ‖δx‖, ‖Pδx‖ (max)
// r3: support uᵀδy₊ + lᵀδy₋, q̄ᵀδx (sum); max over finite-u rows of Aδx, of −Aδx on finite-l rows (max)
var<workgroup> r0: array<vec4<f32>, WG>;
var<workgroup> r1: array<vec4<f32>, WG>;
var<workgroup> r2: array<vec4<f32>, WG>;
var<workgroup> r3: array<vec4<f32>, WG>;
var<workgroup> flag: f32;

fn finite_bound(v: f32) -> bool { return abs(v) < INF_BOUND; }

@compute @workgroup_size(WG)
fn check(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wg.x;
  let t = lid.x;
  let n = prm.n;
  let m = prm.m;
  if (t == 0u) { flag = info[b * INFO_STRIDE + INFO_STATUS]; }
  if (workgroupUniformLoad(&flag) != 0.0) { return; }
  let unscaled = (prm.flags & 1u) == 0u;
  let pb = mat_p(b);
  let ab = mat_a(b);
  let xo = s_x(b);
  let zo = s_z(b);
  let yo = s_y(b);
  let dxo = s_dx(b);
  let dyo = s_dy(b);
  let Eo = d_E(b);
  let Do = d_D(b);
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0, 0.0, NEG_BIG, NEG_BIG);
  for (var i = t; i < m; i += WG) {
    var ax = 0.0;
    var adx = 0.0;
    for (var j = 0u; j < n; j++) {
      let aij = mats[ab + i * n + j];
      ax += aij * state[xo + j];
      adx += aij * state[dxo + j];
    }
    let z = state[zo + i];
    let E = data[Eo + i];
    let e = select(1.0, 1.0 / E, unscaled);
    a0 = max(a0, vec4<f32>(abs(e * (ax - z)), max(abs(e * ax), abs(e * z)), abs(ax - z), max(abs(ax), abs(z))));
    // δy projected on the polar of the recession cone of [l, u].
    let l = data[d_l(b) + i];
    let u = data[d_u(b) + i];
    var dy = state[dyo + i];
    if (!finite_bound(u)) { dy = min(dy, 0.0); }
    if (!finite_bound(l)) { dy = max(dy, 0.0); }
    a2.x = max(a2.x, abs(select(1.0, E, unscaled) * dy));
    if (dy > 0.0) { a3.x += u * dy; } else if (dy < 0.0) { a3.x += l * dy; }
    let v = e * adx;
    if (finite_bound(u)) { a3.z = max(a3.z, v); }
    if (finite_bound(l)) { a3.w = max(a3.w, -v); }
  }
  for (var j = t; j < n; j += WG) {
    var px = 0.0;
    var pdx = 0.0;
    var aty = 0.0;
    var atdy = 0.0;
    for (var k = 0u; k < n; k++) {
      let pjk = mats[pb + j * n + k];
      px += pjk * state[xo + k];
      pdx += pjk * state[dxo + k];
    }
    for (var i = 0u; i < m; i++) {
      let aij = mats[ab + i * n + j];
      aty += aij * state[yo + i];
      var dy = state[dyo + i];
      let l = data[d_l(b) + i];
      let u = data[d_u(b) + i];
      if (!finite_bound(u)) { dy = min(dy, 0.0); }
      if (!finite_bound(l)) { dy = max(dy, 0.0); }
      atdy += aij * dy;
    }
    let q = data[d_q(b) + j];
    let D = data[Do + j];
    let d = select(1.0, 1.0 / D, unscaled);
    let r = px + q + aty;
    a1 = max(a1, vec4<f32>(abs(d * r), max(max(abs(d * px), abs(d * aty)), abs(d * q)), abs(r),
                           max(max(abs(px), abs(aty)), abs(q))));
    let dx = state[dxo + j];
    a2.y = max(a2.y, abs(d * atdy));
    a2.z = max(a2.z, abs(select(1.0, D, unscaled) * dx));
    a2.w = max(a2.w, abs(d * pdx));
    a3.y += q * dx;
  }
  r0[t] = a0;
  r1[t] = a1;
  r2[t] = a2;
  r3[t] = a3;
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (t < s) {
      r0[t] = max(r0[t], r0[t + s]);
      r1[t] = max(r1[t], r1[t + s]);
      r2[t] = max(r2[t], r2[t + s]);
      let o = r3[t + s];
      r3[t] = vec4<f32>(r3[t].xy + o.xy, max(r3[t].zw, o.zw));
    }
  }
  workgroupBarrier();
  if (t != 0u) { return; }
  let ib = b * INFO_STRIDE;
  let c = info[ib + INFO_COST];
  let cinv = select(1.0, 1.0 / c, unscaled);
  let cost = select(1.0, c, unscaled);
  let p = r0[0];
  let dd = r1[0];
  let g = r2[0];
  let h = r3[0];
  let prim = p.x;
  let primScale = p.y;
  let dual = cinv * dd.x;
  let dualScale = cinv * dd.y;
  let tolP = prm.eps_abs + prm.eps_rel * primScale;
  let tolD = prm.eps_abs + prm.eps_rel * dualScale;
  let solved = (m == 0u || prim <= tolP) && dual <= tolD;
  let approx = (m == 0u || prim <= 10.0 * tolP) && dual <= 10.0 * tolD;
  let epsP = prm.eps_prim_inf * g.x;
  let primInf = m > 0u && g.x > DIVISION_TOL && h.x < epsP && g.y < epsP;
  let epsD = prm.eps_dual_inf * g.z;
  let dualInf = g.z > DIVISION_TOL && h.y < -cost * epsD && g.w < cost * epsD && h.z <= epsD && h.w <= epsD;
  // flags bit 1: ρ-estimate only (an adaptation point that is not a termination check).
  if ((prm.flags & 2u) == 0u) {
    var status = 0.0;
    if (solved) { status = 1.0; } else if (primInf) { status = 2.0; } else if (dualInf) { status = 3.0; }
    info[ib + INFO_STATUS] = status;
  }
  info[ib + INFO_PRIM] = prim;
  info[ib + INFO_DUAL] = dual;
  let pr = p.z / (p.w + DIVISION_TOL);
  let du = dd.z / (dd.w + DIVISION_TOL);
  info[ib + INFO_RHO_RATIO] = sqrt(pr / (du + DIVISION_TOL));
  info[ib + INFO_APPROX] = select(0.0, 1.0, approx);
  // The scaled residuals the PCG tolerance follows (admm-pcg.wgsl, cuOSQP's residual strategy).
  info[ib + INFO_PRIM_SCALED] = p.z;
  info[ib + INFO_DUAL_SCALED] = dd.z;
}
