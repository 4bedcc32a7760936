/**
 * What crosses the page ↔ training-worker boundary. Calls go through comlink (TrainingApi); the
 * run's events stream back outside comlink as `{type: 'training-event', event}` messages, so they
 * need no callback proxy and keep arriving from a replacement worker after a crash.
 */
import type { ExperimentSettings } from '../solvers/learn/lab/experiments';
import type { LabMethod } from '../solvers/learn/lab/methods';
import type { EpochRecord, Halt } from '../solvers/learn/lab/records';
import type { JobInfo, Progress, RunSnapshot } from '../solvers/learn/lab/runner';
import type { Route } from './routing';

export interface TrainingRequest {
  settings: ExperimentSettings;
  /** Where the QP layer runs (the URL's `batch` field; routing.ts). */
  route: Route;
}

/** The engine of the QP layer, and why. */
export interface TrainingEngine {
  name: 'cpu' | 'gpu';
  /** "CPU (Float64)" or "WebGPU — <adapter>". */
  label: string;
  adapter: string;
  /** Why it runs there, when that is worth a word (a software adapter, a choice, no WebGPU). */
  note?: string;
}

export type RunState = 'preparing' | 'running' | 'paused' | 'done' | 'error';

export type TrainingEvent =
  | { type: 'job'; info: JobInfo }
  | { type: 'epoch'; job: number; method: LabMethod; record: EpochRecord }
  | { type: 'halt'; job: number; halt: Halt }
  | { type: 'snapshot'; snap: RunSnapshot }
  | { type: 'progress'; progress: Progress }
  | { type: 'state'; state: RunState; message?: string };

export interface TrainingEventMessage {
  type: 'training-event';
  event: TrainingEvent;
}

export function isTrainingEventMessage(data: unknown): data is TrainingEventMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === 'training-event'
  );
}

export interface TrainingApi {
  /**
   * Sets up a run (stopping any other), paused before its first mini-batch, or after the epoch of
   * `resume` (a snapshot the page kept). Resolves with the engine once the route is decided.
   */
  start(req: TrainingRequest, resume: RunSnapshot | null): Promise<TrainingEngine>;
  /** Runs mini-batches until paused, halted or done. */
  play(): Promise<void>;
  /** Stops after the mini-batch in progress. */
  pause(): Promise<void>;
  /** One mini-batch (when paused). */
  step(): Promise<void>;
  /** Ends the run and releases its handles. */
  stop(): Promise<void>;
}
