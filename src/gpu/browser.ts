/**
 * WebGPU in the browser (page or worker): the GpuContext on `navigator.gpu`, with the reason in
 * plain words when it cannot be had, so the app can show why it fell back to the CPU engine.
 * The same function takes Dawn's GPU object in Node, which is how its tests run.
 */
import { GpuContext, type DeviceListener } from './device';
import { GpuEngine } from './engine';
import { GpuBackwardEngine } from './backward';

/** The WebGPU engines on one device. */
export interface GpuEngines {
  ctx: GpuContext;
  engine: GpuEngine;
  backward: GpuBackwardEngine;
}

export type GpuAcquisition = ({ ok: true } & GpuEngines) | { ok: false; reason: string };

/** `navigator.gpu` of this global scope (window or worker), or undefined when the browser has none. */
export function navigatorGpu(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu;
}

/**
 * Adapter → device (limits requested by the device layer) → engines. Never throws: a failure is
 * `{ ok: false, reason }` with one of "navigator.gpu is not available in this browser",
 * "no adapter" (requestAdapter() returned null), "device creation failed: …".
 */
export async function acquireGpu(
  gpu: GPU | undefined,
  listener?: DeviceListener,
): Promise<GpuAcquisition> {
  if (!gpu) return { ok: false, reason: 'navigator.gpu is not available in this browser' };
  let ctx: GpuContext;
  try {
    ctx = await GpuContext.create(gpu, listener);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // The device layer's wording for a null adapter (device.ts, init()).
    if (/requestAdapter\(\) returned null/.test(message)) {
      return { ok: false, reason: 'no adapter' };
    }
    return { ok: false, reason: `device creation failed: ${message}` };
  }
  const engine = new GpuEngine(ctx);
  return { ok: true, ctx, engine, backward: new GpuBackwardEngine(ctx, engine) };
}
