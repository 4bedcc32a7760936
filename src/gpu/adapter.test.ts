/**
 * The GPU test files skip (loudly) when no WebGPU adapter can be created. This case makes a missing
 * adapter a failure, so that `npm test` never passes without running the WGSL: install Chromium
 * (SwiftShader) and libvulkan1 as the README says. ARGMIN_ALLOW_NO_GPU=1 lets a developer without
 * them run the rest.
 */
import { describe, expect, it } from 'vitest';
import { createNodeGpuEngine } from './node';

const required = process.env.ARGMIN_ALLOW_NO_GPU !== '1';

describe('WebGPU adapter for the kernel tests', () => {
  it.runIf(required)(
    'an adapter is available (set ARGMIN_ALLOW_NO_GPU=1 to run without one)',
    async () => {
      const gpu = await createNodeGpuEngine();
      try {
        expect(gpu.adapterInfo.length).toBeGreaterThan(0);
        expect(gpu.adapter).toMatch(/WebGPU/);
      } finally {
        gpu.dispose();
      }
    },
  );
});
