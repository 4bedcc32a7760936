/// <reference lib="webworker" />
/**
 * The Benchmark panel's worker: runs src/gpu/benchmark on its own WebGPU device, apart from the
 * solver worker, so a long benchmark never blocks interactive solves. Progress and rows go back
 * through comlink callbacks as they are measured; `cancel` stops the run between steps.
 */
import * as Comlink from 'comlink';
import {
  acquireGpu,
  adapterDescription,
  isSoftwareAdapter,
  navigatorGpu,
  type GpuAcquisition,
} from '../gpu/browser';
import { runBenchmark } from '../gpu/benchmark/run';
import type { BenchConfig, BenchProgress, BenchReport, BenchRow } from '../gpu/benchmark/types';

/** What the panel needs to know before a run. */
export interface BenchWorkerInfo {
  gpu: boolean;
  /** The WebGPU adapter, when there is one. */
  adapter: string | null;
  /** Why the GPU engines are unavailable. */
  reason: string | null;
  hasTimestamps: boolean;
  /** The adapter emulates a GPU on the CPU (SwiftShader and the like). */
  software: boolean;
}

export interface BenchApi {
  info(): Promise<BenchWorkerInfo>;
  run(
    config: BenchConfig,
    onProgress: (p: BenchProgress) => void,
    onRow: (row: BenchRow) => void,
  ): Promise<BenchReport>;
  cancel(): void;
}

const acquisition: Promise<GpuAcquisition> = acquireGpu(navigatorGpu(), (e) => {
  // Device loss is recovered by the device layer; the panel learns of errors through the run's rejection.
  if (e.type === 'error') console.warn(`[bench worker] WebGPU: ${e.message}`);
});
let controller: AbortController | null = null;

const api: BenchApi = {
  async info() {
    const g = await acquisition;
    return g.ok
      ? {
          gpu: true,
          adapter: g.ctx.adapterInfo,
          reason: null,
          hasTimestamps: g.ctx.hasTimestamps,
          software: isSoftwareAdapter(adapterDescription(g.ctx)),
        }
      : { gpu: false, adapter: null, reason: g.reason, hasTimestamps: false, software: false };
  },
  async run(config, onProgress, onRow) {
    if (controller) throw new Error('a benchmark is already running in this worker');
    const g = await acquisition;
    controller = new AbortController();
    try {
      return await runBenchmark(
        config,
        { gpu: g.ok ? g : null },
        { onProgress, onRow, signal: controller.signal, host: self.navigator.userAgent },
      );
    } finally {
      controller = null;
    }
  },
  cancel() {
    controller?.abort();
  },
};

Comlink.expose(api);
