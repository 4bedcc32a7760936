// Shared declarations of the ADMM kernels (prepended to admm-*.wgsl by shaders.ts).
// Byte offsets of Params are mirrored in admm-layout.ts (packParams). The kernels only compute:
// statuses, ρ and the stopping decisions belong to the host's driver (src/solvers/qp/driver.ts).

struct Params {
  n: u32,            // @0  variables
  m: u32,            // @4  constraint rows
  batch: u32,        // @8  problems in this chunk
  iters: u32,        // @12 ADMM iterations per `iterate` dispatch
  sigma: f32,        // @16 σ
  alpha: f32,        // @20 α (over-relaxation)
  mat_stride: u32,   // @24 floats between two problems' [P̄ | Ā] blocks (0: one shared block)
  flags: u32,        // @28 bit 0: scaled_termination; bit 2: PCG cold start (x̃ = 0 each solve)
  cg_max_iter: u32,  // @32 PCG iterations per x̃ solve at most (indirect path)
  _pad0: u32,        // @36
  _pad1: u32,        // @40
  _pad2: u32,        // @44 (struct size 48)
}

@group(0) @binding(0) var<uniform> prm: Params;
// Per problem (or once, mat_stride = 0): P̄ (n×n row-major) then Ā (m×n row-major).
@group(0) @binding(1) var<storage, read> mats: array<f32>;
// Per problem, stride 2n+4m: q̄[n] l̄[m] ū[m] ρ[m] D[n] E[m]. Infinite bounds are ±1e30.
@group(0) @binding(2) var<storage, read> data: array<f32>;
// Per problem, stride 3n+4m: x[n] z[m] y[m] δx[n] δy[m] x̂[n] ŷ[m] (scaled iterates; δ is the mean
// change per iteration between the last two checks, x̂, ŷ the iterate at the last check).
@group(0) @binding(3) var<storage, read_write> state: array<f32>;
// Binding 4 (and 6, 7) belong to each x̃ solver: `factor` + `row_work` (admm-factor.wgsl,
// admm-iterate.wgsl), `pcg` (admm-pcg.wgsl), `gemm_op` + `gemm_out` + `gemm_in` (admm-shared.wgsl).
// Per problem, INFO_STRIDE floats: see INFO_* below.
@group(0) @binding(5) var<storage, read_write> info: array<f32>;

/** |bound| at or above this is infinite (the host writes ±1e30, as OSQP_INFTY). */
const INF_BOUND: f32 = 1e29;
const DIVISION_TOL: f32 = 1e-10;

const INFO_STRIDE: u32 = 32u;
// Host inputs and kernel counters.
const INFO_STOPPED: u32 = 0u;      // host: 1 when the driver has decided this problem (no more steps)
const INFO_ITER: u32 = 1u;         // iterations run (kernels add)
const INFO_COST: u32 = 2u;         // host: cost scaling c
const INFO_REFACTOR: u32 = 3u;     // host: 1 when K changed (ρ): refactor (direct) / new M⁻¹ (PCG)
const INFO_CG_ITER: u32 = 4u;      // PCG iterations run in total (indirect path)
const INFO_CG_EPS: u32 = 5u;       // PCG tolerance of the last x̃ solve (host input −1: first solve)
const INFO_CG_FRACTION: u32 = 6u;  // PCG tolerance fraction (host input: cg_tol_fraction; halved by PCG)
const INFO_CG_ZERO: u32 = 7u;      // consecutive x̃ solves that needed no PCG iteration
const INFO_PRIM_SCALED: u32 = 8u;  // ‖Āx − z‖∞ (scaled) at the last check (host input −1: none yet)
const INFO_DUAL_SCALED: u32 = 9u;  // ‖P̄x + q̄ + Āᵀy‖∞ (scaled) at the last check
// The check pass's evaluation (AdmmEvaluation in src/solvers/qp/evaluation.ts), unscaled unless
// scaled_termination: 10 prim, 11 dual, 12 prim_scale, 13 dual_scale, 14 prim_scale_scaled,
// 15 dual_scale_scaled, 16 ‖δy‖, 17 ‖Aᵀδy‖, 18 support, 19 ‖δx‖, 20 ‖Pδx‖, 21 qᵀδx,
// 22 max (Aδx) on finite-u rows, 23 max (−Aδx) on finite-l rows.
const INFO_EVAL: u32 = 10u;
const INFO_SNAP_ITER: u32 = 24u;   // INFO_ITER when x̂, ŷ were taken (the last check); 25–31 padding

fn stopped(b: u32) -> bool { return info[b * INFO_STRIDE + INFO_STOPPED] != 0.0; }
fn mat_p(b: u32) -> u32 { return b * prm.mat_stride; }
fn mat_a(b: u32) -> u32 { return b * prm.mat_stride + prm.n * prm.n; }
fn data_base(b: u32) -> u32 { return b * (2u * prm.n + 4u * prm.m); }
fn d_q(b: u32) -> u32 { return data_base(b); }
fn d_l(b: u32) -> u32 { return data_base(b) + prm.n; }
fn d_u(b: u32) -> u32 { return data_base(b) + prm.n + prm.m; }
fn d_rho(b: u32) -> u32 { return data_base(b) + prm.n + 2u * prm.m; }
fn d_D(b: u32) -> u32 { return data_base(b) + prm.n + 3u * prm.m; }
fn d_E(b: u32) -> u32 { return data_base(b) + 2u * prm.n + 3u * prm.m; }
fn state_base(b: u32) -> u32 { return b * (3u * prm.n + 4u * prm.m); }
fn s_x(b: u32) -> u32 { return state_base(b); }
fn s_z(b: u32) -> u32 { return state_base(b) + prm.n; }
fn s_y(b: u32) -> u32 { return state_base(b) + prm.n + prm.m; }
fn s_dx(b: u32) -> u32 { return state_base(b) + prm.n + 2u * prm.m; }
fn s_dy(b: u32) -> u32 { return state_base(b) + 2u * prm.n + 2u * prm.m; }
fn s_xs(b: u32) -> u32 { return state_base(b) + 2u * prm.n + 3u * prm.m; }
fn s_ys(b: u32) -> u32 { return state_base(b) + 3u * prm.n + 3u * prm.m; }
