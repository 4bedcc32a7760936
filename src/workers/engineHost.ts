/**
 * Which engine computes, decided in the worker: WebGPU when `navigator.gpu` gives an adapter and a
 * device, else the CPU engine with the reason. Routing:
 *  - single interactive solves always run on the CPU engine (Float64, polishing): exact active
 *    sets matter there, and one tiny QP is faster on the CPU than a GPU round trip;
 *  - batches follow the page's preference (`batchRoute`): 'cpu' → CPU; 'gpu' → WebGPU when there
 *    is a device; 'auto' → WebGPU on a hardware adapter, the CPU on a software one (SwiftShader
 *    runs the f32 engine on the CPU, ~15× slower than the CPU engine on an Envelopes redraw).
 *    On WebGPU, `gpuPlan` decides further: a batch that asks for polishing runs its ADMM on the
 *    GPU at f32-reachable tolerances and is polished on the CPU in Float64; any problem whose
 *    polish does not succeed is solved again by the CPU engine, so the answer is as exact as the
 *    CPU engine's. Tight tolerances without polishing stay on the CPU. After any GPU error the CPU
 *    engine solves the batch and the page gets a notice — never a silent wrong number.
 * Every batch answer carries the engine that computed it (`BatchRun`).
 * Device loss is handled by the device layer (it recreates the device); the host reports it, and
 * falls back to the CPU for good when recreation fails.
 */
import { CpuEngine } from '../solvers/cpu-engine';
import { resolveSettings } from '../solvers/qp/solve';
import type { QpBatch, QpEngine, QpResult, QpSettings, WarmStart } from '../solvers/qp/types';
import {
  acquireGpu,
  adapterDescription,
  adapterShortName,
  isSoftwareAdapter,
  type GpuEngines,
} from '../gpu/browser';
import type { DeviceEvent } from '../gpu/device';
import {
  BATCH_PREFERENCES,
  type BatchPreference,
  type BatchReply,
  type BatchRun,
  type EngineEventMessage,
  type EngineInfo,
  type EngineNotice,
} from './protocol';
import { errorMessage } from '../solvers/errors';

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

const batchSize = (b: QpBatch): number =>
  b.kind === 'problems' ? b.problems.length : b.params.length;

const CPU_CHOSEN = 'CPU chosen for batches';

/** What the badge says when auto keeps batches off a software adapter. */
export const SOFTWARE_NOTE = 'software adapter: batches on CPU; choose WebGPU to use it';

/**
 * Where batches go under a preference, given the WebGPU device (null when there is none) and
 * whether its adapter is a software one; `note` says why when it is not the obvious place.
 */
export function batchRoute(
  preference: BatchPreference,
  gpu: { software: boolean } | null,
): { batches: 'gpu' | 'cpu'; note?: string } {
  if (preference === 'cpu') return { batches: 'cpu', note: CPU_CHOSEN };
  if (!gpu)
    return preference === 'gpu'
      ? { batches: 'cpu', note: 'WebGPU chosen but unavailable: batches on CPU' }
      : { batches: 'cpu' };
  if (preference === 'gpu')
    return gpu.software
      ? { batches: 'gpu', note: 'WebGPU chosen: batches on a software adapter' }
      : { batches: 'gpu' };
  return gpu.software ? { batches: 'cpu', note: SOFTWARE_NOTE } : { batches: 'gpu' };
}

/** One report for several batches (e.g. the batches of one Envelopes redraw). */
export function mergeRuns(runs: BatchRun[]): BatchRun {
  if (runs.length === 0)
    return { engine: 'cpu', method: 'no batch was solved', problems: 0, resolved: 0 };
  const engines = new Set(runs.map((r) => r.engine));
  const unique = (xs: (string | undefined)[]) => [...new Set(xs.filter((x) => x))].join('; ');
  const reason = unique(runs.map((r) => r.reason));
  return {
    engine: engines.size === 1 ? runs[0].engine : 'gpu+cpu',
    method: unique(runs.map((r) => r.method)),
    ...(reason ? { reason } : {}),
    problems: runs.reduce((s, r) => s + r.problems, 0),
    resolved: runs.reduce((s, r) => s + r.resolved, 0),
  };
}

export interface EngineHostOptions {
  /** `navigator.gpu` (or Dawn's GPU object in Node); undefined means no WebGPU. */
  gpu: GPU | undefined;
  /** When set, WebGPU is not tried and this is the fallback reason (a user's choice). */
  forceCpu?: string;
  /** Where batches go until the page says otherwise (default 'auto'). */
  preference?: BatchPreference;
  /** Sends an event to the page. */
  post(message: EngineEventMessage): void;
}

/** The engine part of EngineInfo, before the batch preference is applied. */
type DeviceInfo = Pick<EngineInfo, 'kind' | 'label' | 'adapter' | 'fallbackReason' | 'software'>;

function cpuInfo(cpu: CpuEngine, reason?: string): DeviceInfo {
  return {
    kind: 'cpu',
    label: CPU_LABEL,
    adapter: cpu.adapter,
    ...(reason ? { fallbackReason: reason } : {}),
  };
}

function gpuInfo(gpu: GpuEngines): DeviceInfo {
  const desc = adapterDescription(gpu.ctx);
  return {
    kind: 'gpu',
    label: `WebGPU — ${adapterShortName(desc)}`,
    adapter: gpu.ctx.adapterInfo,
    software: isSoftwareAdapter(desc),
  };
}

export class EngineHost {
  /** The Float64 engine: interactive solves, refused or failed batches, and the fallback. */
  readonly cpu = new CpuEngine();
  /** The WebGPU engines while usable; null before start-up, without WebGPU, or after a fatal loss. */
  private gpu: GpuEngines | null = null;
  private device: DeviceInfo;
  private preference: BatchPreference;
  private readonly started: Promise<void>;
  /** Batches as a QpEngine (for jobs such as the envelope sweep that take an engine). */
  readonly batch: QpEngine;

  constructor(private readonly options: EngineHostOptions) {
    this.device = cpuInfo(this.cpu, 'WebGPU is still starting');
    this.preference = options.preference ?? 'auto';
    this.started = this.start();
    this.batch = this.batchEngine();
  }

  private async start(): Promise<void> {
    if (this.options.forceCpu) {
      this.device = cpuInfo(this.cpu, this.options.forceCpu);
      return;
    }
    const got = await acquireGpu(this.options.gpu, this.onDeviceEvent);
    if (!got.ok) {
      this.device = cpuInfo(this.cpu, got.reason);
      return;
    }
    this.gpu = got;
    this.device = gpuInfo(got);
  }

  /** The device part and the batch route, as the page shows them. */
  private get info(): EngineInfo {
    const route = batchRoute(this.preference, this.gpu && { software: !!this.device.software });
    return {
      ...this.device,
      preference: this.preference,
      batches: route.batches,
      ...(route.note ? { batchNote: route.note } : {}),
    };
  }

  /** The engine in use, once WebGPU has been tried. */
  async engineInfo(): Promise<EngineInfo> {
    await this.started;
    return this.info;
  }

  /** Applies the page's preference to every later batch; resolves with the info it leads to. */
  async setBatchPreference(preference: BatchPreference): Promise<EngineInfo> {
    if (!BATCH_PREFERENCES.includes(preference))
      throw new Error(
        `unknown batch preference "${String(preference)}"; expected auto, gpu or cpu`,
      );
    this.preference = preference;
    return this.engineInfo();
  }

  /** The WebGPU engines, when in use (the benchmark and tests reach the device through this). */
  async gpuEngines(): Promise<GpuEngines | null> {
    await this.started;
    return this.gpu;
  }

  /**
   * Batches as a QpEngine for jobs that take one (the envelope sweep); `onRun` hears which engine
   * solved each batch.
   */
  batchEngine(onRun?: (run: BatchRun) => void): QpEngine {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const host = this;
    return {
      get name() {
        return host.gpu && host.info.batches === 'gpu' ? 'gpu' : 'cpu';
      },
      get adapter() {
        return host.device.adapter;
      },
      solveBatch: async (b, s, w) => {
        const { results, run } = await host.solveBatchRun(b, s, w);
        onRun?.(run);
        return results;
      },
    };
  }

  /** Solves a batch where the preference and `gpuPlan` allow (see the file comment). */
  async solveBatch(
    batch: QpBatch,
    settings?: Partial<QpSettings>,
    warm?: (WarmStart | undefined)[],
  ): Promise<QpResult[]> {
    return (await this.solveBatchRun(batch, settings, warm)).results;
  }

  /** As `solveBatch`, with the engine that computed the answers. */
  async solveBatchRun(
    batch: QpBatch,
    settings?: Partial<QpSettings>,
    warm?: (WarmStart | undefined)[],
  ): Promise<BatchReply> {
    const problems = batchSize(batch);
    const onCpu = async (reason: string | undefined): Promise<BatchReply> => ({
      results: await this.cpu.solveBatch(batch, settings, warm),
      run: {
        engine: 'cpu',
        method: resolveSettings(settings).polish ? 'Float64 ADMM + polish' : 'Float64 ADMM',
        ...(reason ? { reason } : {}),
        problems,
        resolved: 0,
      },
    });
    const plan = gpuPlan(settings);
    // A batch the GPU would refuse does not wait for WebGPU's start-up (seconds on a loaded machine).
    if ('refusal' in plan) return onCpu(plan.refusal);
    if (this.preference === 'cpu') return onCpu(CPU_CHOSEN);
    await this.started;
    const gpu = this.gpu;
    const info = this.info;
    if (!gpu || info.batches === 'cpu')
      return onCpu(info.batchNote ?? `WebGPU unavailable: ${info.fallbackReason}`);
    let results: QpResult[];
    try {
      results = await gpu.engine.solveBatch(batch, plan.settings, warm);
    } catch (e) {
      const message = errorMessage(e);
      this.post({
        level: 'warn',
        text: `The WebGPU engine failed on a batch (${message}); that batch was solved on the CPU instead.`,
      });
      return onCpu(`the WebGPU engine failed: ${message}`);
    }
    const method = plan.polished ? 'f32 ADMM + Float64 polish' : 'f32 ADMM';
    if (!plan.polished) return { results, run: { engine: 'gpu', method, problems, resolved: 0 } };
    // Polished on the CPU from the GPU iterate: where the guessed active set was wrong (polish not
    // 'success'), or ADMM did not finish, that problem is solved again by the CPU engine.
    const unfinished = ['solved_inaccurate', 'max_iter_reached', 'time_limit_reached'];
    const redo = results.flatMap((r, i) =>
      (r.status === 'solved' && r.polish !== 'success') || unfinished.includes(r.status) ? [i] : [],
    );
    if (redo.length > 0) {
      const again = await this.cpu.solveBatch(
        subBatch(batch, redo),
        settings,
        warm && redo.map((i) => warm[i]),
      );
      redo.forEach((i, k) => (results[i] = again[k]));
    }
    return {
      results,
      run: { engine: redo.length ? 'gpu+cpu' : 'gpu', method, problems, resolved: redo.length },
    };
  }

  private readonly onDeviceEvent = (e: DeviceEvent): void => {
    const gpu = this.gpu;
    if (e.type === 'lost') return; // the outcome of the recreation is what gets reported
    if (e.type === 'recreated') {
      // The new device may sit on another adapter (hardware ↔ software changes the route).
      if (gpu) this.device = gpuInfo(gpu);
      this.post({ level: 'info', text: 'GPU device was lost; recreated.' });
      return;
    }
    if (e.message.startsWith('device recreation failed') && gpu) {
      this.gpu = null;
      gpu.ctx.dispose();
      this.device = cpuInfo(
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
    this.options.post({ type: 'engine-event', info: this.info, notice });
  }

  dispose(): void {
    this.gpu?.ctx.dispose();
    this.gpu = null;
  }
}
