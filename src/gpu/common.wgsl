// Shared declarations of the ADMM kernels (prepended to admm-*.wgsl by shaders.ts).
// Byte offsets of Params are mirrored in admm-layout.ts (writeParams).

struct Params {
  n: u32,            // @0  variables
  m: u32,            // @4  constraint rows
  batch: u32,        // @8  problems in this chunk
  iters: u32,        // @12 ADMM iterations per `iterate` dispatch
  sigma: f32,        // @16 σ
  alpha: f32,        // @20 α (over-relaxation)
  eps_abs: f32,      // @24
  eps_rel: f32,      // @28
  eps_prim_inf: f32, // @32
  eps_dual_inf: f32, // @36
  mat_stride: u32,   // @40 floats between two problems' [P̄ | Ā] blocks (0: one shared block)
  fac_stride: u32,   // @44 floats between two problems' factor blocks (0: shared)
  last_iter: u32,    // @48 1 when this dispatch ends on a check iteration (record δx, δy)
  flags: u32,        // @52 bit 0: scaled_termination, bit 1: check computes the ρ ratio only,
                     //     bit 2: PCG cold start (x̃ = 0 each solve; a comparison aid, not a default)
  cg_max_iter: u32,  // @56 PCG iterations per x̃ solve at most (indirect path)
  _pad1: u32,        // @60  (struct size 64)
}

@group(0) @binding(0) var<uniform> prm: Params;
// Per problem (or once, mat_stride = 0): P̄ (n×n row-major) then Ā (m×n row-major).
@group(0) @binding(1) var<storage, read> mats: array<f32>;
// Per problem, stride 2n+4m: q̄[n] l̄[m] ū[m] ρ[m] D[n] E[m]. Infinite bounds are ±1e30.
@group(0) @binding(2) var<storage, read> data: array<f32>;
// Per problem, stride 2n+3m: x[n] z[m] y[m] δx[n] δy[m] (scaled iterates).
@group(0) @binding(3) var<storage, read_write> state: array<f32>;
// Per problem, direct (stride 2n²+m): LDLᵀ factor of K = P̄ + σI + Āᵀdiag(ρ)Ā (n×n), K⁻¹ (n×n),
// w = ρ∘(z − Āx) − y (m); the PCG vectors (admm-pcg.wgsl, stride 5n+m); or the shared GEMM operator.
@group(0) @binding(4) var<storage, read_write> fac: array<f32>;
// Per problem, 16 floats: see INFO_* below.
@group(0) @binding(5) var<storage, read_write> info: array<f32>;
// Shared regime: GEMM output Y ((n+m)×batch, row-major) and input V ((2n+m)×batch).
@group(0) @binding(6) var<storage, read_write> gy: array<f32>;
@group(0) @binding(7) var<storage, read_write> gv: array<f32>;

/** |bound| at or above this is infinite (the host writes ±1e30, as OSQP_INFTY). */
const INF_BOUND: f32 = 1e29;
const DIVISION_TOL: f32 = 1e-10;

const INFO_STRIDE: u32 = 16u;
const INFO_STATUS: u32 = 0u;     // 0 running, 1 solved, 2 primal infeasible, 3 dual infeasible, 4 non-convex pivot
const INFO_ITER: u32 = 1u;       // iterations run
const INFO_PRIM: u32 = 2u;       // ‖r_prim‖∞ (unscaled unless scaled_termination)
const INFO_DUAL: u32 = 3u;       // ‖r_dual‖∞
const INFO_RHO_RATIO: u32 = 4u;  // √((r̄_prim/scale) / (r̄_dual/scale)) in the scaled problem
const INFO_COST: u32 = 5u;       // cost scaling c (host input)
const INFO_REFACTOR: u32 = 6u;   // host input: 1 when K changed (ρ): refactor (direct) / new M⁻¹ (PCG)
const INFO_APPROX: u32 = 7u;     // 1 when the last check met 10× the tolerances (solved_inaccurate)
const INFO_PRIM_SCALED: u32 = 8u;  // ‖Āx − z‖∞ of the scaled problem at the last check (−1: none yet)
const INFO_DUAL_SCALED: u32 = 9u;  // ‖P̄x + q̄ + Āᵀy‖∞ of the scaled problem at the last check
const INFO_CG_ITER: u32 = 10u;     // PCG iterations run in total (indirect path)
const INFO_CG_EPS: u32 = 11u;      // PCG tolerance of the last x̃ solve (host input −1: first solve)
const INFO_CG_FRACTION: u32 = 12u; // PCG tolerance fraction (host input: cg_tol_fraction; halved by PCG)
const INFO_CG_ZERO: u32 = 13u;     // consecutive x̃ solves that needed no PCG iteration
// 14, 15: padding (a 64-byte record)

fn mat_p(b: u32) -> u32 { return b * prm.mat_stride; }
fn mat_a(b: u32) -> u32 { return b * prm.mat_stride + prm.n * prm.n; }
fn data_base(b: u32) -> u32 { return b * (2u * prm.n + 4u * prm.m); }
fn d_q(b: u32) -> u32 { return data_base(b); }
fn d_l(b: u32) -> u32 { return data_base(b) + prm.n; }
fn d_u(b: u32) -> u32 { return data_base(b) + prm.n + prm.m; }
fn d_rho(b: u32) -> u32 { return data_base(b) + prm.n + 2u * prm.m; }
fn d_D(b: u32) -> u32 { return data_base(b) + prm.n + 3u * prm.m; }
fn d_E(b: u32) -> u32 { return data_base(b) + 2u * prm.n + 3u * prm.m; }
fn state_base(b: u32) -> u32 { return b * (2u * prm.n + 3u * prm.m); }
fn s_x(b: u32) -> u32 { return state_base(b); }
fn s_z(b: u32) -> u32 { return state_base(b) + prm.n; }
fn s_y(b: u32) -> u32 { return state_base(b) + prm.n + prm.m; }
fn s_dx(b: u32) -> u32 { return state_base(b) + prm.n + 2u * prm.m; }
fn s_dy(b: u32) -> u32 { return state_base(b) + 2u * prm.n + 2u * prm.m; }
fn fac_base(b: u32) -> u32 { return b * prm.fac_stride; }
