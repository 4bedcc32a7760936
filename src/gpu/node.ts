/**
 * WebGPU in Node through Dawn (npm `webgpu`), for the CLI, the benchmark and the tests.
 * Without a hardware Vulkan driver the Vulkan loader is pointed at SwiftShader (Debian's
 * chromium package) before Dawn loads; an explicit VK_ICD_FILENAMES is respected.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GpuContext, type DeviceListener } from './device';
import { GpuEngine } from './engine';

const HARDWARE_ICDS = [
  '/usr/share/vulkan/icd.d/nvidia_icd.json',
  '/etc/vulkan/icd.d/nvidia_icd.json',
];
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function configureVulkan(): void {
  // The Vulkan loader prints a warning per device when XDG_RUNTIME_DIR is unset (root, CI).
  process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'argmin-xdg-'));
  if (process.env.VK_ICD_FILENAMES) return;
  if (HARDWARE_ICDS.some((p) => existsSync(p))) return;
  if (existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

/** A GpuContext on Dawn's GPU object; throws a clear error when no adapter exists. */
export async function createNodeGpu(listener?: DeviceListener): Promise<GpuContext> {
  configureVulkan();
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  return GpuContext.create(create([]), listener);
}

/** The GPU engine on Dawn (forward, backward, handles); call dispose() to release the device. */
export async function createNodeGpuEngine(): Promise<
  GpuEngine & { dispose(): void; adapterInfo: string }
> {
  const ctx = await createNodeGpu((e) => {
    if (e.type !== 'recreated')
      console.warn(`[webgpu] ${e.type}: ${'message' in e ? e.message : ''}`);
  });
  const engine = new GpuEngine(ctx);
  return Object.assign(engine, { dispose: () => ctx.dispose(), adapterInfo: ctx.adapterInfo });
}
