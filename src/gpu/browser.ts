/**
 * WebGPU in the browser (page or worker): the GpuContext on `navigator.gpu`, with the reason in
 * plain words when it cannot be had, so the app can show why it fell back to the CPU engine.
 * The same function takes Dawn's GPU object in Node, which is how its tests run.
 */
import { GpuContext, type DeviceListener } from './device';
import { GpuEngine } from './engine';
import { GpuBackwardEngine } from './backward';
import { errorMessage } from '../solvers/errors';

/** The WebGPU engines on one device. */
export interface GpuEngines {
  ctx: GpuContext;
  engine: GpuEngine;
  backward: GpuBackwardEngine;
}

export type GpuAcquisition = ({ ok: true } & GpuEngines) | { ok: false; reason: string };

/** What GPUAdapterInfo says about the adapter; every field optional (older browsers lack some). */
export type AdapterDescription = Partial<
  Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description' | 'isFallbackAdapter'>
>;

/** Names of CPU implementations of WebGPU / Vulkan / D3D (WARP's description is "Microsoft Basic Render Driver"). */
const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|warp|basic render driver|software/i;

/**
 * Whether the adapter emulates a GPU on the CPU (SwiftShader, llvmpipe, lavapipe, WARP): there
 * the f32 WebGPU engine is slower than the Float64 CPU engine. `isFallbackAdapter` where the
 * browser reports it, else the adapter's names.
 */
export function isSoftwareAdapter(info: AdapterDescription): boolean {
  if (info.isFallbackAdapter === true) return true;
  return [info.vendor, info.architecture, info.device, info.description].some(
    (s) => typeof s === 'string' && SOFTWARE_NAMES.test(s),
  );
}

/** A short adapter name for the badge: "vendor architecture" (e.g. "google swiftshader"), else the longest name there is. */
export function adapterShortName(info: AdapterDescription): string {
  const short = [info.vendor, info.architecture].filter((s) => s).join(' ');
  return short || info.device || info.description || 'unknown adapter';
}

/**
 * The current device's GPUAdapterInfo (it changes when a lost device is recreated on another
 * adapter). Without `GPUDevice.adapterInfo` (browsers before 2025), the joined names the device
 * layer kept.
 */
export function adapterDescription(ctx: GpuContext): AdapterDescription {
  const info = (ctx.device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  if (!info) return { description: ctx.adapterInfo };
  const { vendor, architecture, device, description, isFallbackAdapter } = info;
  return { vendor, architecture, device, description, isFallbackAdapter };
}

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
    const message = errorMessage(e);
    // The device layer's wording for a null adapter (device.ts, init()).
    if (/requestAdapter\(\) returned null/.test(message)) {
      return { ok: false, reason: 'no adapter' };
    }
    return { ok: false, reason: `device creation failed: ${message}` };
  }
  const engine = new GpuEngine(ctx);
  return { ok: true, ctx, engine, backward: engine.backward };
}
