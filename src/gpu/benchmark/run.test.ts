/**
 * The benchmark core on real engines (CPU; WebGPU through Dawn + SwiftShader): the report's shape,
 * that its gradient cosines measure accuracy against the exact Float64 KKT gradient (≈ 1 for the
 * CPU engine, ≥ 0.99 for f32), speed-ups pair each GPU row with its CPU twin, and bad
 * configurations are refused with the reason. Times are only checked to be finite, never compared.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { create, globals } from 'webgpu';
import { acquireGpu, type GpuEngines } from '../browser';
import { checkBenchConfig, runBenchmark } from './run';
import { reportMarkdown } from './format';
import { DEFAULT_BENCH, type BenchConfig, type BenchProgress } from './types';

Object.assign(globalThis, globals);
const got = await acquireGpu(create([]));
const gpu: GpuEngines | null = got.ok ? got : null;
afterAll(() => gpu?.ctx.dispose());

const config = (over: Partial<BenchConfig>): BenchConfig => ({
  ...DEFAULT_BENCH,
  sizes: [{ d: 10, meq: 5 }],
  batches: [2],
  engines: ['cpu'],
  matmulSize: 32,
  ...over,
});

describe('runBenchmark', () => {
  it('CPU engines: one row per engine × batch, finite times, exact gradients (cosine ≈ 1)', async () => {
    const progress: BenchProgress[] = [];
    const r = await runBenchmark(
      config({ batches: [1, 3], engines: ['cpu', 'cpu-shared'] }),
      { gpu: null },
      { onProgress: (p) => progress.push(p), host: 'test' },
    );
    expect(r.rows.map((w) => `${w.batch}:${w.engine}`)).toEqual([
      '1:cpu',
      '1:cpu-shared',
      '3:cpu',
      '3:cpu-shared',
    ]);
    for (const w of r.rows) {
      expect(w.size).toBe('10x5');
      expect(w.solved).toBe(w.batch);
      for (const t of [w.forward, w.backward!, w.total])
        expect(Number.isFinite(t) && t > 0).toBe(true);
      expect(w.total).toBeCloseTo(w.forward + w.backward!, 9);
      expect(w.cosSim!).toBeGreaterThan(0.9999);
      expect(w.speedup).toBeNull();
      expect(w.kernels).toBeUndefined();
    }
    expect(r.matmul.source).toBe('n/a');
    expect(progress.filter((p) => p.phase === 'forward').map((p) => p.step)).toEqual([0, 1, 2, 3]);
    expect(progress.every((p) => p.total === 4)).toBe(true);
    const md = reportMarkdown(r);
    expect(md).toContain('| 10x5 | 3 | cpu-shared |');
    expect(md).not.toContain('GPU kernels');
  });

  it.skipIf(!gpu)(
    'WebGPU shared regime: speed-up against the CPU twin, kernel fractions, cosine ≥ 0.99',
    async () => {
      const r = await runBenchmark(
        // Listed GPU first: the CPU twin still runs first, so the GPU row gets its speed-up.
        config({ engines: ['gpu-shared', 'cpu-shared'] }),
        { gpu },
        { host: 'test' },
      );
      const [c, g] = r.rows;
      expect(c.engine).toBe('cpu-shared');
      expect(g.engine).toBe('gpu-shared');
      expect(g.solved).toBeGreaterThanOrEqual(1);
      expect(g.cosSim!).toBeGreaterThan(0.99);
      expect(g.speedup).toBeCloseTo(c.total / g.total, 12);
      expect(r.matmul.gflops).toBeGreaterThan(0);
      expect(Object.keys(g.kernels!)).toEqual(expect.arrayContaining(['gemm', 'check', 'kkt']));
      if (gpu!.ctx.hasTimestamps)
        for (const k of Object.values(g.kernels!)) expect(k.fractionOfMatmul).toBeGreaterThan(0);
      expect(reportMarkdown(r)).toContain('GPU kernels');
    },
  );

  it('refuses bad configurations with the reason', () => {
    expect(() => checkBenchConfig(config({ sizes: [] }), { gpu: null })).toThrow(
      /at least one problem size/,
    );
    expect(() => checkBenchConfig(config({ batches: [0] }), { gpu: null })).toThrow(
      /positive integers/,
    );
    expect(() => checkBenchConfig(config({ engines: ['tpu'] }), { gpu: null })).toThrow(
      /unknown engine 'tpu'/,
    );
    expect(() => checkBenchConfig(config({ engines: ['gpu'] }), { gpu: null })).toThrow(
      /needs WebGPU/,
    );
  });

  it('an aborted signal stops the run between steps', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      runBenchmark(config({}), { gpu: null }, { signal: ac.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});
