// Per-problem regime, indirect x-update (cuOSQP's PCG, Schubiger, Banjac & Lygeros 2020): each of
// `prm.iters` ADMM iterations solves K x̃ = rhs, K = P̄ + σI + Āᵀdiag(ρ)Ā, by Jacobi-preconditioned
// conjugate gradients, matrix-free (K p = σp + P̄p + Āᵀ(ρ∘Āp); K is never formed), warm-started
// from the previous x̃, to a tolerance that follows the ADMM residuals. One workgroup per problem;
// dot products and norms are workgroup reductions. A ρ change only needs a new M⁻¹ (`precond`).
//
// Per problem in `pcg` (stride 5n + m floats, offsets below): x̃[n] (kept between ADMM iterations
// and dispatches: the warm start), M⁻¹[n] = 1/diag(K), r[n], p[n], Kp[n], w[m] = ρ∘(Āp).

// Per problem, stride 5n + m: the PCG vectors (offsets pcg_* below).
@group(0) @binding(4) var<storage, read_write> pcg: array<f32>;

fn pcg_base(b: u32) -> u32 { return b * (5u * prm.n + prm.m); }

override WG: u32 = 64u;
/** OSQP 1.0 / cuOSQP defaults: tolerance floor and the zero-iteration count that halves the fraction. */
const CG_TOL_MIN: f32 = 1e-7;
const CG_TOL_REDUCTION: f32 = 10.0;
/** f32 floor of our own: r = rhs − K x̃ is not resolved below a few ulps of ‖rhs‖∞. */
const CG_TOL_REL_F32: f32 = 1e-6;

/** Reduction slots: (sum, max) pairs. */
var<workgroup> red: array<vec2<f32>, WG>;
var<workgroup> flag: f32;
/** This x̃ solve's PCG tolerance (computed by invocation 0). */
var<workgroup> tol: f32;

fn pcg_x(b: u32) -> u32 { return pcg_base(b); }
fn pcg_minv(b: u32) -> u32 { return pcg_base(b) + prm.n; }
fn pcg_r(b: u32) -> u32 { return pcg_base(b) + 2u * prm.n; }
fn pcg_p(b: u32) -> u32 { return pcg_base(b) + 3u * prm.n; }
fn pcg_kp(b: u32) -> u32 { return pcg_base(b) + 4u * prm.n; }
fn pcg_w(b: u32) -> u32 { return pcg_base(b) + 5u * prm.n; }

fn xt(b: u32, j: u32) -> f32 { return pcg[pcg_x(b) + j]; }

/** Σ v.x and max v.y over the workgroup, returned to every invocation (uniform). */
fn reduce(t: u32, v: vec2<f32>) -> vec2<f32> {
  workgroupBarrier(); // the previous reduction's result has been read by everyone
  red[t] = v;
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (t < s) {
      let o = red[t + s];
      red[t] = vec2<f32>(red[t].x + o.x, max(red[t].y, o.y));
    }
  }
  return workgroupUniformLoad(&red[0]);
}

/** Kp = σp + P̄p + Āᵀ(ρ∘(Āp)), each invocation writing its own columns of Kp. */
fn apply_K(b: u32, t: u32) {
  let n = prm.n;
  let pb = mat_p(b);
  let ab = mat_a(b);
  let po = pcg_p(b);
  let wo = pcg_w(b);
  storageBarrier(); // p is complete; the previous w has been read
  for (var i = t; i < prm.m; i += WG) {
    var s = 0.0;
    for (var j = 0u; j < n; j++) { s += mats[ab + i * n + j] * pcg[po + j]; }
    pcg[wo + i] = data[d_rho(b) + i] * s;
  }
  storageBarrier();
  for (var j = t; j < n; j += WG) {
    var s = prm.sigma * pcg[po + j];
    for (var k = 0u; k < n; k++) { s += mats[pb + j * n + k] * pcg[po + k]; }
    for (var i = 0u; i < prm.m; i++) { s += mats[ab + i * n + j] * pcg[wo + i]; }
    pcg[pcg_kp(b) + j] = s;
  }
}

/**
 * cuOSQP's residual strategy (invocation 0): fraction·√(r̄_prim·r̄_dual), never looser than the
 * previous solve's, at least the floor; the fraction halves after CG_TOL_REDUCTION solves in a row
 * needed no iteration. The scaled residuals come from the last check pass (cuOSQP has them every
 * iteration) or, before it, from the host for a warm start; a cold start's first solve gets
 * fraction·‖rhs‖∞ (cuOSQP's first iteration) and ‖rhs‖∞ stands in for √(r̄_prim·r̄_dual) until
 * the first check.
 */
fn cg_tolerance(b: u32, rhs_norm: f32) -> f32 {
  let ib = b * INFO_STRIDE;
  var frac = info[ib + INFO_CG_FRACTION];
  let prev = info[ib + INFO_CG_EPS];
  let rp = info[ib + INFO_PRIM_SCALED];
  var eps: f32;
  if (prev < 0.0 && rp < 0.0) {
    eps = select(frac * rhs_norm, 1.0, rhs_norm < CG_TOL_MIN);
  } else {
    if (info[ib + INFO_CG_ZERO] >= CG_TOL_REDUCTION) {
      frac *= 0.5;
      info[ib + INFO_CG_FRACTION] = frac;
      info[ib + INFO_CG_ZERO] = 0.0;
    }
    let res = select(rhs_norm, sqrt(rp * info[ib + INFO_DUAL_SCALED]), rp >= 0.0);
    let cap = select(prev, 3.0e38, prev < 0.0);
    eps = max(min(frac * res, cap), max(CG_TOL_MIN, CG_TOL_REL_F32 * rhs_norm));
  }
  info[ib + INFO_CG_EPS] = eps;
  return eps;
}

/**
 * Jacobi-PCG on K x̃ = r (r holds rhs on entry) from x̃ (warm) or 0 (cold), until ‖r‖∞ ≤ eps or
 * cg_max_iter iterations. Returns the iterations run.
 */
fn pcg_solve(b: u32, t: u32, eps: f32) -> u32 {
  let n = prm.n;
  let xo = pcg_x(b);
  let mo = pcg_minv(b);
  let ro = pcg_r(b);
  let po = pcg_p(b);
  let ko = pcg_kp(b);
  if ((prm.flags & 4u) == 0u) {
    for (var j = t; j < n; j += WG) { pcg[po + j] = pcg[xo + j]; }
    apply_K(b, t);
    for (var j = t; j < n; j += WG) { pcg[ro + j] -= pcg[ko + j]; }
    storageBarrier(); // every K·x̃ is done reading p before p is overwritten below
  } else {
    for (var j = t; j < n; j += WG) { pcg[xo + j] = 0.0; }
  }
  // p = z = M⁻¹r; (rᵀz, ‖r‖∞)
  var loc = vec2<f32>(0.0);
  for (var j = t; j < n; j += WG) {
    let r = pcg[ro + j];
    let z = pcg[mo + j] * r;
    pcg[po + j] = z;
    loc = vec2<f32>(loc.x + r * z, max(loc.y, abs(r)));
  }
  var s = reduce(t, loc);
  var rz = s.x;
  var k = 0u;
  loop {
    if (s.y <= eps || k >= prm.cg_max_iter) { break; }
    apply_K(b, t);
    var pk = 0.0;
    for (var j = t; j < n; j += WG) { pk += pcg[po + j] * pcg[ko + j]; }
    let pkp = reduce(t, vec2<f32>(pk, 0.0)).x;
    // K is SPD (σ > 0): pᵀKp ≤ 0 only once p has underflowed; stop rather than divide.
    if (!(pkp > 0.0)) { break; }
    let alpha = rz / pkp;
    loc = vec2<f32>(0.0);
    for (var j = t; j < n; j += WG) {
      pcg[xo + j] += alpha * pcg[po + j];
      let r = pcg[ro + j] - alpha * pcg[ko + j];
      pcg[ro + j] = r;
      let z = pcg[mo + j] * r;
      pcg[ko + j] = z; // Kp is spent: hold z until β is known
      loc = vec2<f32>(loc.x + r * z, max(loc.y, abs(r)));
    }
    s = reduce(t, loc);
    let beta = s.x / rz;
    rz = s.x;
    for (var j = t; j < n; j += WG) { pcg[po + j] = pcg[ko + j] + beta * pcg[po + j]; }
    k++;
  }
  return k;
}

/** M⁻¹ = 1/(diag(P̄) + σ + Σᵢ ρᵢ Āᵢⱼ²) for problems flagged INFO_REFACTOR: all a ρ change needs. */
@compute @workgroup_size(WG)
fn precond(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wg.x;
  let t = lid.x;
  let ib = b * INFO_STRIDE;
  if (t == 0u) { flag = select(0.0, info[ib + INFO_REFACTOR], !stopped(b)); }
  if (workgroupUniformLoad(&flag) == 0.0) { return; }
  let n = prm.n;
  let ab = mat_a(b);
  for (var j = t; j < n; j += WG) {
    var d = mats[mat_p(b) + j * n + j] + prm.sigma;
    for (var i = 0u; i < prm.m; i++) {
      let a = mats[ab + i * n + j];
      d += data[d_rho(b) + i] * a * a;
    }
    pcg[pcg_minv(b) + j] = 1.0 / d;
  }
  if (t == 0u) { info[ib + INFO_REFACTOR] = 0.0; }
}

@compute @workgroup_size(WG)
fn iterate(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wg.x;
  let t = lid.x;
  let ib = b * INFO_STRIDE;
  if (t == 0u) { flag = select(0.0, 1.0, stopped(b)); }
  if (workgroupUniformLoad(&flag) != 0.0) { return; }
  let ro = pcg_r(b);
  for (var it = 0u; it < prm.iters; it++) {
    var hn = 0.0;
    for (var j = t; j < prm.n; j += WG) {
      let v = rhs_x(b, j);
      pcg[ro + j] = v;
      hn = max(hn, abs(v));
    }
    let rhs_norm = reduce(t, vec2<f32>(0.0, hn)).y;
    if (t == 0u) { tol = cg_tolerance(b, rhs_norm); }
    let k = pcg_solve(b, t, workgroupUniformLoad(&tol));
    if (t == 0u) {
      info[ib + INFO_CG_ITER] += f32(k);
      info[ib + INFO_CG_ZERO] = select(0.0, info[ib + INFO_CG_ZERO] + 1.0, k == 0u);
    }
    storageBarrier(); // x̃ is complete
    update_zy(b, t);
    update_x(b, t);
    storageBarrier();
  }
  if (t == 0u) { info[ib + INFO_ITER] += f32(prm.iters); }
}
