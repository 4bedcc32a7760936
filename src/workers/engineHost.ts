/**
 * Which engine computes, decided once in the worker: WebGPU when `navigator.gpu` gives an adapter
 * and a device, else the CPU engine with the reason. Routing:
 *  - single interactive solves always run on the CPU engine (Float64, polishing): exact active
 *    sets matter there, and one tiny QP is faster on the CPU than a GPU round trip;
 *  - batches go to the WebGPU engine (f32) when there is one and the requested accuracy is within
 *    f32's reach (`gpuRefusal`); otherwise, and after any GPU error, the CPU engine solves them, and
 *    a GPU error is reported to the page as a notice — never a silent wrong number.
 * Device loss is handled by the device layer (it recreates the device); the host reports it, and
 * falls back to the CPU for good when recreation fails.
 */
import { CpuEngine } from '../solvers/qp';
import { resolveSettings } from '../solvers/qp/solve';
import type { QpBatch, QpEngine, QpResult, QpSettings, WarmStart } from '../solvers/qp/types';
import { acquireGpu, type GpuEngines } from '../gpu/browser';
import type { DeviceEvent } from '../gpu/device';
import type { EngineEventMessage, EngineInfo, EngineNotice } from './protocol';

/**
 * Smallest eps_abs / eps_rel handed to the GPU engine: f32 ADMM reaches 1e-4 reliably and stalls on
 * its rounding floor near 1e-5 (docs/gpu.md, "Precision"). Tighter requests stay on the CPU.
 */
export const GPU_MIN_EPS = 1e-5;

export const CPU_LABEL = 'CPU (Float64)';

/** Why a batch with these settings should not go to the f32 GPU engine, or null when it may. */
export function gpuRefusal(settings?: Partial<QpSettings>): string | null {
  const s = resolveSettings(settings);
  if (s.polish) return 'polishing was requested (the GPU engine does not polish)';
  const eps = Math.min(s.eps_abs, s.eps_rel);
  if (eps < GPU_MIN_EPS)
    return `tolerance ${eps.toExponential()} is below what f32 reaches (${GPU_MIN_EPS.toExponential()})`;
  return null;
}

export interface EngineHostOptions {
  /** `navigator.gpu` (or Dawn's GPU object in Node); undefined means no WebGPU. */
  gpu: GPU | undefined;
  /** When set, WebGPU is not tried and this is the fallback reason (a user's choice). */
  forceCpu?: string;
  /** Sends an event to the page. */
  post(message: EngineEventMessage): void;
}

function cpuInfo(cpu: CpuEngine, reason?: string): EngineInfo {
  return {
    kind: 'cpu',
    label: CPU_LABEL,
    adapter: cpu.adapter,
    ...(reason ? { fallbackReason: reason } : {}),
  };
}

export class EngineHost {
  /** The Float64 engine: interactive solves, refused or failed batches, and the fallback. */
  readonly cpu = new CpuEngine();
  /** The WebGPU engines while usable; null before start-up, without WebGPU, or after a fatal loss. */
  private gpu: GpuEngines | null = null;
  private info: EngineInfo;
  private readonly started: Promise<void>;
  /** Batches as a QpEngine (for jobs such as the envelope sweep that take an engine). */
  readonly batch: QpEngine;

  constructor(private readonly options: EngineHostOptions) {
    this.info = cpuInfo(this.cpu, 'WebGPU is still starting');
    this.started = this.start();
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const host = this;
    this.batch = {
      get name() {
        return host.gpu ? 'gpu' : 'cpu';
      },
      get adapter() {
        return host.info.adapter;
      },
      solveBatch: (b, s, w) => host.solveBatch(b, s, w),
    };
  }

  private async start(): Promise<void> {
    if (this.options.forceCpu) {
      this.info = cpuInfo(this.cpu, this.options.forceCpu);
      return;
    }
    const got = await acquireGpu(this.options.gpu, this.onDeviceEvent);
    if (!got.ok) {
      this.info = cpuInfo(this.cpu, got.reason);
      return;
    }
    this.gpu = got;
    const adapter = got.ctx.adapterInfo;
    this.info = { kind: 'gpu', label: `WebGPU — ${adapter}`, adapter };
  }

  /** The engine in use, once WebGPU has been tried. */
  async engineInfo(): Promise<EngineInfo> {
    await this.started;
    return { ...this.info };
  }

  /** The WebGPU engines, when in use (the benchmark and tests reach the device through this). */
  async gpuEngines(): Promise<GpuEngines | null> {
    await this.started;
    return this.gpu;
  }

  /** Solves a batch on the GPU when allowed (see the file comment), else on the CPU. */
  async solveBatch(
    batch: QpBatch,
    settings?: Partial<QpSettings>,
    warm?: (WarmStart | undefined)[],
  ): Promise<QpResult[]> {
    // A batch the GPU would refuse does not wait for WebGPU's start-up (seconds on a loaded machine).
    if (gpuRefusal(settings) !== null) return this.cpu.solveBatch(batch, settings, warm);
    await this.started;
    const gpu = this.gpu;
    if (!gpu) return this.cpu.solveBatch(batch, settings, warm);
    try {
      return await gpu.engine.solveBatch(batch, settings, warm);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.options.post({
        type: 'engine-event',
        info: { ...this.info },
        notice: {
          level: 'warn',
          text: `The WebGPU engine failed on a batch (${message}); that batch was solved on the CPU instead.`,
        },
      });
      return this.cpu.solveBatch(batch, settings, warm);
    }
  }

  private readonly onDeviceEvent = (e: DeviceEvent): void => {
    const gpu = this.gpu;
    if (e.type === 'lost') return; // the outcome of the recreation is what gets reported
    if (e.type === 'recreated') {
      this.post({ level: 'info', text: 'GPU device was lost; recreated.' });
      return;
    }
    if (e.message.startsWith('device recreation failed') && gpu) {
      this.gpu = null;
      gpu.ctx.dispose();
      this.info = cpuInfo(
        this.cpu,
        `the GPU device was lost and could not be recreated (${e.message})`,
      );
      this.post({
        level: 'error',
        text: `GPU device was lost and could not be recreated; switched to the CPU engine. ${e.message}`,
      });
      return;
    }
    this.post({ level: 'warn', text: `WebGPU error: ${e.message}` });
  };

  private post(notice: EngineNotice): void {
    this.options.post({ type: 'engine-event', info: { ...this.info }, notice });
  }

  dispose(): void {
    this.gpu?.ctx.dispose();
    this.gpu = null;
  }
}
