// Shared-structure regime: the x-update of the whole batch is one GEMM Y = M·V (gemm.wgsl) with
//   M = [[σK⁻¹, K⁻¹Āᵀ, −K⁻¹], [σĀK⁻¹, ĀK⁻¹Āᵀ, −ĀK⁻¹]]   ((n+m) × (2n+m), built on the host in f64)
//   V[:, b] = [x; ρ∘z − y; q̄]                           ((2n+m) × batch, row-major)
// so that Y[:, b] = [x̃; z̃]. These kernels fill V from the state and apply the ADMM updates.
// (M itself, `gemm_op`, is read by the GEMM only: it sits at binding 4 of this layout unused.)

// Y = [x̃; z̃] per problem ((n+m) × batch, row-major): the GEMM's output.
@group(0) @binding(6) var<storage, read_write> gemm_out: array<f32>;
// V = [x; ρ∘z − y; q̄] per problem ((2n+m) × batch, row-major): the GEMM's input.
@group(0) @binding(7) var<storage, read_write> gemm_in: array<f32>;

override WG: u32 = 64u;

/** V ← [x; ρ∘z − y; q̄] for every problem (one invocation per V entry). */
@compute @workgroup_size(WG)
fn assemble(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  let b = gid.y;
  let n = prm.n;
  let m = prm.m;
  if (r >= 2u * n + m || b >= prm.batch) { return; }
  var v = 0.0;
  if (r < n) {
    v = state[s_x(b) + r];
  } else if (r < n + m) {
    let i = r - n;
    v = data[d_rho(b) + i] * state[s_z(b) + i] - state[s_y(b) + i];
  } else {
    v = data[d_q(b) + r - n - m];
  }
  gemm_in[r * prm.batch + b] = v;
}

/** ADMM updates from Y = [x̃; z̃], then the next V entries (one invocation per x or z row). */
@compute @workgroup_size(WG)
fn update(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  let b = gid.y;
  let n = prm.n;
  let m = prm.m;
  let B = prm.batch;
  if (r >= n + m || b >= B) { return; }
  if (stopped(b)) { return; }
  let a = prm.alpha;
  let yt = gemm_out[r * B + b];
  if (r < n) {
    let xp = state[s_x(b) + r];
    let xn = a * yt + (1.0 - a) * xp;
    state[s_x(b) + r] = xn;
    gemm_in[r * B + b] = xn;
  } else {
    let i = r - n;
    let rho = data[d_rho(b) + i];
    let zp = state[s_z(b) + i];
    let yp = state[s_y(b) + i];
    let zr = a * yt + (1.0 - a) * zp;
    let zn = clamp(zr + yp / rho, data[d_l(b) + i], data[d_u(b) + i]);
    let yn = yp + rho * (zr - zn);
    state[s_z(b) + i] = zn;
    state[s_y(b) + i] = yn;
    gemm_in[r * B + b] = rho * zn - yn;
  }
}

/** Counts the shared regime's iterations (the GEMM path has no per-problem workgroup). */
@compute @workgroup_size(WG)
fn count(@builtin(global_invocation_id) gid: vec3u) {
  let b = gid.x;
  if (b >= prm.batch) { return; }
  if (!stopped(b)) { info[b * INFO_STRIDE + INFO_ITER] += f32(prm.iters); }
}
