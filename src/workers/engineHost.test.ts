/**
 * The worker's engine choice and fallbacks, on a real WebGPU implementation (Dawn + SwiftShader):
 * which engine a batch goes to, that a failing GPU batch is re-solved on the CPU with a notice,
 * device loss → recreation → notice, failed recreation → CPU, and the three fallback reasons.
 * Solutions are checked against the closed form, not against the other engine alone.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { create, globals } from 'webgpu';
import { makeProblem } from '../solvers/qp';
import type { QpBatch } from '../solvers/qp/types';
import { EngineHost, GPU_POLISH_EPS, gpuPlan } from './engineHost';
import type { EngineEventMessage } from './protocol';

Object.assign(globalThis, globals);
const dawn: GPU = create([]);
const hosts: EngineHost[] = [];
afterAll(() => hosts.forEach((h) => h.dispose()));

function host(gpu: GPU | undefined): { host: EngineHost; events: EngineEventMessage[] } {
  const events: EngineEventMessage[] = [];
  const h = new EngineHost({ gpu, post: (e) => events.push(e) });
  hosts.push(h);
  return { host: h, events };
}

/** min ½‖x‖² − 1ᵀx s.t. x₁ + x₂ ≤ 1, 0 ≤ x ≤ 0.7: x* = (½, ½). Shifted q moves x* along 1. */
const boxQp = makeProblem({
  P: [
    [1, 0],
    [0, 1],
  ],
  q: [-1, -1],
  A: [
    [1, 1],
    [1, 0],
    [0, 1],
  ],
  l: [-Infinity, 0, 0],
  u: [1, 0.7, 0.7],
});
/** q = (−c, −c) with c ≤ ½ keeps x* = (c, c) inside the box; above, x* = (½, ½). */
const batchOf = (cs: number[]): QpBatch => ({
  kind: 'shared',
  structure: boxQp,
  params: cs.map((c) => ({ q: Float64Array.from([-c, -c]) })),
});
const expected = (c: number) => Math.min(c, 0.5);
const GPU_SETTINGS = { eps_abs: 1e-4, eps_rel: 1e-4 };

async function waitFor(pred: () => boolean, what: string): Promise<void> {
  for (let t = 0; t < 200; t++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('gpuPlan: which settings f32 can honour', () => {
  it('refuses tight tolerances without polishing, loosens polished ones, accepts the defaults', () => {
    expect(gpuPlan({ eps_abs: 1e-9, eps_rel: 1e-9 })).toEqual({
      refusal: expect.stringMatching(/below what f32 reaches/),
    });
    expect(gpuPlan({ eps_abs: 1e-4, eps_rel: 1e-6 })).toEqual({
      refusal: expect.stringMatching(/1e-6/),
    });
    expect(gpuPlan({ eps_abs: 1e-9, eps_rel: 1e-9, polish: true })).toEqual({
      settings: { eps_abs: GPU_POLISH_EPS, eps_rel: GPU_POLISH_EPS, polish: true },
      polished: true,
    });
    expect(gpuPlan(undefined)).toEqual({ settings: {}, polished: false });
    expect(gpuPlan(GPU_SETTINGS)).toEqual({ settings: GPU_SETTINGS, polished: false });
  });
});

describe('EngineHost with a WebGPU adapter', () => {
  it('reports WebGPU with the adapter name, and solves f32-friendly batches on the GPU', async () => {
    const { host: h } = host(dawn);
    const info = await h.engineInfo();
    expect(info.kind).toBe('gpu');
    expect(info.label).toBe(`WebGPU — ${info.adapter}`);
    expect(info.adapter.length).toBeGreaterThan(0);
    expect(info.fallbackReason).toBeUndefined();
    const gpu = (await h.gpuEngines())!;
    const spy = vi.spyOn(gpu.engine, 'solveBatch');
    const cs = [0.2, 0.35, 0.9];
    const res = await h.batch.solveBatch(batchOf(cs), GPU_SETTINGS);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(h.batch.name).toBe('gpu');
    res.forEach((r, k) => {
      expect(r.status).toBe('solved');
      for (const xi of r.x) expect(Math.abs(xi - expected(cs[k]))).toBeLessThan(2e-3);
    });
    spy.mockRestore();
  });

  it('keeps tight unpolished batches on the CPU (Float64)', async () => {
    const { host: h } = host(dawn);
    const gpu = (await h.gpuEngines())!;
    const spy = vi.spyOn(gpu.engine, 'solveBatch');
    const res = await h.solveBatch(batchOf([0.3]), { eps_abs: 1e-9, eps_rel: 1e-9 });
    expect(spy).not.toHaveBeenCalled();
    for (const xi of res[0].x) expect(Math.abs(xi - 0.3)).toBeLessThan(1e-7);
    spy.mockRestore();
  });

  it('polished batches: ADMM on the GPU, polish in Float64, exact answers; failures re-solved on the CPU', async () => {
    const { host: h } = host(dawn);
    const gpu = (await h.gpuEngines())!;
    const gpuSpy = vi.spyOn(gpu.engine, 'solveBatch');
    const cpuSpy = vi.spyOn(h.cpu, 'solveBatch');
    const cs = [0.2, 0.35, 0.9];
    const tight = { eps_abs: 1e-9, eps_rel: 1e-9, polish: true };
    const res = await h.solveBatch(batchOf(cs), tight);
    expect(gpuSpy).toHaveBeenCalledTimes(1);
    expect(cpuSpy).not.toHaveBeenCalled();
    res.forEach((r, k) => {
      expect(r.polish).toBe('success');
      for (const xi of r.x) expect(Math.abs(xi - expected(cs[k]))).toBeLessThan(1e-9);
    });
    // A GPU result whose polish failed is solved again on the CPU, alone.
    gpuSpy.mockRestore();
    const original = gpu.engine.solveBatch.bind(gpu.engine);
    const patched = vi.spyOn(gpu.engine, 'solveBatch').mockImplementationOnce(async (b, s, w) => {
      const out = await original(b, s, w);
      out[1] = { ...out[1], polish: 'unsuccessful', x: Float64Array.from([9, 9]) };
      return out;
    });
    const again = await h.solveBatch(batchOf(cs), tight);
    expect(patched).toHaveBeenCalledTimes(1);
    expect(cpuSpy).toHaveBeenCalledTimes(1);
    const redone = cpuSpy.mock.calls[0][0];
    expect(redone.kind === 'shared' && redone.params.length).toBe(1);
    again.forEach((r, k) => {
      for (const xi of r.x) expect(Math.abs(xi - expected(cs[k]))).toBeLessThan(1e-9);
    });
    patched.mockRestore();
    cpuSpy.mockRestore();
  });

  it('a GPU error during a batch gives a notice and the CPU result, not an exception', async () => {
    const { host: h, events } = host(dawn);
    const gpu = (await h.gpuEngines())!;
    const spy = vi
      .spyOn(gpu.engine, 'solveBatch')
      .mockRejectedValueOnce(new Error('simulated kernel failure'));
    const res = await h.solveBatch(batchOf([0.1, 0.6]), GPU_SETTINGS);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(res.map((r) => r.status)).toEqual(['solved', 'solved']);
    for (const xi of res[1].x) expect(Math.abs(xi - 0.5)).toBeLessThan(1e-3);
    expect(events).toHaveLength(1);
    expect(events[0].notice?.level).toBe('warn');
    expect(events[0].notice?.text).toMatch(/simulated kernel failure.*solved on the CPU/);
    expect(events[0].info.kind).toBe('gpu');
    spy.mockRestore();
  });

  it('device loss: the device is recreated, the page is told, and batches still run on the GPU', async () => {
    const { host: h, events } = host(dawn);
    const gpu = (await h.gpuEngines())!;
    const generation = gpu.ctx.generation;
    gpu.ctx.device.destroy();
    await waitFor(
      () => events.some((e) => e.notice?.text.includes('recreated')),
      'the recreation notice',
    );
    expect(gpu.ctx.generation).toBe(generation + 1);
    expect((await h.engineInfo()).kind).toBe('gpu');
    const spy = vi.spyOn(gpu.engine, 'solveBatch');
    const res = await h.solveBatch(batchOf([0.25]), GPU_SETTINGS);
    expect(spy).toHaveBeenCalledTimes(1);
    for (const xi of res[0].x) expect(Math.abs(xi - 0.25)).toBeLessThan(2e-3);
    spy.mockRestore();
  });

  it('device loss without a way back: falls back to the CPU with the reason', async () => {
    // An adapter the first time only, as when the GPU process is gone for good.
    let calls = 0;
    const flaky = {
      requestAdapter: (o?: GPURequestAdapterOptions) =>
        calls++ === 0 ? dawn.requestAdapter(o) : Promise.resolve(null),
    } as unknown as GPU;
    const { host: h, events } = host(flaky);
    const gpu = (await h.gpuEngines())!;
    gpu.ctx.device.destroy();
    await waitFor(() => events.some((e) => e.info.kind === 'cpu'), 'the switch to the CPU');
    const ev = events.find((e) => e.info.kind === 'cpu')!;
    expect(ev.notice?.level).toBe('error');
    expect(ev.info.fallbackReason).toMatch(/could not be recreated/);
    expect((await h.engineInfo()).kind).toBe('cpu');
    expect(await h.gpuEngines()).toBeNull();
    const res = await h.solveBatch(batchOf([0.4]), GPU_SETTINGS);
    for (const xi of res[0].x) expect(Math.abs(xi - 0.4)).toBeLessThan(1e-2);
  });
});

describe('EngineHost without WebGPU: the CPU engine and the reason', () => {
  it('no navigator.gpu', async () => {
    const info = await host(undefined).host.engineInfo();
    expect(info).toMatchObject({
      kind: 'cpu',
      label: 'CPU (Float64)',
      fallbackReason: 'navigator.gpu is not available in this browser',
    });
  });

  it('no adapter', async () => {
    const none = { requestAdapter: () => Promise.resolve(null) } as unknown as GPU;
    expect((await host(none).host.engineInfo()).fallbackReason).toMatch(/^no adapter/);
  });

  it('device creation failed', async () => {
    const real = (await dawn.requestAdapter())!;
    const adapter = {
      limits: real.limits,
      features: real.features,
      info: real.info,
      requestDevice: () => Promise.reject(new Error('device quota exhausted')),
    };
    const gpu = { requestAdapter: () => Promise.resolve(adapter) } as unknown as GPU;
    const { host: h } = host(gpu);
    expect((await h.engineInfo()).fallbackReason).toBe(
      'device creation failed: device quota exhausted',
    );
    const res = await h.solveBatch(batchOf([0.2]), GPU_SETTINGS);
    for (const xi of res[0].x) expect(Math.abs(xi - 0.2)).toBeLessThan(1e-2);
  });
});
