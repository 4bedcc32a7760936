/**
 * Which engine computes, decided once in the worker: WebGPU when `navigator.gpu` gives an adapter
 * and a device, else the CPU engine with the reason. Routing:
 *  - single interactive solves always run on the CPU engine (Float64, polishing): exact active
 *    sets matter there, and one tiny QP is faster on the CPU than a GPU round trip;
 *  - batches go to the WebGPU engine (f32) when there is one (`gpuPlan`). A batch that asks for
 *    polishing runs its ADMM on the GPU at f32-reachable tolerances and is polished on the CPU in
 *    Float64; any problem whose polish does not succeed is solved again on the CPU engine, so the
 *    answer is as exact as the CPU engine's. Tight tolerances without polishing stay on the CPU.
 *    After any GPU error the CPU engine solves the batch and the page gets a notice — never a
 *    silent wrong number.
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

/** ADMM tolerance of the GPU pass of a polished batch: f32 reaches it reliably, polishing does the rest. */
export const GPU_POLISH_EPS = 1e-4;

/**
 * How a batch with these settings runs on the f32 GPU engine: the settings to hand it and whether
 * its results must be checked (polished ones), or the reason it stays on the CPU.
 */
export function gpuPlan(
  settings?: Partial<QpSettings>,
): { settings: Partial<QpSettings>; polished: boolean } | { refusal: string } {
  const s = resolveSettings(settings);
  const eps = Math.min(s.eps_abs, s.eps_rel);
  if (s.polish) {
    const gpuEps = Math.max(eps, GPU_POLISH_EPS);
    return { settings: { ...settings, eps_abs: gpuEps, eps_rel: gpuEps }, polished: true };
  }
  if (eps < GPU_MIN_EPS)
    return {
      refusal: `tolerance ${eps.toExponential()} without polishing is below what f32 reaches (${GPU_MIN_EPS.toExponential()})`,
    };
  return { settings: settings ?? {}, polished: false };
}

/** The sub-batch of the given members (for re-solving some problems of a batch elsewhere). */
function subBatch(batch: QpBatch, members: number[]): QpBatch {
  return batch.kind === 'problems'
    ? { kind: 'problems', problems: members.map((i) => batch.problems[i]) }
    : { kind: 'shared', structure: batch.structure, params: members.map((i) => batch.params[i]) };
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
    const plan = gpuPlan(settings);
    // A batch the GPU would refuse does not wait for WebGPU's start-up (seconds on a loaded machine).
    if ('refusal' in plan) return this.cpu.solveBatch(batch, settings, warm);
    await this.started;
    const gpu = this.gpu;
    if (!gpu) return this.cpu.solveBatch(batch, settings, warm);
    let results: QpResult[];
    try {
      results = await gpu.engine.solveBatch(batch, plan.settings, warm);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.post({
        level: 'warn',
        text: `The WebGPU engine failed on a batch (${message}); that batch was solved on the CPU instead.`,
      });
      return this.cpu.solveBatch(batch, settings, warm);
    }
    if (!plan.polished) return results;
    // Polished on the CPU from the GPU iterate: where the guessed active set was wrong (polish not
    // 'success'), or ADMM did not finish, that problem is solved again by the CPU engine.
    const unfinished = ['solved_inaccurate', 'max_iter_reached', 'time_limit_reached'];
    const redo = results.flatMap((r, i) =>
      (r.status === 'solved' && r.polish !== 'success') || unfinished.includes(r.status) ? [i] : [],
    );
    if (redo.length === 0) return results;
    const again = await this.cpu.solveBatch(
      subBatch(batch, redo),
      settings,
      warm && redo.map((i) => warm[i]),
    );
    redo.forEach((i, k) => (results[i] = again[k]));
    return results;
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
