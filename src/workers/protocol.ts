/**
 * What crosses the page ↔ solver-worker boundary. Everything here is structured-clonable;
 * typed arrays are transferred, not copied (see `transferables`).
 */
import type { QpBatch, QpProblem, QpResult, QpSettings, WarmStart } from '../solvers/qp/types';
import type { EnvelopeRequest, EnvelopeResponse } from './envelopeJob';
import type { GeometryGradRequest, GeometryGradResponse } from './geometryGradJob';

/**
 * Where the page asks batches to be solved (the `batch` URL field): 'auto' = WebGPU on a hardware
 * adapter, the CPU engine on a software one (SwiftShader & co. emulate the GPU on the CPU, slower
 * than the CPU engine itself); 'gpu' / 'cpu' force one engine.
 */
export const BATCH_PREFERENCES = ['auto', 'gpu', 'cpu'] as const;
export type BatchPreference = (typeof BATCH_PREFERENCES)[number];

/** Which engine computes, as the worker reports it (drives the header badge). */
export interface EngineInfo {
  /** Whether a WebGPU device is in use at all (single solves are always on the CPU). */
  kind: 'cpu' | 'gpu';
  /** Short label for the badge, e.g. "CPU (Float64)" or "WebGPU — google swiftshader". */
  label: string;
  /** Hardware description: the adapter name for WebGPU, the arithmetic for the CPU. */
  adapter: string;
  /** Why WebGPU is not used, when the worker fell back. */
  fallbackReason?: string;
  /** The WebGPU adapter emulates a GPU in software (isSoftwareAdapter, src/gpu/browser.ts). */
  software?: boolean;
  /** The page's batch preference, as the worker applies it. */
  preference: BatchPreference;
  /** Where batches go now: the preference applied to the adapter found. */
  batches: 'gpu' | 'cpu';
  /** Why batches go there, when that is worth a word in the badge (e.g. a software adapter). */
  batchNote?: string;
}

/**
 * Which engine produced a batch's answers (or all batches of one job, see `mergeRuns`).
 * 'gpu+cpu': the GPU solved the batch and some problems were solved again on the CPU.
 */
export interface BatchRun {
  engine: 'gpu' | 'cpu' | 'gpu+cpu';
  /** The arithmetic, e.g. "f32 ADMM + Float64 polish" or "Float64 ADMM + polish". */
  method: string;
  /** Why it ran on the CPU, when it did (preference, software adapter, refusal, GPU error). */
  reason?: string;
  /** Problems in the batch(es). */
  problems: number;
  /** Problems solved on the GPU whose answer was replaced by a CPU re-solve. */
  resolved: number;
}

/** A batch's results with the engine that computed them. */
export interface BatchReply {
  results: QpResult[];
  run: BatchRun;
}

/** An Envelopes redraw with the engine of its batches. */
export type EnvelopeReply = EnvelopeResponse & { run: BatchRun };

/** A message for the page's notice area about the engine (device loss, a GPU batch that fell back). */
export interface EngineNotice {
  level: 'info' | 'warn' | 'error';
  text: string;
}

/**
 * Posted by the worker outside comlink (no `id` field, so comlink ignores it) when the engine
 * changes or something about it should be shown (src/workers/engineHost.ts).
 */
export interface EngineEventMessage {
  type: 'engine-event';
  info: EngineInfo;
  notice?: EngineNotice;
}

export function isEngineEventMessage(data: unknown): data is EngineEventMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === 'engine-event'
  );
}

/** The API the worker exposes through comlink. */
export interface SolverApi {
  engineInfo(): Promise<EngineInfo>;
  /** Applies the page's batch preference (the worker cannot read the URL); returns the new info. */
  setBatchPreference(preference: BatchPreference): Promise<EngineInfo>;
  solve(problem: QpProblem, settings?: Partial<QpSettings>, warm?: WarmStart): Promise<QpResult>;
  solveBatch(
    batch: QpBatch,
    settings?: Partial<QpSettings>,
    warm?: (WarmStart | undefined)[],
  ): Promise<BatchReply>;
  /** One redraw of the Envelopes panel (LPGD Figure 1): shared-structure batches plus LPGD at t₀. */
  envelope(req: EnvelopeRequest): Promise<EnvelopeReply>;
  /** Solve the Geometry panel's QP and differentiate ½‖x̂ − w‖² through it by each method. */
  geometryGradients(req: GeometryGradRequest): Promise<GeometryGradResponse>;
}

type Typed = Float64Array | Float32Array | Int32Array | Uint32Array;

/**
 * Distinct buffers that the given arrays own entirely. A view into a larger buffer is left out:
 * transferring it would detach data the sender still uses (and a buffer listed twice throws).
 */
export function transferables(arrays: (Typed | undefined)[]): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const a of arrays) {
    if (!a || !(a.buffer instanceof ArrayBuffer)) continue;
    if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) continue;
    seen.add(a.buffer);
  }
  return [...seen];
}

export function problemArrays(p: QpProblem): Typed[] {
  return [p.P.data, p.q, p.A.data, p.l, p.u];
}

export function resultArrays(r: QpResult): (Typed | undefined)[] {
  return [r.x, r.y, r.z, r.certificate];
}

export function batchArrays(b: QpBatch): (Typed | undefined)[] {
  if (b.kind === 'problems') return b.problems.flatMap(problemArrays);
  return [...problemArrays(b.structure), ...b.params.flatMap((p) => [p.q, p.l, p.u])];
}
