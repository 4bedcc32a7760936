/**
 * The worker's engine choice and fallbacks, on a real WebGPU implementation (Dawn + SwiftShader):
 * the batch preference (auto keeps batches off this software adapter, 'gpu' forces it), which
 * engine a batch goes to and reports, that a failing GPU batch is re-solved on the CPU with a
 * notice, device loss → recreation → notice, failed recreation → CPU, and the three fallback
 * reasons. Solutions are checked against the closed form, not against the other engine alone.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { create, globals } from 'webgpu';
import { makeProblem } from '../solvers/qp';
import type { QpBatch } from '../solvers/qp/types';
import { adapterShortName, isSoftwareAdapter } from '../gpu/browser';
import {
  batchRoute,
  EngineHost,
  GPU_POLISH_EPS,
  gpuPlan,
  mergeRuns,
  SOFTWARE_NOTE,
} from './engineHost';
import type { BatchPreference, BatchRun, EngineEventMessage } from './protocol';

Object.assign(globalThis, globals);
const dawn: GPU = create([]);
const hosts: EngineHost[] = [];
afterAll(() => hosts.forEach((h) => h.dispose()));

/** A host; GPU routing cases force 'gpu', since 'auto' keeps batches off SwiftShader. */
function host(
  gpu: GPU | undefined,
  preference: BatchPreference = 'gpu',
): { host: EngineHost; events: EngineEventMessage[] } {
  const events: EngineEventMessage[] = [];
  const h = new EngineHost({ gpu, preference, post: (e) => events.push(e) });
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

describe('isSoftwareAdapter: GPUAdapterInfo of CPU-emulated adapters', () => {
  // Values as browsers report them (vendor / architecture / description).
  const software = [
    { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true },
    { vendor: 'google', architecture: 'swiftshader' }, // before isFallbackAdapter existed
    { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.7, 256 bits)' },
    { vendor: 'mesa', device: 'lavapipe' },
    { vendor: 'microsoft', description: 'Microsoft Basic Render Driver' },
    { vendor: 'microsoft', architecture: 'WARP' },
    { vendor: 'acme', description: 'Software Rasterizer' },
    { vendor: 'unknown', isFallbackAdapter: true },
  ];
  const hardware = [
    { vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false },
    { vendor: 'apple', architecture: 'metal-3' },
    { vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) UHD Graphics 770' },
    { vendor: 'amd', architecture: 'rdna-3' },
    {}, // nothing reported (privacy): assumed hardware, the user can still choose CPU
  ];
  it('recognizes software adapters by isFallbackAdapter or by name, and not hardware ones', () => {
    for (const info of software) expect(isSoftwareAdapter(info), JSON.stringify(info)).toBe(true);
    for (const info of hardware) expect(isSoftwareAdapter(info), JSON.stringify(info)).toBe(false);
  });
  it('short names for the badge', () => {
    expect(adapterShortName(software[0])).toBe('google swiftshader');
    expect(adapterShortName({ description: 'llvmpipe' })).toBe('llvmpipe');
    expect(adapterShortName({})).toBe('unknown adapter');
  });
});

describe('batchRoute and mergeRuns: where batches go, and one report per job', () => {
  it('every preference on a hardware adapter, a software one and none', () => {
    const hw = { software: false };
    const sw = { software: true };
    expect(batchRoute('auto', hw)).toEqual({ batches: 'gpu' });
    expect(batchRoute('auto', sw)).toEqual({ batches: 'cpu', note: SOFTWARE_NOTE });
    expect(batchRoute('auto', null)).toEqual({ batches: 'cpu' });
    expect(batchRoute('gpu', hw)).toEqual({ batches: 'gpu' });
    expect(batchRoute('gpu', sw)).toMatchObject({ batches: 'gpu', note: /software adapter/ });
    expect(batchRoute('gpu', null)).toMatchObject({ batches: 'cpu', note: /unavailable/ });
    for (const gpu of [hw, sw, null])
      expect(batchRoute('cpu', gpu)).toEqual({ batches: 'cpu', note: 'CPU chosen for batches' });
  });
  it('merges the batches of one job: sums, and gpu+cpu when engines differ', () => {
    const g: BatchRun = { engine: 'gpu', method: 'f32 ADMM', problems: 3, resolved: 0 };
    const c: BatchRun = {
      engine: 'cpu',
      method: 'Float64 ADMM',
      reason: 'x',
      problems: 2,
      resolved: 0,
    };
    expect(mergeRuns([g, g])).toEqual({ ...g, problems: 6 });
    expect(mergeRuns([g, c])).toEqual({
      engine: 'gpu+cpu',
      method: 'f32 ADMM; Float64 ADMM',
      reason: 'x',
      problems: 5,
      resolved: 0,
    });
    expect(mergeRuns([{ ...g, engine: 'gpu+cpu', resolved: 1 }, g])).toMatchObject({
      engine: 'gpu+cpu',
      resolved: 1,
    });
  });
});

describe('EngineHost batch preference on Dawn (SwiftShader, a software adapter)', () => {
  it("'auto' keeps batches on the CPU and says why; 'gpu' and 'cpu' switch later batches", async () => {
    const { host: h } = host(dawn, 'auto');
    const info = await h.engineInfo();
    expect(info).toMatchObject({
      kind: 'gpu',
      software: true,
      preference: 'auto',
      batches: 'cpu',
      batchNote: SOFTWARE_NOTE,
    });
    const gpu = (await h.gpuEngines())!;
    const gpuSpy = vi.spyOn(gpu.engine, 'solveBatch');
    const cs = [0.2, 0.8];
    const solveAndCheck = async () => {
      const { results, run } = await h.solveBatchRun(batchOf(cs), GPU_SETTINGS);
      results.forEach((r, k) => {
        for (const xi of r.x) expect(Math.abs(xi - expected(cs[k]))).toBeLessThan(2e-3);
      });
      return run;
    };
    expect(await solveAndCheck()).toEqual({
      engine: 'cpu',
      method: 'Float64 ADMM',
      reason: SOFTWARE_NOTE,
      problems: 2,
      resolved: 0,
    });
    expect(h.batch.name).toBe('cpu');
    expect(gpuSpy).not.toHaveBeenCalled();

    expect(await h.setBatchPreference('gpu')).toMatchObject({ batches: 'gpu', preference: 'gpu' });
    expect(await solveAndCheck()).toMatchObject({ engine: 'gpu', method: 'f32 ADMM' });
    expect(gpuSpy).toHaveBeenCalledTimes(1);
    expect(h.batch.name).toBe('gpu');

    expect(await h.setBatchPreference('cpu')).toMatchObject({
      batches: 'cpu',
      batchNote: 'CPU chosen for batches',
    });
    expect(await solveAndCheck()).toMatchObject({
      engine: 'cpu',
      reason: 'CPU chosen for batches',
    });
    expect(gpuSpy).toHaveBeenCalledTimes(1);
    gpuSpy.mockRestore();

    await expect(h.setBatchPreference('fast' as BatchPreference)).rejects.toThrow(
      /unknown batch preference "fast"/,
    );
    expect((await h.engineInfo()).preference).toBe('cpu');
  });

  it('engine events carry the route (the badge stays right after a device loss)', async () => {
    const { host: h, events } = host(dawn, 'auto');
    const gpu = (await h.gpuEngines())!;
    gpu.ctx.device.destroy();
    await waitFor(() => events.some((e) => e.notice?.text.includes('recreated')), 'recreation');
    const ev = events.find((e) => e.notice?.text.includes('recreated'))!;
    expect(ev.info).toMatchObject({ kind: 'gpu', batches: 'cpu', batchNote: SOFTWARE_NOTE });
  });
});

describe('EngineHost with a WebGPU adapter', () => {
  it('reports WebGPU with the adapter name, and solves f32-friendly batches on the GPU', async () => {
    const { host: h } = host(dawn);
    const info = await h.engineInfo();
    expect(info.kind).toBe('gpu');
    // Dawn's SwiftShader: vendor "google", architecture "swiftshader"; the full names go in `adapter`.
    expect(info.label).toBe('WebGPU — google swiftshader');
    expect(info.adapter).toMatch(/google swiftshader .*SwiftShader/);
    expect(info.fallbackReason).toBeUndefined();
    expect(info).toMatchObject({ software: true, preference: 'gpu', batches: 'gpu' });
    const gpu = (await h.gpuEngines())!;
    const spy = vi.spyOn(gpu.engine, 'solveBatch');
    const cs = [0.2, 0.35, 0.9];
    const runs: BatchRun[] = [];
    const res = await h.batchEngine((r) => runs.push(r)).solveBatch(batchOf(cs), GPU_SETTINGS);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(h.batch.name).toBe('gpu');
    expect(runs).toEqual([{ engine: 'gpu', method: 'f32 ADMM', problems: 3, resolved: 0 }]);
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
    const { results: res, run } = await h.solveBatchRun(batchOf(cs), tight);
    expect(gpuSpy).toHaveBeenCalledTimes(1);
    expect(cpuSpy).not.toHaveBeenCalled();
    expect(run).toEqual({
      engine: 'gpu',
      method: 'f32 ADMM + Float64 polish',
      problems: 3,
      resolved: 0,
    });
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
    const { results: again, run: mixed } = await h.solveBatchRun(batchOf(cs), tight);
    expect(patched).toHaveBeenCalledTimes(1);
    expect(cpuSpy).toHaveBeenCalledTimes(1);
    expect(mixed).toMatchObject({ engine: 'gpu+cpu', problems: 3, resolved: 1 });
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
    const { results: res, run } = await h.solveBatchRun(batchOf([0.1, 0.6]), GPU_SETTINGS);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(run).toMatchObject({
      engine: 'cpu',
      reason: expect.stringMatching(/failed: simulated/),
    });
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
    const { host: h } = host(undefined, 'auto');
    const info = await h.engineInfo();
    expect(info).toMatchObject({
      kind: 'cpu',
      label: 'CPU (Float64)',
      fallbackReason: 'navigator.gpu is not available in this browser',
      batches: 'cpu',
    });
    expect(info.batchNote).toBeUndefined();
    // Asking for WebGPU without one: the CPU, and the badge and the batch say why.
    expect(await h.setBatchPreference('gpu')).toMatchObject({
      batches: 'cpu',
      batchNote: 'WebGPU chosen but unavailable: batches on CPU',
    });
    const { results, run } = await h.solveBatchRun(batchOf([0.3]), GPU_SETTINGS);
    expect(run).toMatchObject({
      engine: 'cpu',
      reason: 'WebGPU chosen but unavailable: batches on CPU',
    });
    for (const xi of results[0].x) expect(Math.abs(xi - 0.3)).toBeLessThan(1e-3);
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
