/**
 * Host side of the buffer layouts declared in common.wgsl: the Params uniform, the per-problem
 * vectors, the info records and the bind group layout shared by every ADMM kernel.
 */
import type { GpuContext } from './device';
import { RHO_EQ_OVER_RHO_INEQ, RHO_MAX, RHO_MIN, RowType } from '../solvers/qp/workspace';

/** Infinite bounds are uploaded as ±OSQP_INFTY (f32 arithmetic on ±Infinity is not portable). */
export const GPU_INFTY = 1e30;

/** Per-problem info record (16 f32 = 64 bytes), offsets as INFO_* in common.wgsl (floats 14, 15: padding). */
export const INFO_STRIDE = 16;
export const INFO = {
  status: 0, //        @0
  iter: 1, //          @4
  prim: 2, //          @8
  dual: 3, //          @12
  rhoRatio: 4, //      @16
  cost: 5, //          @20 host input: c
  refactor: 6, //      @24 host input: K changed (refactor / new preconditioner)
  approx: 7, //        @28
  primScaled: 8, //    @32 host input −1 (no check yet)
  dualScaled: 9, //    @36
  cgIter: 10, //       @40 PCG iterations in total
  cgEps: 11, //        @44 host input −1 (first solve)
  cgFraction: 12, //   @48 host input: the initial PCG tolerance fraction
  cgZero: 13, //       @52
} as const;
/** INFO_STATUS codes written by admm-check.wgsl. */
export const GPU_STATUS = {
  running: 0,
  solved: 1,
  primalInfeasible: 2,
  dualInfeasible: 3,
} as const;

export interface AdmmParams {
  n: number;
  m: number;
  batch: number;
  iters: number;
  sigma: number;
  alpha: number;
  eps_abs: number;
  eps_rel: number;
  eps_prim_inf: number;
  eps_dual_inf: number;
  /** Floats between problems' [P̄ | Ā] blocks; 0 when shared. */
  matStride: number;
  /** Floats between problems' factor blocks; 0 when shared. */
  facStride: number;
  /** The dispatch ends on a check iteration: record δx, δy. */
  lastIter: boolean;
  scaledTermination: boolean;
  /** The check pass only estimates ρ (no status change). */
  ratioOnly: boolean;
  /** Indirect path: PCG iterations per x̃ solve at most (0 elsewhere). */
  cgMaxIter?: number;
  /** Indirect path: start every PCG solve from x̃ = 0 instead of the previous x̃. */
  cgColdStart?: boolean;
}

/** Packs Params (64 bytes) as in common.wgsl. */
export function packParams(p: AdmmParams): ArrayBuffer {
  const buf = new ArrayBuffer(64);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  u[0] = p.n; //               @0
  u[1] = p.m; //               @4
  u[2] = p.batch; //           @8
  u[3] = p.iters; //           @12
  f[4] = p.sigma; //           @16
  f[5] = p.alpha; //           @20
  f[6] = p.eps_abs; //         @24
  f[7] = p.eps_rel; //         @28
  f[8] = p.eps_prim_inf; //    @32
  f[9] = p.eps_dual_inf; //    @36
  u[10] = p.matStride; //      @40
  u[11] = p.facStride; //      @44
  u[12] = p.lastIter ? 1 : 0; // @48
  u[13] = (p.scaledTermination ? 1 : 0) | (p.ratioOnly ? 2 : 0) | (p.cgColdStart ? 4 : 0); // @52 flags
  u[14] = p.cgMaxIter ?? 0; // @56; @60 padding
  return buf;
}

/** Floats per problem in the data buffer: q̄[n] l̄[m] ū[m] ρ[m] D[n] E[m]. */
export const dataStride = (n: number, m: number): number => 2 * n + 4 * m;
/** Floats per problem in the state buffer: x[n] z[m] y[m] δx[n] δy[m]. */
export const stateStride = (n: number, m: number): number => 2 * n + 3 * m;

/** One problem's scaled vectors, the input of packData. */
export interface ScaledVectors {
  q: Float64Array;
  l: Float64Array;
  u: Float64Array;
  rhoVec: Float64Array;
  D: Float64Array;
  E: Float64Array;
}

const finiteOr = (v: number): number =>
  v >= GPU_INFTY ? GPU_INFTY : v <= -GPU_INFTY ? -GPU_INFTY : v;

/** Writes problem b's vectors into the data array (layout of dataStride). */
export function packData(
  out: Float32Array,
  b: number,
  n: number,
  m: number,
  v: ScaledVectors,
): void {
  const o = b * dataStride(n, m);
  out.set(v.q, o);
  for (let i = 0; i < m; i++) {
    out[o + n + i] = finiteOr(v.l[i]);
    out[o + n + m + i] = finiteOr(v.u[i]);
  }
  out.set(v.rhoVec, o + n + 2 * m);
  out.set(v.D, o + n + 3 * m);
  out.set(v.E, o + 2 * n + 3 * m);
}

/** ρᵢ = RHO_MIN on loose rows, 10³ρ on equalities, ρ otherwise (as setRhoVec in admm.ts). */
export function rhoVector(rowType: Int8Array, rho: number): Float64Array {
  const r = clampRho(rho);
  return Float64Array.from(rowType, (t) =>
    t === RowType.Loose ? RHO_MIN : t === RowType.Equality ? RHO_EQ_OVER_RHO_INEQ * r : r,
  );
}

export const clampRho = (rho: number): number => Math.min(Math.max(rho, RHO_MIN), RHO_MAX);

/** Bind group layout of common.wgsl (uniform + 7 storage buffers), cached per device. */
export function admmLayout(ctx: GpuContext): {
  bgl: GPUBindGroupLayout;
  layout: GPUPipelineLayout;
} {
  return ctx.cached('admm-layout', () => {
    const storage = (binding: number, readOnly: boolean): GPUBindGroupLayoutEntry => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: readOnly ? 'read-only-storage' : 'storage' },
    });
    const bgl = ctx.device.createBindGroupLayout({
      label: 'admm',
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
        storage(1, true),
        storage(2, true),
        storage(3, false),
        storage(4, false),
        storage(5, false),
        storage(6, false),
        storage(7, false),
      ],
    });
    return { bgl, layout: ctx.device.createPipelineLayout({ bindGroupLayouts: [bgl] }) };
  });
}

/** The eight buffers bound to an ADMM dispatch, in binding order. */
export interface AdmmBuffers {
  params: GPUBuffer;
  mats: GPUBuffer;
  data: GPUBuffer;
  state: GPUBuffer;
  fac: GPUBuffer;
  info: GPUBuffer;
  gy: GPUBuffer;
  gv: GPUBuffer;
}

export function admmBindGroup(ctx: GpuContext, b: AdmmBuffers): GPUBindGroup {
  const { bgl } = admmLayout(ctx);
  const list = [b.params, b.mats, b.data, b.state, b.fac, b.info, b.gy, b.gv];
  return ctx.device.createBindGroup({
    layout: bgl,
    entries: list.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

export function destroyAll(b: AdmmBuffers): void {
  for (const buf of Object.values(b)) (buf as GPUBuffer).destroy();
}

/** Encodes one compute pass of `pipeline` over (x, y) workgroups. */
export function encodePass(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  label: string,
  pipeline: GPUComputePipeline,
  bindGroup: GPUBindGroup,
  x: number,
  y = 1,
  flops = 0,
): void {
  const pass = enc.beginComputePass(ctx.passDescriptor(label, flops));
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(x, y);
  pass.end();
}
