// The numbers of a check for every running problem (one workgroup per problem), the same as
// evaluateWorkspace in src/solvers/qp/admm.ts: residuals and their scales in the unscaled problem
// (unless scaled_termination) and in the scaled one (for the ρ estimate), and OSQP's infeasibility
// quantities from δy and δx. It decides nothing: the host's driver reads INFO_EVAL… and decides.

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
  if (t == 0u) { flag = select(0.0, 1.0, stopped(b)); }
  if (workgroupUniformLoad(&flag) != 0.0) { return; }
  let unscaled = (prm.flags & 1u) == 0u;
  // δx, δy: the mean change per iteration since the last check, then new snapshots (as
  // updateDeltas in src/solvers/qp/admm.ts). A second check at the same iteration keeps them.
  let ib0 = b * INFO_STRIDE;
  let k = info[ib0 + INFO_ITER] - info[ib0 + INFO_SNAP_ITER];
  if (k > 0.0) {
    for (var j = t; j < n; j += WG) {
      let x = state[s_x(b) + j];
      state[s_dx(b) + j] = (x - state[s_xs(b) + j]) / k;
      state[s_xs(b) + j] = x;
    }
    for (var i = t; i < m; i += WG) {
      let y = state[s_y(b) + i];
      state[s_dy(b) + i] = (y - state[s_ys(b) + i]) / k;
      state[s_ys(b) + i] = y;
    }
  }
  storageBarrier();
  workgroupBarrier();
  if (t == 0u && k > 0.0) { info[ib0 + INFO_SNAP_ITER] = info[ib0 + INFO_ITER]; }
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
  let p = r0[0];
  let dd = r1[0];
  let g = r2[0];
  let h = r3[0];
  let e = ib + INFO_EVAL;
  info[e + 0u] = p.x;             // prim
  info[e + 1u] = cinv * dd.x;     // dual
  info[e + 2u] = p.y;             // prim_scale
  info[e + 3u] = cinv * dd.y;     // dual_scale
  info[e + 4u] = p.w;             // prim_scale_scaled
  info[e + 5u] = dd.w;            // dual_scale_scaled
  info[e + 6u] = g.x;             // ‖δy‖
  info[e + 7u] = g.y;             // ‖Aᵀδy‖
  info[e + 8u] = h.x;             // support
  info[e + 9u] = g.z;             // ‖δx‖
  info[e + 10u] = cinv * g.w;     // ‖Pδx‖
  info[e + 11u] = cinv * h.y;     // qᵀδx
  info[e + 12u] = h.z;            // max Aδx, finite u
  info[e + 13u] = h.w;            // max −Aδx, finite l
  // The scaled residuals, also what the PCG tolerance follows (admm-pcg.wgsl, cuOSQP's strategy).
  info[ib + INFO_PRIM_SCALED] = p.z;
  info[ib + INFO_DUAL_SCALED] = dd.z;
}
