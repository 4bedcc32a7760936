/**
 * Page side of the solver worker: starts it, forwards calls through comlink, and keeps it alive
 * (keeper.ts: pings, restarts, the script kept as a Blob for offline restarts). When the worker
 * fails, every request in flight is sent again once to its replacement (a request that kills the
 * worker twice is rejected). Requests carry everything they need (their route included) and are
 * copied for sending, so a resend after a restart needs nothing replayed.
 */
import * as Comlink from 'comlink';
import type { QpBatch, QpSettings, WarmStart } from '../solvers/qp/types';
import workerUrl from './solver.worker.ts?worker&url';
import type { EnvelopeRequest } from './envelopeJob';
import type { GeometryRequest, GeometryResponse } from './geometryJob';
import type { AdmmWalkReply, AdmmWalkRequest } from './admmWalkJob';
import {
  batchArrays,
  isEngineEventMessage,
  problemArrays,
  transferables,
  type BatchReply,
  type EngineInfo,
  type EngineNotice,
  type EnvelopeReply,
  type SolverApi,
} from './protocol';
import type { Route } from './routing';
import { CRASH_WINDOW_MS, WorkerCrashedError, WorkerKeeper } from './keeper';

export { PING_EVERY_MS, SILENT_LIMIT_MS, STARTUP_LIMIT_MS, WorkerCrashedError } from './keeper';

export interface SolverClientEvents {
  /** The worker (re)started and reported its engine. */
  onReady(info: EngineInfo, restarts: number): void;
  /** The worker failed (in plain words); `willRestart` is false once it keeps failing. */
  onCrash(message: string, willRestart: boolean): void;
  /** The engine changed (e.g. GPU lost → CPU) or has something to report (a notice). */
  onEngineEvent?(info: EngineInfo, notice?: EngineNotice): void;
  /** The worker's script is kept in memory: from now on a restart works offline. */
  onScriptKept?(): void;
}

/** Each request is sent at most this many times (the first, and once after a restart). */
const MAX_SENDS = 2;

/** Makes the worker from a script URL (the built file, or a Blob URL of its kept source). */
export function createSolverWorker(url: string): Worker {
  return new Worker(url, { type: 'module', name: 'solver' });
}

interface Job {
  send(remote: Comlink.Remote<SolverApi>): Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  sends: number;
  /** The worker generation it was last sent to (−1: not sent yet). */
  generation: number;
  /** The page's own question (the engine after a start), not a user's request. */
  internal: boolean;
}

export class SolverClient {
  private readonly keeper: WorkerKeeper<SolverApi>;
  private restarts = 0;
  /** Why calls are refused: disposed, or stopped after repeated failures; null while running. */
  private stopped: string | null = null;
  private readonly jobs = new Set<Job>();
  /** The last failure, for the requests its replacement cannot take (sent twice already). */
  private lastFailure: WorkerCrashedError | null = null;

  constructor(
    private readonly events: SolverClientEvents,
    makeWorker: (url: string) => Worker = createSolverWorker,
  ) {
    this.keeper = new WorkerKeeper<SolverApi>(
      { url: workerUrl, makeWorker, keepScript: import.meta.env.PROD, name: 'Solver' },
      {
        onFail: (why, willRestart, failures) => this.fail(why, willRestart, failures),
        onRestart: () => this.restarted(),
        onMessage: (data) => {
          if (this.stopped) return;
          if (isEngineEventMessage(data)) this.events.onEngineEvent?.(data.info, data.notice);
        },
        onScriptKept: () => this.events.onScriptKept?.(),
      },
    );
    this.announce();
  }

  /** Solves a batch on `route`; the reply says which engine computed it. The batch is copied. */
  solveBatch(
    batch: QpBatch,
    settings: Partial<QpSettings> | undefined,
    warm: (WarmStart | undefined)[] | undefined,
    route: Route,
  ): Promise<BatchReply> {
    return this.call((r) => {
      const b = structuredClone(batch);
      return r.solveBatch(
        Comlink.transfer(b, transferables(batchArrays(b))),
        settings,
        warm,
        route,
      );
    });
  }

  /** One redraw of the Envelopes panel (callers coalesce drags with their own LatestOnly). */
  envelope(req: EnvelopeRequest, route: Route): Promise<EnvelopeReply> {
    return this.call((r) => r.envelope(req, route));
  }

  /** One Geometry job: the solve and its gradients. The request is copied. */
  geometry(req: GeometryRequest, route: Route): Promise<GeometryResponse> {
    return this.call((r) => {
      const q = structuredClone(req);
      return r.geometry(Comlink.transfer(q, transferables(problemArrays(q.problem))), route);
    });
  }

  /** Iterates of the solver's ADMM walk of one small problem (Step through ADMM). Copied. */
  admmWalk(req: AdmmWalkRequest, route: Route): Promise<AdmmWalkReply> {
    return this.call((r) => {
      const q = structuredClone(req);
      return r.admmWalk(Comlink.transfer(q, transferables(problemArrays(q.problem))), route);
    });
  }

  engineInfo(): Promise<EngineInfo> {
    return this.call((r) => r.engineInfo());
  }

  /** The page's own question after a (re)start: not a user's request (notices do not count it). */
  private internalEngineInfo(): Promise<EngineInfo> {
    return this.call((r) => r.engineInfo(), true);
  }

  /** Test and diagnostics hook: the live worker (the browser test terminates it). */
  get currentWorker(): Worker {
    return this.keeper.worker;
  }

  dispose(): void {
    if (this.stopped) return;
    this.stopped = 'the solver client was disposed';
    this.keeper.dispose(this.stopped);
    for (const job of this.jobs) job.reject(new Error(this.stopped));
    this.jobs.clear();
  }

  private call<T>(
    send: (remote: Comlink.Remote<SolverApi>) => Promise<T>,
    internal = false,
  ): Promise<T> {
    if (this.stopped) return Promise.reject(new Error(this.stopped));
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        send,
        resolve: resolve as (v: unknown) => void,
        reject,
        sends: 0,
        generation: -1,
        internal,
      };
      this.jobs.add(job);
      this.dispatch(job);
    });
  }

  private dispatch(job: Job): void {
    // Between a failure and the replacement's start: the replacement takes it (restarted()).
    if (!this.keeper.alive) return;
    job.sends++;
    const gen = this.keeper.generation;
    job.generation = gen;
    let sent: Promise<unknown>;
    try {
      sent = job.send(this.keeper.remote);
    } catch (e) {
      // A request that cannot even be sent (e.g. data that cannot be copied) fails alone.
      this.jobs.delete(job);
      job.reject(e);
      return;
    }
    this.keeper.race(sent).then(
      (v) => {
        if (job.generation !== gen) return;
        this.jobs.delete(job);
        job.resolve(v);
      },
      (e) => {
        // A failure of this generation is handled by `fail` (resent or rejected there).
        if (job.generation !== gen || e instanceof WorkerCrashedError) return;
        this.jobs.delete(job);
        job.reject(e);
      },
    );
  }

  /** Asks the (new) worker for its engine and reports it as ready. */
  private announce(): void {
    const gen = this.keeper.generation;
    const restarts = this.restarts;
    this.internalEngineInfo().then(
      (info) => {
        if (!this.stopped && gen === this.keeper.generation) this.events.onReady(info, restarts);
      },
      () => undefined, // a failure during start-up is reported by `fail`
    );
  }

  /** The worker failed: report it in plain words; what was in flight waits for the replacement. */
  private fail(why: string, willRestart: boolean, failures: number): void {
    if (this.stopped) return;
    const error = new WorkerCrashedError(why);
    this.lastFailure = error;
    const resend = willRestart && [...this.jobs].some((j) => !j.internal && j.sends < MAX_SENDS);
    if (!willRestart) {
      this.stopped = `the solver stopped after repeated failures (last: ${why})`;
      for (const job of this.jobs) job.reject(error);
      this.jobs.clear();
    } else this.restarts += 1;
    this.events.onCrash(
      willRestart
        ? `The solver ${why}, so it was restarted.` +
            (resend ? ' The request in progress was sent again.' : '')
        : `The solver ${why}, ${failures} times in ${CRASH_WINDOW_MS / 1000} s, and was stopped. Reload the page to try again.`,
      willRestart,
    );
  }

  /**
   * A replacement worker is up: announce it, then send it every request that went to an earlier
   * worker (those in flight when it failed, and any made while the failure was being reported).
   */
  private restarted(): void {
    this.announce();
    const gen = this.keeper.generation;
    for (const job of [...this.jobs]) {
      if (job.generation === gen) continue;
      if (!job.internal && job.sends < MAX_SENDS) this.dispatch(job);
      else {
        this.jobs.delete(job);
        job.reject(this.lastFailure ?? new WorkerCrashedError('it failed'));
      }
    }
  }
}
