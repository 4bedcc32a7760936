/**
 * Page side of the solver worker: starts it, forwards calls through comlink, and keeps it alive.
 *  - Liveness: the page pings the worker every second; a ping unanswered for 5 s (10 s before the
 *    first answer: script load and WebGPU start-up) means the worker died silently (terminated, out
 *    of memory). An 'error' event means it crashed. Either way it is restarted, and every request
 *    in flight is sent again once (a request that kills the worker twice is rejected).
 *  - Offline: the worker's script is kept in memory (a Blob) after the first start, so a restart
 *    needs no network.
 *  - Requests carry everything they need (their route included) and are copied for sending, so a
 *    resend after a restart needs nothing replayed.
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
  isPong,
  problemArrays,
  transferables,
  type BatchReply,
  type EngineInfo,
  type EngineNotice,
  type EnvelopeReply,
  type PingMessage,
  type SolverApi,
} from './protocol';
import type { Route } from './routing';

export interface SolverClientEvents {
  /** The worker (re)started and reported its engine. */
  onReady(info: EngineInfo, restarts: number): void;
  /** The worker failed (in plain words); `willRestart` is false once it keeps failing. */
  onCrash(message: string, willRestart: boolean): void;
  /** The engine changed (e.g. GPU lost → CPU) or has something to report (a notice). */
  onEngineEvent?(info: EngineInfo, notice?: EngineNotice): void;
}

/** Thrown to callers whose request could not be completed because the worker failed. */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
  constructor(message: string) {
    super(`Solver worker failed: ${message}`);
  }
}

/** More failures than this within CRASH_WINDOW_MS stop the restarts (e.g. a script that fails to load). */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 10_000;
export const PING_EVERY_MS = 1000;
/** A ping unanswered this long means the worker is gone. */
export const SILENT_LIMIT_MS = 5000;
/** Before the worker's first answer (script load, WebGPU start-up) it gets this long. */
export const STARTUP_LIMIT_MS = 10_000;
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
  /** The worker generation it was last sent to. */
  generation: number;
}

export class SolverClient {
  private worker!: Worker;
  private remote!: Comlink.Remote<SolverApi>;
  /** Rejects when the current worker fails; every send races against it. */
  private failed!: Promise<never>;
  private rejectFailed!: (e: Error) => void;
  private generation = 0;
  private restarts = 0;
  private crashTimes: number[] = [];
  /** Why calls are refused: disposed, or stopped after repeated failures; null while running. */
  private stopped: string | null = null;
  private readonly jobs = new Set<Job>();
  /** The worker script kept in memory (Blob URL) for restarts without the network. */
  private scriptUrl: string = workerUrl;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private seq = 0;
  /** Unanswered pings: sequence number → when it was sent. */
  private readonly outstanding = new Map<number, number>();
  private answered = false;
  private lastTick = 0;

  constructor(
    private readonly events: SolverClientEvents,
    private readonly makeWorker: (url: string) => Worker = createSolverWorker,
  ) {
    this.start();
    void this.keepScript();
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

  /** Test and diagnostics hook: the live worker (the browser test terminates it). */
  get currentWorker(): Worker {
    return this.worker;
  }

  dispose(): void {
    if (this.stopped) return;
    this.stopped = 'the solver client was disposed';
    this.stopWorker();
    for (const job of this.jobs) job.reject(new Error(this.stopped));
    this.jobs.clear();
    if (this.scriptUrl.startsWith('blob:')) URL.revokeObjectURL(this.scriptUrl);
  }

  private call<T>(send: (remote: Comlink.Remote<SolverApi>) => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Error(this.stopped));
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        send,
        resolve: resolve as (v: unknown) => void,
        reject,
        sends: 0,
        generation: -1,
      };
      this.jobs.add(job);
      this.dispatch(job);
    });
  }

  private dispatch(job: Job): void {
    job.sends++;
    const gen = this.generation;
    job.generation = gen;
    Promise.race([job.send(this.remote), this.failed]).then(
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

  /**
   * In production the worker is one self-contained file: keep its text as a Blob so that a restart
   * works offline. (In development its modules load from the dev server.)
   */
  private async keepScript(): Promise<void> {
    if (!import.meta.env.PROD || typeof fetch !== 'function') return;
    try {
      const res = await fetch(workerUrl);
      if (!res.ok) return;
      const blob = new Blob([await res.text()], { type: 'text/javascript' });
      if (!this.stopped) this.scriptUrl = URL.createObjectURL(blob);
    } catch {
      // Offline already: restarts will try the network and say so if it fails.
    }
  }

  private start(): void {
    this.generation++;
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined);
    this.worker = this.makeWorker(this.scriptUrl);
    this.worker.addEventListener('error', this.handleError);
    this.worker.addEventListener('messageerror', this.handleMessageError);
    this.worker.addEventListener('message', this.handleMessage);
    this.remote = Comlink.wrap<SolverApi>(this.worker);
    this.outstanding.clear();
    this.answered = false;
    this.lastTick = performance.now();
    this.pingTimer = setInterval(this.tick, PING_EVERY_MS);
    this.tick();
    const gen = this.generation;
    const restarts = this.restarts;
    this.engineInfo().then(
      (info) => {
        if (!this.stopped && gen === this.generation) this.events.onReady(info, restarts);
      },
      () => undefined, // a failure during start-up is reported by `fail`
    );
  }

  private stopWorker(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.worker.removeEventListener('error', this.handleError);
    this.worker.removeEventListener('messageerror', this.handleMessageError);
    this.worker.removeEventListener('message', this.handleMessage);
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
  }

  /** Sends a ping, or declares the worker gone when an earlier one went unanswered too long. */
  private readonly tick = (): void => {
    if (this.stopped) return;
    const now = performance.now();
    // A late timer (a hidden tab, a sleeping laptop) says nothing about the worker: start over.
    if (now - this.lastTick > 3 * PING_EVERY_MS) this.outstanding.clear();
    this.lastTick = now;
    const limit = this.answered ? SILENT_LIMIT_MS : STARTUP_LIMIT_MS;
    for (const sent of this.outstanding.values()) {
      if (now - sent > limit) {
        this.fail(
          this.answered
            ? `stopped answering (no reply for ${limit / 1000} s)`
            : `did not start (no reply for ${limit / 1000} s)`,
        );
        return;
      }
    }
    const seq = ++this.seq;
    this.outstanding.set(seq, now);
    this.worker.postMessage({ type: 'ping', seq } satisfies PingMessage);
  };

  private readonly handleError = (ev: Event): void => {
    // Handled here: keep the browser from also logging it as an uncaught page error.
    ev.preventDefault();
    const detail = ev instanceof ErrorEvent && ev.message ? ev.message : null;
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    this.fail(
      detail
        ? `crashed (${detail})`
        : offline && !this.scriptUrl.startsWith('blob:')
          ? 'could not load its script: this page is offline'
          : 'failed to load, or stopped unexpectedly',
    );
  };

  private readonly handleMessageError = (): void => {
    this.fail('sent a message that could not be read');
  };

  /** Pongs and engine events arrive outside comlink (protocol.ts); any message shows it is alive. */
  private readonly handleMessage = (ev: MessageEvent): void => {
    if (this.stopped) return;
    this.answered = true;
    if (isPong(ev.data)) {
      for (const seq of [...this.outstanding.keys()])
        if (seq <= ev.data.seq) this.outstanding.delete(seq);
      return;
    }
    if (isEngineEventMessage(ev.data)) this.events.onEngineEvent?.(ev.data.info, ev.data.notice);
  };

  /** The worker failed: report it in plain words, restart it, send what was in flight again. */
  private fail(why: string): void {
    if (this.stopped) return;
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const willRestart = this.crashTimes.length <= MAX_CRASHES;
    const error = new WorkerCrashedError(why);
    this.rejectFailed(error);
    this.stopWorker();
    const inFlight = [...this.jobs];
    const resend = willRestart && inFlight.some((j) => j.sends < MAX_SENDS);
    this.events.onCrash(
      willRestart
        ? `The solver ${why}, so it was restarted.` +
            (resend ? ' The request in progress was sent again.' : '')
        : `The solver ${why}, ${this.crashTimes.length} times in ${CRASH_WINDOW_MS / 1000} s, and was stopped. Reload the page to try again.`,
      willRestart,
    );
    if (!willRestart) {
      this.stopped = `the solver stopped after repeated failures (last: ${why})`;
      for (const job of inFlight) job.reject(error);
      this.jobs.clear();
      return;
    }
    this.restarts += 1;
    this.start();
    for (const job of inFlight) {
      if (job.sends < MAX_SENDS) this.dispatch(job);
      else {
        this.jobs.delete(job);
        job.reject(error);
      }
    }
  }
}
