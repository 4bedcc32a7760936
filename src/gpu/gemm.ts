/**
 * Host side of gemm.wgsl (C = A·B, row-major f32, 64×64 tiles): the shared-regime x-update and
 * the reference matmul the benchmark measures the adapter's throughput with; and of
 * gemm-narrow.wgsl (TM×NC tiles), which the shared regime uses below NARROW_BELOW columns.
 */
import type { GpuContext } from './device';

const TILE = 64;
/** Rows per narrow-tile workgroup (TM in gemm-narrow.wgsl). */
const NARROW_ROWS = 64;
/** Below this many columns (batch) the narrow kernel is used: a 64-wide tile would be mostly idle. */
export const NARROW_BELOW = 16;

/** Columns per narrow tile: N rounded up to a power of two (1…16), so few pipelines are compiled. */
const narrowCols = (N: number): number => Math.min(16, 2 ** Math.ceil(Math.log2(Math.max(1, N))));

export function gemmPipeline(ctx: GpuContext): GPUComputePipeline {
  const { layout } = gemmLayout(ctx);
  return ctx.pipeline('gemm', 'gemm', layout, {}, 'gemm');
}

/**
 * The kernel for an M×K by K×N product: gemm.wgsl's 64×64 tiles, or gemm-narrow.wgsl's TM×NC
 * tiles when N < NARROW_BELOW (NC an override constant, set at pipeline creation), with its grid.
 */
export function gemmKernel(
  ctx: GpuContext,
  M: number,
  N: number,
): { pipeline: GPUComputePipeline; workgroups: [number, number] } {
  if (N >= NARROW_BELOW) return { pipeline: gemmPipeline(ctx), workgroups: gemmDispatch(M, N) };
  const { layout } = gemmLayout(ctx);
  const nc = narrowCols(N);
  const pipeline = ctx.pipeline(
    'gemmNarrow',
    'gemm_narrow',
    layout,
    { TM: NARROW_ROWS, NC: nc },
    'gemm',
  );
  return { pipeline, workgroups: [Math.ceil(N / nc), Math.ceil(M / NARROW_ROWS)] };
}

function gemmLayout(ctx: GpuContext): { bgl: GPUBindGroupLayout; layout: GPUPipelineLayout } {
  return ctx.cached('gemm-layout', () => {
    const e = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type },
    });
    const bgl = ctx.device.createBindGroupLayout({
      label: 'gemm',
      entries: [
        e(0, 'uniform'),
        e(1, 'read-only-storage'),
        e(2, 'read-only-storage'),
        e(3, 'storage'),
      ],
    });
    return { bgl, layout: ctx.device.createPipelineLayout({ bindGroupLayouts: [bgl] }) };
  });
}

/** Bind group for C = A·B; `dims` holds the Dims uniform {M @0, N @4, K @8, pad @12} (u32). */
export function gemmBindGroup(
  ctx: GpuContext,
  dims: GPUBuffer,
  A: GPUBuffer,
  B: GPUBuffer,
  C: GPUBuffer,
): GPUBindGroup {
  const { bgl } = gemmLayout(ctx);
  return ctx.device.createBindGroup({
    layout: bgl,
    entries: [dims, A, B, C].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

/** Workgroups of gemm.wgsl (x over columns N, y over rows M). */
export function gemmDispatch(M: number, N: number): [number, number] {
  return [Math.ceil(N / TILE), Math.ceil(M / TILE)];
}

/**
 * Times `reps` products of random size×size matrices with gemm.wgsl; returns GFLOP/s from GPU
 * timestamps when available, else from wall time around queue completion.
 */
export async function measureMatmul(
  ctx: GpuContext,
  size: number,
  reps: number,
): Promise<{ gflops: number; source: 'timestamps' | 'wall' }> {
  const n = size;
  const rnd = () => Float32Array.from({ length: n * n }, () => Math.random() - 0.5);
  const A = ctx.storage('ref.A', rnd());
  const B = ctx.storage('ref.B', rnd());
  const C = ctx.storage('ref.C', n * n);
  const dims = ctx.uniform('ref.dims', new Uint32Array([n, n, n, 0]).buffer);
  const pipe = gemmPipeline(ctx);
  const bind = gemmBindGroup(ctx, dims, A, B, C);
  const flops = 2 * n * n * n;
  const run = async (count: number, label: string) => {
    const enc = ctx.device.createCommandEncoder();
    for (let r = 0; r < count; r++) {
      const pass = enc.beginComputePass(ctx.passDescriptor(label, flops));
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(...gemmDispatch(n, n));
      pass.end();
    }
    ctx.device.queue.submit([enc.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
  };
  try {
    await run(1, 'warmup');
    const t = performance.now();
    ctx.startTiming();
    await run(reps, 'ref-matmul');
    const times = await ctx.stopTiming();
    const wallMs = performance.now() - t;
    const e = times.get('ref-matmul');
    if (e && e.ns > 0) return { gflops: e.flops / e.ns, source: 'timestamps' };
    return { gflops: (reps * flops) / (wallMs * 1e6), source: 'wall' };
  } finally {
    for (const b of [A, B, C, dims]) b.destroy();
  }
}
