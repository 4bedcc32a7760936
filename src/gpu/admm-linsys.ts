/**
 * The x̃ solvers of the per-problem regime, K x̃ = σx − q̄ + Āᵀ(ρ∘z − y) with
 * K = P̄ + σI + Āᵀdiag(ρ)Ā, as OSQP's linear-system table (`solve`, `update_rho_vec`) made of passes:
 *  - direct: K is formed, LDLᵀ-factored and inverted per problem (admm-factor.wgsl); each x̃ solve
 *    in admm-iterate.wgsl is a mat-vec in residual form, x̃ = x + K⁻¹(rhs − Kx) (three barriers
 *    per ADMM iteration, where substitution took 2n); a ρ change refactors (n²m + n³/3 flops and
 *    n serial steps for LDLᵀ, ~4n³/3 flops without barriers for K⁻¹) and the factor block takes
 *    2n² + m floats per problem. n ≤ 1024 (workgroup vectors).
 *  - indirect: Jacobi-preconditioned CG, matrix-free and warm-started (admm-pcg.wgsl, cuOSQP's
 *    scheme); a ρ change only recomputes M⁻¹ = diag(K)⁻¹ (nm flops, no refactorization), the
 *    scratch is 5n + m floats per problem and no vector lives in workgroup memory, so n is
 *    bounded only by the binding size.
 */
import { matTVec, matVec, normInf } from '../solvers/linalg/dense';
import type { GpuContext } from './device';
import { encodePass } from './admm-layout';
import type { PreparedProblem } from '../solvers/qp/prepared';
import type { DenseMatrix } from '../solvers/qp/types';

export type LinsysChoice = 'auto' | 'direct' | 'indirect';
export type Linsys = 'direct' | 'indirect';

/** Options of the GPU engine (src/gpu/engine.ts), beside the OSQP settings of each solve. */
export interface GpuEngineOptions {
  /** x̃ solver of per-problem batches; 'auto' (default): direct for n ≤ AUTO_DIRECT_MAX_N, else indirect. */
  linsys?: LinsysChoice;
  /** PCG iterations per x̃ solve at most (OSQP 1.0 `cg_max_iter`, default 20). */
  cgMaxIter?: number;
  /** PCG tolerance as a fraction of the residuals (OSQP 1.0 `cg_tol_fraction`, default 0.15). */
  cgTolFraction?: number;
  /** Start every PCG solve from x̃ = 0 instead of the previous x̃ (a comparison aid; default false). */
  cgColdStart?: boolean;
}

/** Workgroup-memory vector length of the direct kernels (NMAX in admm-factor.wgsl, admm-iterate.wgsl). */
export const PER_PROBLEM_NMAX = 1024;
/**
 * 'auto' switches to PCG above this n. Up to 256 the direct path is cheap and exact: the factor
 * and K⁻¹ are ≤ 512 KiB per problem (256 problems per 128 MiB binding, the WebGPU default), a
 * refactorization ≤ 28 Mflop + n²m, and exactness matters in f32, where Jacobi PCG on K with
 * equality rows (ρ·10³) converges slowly. Beyond it the direct path's costs grow faster than
 * PCG's: 2n² floats per problem (8 MiB at n = 1024: 16 problems per 128 MiB binding), 5n³/3 flops
 * and n serial barrier steps per refactorization, 4n² + 6nm flops per ADMM iteration, against
 * PCG's 5n + m floats, nm flops per ρ change and ~3 reductions (log₂ 64 = 6 barrier steps each)
 * per CG iteration, with few CG iterations once warm-started.
 */
export const AUTO_DIRECT_MAX_N = 256;
export const CG_MAX_ITER = 20;
export const CG_TOL_FRACTION = 0.15;
const WG = 64;

/** A clear message for bad engine options, or null. */
export function engineOptionsIssue(o: GpuEngineOptions): string | null {
  if (o.linsys !== undefined && !['auto', 'direct', 'indirect'].includes(o.linsys))
    return `linsys must be 'auto', 'direct' or 'indirect', got ${String(o.linsys)}`;
  if (o.cgMaxIter !== undefined && !(Number.isInteger(o.cgMaxIter) && o.cgMaxIter >= 1))
    return `cgMaxIter must be an integer ≥ 1, got ${o.cgMaxIter}`;
  if (o.cgTolFraction !== undefined && !(o.cgTolFraction > 0 && o.cgTolFraction < 1))
    return `cgTolFraction must be in (0, 1), got ${o.cgTolFraction}`;
  return null;
}

export function resolveLinsys(n: number, choice: LinsysChoice = 'auto'): Linsys {
  if (choice !== 'auto') return choice;
  return n <= AUTO_DIRECT_MAX_N ? 'direct' : 'indirect';
}

/**
 * Floats per problem in the x̃ solver's buffers: `solver` holds, direct, the LDLᵀ factor then K⁻¹
 * (n² each), indirect, x̃, M⁻¹, r, p, Kp (n each) and ρ∘Āp (m); `work` holds w = ρ∘(z − Āx) − y
 * (m, direct only).
 */
export function solverFloats(
  linsys: Linsys,
  n: number,
  m: number,
): { solver: number; work: number } {
  return linsys === 'direct' ? { solver: 2 * n * n, work: m } : { solver: 5 * n + m, work: 0 };
}

/** Problem b's initial `solver` block: nothing for the direct path; x̃ = x⁰ (the warm start) for PCG. */
export function initSolver(
  linsys: Linsys,
  solver: Float32Array,
  b: number,
  n: number,
  m: number,
  x0: Float64Array,
): void {
  if (linsys === 'indirect') solver.set(x0, b * solverFloats(linsys, n, m).solver);
}

/**
 * (‖Āx⁰ − z⁰‖∞, ‖P̄x⁰ + q̄ + Āᵀy⁰‖∞) of a warm start in the scaled problem, in Float64: the PCG
 * tolerance follows them until the first check pass (cuOSQP has residuals every iteration; we have
 * them at checks). Without them a warm start near the solution would get the first-solve
 * tolerance fraction·‖rhs‖∞ for a whole check interval: x̃ frozen while y moves (seen: dual
 * residual 2e-2 after 5 iterations from a solution at 2e-4). null for a cold start (x⁰ = y⁰ = 0),
 * whose residuals say nothing (cuOSQP: "meaningless before the first ADMM iteration").
 */
export function startResiduals(p: PreparedProblem<DenseMatrix>): [number, number] | null {
  if (p.x0.every((v) => v === 0) && p.y0.every((v) => v === 0)) return null;
  const Ax = matVec(p.A, p.x0);
  const r = matVec(p.P, p.x0);
  const Aty = matTVec(p.A, p.y0);
  for (let j = 0; j < p.n; j++) r[j] += p.q[j] + Aty[j];
  return [normInf(Ax.map((v, i) => v - p.z0[i])), normInf(r)];
}

/** The two passes of a per-problem x̃ solver. */
export interface LinsysPasses {
  /** For the problems flagged INFO_REFACTOR: refactor K (direct) or recompute M⁻¹ (indirect). */
  encodeRhoUpdate(enc: GPUCommandEncoder, flagged: number): void;
  /** `steps` ADMM iterations of the batch; `cgPerSolve` is the mean PCG iterations seen so far. */
  encodeIterate(enc: GPUCommandEncoder, steps: number, cgPerSolve: number): void;
}

export function linsysPasses(
  ctx: GpuContext,
  linsys: Linsys,
  layout: GPUPipelineLayout,
  bind: GPUBindGroup,
  B: number,
  n: number,
  m: number,
): LinsysPasses {
  if (linsys === 'direct') {
    // Āx, Āᵀw, z̃ = Āx̃ (2nm each), P̄x and K⁻¹d (2n² each).
    const steps = 4 * n * n + 6 * n * m;
    const factor = ctx.pipeline('admmFactor', 'factorize', layout, { WG }, 'admm');
    const iterate = ctx.pipeline('admmIterate', 'iterate', layout, { WG }, 'admm');
    return {
      encodeRhoUpdate: (enc, k) =>
        encodePass(
          ctx,
          enc,
          'factor',
          factor,
          bind,
          B,
          1,
          k * (n * n * m + (n * n * n) / 3 + (4 * n * n * n) / 3),
        ),
      encodeIterate: (enc, s) =>
        encodePass(ctx, enc, 'iterate', iterate, bind, B, 1, B * s * steps),
    };
  }
  const precond = ctx.pipeline('admmPcg', 'precond', layout, { WG }, 'admm');
  const iterate = ctx.pipeline('admmPcg', 'iterate', layout, { WG }, 'admm');
  // One K·p (2n² + 4nm) for the warm start's residual and one per CG iteration, plus 10n of vectors.
  const perCg = 2 * n * n + 4 * n * m + 10 * n;
  return {
    encodeRhoUpdate: (enc, k) =>
      encodePass(ctx, enc, 'precond', precond, bind, B, 1, k * 2 * n * m),
    encodeIterate: (enc, s, cg) =>
      encodePass(ctx, enc, 'pcg', iterate, bind, B, 1, B * s * (4 * n * m + (1 + cg) * perCg)),
  };
}
