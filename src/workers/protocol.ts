/**
 * What crosses the page ↔ solver-worker boundary. Everything here is structured-clonable;
 * typed arrays are transferred, not copied (see `transferables`).
 */
import type { AnyQpProblem, QpBatch, QpResult, QpSettings, WarmStart } from '../solvers/qp/types';
import { isSparseProblem } from '../solvers/qp/types';
import type { EnvelopeRequest, EnvelopeResponse } from './envelopeJob';
import type { GeometryRequest, GeometryResponse } from './geometryJob';
import type { AdmmWalkReply, AdmmWalkRequest } from './admmWalkJob';

export { ROUTES, type EngineInfo, type Route } from './routing';
import type { EngineInfo, Route } from './routing';

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

/**
 * The API the worker exposes through comlink. Every job carries its route (routing.ts): the worker
 * keeps no preference that a restarted worker would have to be told again.
 */
export interface SolverApi {
  engineInfo(): Promise<EngineInfo>;
  solveBatch(
    batch: QpBatch,
    settings: Partial<QpSettings> | undefined,
    warm: (WarmStart | undefined)[] | undefined,
    route: Route,
  ): Promise<BatchReply>;
  /** One redraw of the Envelopes panel (LPGD Figure 1): shared-structure batches plus LPGD at t₀. */
  envelope(req: EnvelopeRequest, route: Route): Promise<EnvelopeReply>;
  /** The Geometry panel's QP solved and differentiated by each method, in one job. */
  geometry(req: GeometryRequest, route: Route): Promise<GeometryResponse>;
  /**
   * Iterates of the solver's own ADMM walk of one small problem ("Step through ADMM"). Always on
   * the CPU engine, whatever the route (admmWalkJob.ts says why); the reply's `run` says so.
   */
  admmWalk(req: AdmmWalkRequest, route: Route): Promise<AdmmWalkReply>;
}

/** Liveness: the page pings, the worker answers outside comlink (no `id`), even mid-job. */
export interface PingMessage {
  type: 'ping';
  seq: number;
}
export interface PongMessage {
  type: 'pong';
  seq: number;
}
export const isPong = (d: unknown): d is PongMessage =>
  typeof d === 'object' && d !== null && (d as { type?: unknown }).type === 'pong';
export const isPing = (d: unknown): d is PingMessage =>
  typeof d === 'object' && d !== null && (d as { type?: unknown }).type === 'ping';

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

export function problemArrays(p: AnyQpProblem): Typed[] {
  const csc = isSparseProblem(p) ? [p.P.indptr, p.P.indices, p.A.indptr, p.A.indices] : [];
  return [p.P.data, p.q, p.A.data, p.l, p.u, ...csc];
}

export function resultArrays(r: QpResult): (Typed | undefined)[] {
  return [r.x, r.y, r.z, r.certificate];
}

export function batchArrays(b: QpBatch): (Typed | undefined)[] {
  if (b.kind === 'problems') return b.problems.flatMap(problemArrays);
  return [...problemArrays(b.structure), ...b.params.flatMap((p) => [p.q, p.l, p.u])];
}
