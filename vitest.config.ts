import { defineConfig } from 'vitest/config';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Dawn (npm `webgpu`) needs a Vulkan driver. Use a hardware ICD when the machine has one,
// else SwiftShader from Debian's chromium package (see ../shared/docs/webgpu-on-these-machines.md).
function vulkanEnv(): Record<string, string> {
  if (process.env.VK_ICD_FILENAMES) return { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES };
  const hw = ['/usr/share/vulkan/icd.d/nvidia_icd.json', '/etc/vulkan/icd.d/nvidia_icd.json'];
  if (hw.some((p) => existsSync(p))) return {};
  const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
  return existsSync(swiftshader) ? { VK_ICD_FILENAMES: swiftshader } : {};
}

// Dawn's Vulkan loader warns on every device when XDG_RUNTIME_DIR is unset (as under CI's root).
function runtimeDirEnv(): Record<string, string> {
  if (process.env.XDG_RUNTIME_DIR) return {};
  return { XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'argmin-xdg-')) };
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts'],
    pool: 'forks',
    env: { ...vulkanEnv(), ...runtimeDirEnv() },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
