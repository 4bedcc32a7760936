/**
 * Host side of the buffer layouts declared in common.wgsl: the Params uniform, the per-problem
 * vectors, the info records and the bind group layout shared by every ADMM kernel.
 */
import type { GpuContext } from './device';
import type { AdmmEvaluation } from '../solvers/qp/evaluation';

/** Infinite bounds are uploaded as ±OSQP_INFTY (f32 arithmetic on ±Infinity is not portable). */
export const GPU_INFTY = 1e30;

/**
 * Per-problem info record (32 f32 = 128 bytes), offsets as INFO_* in common.wgsl: host inputs,
 * kernel counters, and the check pass's evaluation (EVAL, 14 floats from @40).
 */
export const INFO_STRIDE = 32;
export const INFO = {
  stopped: 0, //     @0   host input: 1 once the driver has decided the problem
  iter: 1, //        @4
  cost: 2, //        @8   host input: c
  refactor: 3, //    @12  host input: K changed (refactor / new preconditioner)
  cgIter: 4, //      @16  PCG iterations in total
  cgEps: 5, //       @20  host input −1 (first solve)
  cgFraction: 6, //  @24  host input: the initial PCG tolerance fraction
  cgZero: 7, //      @28
  primScaled: 8, // @32  host input −1 (no check yet)
  dualScaled: 9, // @36
  snapIter: 24, //   @96  iterations at the last check (the δ snapshots)
  eval: 10, //       @40  prim, dual, primScale, dualScale, primScaleScaled, dualScaleScaled, dyNorm,
  //                      atdyNorm, support, dxNorm, pdxNorm, qdx, adxUpper, adxLower (to @96)
} as const;

/** Reads the check pass's evaluation of problem b out of an info readback. */
export function evaluationOf(info: Float32Array, b: number): AdmmEvaluation {
  const o = b * INFO_STRIDE;
  const e = o + INFO.eval;
  const big = (v: number) => (v <= -1e38 ? -Infinity : v);
  return {
    prim: info[e],
    dual: info[e + 1],
    primScale: info[e + 2],
    dualScale: info[e + 3],
    primScaled: info[o + INFO.primScaled],
    dualScaled: info[o + INFO.dualScaled],
    primScaleScaled: info[e + 4],
    dualScaleScaled: info[e + 5],
    dyNorm: info[e + 6],
    atdyNorm: info[e + 7],
    support: info[e + 8],
    dxNorm: info[e + 9],
    pdxNorm: info[e + 10],
    qdx: info[e + 11],
    adxUpper: big(info[e + 12]),
    adxLower: big(info[e + 13]),
  };
}

export interface AdmmParams {
  n: number;
  m: number;
  batch: number;
  iters: number;
  sigma: number;
  alpha: number;
  /** Floats between problems' [P̄ | Ā] blocks; 0 when shared. */
  matStride: number;
  scaledTermination: boolean;
  /** Indirect path: PCG iterations per x̃ solve at most (0 elsewhere). */
  cgMaxIter?: number;
  /** Indirect path: start every PCG solve from x̃ = 0 instead of the previous x̃. */
  cgColdStart?: boolean;
}

/** Params is 48 bytes (common.wgsl). */
export const PARAMS_BYTES = 48;

/** Packs Params as in common.wgsl. */
export function packParams(p: AdmmParams): ArrayBuffer {
  const buf = new ArrayBuffer(PARAMS_BYTES);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  u[0] = p.n; //              @0
  u[1] = p.m; //              @4
  u[2] = p.batch; //          @8
  u[3] = p.iters; //          @12
  f[4] = p.sigma; //          @16
  f[5] = p.alpha; //          @20
  u[6] = p.matStride; //      @24
  u[7] = (p.scaledTermination ? 1 : 0) | (p.cgColdStart ? 4 : 0); // @28 flags
  u[8] = p.cgMaxIter ?? 0; // @32; @36–@44 padding
  return buf;
}

/** Floats per problem in the data buffer: q̄[n] l̄[m] ū[m] ρ[m] D[n] E[m]. */
export const dataStride = (n: number, m: number): number => 2 * n + 4 * m;
/** Floats per problem in the state buffer: x[n] z[m] y[m] δx[n] δy[m] x̂[n] ŷ[m] (common.wgsl). */
export const stateStride = (n: number, m: number): number => 3 * n + 4 * m;

/** Writes problem b's starting iterate into the state array; the check snapshots start there too. */
export function packStart(
  state: Float32Array,
  b: number,
  n: number,
  m: number,
  start: { x0: Float64Array; z0: Float64Array; y0: Float64Array },
): void {
  const o = b * stateStride(n, m);
  state.set(start.x0, o);
  state.set(start.z0, o + n);
  state.set(start.y0, o + n + m);
  state.set(start.x0, o + 2 * n + 3 * m);
  state.set(start.y0, o + 3 * n + 3 * m);
}

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

/**
 * The buffers bound to an ADMM dispatch, by role (binding): the Params uniform (0), the matrices
 * (1), the per-problem vectors (2), the iterates (3), the x̃ solver's storage (4: the LDLᵀ factor and
 * K⁻¹, the PCG vectors, or the shared GEMM operator), the info records (5), and two work buffers
 * (6, 7: w = ρ∘(z − Āx) − y for the direct solver, the GEMM's output and input when shared).
 */
export interface AdmmBuffers {
  params: GPUBuffer;
  mats: GPUBuffer;
  data: GPUBuffer;
  state: GPUBuffer;
  solver: GPUBuffer;
  info: GPUBuffer;
  work: GPUBuffer;
  work2: GPUBuffer;
}

export function admmBindGroup(ctx: GpuContext, b: AdmmBuffers): GPUBindGroup {
  const { bgl } = admmLayout(ctx);
  const list = [b.params, b.mats, b.data, b.state, b.solver, b.info, b.work, b.work2];
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
