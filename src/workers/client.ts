/**
 * Page side of the solver worker: starts it, forwards calls through comlink (transferring the
 * problem's typed arrays), coalesces drag-rate requests, and restarts the worker after a crash.
 */
import * as Comlink from 'comlink';
import type { QpBatch, QpProblem, QpResult, QpSettings, WarmStart } from '../solvers/qp/types';
import { LatestOnly } from './coalesce';
import type { EnvelopeRequest } from './envelopeJob';
import type { GeometryGradRequest, GeometryGradResponse } from './geometryGradJob';
import {
  batchArrays,
  isEngineEventMessage,
  problemArrays,
  transferables,
  type BatchPreference,
  type BatchReply,
  type EngineInfo,
  type EnvelopeReply,
  type EngineNotice,
  type SolverApi,
} from './protocol';

export interface SolverClientEvents {
  /** The worker (re)started and reported its engine. */
  onReady(info: EngineInfo, restarts: number): void;
  /** The worker raised an uncaught error; `willRestart` is false once it keeps crashing. */
  onCrash(message: string, willRestart: boolean): void;
  /** The engine changed (e.g. GPU lost → CPU) or has something to report (a notice). */
  onEngineEvent?(info: EngineInfo, notice?: EngineNotice): void;
}

/** Thrown to callers whose request was running when the worker crashed. */
export class WorkerCrashedError extends Error {
  constructor(message: string) {
    super(`Solver worker crashed: ${message}`);
    this.name = 'WorkerCrashedError';
  }
}

/** More crashes than this within CRASH_WINDOW_MS stop the restarts (e.g. a script that fails to load). */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 10_000;

interface Coalesced {
  problem: QpProblem;
  settings?: Partial<QpSettings>;
  warm?: WarmStart;
}

export function createSolverWorker(): Worker {
  return new Worker(new URL('./solver.worker.ts', import.meta.url), {
    type: 'module',
    name: 'solver',
  });
}

export class SolverClient {
  private worker!: Worker;
  private remote!: Comlink.Remote<SolverApi>;
  /** Rejects when the current worker crashes; every call races against it. */
  private crashed!: Promise<never>;
  private rejectCrashed!: (e: Error) => void;
  private restarts = 0;
  private crashTimes: number[] = [];
  /** Why calls are refused: disposed, or stopped after repeated crashes; null while running. */
  private stopped: string | null = null;
  /** One latest-only queue per channel (e.g. one per panel). */
  private readonly channels = new Map<string, LatestOnly<Coalesced, QpResult>>();
  /** The page's batch preference, sent again to a restarted worker before anything else. */
  private batchPreference: BatchPreference = 'auto';

  constructor(
    private readonly events: SolverClientEvents,
    private readonly makeWorker: () => Worker = createSolverWorker,
  ) {
    this.start();
  }

  /** Solves one problem. Its typed arrays are transferred: the caller must not use them afterwards. */
  solve(problem: QpProblem, settings?: Partial<QpSettings>, warm?: WarmStart): Promise<QpResult> {
    const w = warm && { x: warm.x?.slice(), y: warm.y?.slice() };
    const buffers = transferables([...problemArrays(problem), w?.x, w?.y]);
    return this.call(() => this.remote.solve(Comlink.transfer(problem, buffers), settings, w));
  }

  /**
   * Solves a batch; the reply says which engine computed it. Its typed arrays are transferred: the
   * caller must not use them afterwards.
   */
  solveBatch(
    batch: QpBatch,
    settings?: Partial<QpSettings>,
    warm?: (WarmStart | undefined)[],
  ): Promise<BatchReply> {
    return this.call(() =>
      this.remote.solveBatch(
        Comlink.transfer(batch, transferables(batchArrays(batch))),
        settings,
        warm,
      ),
    );
  }

  /**
   * Solves on a latest-only channel: while a solve runs, a newer request replaces the waiting one.
   * Resolves with null for a request superseded before it ran.
   */
  solveLatest(
    channel: string,
    problem: QpProblem,
    settings?: Partial<QpSettings>,
    warm?: WarmStart,
  ): Promise<QpResult | null> {
    let queue = this.channels.get(channel);
    if (!queue) {
      queue = new LatestOnly((req: Coalesced) => this.solve(req.problem, req.settings, req.warm));
      this.channels.set(channel, queue);
    }
    return queue.request({ problem, settings, warm });
  }

  /** One redraw of the Envelopes panel (callers coalesce drags with their own LatestOnly). */
  envelope(req: EnvelopeRequest): Promise<EnvelopeReply> {
    return this.call(() => this.remote.envelope(req));
  }

  /** Gradients of the Geometry panel. Its problem's arrays are transferred. */
  geometryGradients(req: GeometryGradRequest): Promise<GeometryGradResponse> {
    const buffers = transferables(problemArrays(req.problem));
    return this.call(() => this.remote.geometryGradients(Comlink.transfer(req, buffers)));
  }

  engineInfo(): Promise<EngineInfo> {
    return this.call(() => this.remote.engineInfo());
  }

  /**
   * Where later batches run (the worker cannot read the URL). Remembered: a restarted worker gets
   * it before any request. Resolves with the engine info it leads to.
   */
  setBatchPreference(preference: BatchPreference): Promise<EngineInfo> {
    this.batchPreference = preference;
    return this.call(() => this.remote.setBatchPreference(preference));
  }

  dispose(): void {
    if (this.stopped) return; // already stopped after crashes: worker terminated, proxy released
    this.stopped = 'the solver client was disposed';
    this.rejectCrashed(new Error(this.stopped));
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
  }

  private call<T>(f: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Error(this.stopped));
    return Promise.race([f(), this.crashed]);
  }

  private start(): void {
    this.crashed = new Promise<never>((_, reject) => (this.rejectCrashed = reject));
    // Nobody may be waiting when the worker crashes; the rejection is still reported through onCrash.
    this.crashed.catch(() => undefined);
    this.worker = this.makeWorker();
    this.worker.addEventListener('error', this.handleError);
    this.worker.addEventListener('messageerror', this.handleMessageError);
    this.worker.addEventListener('message', this.handleEngineEvent);
    this.remote = Comlink.wrap<SolverApi>(this.worker);
    // Messages reach the worker in order: this one lands before any request the page sends next.
    if (this.batchPreference !== 'auto')
      this.call(() => this.remote.setBatchPreference(this.batchPreference)).catch(() => undefined);
    const restarts = this.restarts;
    this.engineInfo().then(
      (info) => {
        if (!this.stopped && restarts === this.restarts) this.events.onReady(info, restarts);
      },
      () => undefined, // a crash during start-up is reported by handleError
    );
  }

  private readonly handleError = (ev: Event): void => {
    // Handled here: keep the browser from also logging it as an uncaught page error.
    ev.preventDefault();
    const message =
      ev instanceof ErrorEvent && ev.message
        ? ev.message
        : 'the solver worker script failed to load or stopped unexpectedly';
    this.crash(message);
  };

  private readonly handleMessageError = (): void => {
    this.crash('a message from the worker could not be deserialized');
  };

  /** Engine events arrive outside comlink (see protocol.ts, EngineEventMessage). */
  private readonly handleEngineEvent = (ev: MessageEvent): void => {
    if (!this.stopped && isEngineEventMessage(ev.data))
      this.events.onEngineEvent?.(ev.data.info, ev.data.notice);
  };

  private crash(message: string): void {
    if (this.stopped) return;
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const willRestart = this.crashTimes.length <= MAX_CRASHES;
    this.rejectCrashed(new WorkerCrashedError(message));
    this.worker.removeEventListener('error', this.handleError);
    this.worker.removeEventListener('messageerror', this.handleMessageError);
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    this.events.onCrash(message, willRestart);
    if (willRestart) {
      this.restarts += 1;
      this.start();
    } else {
      this.stopped = `the solver worker crashed ${this.crashTimes.length} times in ${CRASH_WINDOW_MS / 1000} s and was stopped (last: ${message})`;
    }
  }
}
