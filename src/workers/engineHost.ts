/**
 * Which engine computes, decided in the worker: WebGPU when `navigator.gpu` gives an adapter and a
 * device, else the CPU engine with the reason. Every request carries its route (auto / WebGPU /
 * CPU, the URL's `batch` field), and `decideRoute` (routing.ts, shared with the page's badge) turns
 * it into an engine for that job; the job's forward solves and backward passes both run there.
 *  - On WebGPU, `gpuPlan` decides further: a batch that asks for polishing runs its ADMM on the GPU
 *    at f32-reachable tolerances and is polished on the CPU in Float64; any problem whose polish
 *    does not succeed is solved again by the CPU engine, so the answer is as exact as the CPU
 *    engine's. Tight tolerances without polishing stay on the CPU. After any GPU error the CPU
 *    engine solves the batch and the page gets a notice — never a silent wrong number.
 * Every answer carries the engine that computed it (`BatchRun`).
 * Device loss is handled by the device layer (it recreates the device); the host reports it, and
 * falls back to the CPU for good when recreation fails.
 */
import { CpuEngine } from '../solvers/cpu-engine';
import { resolveSettings } from '../solvers/qp/solve';
import { activeSet, withParams } from '../solvers/qp/prepared';
import { meetsTolerance, originalResiduals } from '../solvers/qp/evaluation';
import type { QpBatch, QpEngine, QpResult, QpSettings, WarmStart } from '../solvers/qp/types';
import {
  acquireGpu,
  adapterDescription,
  adapterShortName,
  isSoftwareAdapter,
  type GpuEngines,
} from '../gpu/browser';
import type { DeviceEvent } from '../gpu/device';
import type { BatchReply, BatchRun, EngineEventMessage, EngineNotice } from './protocol';
import { runGeometryJob, type GeometryRequest, type GeometryResponse } from './geometryJob';
import { decideRoute, ROUTES, type EngineInfo, type Route, type Workload } from './routing';
import type { BackwardItem, GradMethod, GradOptions, QpGradients } from '../solvers/grad/types';
import { errorMessage } from '../solvers/errors';

/**
 * Smallest eps_abs / eps_rel handed to the GPU engine: f32 ADMM reaches 1e-4 reliably and stalls on
 * its rounding floor near 1e-5 (docs/gpu.md, "Precision"). Tighter requests stay on the CPU.
 */
export const GPU_MIN_EPS = 1e-5;

export const CPU_LABEL = 'CPU (Float64)';

/** A backward pass's gradients and the engine that computed them (with why, when not the route's). */
export interface BackwardRun {
  grads: QpGradients[];
  engine: 'cpu' | 'gpu';
  note?: string;
}

/** Backward methods the WebGPU engine implements (src/gpu/backward.ts). */
const GPU_BACKWARD = new Set<GradMethod>(['kkt', 'bpqp', 'lpgd', 'lpgd-lower', 'lpgd-upper']);

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

function gpuInfo(gpu: GpuEngines): EngineInfo {
  const desc = adapterDescription(gpu.ctx);
  return {
    kind: 'gpu',
    label: `WebGPU — ${adapterShortName(desc)}`,
    adapter: gpu.ctx.adapterInfo,
    software: isSoftwareAdapter(desc),
  };
}

export class EngineHost {
  /** The Float64 engine: CPU routes, refused or failed batches, and the fallback. */
  readonly cpu = new CpuEngine();
  /** The WebGPU engines while usable; null before start-up, without WebGPU, or after a fatal loss. */
  private gpu: GpuEngines | null = null;
  private device: EngineInfo;
  private readonly started: Promise<void>;

  constructor(private readonly options: EngineHostOptions) {
    this.device = cpuInfo(this.cpu, 'WebGPU is still starting');
    this.started = this.start();
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

  /** The engine in use, once WebGPU has been tried. */
  async engineInfo(): Promise<EngineInfo> {
    await this.started;
    return this.device;
  }

  /** The WebGPU engines, when in use (the benchmark and tests reach the device through this). */
  async gpuEngines(): Promise<GpuEngines | null> {
    await this.started;
    return this.gpu;
  }

  /** Where a job under `route` runs; waits for WebGPU's start-up only when the route may use it. */
  async decide(route: Route, workload: Workload) {
    if (!ROUTES.includes(route))
      throw new Error(`unknown route "${String(route)}"; expected auto, gpu or cpu`);
    if (route !== 'cpu') await this.started;
    const gpu = this.gpu;
    const d = decideRoute(route, gpu && this.device, workload);
    return d.engine === 'gpu' && gpu ? { ...d, gpu } : { ...d, gpu: null };
  }

  /**
   * Batches as a QpEngine for jobs that take one (the envelope sweep), on `route`; `onRun` hears
   * which engine solved each batch.
   */
  batchEngine(route: Route, onRun?: (run: BatchRun) => void): QpEngine {
    return {
      name: 'cpu',
      adapter: this.device.adapter,
      solveBatch: async (b, s, w) => {
        const { results, run } = await this.solveBatchRun(b, s, w, route);
        onRun?.(run);
        return results;
      },
    };
  }

  /** Solves a batch where the route and `gpuPlan` allow (see the file comment). */
  async solveBatch(
    batch: QpBatch,
    settings: Partial<QpSettings> | undefined,
    warm: (WarmStart | undefined)[] | undefined,
    route: Route,
  ): Promise<QpResult[]> {
    return (await this.solveBatchRun(batch, settings, warm, route)).results;
  }

  /** As `solveBatch`, with the engine that computed the answers. */
  async solveBatchRun(
    batch: QpBatch,
    settings: Partial<QpSettings> | undefined,
    warm: (WarmStart | undefined)[] | undefined,
    route: Route,
    workload: Workload = 'batch',
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
    if ('refusal' in plan && route !== 'gpu') return onCpu(plan.refusal);
    const where = await this.decide(route, workload);
    if (!where.gpu) return onCpu(where.note ?? `WebGPU unavailable: ${this.device.fallbackReason}`);
    if ('refusal' in plan) return onCpu(plan.refusal);
    const gpu = where.gpu;
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
    // 'success'), ADMM did not finish, or the polished point misses the tolerance the caller asked
    // for (the GPU ran at f32's), that problem is solved again by the CPU engine. The others get
    // their active set at the caller's tolerance.
    const user = resolveSettings(settings);
    const members =
      batch.kind === 'problems'
        ? batch.problems
        : batch.params.map((v) => withParams(batch.structure, v));
    const unfinished = ['solved_inaccurate', 'max_iter_reached', 'time_limit_reached'];
    const redo = results.flatMap((r, i) => {
      if (unfinished.includes(r.status)) return [i];
      if (r.status !== 'solved') return [];
      if (r.polish !== 'success') return [i];
      const p = members[i];
      if (!meetsTolerance(originalResiduals(p, r.x, r.z, r.y), p.m, user)) return [i];
      results[i] = { ...r, active: activeSet(p, r.z, r.y, user) };
      return [];
    });
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

  /**
   * A backward pass of a job on `route` (the same decision as its forward solves), with a CPU
   * fallback for methods the GPU does not implement and for a GPU failure. Says which engine ran
   * it, and why when that is not the route's.
   */
  async backwardRun(
    route: Route,
    workload: Workload,
    items: BackwardItem[],
    method: GradMethod,
    options?: GradOptions,
  ): Promise<BackwardRun> {
    const where = await this.decide(route, workload);
    if (!where.gpu || !GPU_BACKWARD.has(method)) {
      const grads = await this.cpu.backwardBatch(items, method, options);
      return where.gpu
        ? { grads, engine: 'cpu', note: `${method} has no WebGPU implementation: on the CPU` }
        : { grads, engine: 'cpu' };
    }
    try {
      return { grads: await where.gpu.engine.backwardBatch(items, method, options), engine: 'gpu' };
    } catch (e) {
      const note = `the WebGPU backward of ${method} failed (${errorMessage(e)}); on the CPU`;
      this.post({ level: 'warn', text: `${note}.` });
      return { grads: await this.cpu.backwardBatch(items, method, options), engine: 'cpu', note };
    }
  }

  /** One Geometry job (geometryJob.ts) on `route`: its solve and its gradients on one engine. */
  geometry(req: GeometryRequest, route: Route): Promise<GeometryResponse> {
    return runGeometryJob(req, {
      solve: async (problem, settings, warm) => {
        const { results, run } = await this.solveBatchRun(
          { kind: 'problems', problems: [problem] },
          settings,
          [warm],
          route,
          'single',
        );
        return { result: results[0], run };
      },
      backward: (items, method, options) =>
        this.backwardRun(route, 'single', items, method, options),
    });
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
    this.options.post({ type: 'engine-event', info: this.device, notice });
  }

  dispose(): void {
    this.gpu?.ctx.dispose();
    this.gpu = null;
  }
}
