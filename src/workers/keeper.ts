/**
 * Keeps a Web Worker alive for the page, whatever runs in it (the solver, the training lab):
 *  - Liveness: the page pings the worker every second; a ping unanswered for 5 s (10 s before the
 *    first answer: script load and WebGPU start-up) means the worker died silently (terminated, out
 *    of memory). An 'error' event means it crashed. Either way it is replaced by a fresh one, unless
 *    it failed more than MAX_CRASHES times in CRASH_WINDOW_MS (a script that cannot load).
 *  - Offline: the worker's script is kept in memory (a Blob) after the first start, so a restart
 *    needs no network.
 * The worker answers `{type: 'ping', seq}` with `{type: 'pong', seq}` outside comlink (protocol.ts).
 * What a restart means for work in flight is the owner's business (`onFail`, `onStart`).
 */
import * as Comlink from 'comlink';
import { isPong, type PingMessage } from './protocol';

/** More failures than this within CRASH_WINDOW_MS stop the restarts (e.g. a script that fails to load). */
export const MAX_CRASHES = 3;
export const CRASH_WINDOW_MS = 10_000;
export const PING_EVERY_MS = 1000;
/** A ping unanswered this long means the worker is gone. */
export const SILENT_LIMIT_MS = 5000;
/** Before the worker's first answer (script load, WebGPU start-up) it gets this long. */
export const STARTUP_LIMIT_MS = 10_000;

/** Thrown to callers whose request could not be completed because the worker failed. */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
  constructor(message: string, worker = 'Solver') {
    super(`${worker} worker failed: ${message}`);
  }
}

export interface KeeperEvents {
  /** A replacement worker started, after a failure (the first one starts in the constructor). */
  onRestart?(generation: number): void;
  /**
   * The current worker failed (`why` in plain words; it has been stopped). `willRestart` is false
   * once it keeps failing: the keeper then stops for good. Called before the replacement starts.
   */
  onFail(why: string, willRestart: boolean, failures: number): void;
  /** A message outside comlink that is not a pong (engine events, training events). */
  onMessage?(data: unknown): void;
  /** The script is kept in memory from now on: a restart needs no network. */
  onScriptKept?(): void;
}

export interface KeeperOptions {
  /** The worker's script URL (its built file). */
  url: string;
  /** Makes the worker from a script URL (the built file, or a Blob URL of its kept source). */
  makeWorker(url: string): Worker;
  /** Keep the script as a Blob for offline restarts (production builds: one self-contained file). */
  keepScript?: boolean;
  /** The worker's name in messages ("Solver", "Training"). */
  name?: string;
}

export class WorkerKeeper<Api> {
  private worker_!: Worker;
  private remote_!: Comlink.Remote<Api>;
  /** Rejects when the current worker fails; sends race against it. */
  private failed_!: Promise<never>;
  private rejectFailed!: (e: Error) => void;
  private generation_ = 0;
  private crashTimes: number[] = [];
  /** Why the keeper stopped (disposed, or after repeated failures); null while running. */
  private stopped_: string | null = null;
  private scriptUrl: string;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private seq = 0;
  /** Unanswered pings: sequence number → when it was sent. */
  private readonly outstanding = new Map<number, number>();
  private answered = false;
  private lastTick = 0;

  constructor(
    private readonly options: KeeperOptions,
    private readonly events: KeeperEvents,
  ) {
    this.scriptUrl = options.url;
    this.start();
    if (options.keepScript) void this.keepScript();
  }

  /** Resolves with `send`'s answer, or rejects with WorkerCrashedError if the worker fails first. */
  race<T>(send: Promise<T>): Promise<T> {
    return Promise.race([send, this.failed_]);
  }

  get remote(): Comlink.Remote<Api> {
    return this.remote_;
  }
  get failed(): Promise<never> {
    return this.failed_;
  }
  get generation(): number {
    return this.generation_;
  }
  get stopped(): string | null {
    return this.stopped_;
  }
  /** The live worker (the browser tests reach it through the page's clients). */
  get worker(): Worker {
    return this.worker_;
  }

  /** Stops the worker for good; `why` is what later calls are told. */
  dispose(why: string): void {
    if (this.stopped_) return;
    this.stopped_ = why;
    this.stopWorker();
    if (this.scriptUrl.startsWith('blob:')) URL.revokeObjectURL(this.scriptUrl);
  }

  private async keepScript(): Promise<void> {
    if (typeof fetch !== 'function') return;
    try {
      const res = await fetch(this.options.url);
      if (!res.ok) return;
      const blob = new Blob([await res.text()], { type: 'text/javascript' });
      if (this.stopped_) return;
      this.scriptUrl = URL.createObjectURL(blob);
      this.events.onScriptKept?.();
    } catch {
      // Offline already: restarts will try the network and say so if it fails.
    }
  }

  private start(): void {
    this.generation_++;
    this.live = true;
    this.failed_ = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed_.catch(() => undefined);
    this.worker_ = this.options.makeWorker(this.scriptUrl);
    this.worker_.addEventListener('error', this.handleError);
    this.worker_.addEventListener('messageerror', this.handleMessageError);
    this.worker_.addEventListener('message', this.handleMessage);
    this.remote_ = Comlink.wrap<Api>(this.worker_);
    this.outstanding.clear();
    this.answered = false;
    this.lastTick = performance.now();
    this.pingTimer = setInterval(this.tick, PING_EVERY_MS);
    this.tick();
  }

  /** False between a worker's failure and its replacement's start (and after disposal). */
  get alive(): boolean {
    return this.live;
  }
  private live = false;

  private stopWorker(): void {
    this.live = false;
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.worker_.removeEventListener('error', this.handleError);
    this.worker_.removeEventListener('messageerror', this.handleMessageError);
    this.worker_.removeEventListener('message', this.handleMessage);
    this.remote_[Comlink.releaseProxy]();
    this.worker_.terminate();
  }

  /** Sends a ping, or declares the worker gone when an earlier one went unanswered too long. */
  private readonly tick = (): void => {
    if (this.stopped_) return;
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
    this.worker_.postMessage({ type: 'ping', seq } satisfies PingMessage);
  };

  private readonly handleError = (ev: Event): void => {
    // Handled here: keep the browser from also logging it as an uncaught page error.
    ev.preventDefault();
    const message = (ev as Partial<ErrorEvent>).message;
    const detail = typeof message === 'string' && message ? message : null;
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

  /** Pongs and events arrive outside comlink; any message shows the worker is alive. */
  private readonly handleMessage = (ev: MessageEvent): void => {
    if (this.stopped_) return;
    this.answered = true;
    if (isPong(ev.data)) {
      for (const seq of [...this.outstanding.keys()])
        if (seq <= ev.data.seq) this.outstanding.delete(seq);
      return;
    }
    this.events.onMessage?.(ev.data);
  };

  /** The worker failed: stop it, tell the owner, and start a fresh one unless it keeps failing. */
  private fail(why: string): void {
    if (this.stopped_) return;
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const willRestart = this.crashTimes.length <= MAX_CRASHES;
    this.rejectFailed(new WorkerCrashedError(why, this.options.name));
    this.stopWorker();
    if (!willRestart) this.stopped_ = `the worker stopped after repeated failures (last: ${why})`;
    this.events.onFail(why, willRestart, this.crashTimes.length);
    if (!willRestart || this.stopped_) return;
    this.start();
    this.events.onRestart?.(this.generation_);
  }
}
