/**
 * The worker's engine choice and fallbacks, on a real WebGPU implementation (Dawn + SwiftShader):
 * routes carried by each request (auto keeps batches off this software adapter and single problems
 * on the CPU, 'gpu' forces WebGPU), which engine a batch goes to and reports, the Geometry job's
 * forward and backward on the routed engine, that a failing GPU batch is re-solved on the CPU with a
 * notice, device loss → recreation → notice, failed recreation → CPU, and the three fallback
 * reasons. Solutions are checked against the closed form, not against the other engine alone.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { create, globals } from 'webgpu';
import { makeProblem } from '../solvers/qp';
import type { QpBatch } from '../solvers/qp/types';
import { adapterShortName, isSoftwareAdapter } from '../gpu/browser';
import { EngineHost, GPU_POLISH_EPS, gpuPlan, mergeRuns } from './engineHost';
import type { BatchRun, EngineEventMessage } from './protocol';
import { badgeView, decideRoute, SINGLE_NOTE, SOFTWARE_NOTE, type Route } from './routing';
import { GRAD_METHOD_NAMES } from './geometryJob';
import { buildQp, metric, PRESETS } from '../app/panels/geometry/presets';

Object.assign(globalThis, globals);
const dawn: GPU = create([]);
const hosts: EngineHost[] = [];
afterAll(() => hosts.forEach((h) => h.dispose()));

/** A host; GPU routing cases pass route 'gpu', since 'auto' keeps batches off SwiftShader. */
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

describe('decideRoute, badgeView and mergeRuns: where jobs go, what the badge says', () => {
  it('every route on a hardware adapter, a software one and none, for batches and single problems', () => {
    const hw = { kind: 'gpu' as const, software: false };
    const sw = { kind: 'gpu' as const, software: true };
    const none = { kind: 'cpu' as const };
    expect(decideRoute('auto', hw, 'batch')).toEqual({ engine: 'gpu' });
    expect(decideRoute('auto', hw, 'single')).toEqual({ engine: 'cpu', note: SINGLE_NOTE });
    expect(decideRoute('auto', sw, 'batch')).toEqual({ engine: 'cpu', note: SOFTWARE_NOTE });
    expect(decideRoute('auto', none, 'batch')).toEqual({ engine: 'cpu' });
    expect(decideRoute('gpu', hw, 'single')).toEqual({ engine: 'gpu' });
    expect(decideRoute('gpu', sw, 'batch')).toMatchObject({
      engine: 'gpu',
      note: /software adapter/,
    });
    expect(decideRoute('gpu', null, 'batch')).toMatchObject({ engine: 'cpu', note: /unavailable/ });
    for (const d of [hw, sw, none])
      for (const w of ['batch', 'single'] as const)
        expect(decideRoute('cpu', d, w)).toEqual({ engine: 'cpu', note: 'CPU chosen' });
  });
  it('the badge: starting, stopped, and in plain words where solving happens and why', () => {
    const info = {
      kind: 'gpu' as const,
      label: 'WebGPU — google swiftshader',
      adapter: 'a',
      software: true,
    };
    const hardware = { ...info, label: 'WebGPU — nvidia', software: false };
    const none = {
      kind: 'cpu' as const,
      label: 'CPU (Float64)',
      adapter: 'CPU',
      fallbackReason: 'no adapter',
    };
    expect(badgeView(null, { state: 'starting' }, 'auto').text).toBe('Starting the solver…');
    expect(badgeView(info, { state: 'crashed' }, 'auto').text).toBe(
      'Solver stopped: reload the page',
    );
    const sw = badgeView(info, { state: 'ready' }, 'auto');
    expect(sw).toMatchObject({
      text: 'Solving on: the CPU, because this browser’s WebGPU is a software emulation',
      batches: 'cpu',
      note: SOFTWARE_NOTE,
    });
    expect(sw.details[0]).toBe('Engine: WebGPU — google swiftshader');
    expect(badgeView(info, { state: 'ready' }, 'gpu')).toMatchObject({
      text: 'Solving on: WebGPU, a software emulation (as chosen)',
      batches: 'gpu',
    });
    expect(badgeView(hardware, { state: 'ready' }, 'auto')).toMatchObject({
      text: 'Solving on: your GPU (WebGPU)',
      batches: 'gpu',
    });
    expect(badgeView(hardware, { state: 'ready' }, 'cpu').text).toBe(
      'Solving on: the CPU (as chosen)',
    );
    const cpu = badgeView(none, { state: 'ready' }, 'auto');
    expect(cpu.text).toBe('Solving on: the CPU, because this browser has no working WebGPU');
    expect(cpu.details).toContain('WebGPU unavailable: no adapter');
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

describe('EngineHost routes per request on Dawn (SwiftShader, a software adapter)', () => {
  it("'auto' keeps batches on the CPU and says why; 'gpu' and 'cpu' in a request decide that request", async () => {
    const { host: h } = host(dawn);
    expect(await h.engineInfo()).toMatchObject({ kind: 'gpu', software: true });
    const gpu = (await h.gpuEngines())!;
    const gpuSpy = vi.spyOn(gpu.engine, 'solveBatch');
    const cs = [0.2, 0.8];
    const solveAndCheck = async (route: Route) => {
      const { results, run } = await h.solveBatchRun(batchOf(cs), GPU_SETTINGS, undefined, route);
      results.forEach((r, k) => {
        for (const xi of r.x) expect(Math.abs(xi - expected(cs[k]))).toBeLessThan(2e-3);
      });
      return run;
    };
    expect(await solveAndCheck('auto')).toEqual({
      engine: 'cpu',
      method: 'Float64 ADMM',
      reason: SOFTWARE_NOTE,
      problems: 2,
      resolved: 0,
    });
    expect(gpuSpy).not.toHaveBeenCalled();
    expect(await solveAndCheck('gpu')).toMatchObject({ engine: 'gpu', method: 'f32 ADMM' });
    expect(gpuSpy).toHaveBeenCalledTimes(1);
    expect(await solveAndCheck('cpu')).toMatchObject({ engine: 'cpu', reason: 'CPU chosen' });
    expect(gpuSpy).toHaveBeenCalledTimes(1);
    gpuSpy.mockRestore();
    await expect(
      h.solveBatchRun(batchOf(cs), GPU_SETTINGS, undefined, 'fast' as Route),
    ).rejects.toThrow(/unknown route "fast"/);
  });

  it('engine events carry the device (the badge recomputes the route from it)', async () => {
    const { host: h, events } = host(dawn);
    const gpu = (await h.gpuEngines())!;
    gpu.ctx.device.destroy();
    await waitFor(() => events.some((e) => e.notice?.text.includes('recreated')), 'recreation');
    const ev = events.find((e) => e.notice?.text.includes('recreated'))!;
    expect(ev.info).toMatchObject({ kind: 'gpu', software: true });
    expect(badgeView(ev.info, { state: 'ready' }, 'auto').batches).toBe('cpu');
  });
});

describe('The Geometry job: one solve and its gradients on the routed engine', () => {
  const pent = PRESETS.polygon;
  const G = metric(pent.M);
  const V: [number, number] = [Math.cos(Math.PI / 10), Math.sin(Math.PI / 10)];
  const what: [number, number] = [0.6 * V[0] + 0.5, 0.6 * V[1] - 0.3];
  const req = {
    problem: buildQp(pent, what),
    what,
    w: [-0.2, 0.1] as [number, number],
    metric: [G[0][0], G[0][1], G[1][0], G[1][1]] as [number, number, number, number],
    tau: 0.5,
    methods: [...GRAD_METHOD_NAMES],
  };
  const job = (h: EngineHost, route: Route) => h.geometry(req, route);

  it("route 'gpu': forward and the KKT/LPGD backward on WebGPU, the same answer as the CPU's", async () => {
    const { host: h } = host(dawn);
    const gpu = (await h.gpuEngines())!;
    const fwd = vi.spyOn(gpu.engine, 'solveBatch');
    const bwd = vi.spyOn(gpu.engine, 'backwardBatch');
    const onGpu = await job(h, 'gpu');
    // The forward solve, and LPGD's perturbed solves (one batch); smoothed QP and identity are formulas.
    expect(fwd).toHaveBeenCalledTimes(2);
    expect(bwd).toHaveBeenCalledTimes(2); // kkt and lpgd
    expect(onGpu.run.engine).toMatch(/^gpu/);
    expect(onGpu.grads!.updates.kkt!.engine).toBe('gpu');
    expect(onGpu.grads!.updates.lpgd!.engine).toBe('gpu');
    const onCpu = await job(h, 'auto');
    expect(onCpu.run).toMatchObject({ engine: 'cpu', reason: SINGLE_NOTE });
    expect(onCpu.grads!.updates.kkt!.engine).toBe('cpu');
    expect(fwd).toHaveBeenCalledTimes(2);
    for (const m of ['kkt', 'lpgd', 'smoothed-qp', 'identity'] as const) {
      const a = onGpu.grads!.updates[m]!.dw!;
      const b = onCpu.grads!.updates[m]!.dw!;
      expect(Math.hypot(a[0] - b[0], a[1] - b[1]), m).toBeLessThan(2e-3);
    }
    fwd.mockRestore();
    bwd.mockRestore();
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
    expect(info).toMatchObject({ software: true });
    const gpu = (await h.gpuEngines())!;
    const spy = vi.spyOn(gpu.engine, 'solveBatch');
    const cs = [0.2, 0.35, 0.9];
    const runs: BatchRun[] = [];
    const res = await h
      .batchEngine('gpu', (r) => runs.push(r))
      .solveBatch(batchOf(cs), GPU_SETTINGS);
    expect(spy).toHaveBeenCalledTimes(1);
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
    const res = await h.solveBatch(
      batchOf([0.3]),
      { eps_abs: 1e-9, eps_rel: 1e-9 },
      undefined,
      'gpu',
    );
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
    const { results: res, run } = await h.solveBatchRun(batchOf(cs), tight, undefined, 'gpu');
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
    const { results: again, run: mixed } = await h.solveBatchRun(
      batchOf(cs),
      tight,
      undefined,
      'gpu',
    );
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
    const { results: res, run } = await h.solveBatchRun(
      batchOf([0.1, 0.6]),
      GPU_SETTINGS,
      undefined,
      'gpu',
    );
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
    const res = await h.solveBatch(batchOf([0.25]), GPU_SETTINGS, undefined, 'gpu');
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
    const res = await h.solveBatch(batchOf([0.4]), GPU_SETTINGS, undefined, 'gpu');
    for (const xi of res[0].x) expect(Math.abs(xi - 0.4)).toBeLessThan(1e-2);
  });
});

describe('EngineHost without WebGPU: the CPU engine and the reason', () => {
  it('no navigator.gpu', async () => {
    const { host: h } = host(undefined);
    const info = await h.engineInfo();
    expect(info).toMatchObject({
      kind: 'cpu',
      label: 'CPU (Float64)',
      fallbackReason: 'navigator.gpu is not available in this browser',
    });
    expect(badgeView(info, { state: 'ready' }, 'auto')).toMatchObject({ batches: 'cpu' });
    // Asking for WebGPU without one: the CPU, and the batch says why.
    const { results, run } = await h.solveBatchRun(batchOf([0.3]), GPU_SETTINGS, undefined, 'gpu');
    expect(run).toMatchObject({
      engine: 'cpu',
      reason: 'WebGPU chosen but unavailable: on the CPU',
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
    const res = await h.solveBatch(batchOf([0.2]), GPU_SETTINGS, undefined, 'gpu');
    for (const xi of res[0].x) expect(Math.abs(xi - 0.2)).toBeLessThan(1e-2);
  });
});
