/**
 * gemm.wgsl (64×64 tiles) and gemm-narrow.wgsl (TM×NC tiles, used below NARROW_BELOW columns)
 * against a Float64 product on the CPU, on real Dawn + SwiftShader. Shapes straddle the tile edges
 * (M not a multiple of 64, K not a multiple of 16, N from 1 to past the narrow threshold).
 * Tolerance: f32 accumulation of K ≤ 130 products of entries in [−0.5, 0.5], 1e-5·K absolute.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeGpu } from './node';
import type { GpuContext } from './device';
import { gemmBindGroup, gemmKernel, NARROW_BELOW } from './gemm';
import { errorMessage } from '../solvers/errors';

let ctx: GpuContext | null = null;
try {
  ctx = await createNodeGpu();
} catch (e) {
  console.error(
    `\n!!!!!!!! NO WEBGPU ADAPTER: GEMM cases are SKIPPED (${errorMessage(e)}) !!!!!!!!\n`,
  );
}
afterAll(() => ctx?.dispose());

/** Deterministic values in [−0.5, 0.5) (a small LCG), so a failure reproduces. */
function values(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

async function gpuProduct(
  c: GpuContext,
  A: Float32Array,
  B: Float32Array,
  M: number,
  N: number,
  K: number,
): Promise<Float32Array> {
  const bufs = [c.storage('t.A', A), c.storage('t.B', B), c.storage('t.C', M * N)];
  const dims = c.uniform('t.dims', new Uint32Array([M, N, K, 0]).buffer);
  try {
    const { pipeline, workgroups } = gemmKernel(c, M, N);
    const enc = c.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, gemmBindGroup(c, dims, bufs[0], bufs[1], bufs[2]));
    pass.dispatchWorkgroups(...workgroups);
    pass.end();
    return await c.read(bufs[2], 0, M * N * 4, enc);
  } finally {
    for (const b of [...bufs, dims]) b.destroy();
  }
}

describe.skipIf(!ctx)('GPU GEMM kernels against a Float64 product', () => {
  it.each([
    [60, 1, 110],
    [15, 2, 25],
    [130, 3, 37],
    [70, 5, 130],
    [64, 9, 16],
    [33, 15, 50],
    [60, NARROW_BELOW, 110],
    [70, 40, 33],
  ])('M=%i, N=%i, K=%i', async (M, N, K) => {
    const A = values(M * K, M * 7 + K);
    const B = values(K * N, N * 13 + K);
    const C = await gpuProduct(ctx!, A, B, M, N, K);
    let worst = 0;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
        worst = Math.max(worst, Math.abs(C[i * N + j] - s));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-5 * K);
  });
});
