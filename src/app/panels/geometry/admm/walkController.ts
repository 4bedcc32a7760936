/**
 * The page side of "Step through ADMM": the iterates fetched so far from the worker's walk (the
 * solver's own, admmWalkJob.ts), the iteration shown, and play / pause / step. Iterates are fetched
 * in chunks ahead of what is shown. Per-iteration updates go to listeners (the plot overlay, the
 * residual chart, the readout), not through the panel's React state.
 */
import type { AdmmWalkReply, WalkStep } from '../../../../workers/admmWalkJob';
import type { RhoChange } from '../../../../solvers/qp/trace';
import type { QpResult } from '../../../../solvers/qp/types';
import { errorMessage } from '../../../../solvers/errors';

/** Asks the worker for iterates [from, from + count) of the current walk. */
export type WalkFetch = (from: number, count: number) => Promise<AdmmWalkReply>;

export interface WalkSnapshot {
  /** The iteration shown (0 = the starting point). */
  k: number;
  /** Iterates fetched so far. */
  known: number;
  /** All iterates of the walk (iterations + 1), once the solver has stopped. */
  total: number | null;
  playing: boolean;
  loading: boolean;
  error: string | null;
  /** The iterate shown. */
  step: WalkStep | null;
  /** The solver's result, once it has stopped. */
  result: QpResult | null;
  rhoChanges: RhoChange[];
  /** Iterations per second while playing. */
  speed: number;
}

const CHUNK = 200;
const TO_END_CHUNK = 2000;
export const SPEEDS = [2, 5, 10, 25, 100] as const;

export class WalkController {
  readonly steps: WalkStep[] = [];
  private snap: WalkSnapshot;
  private readonly listeners = new Set<() => void>();
  private fetcher: WalkFetch | null = null;
  /** Bumped by every reset, so replies for an earlier walk are dropped. */
  private generation = 0;
  private inFlight: Promise<void> | null = null;
  private frame: number | null = null;
  private lastTime = 0;
  private carry = 0;

  constructor() {
    this.snap = {
      k: 0,
      known: 0,
      total: null,
      playing: false,
      loading: false,
      error: null,
      step: null,
      result: null,
      rhoChanges: [],
      speed: 5,
    };
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getSnapshot = (): WalkSnapshot => this.snap;

  /** A new walk (the problem or the settings changed): back to k = 0, nothing fetched. */
  reset(fetcher: WalkFetch | null): void {
    this.pause();
    this.generation++;
    this.fetcher = fetcher;
    this.steps.length = 0;
    this.inFlight = null;
    this.set({ k: 0, total: null, loading: false, error: null, result: null, rhoChanges: [] });
    if (fetcher) void this.ensure(1);
  }

  play(): void {
    if (this.snap.playing || !this.fetcher) return;
    if (this.atEnd()) this.set({ k: 0 });
    this.set({ playing: true });
    this.lastTime = performance.now();
    this.carry = 0;
    this.frame = requestAnimationFrame(this.tick);
  }

  pause(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    if (this.snap.playing) this.set({ playing: false });
  }

  setSpeed(speed: number): void {
    this.set({ speed });
  }

  /** Moves by n iterations (negative: back), fetching as needed. */
  async stepBy(n: number): Promise<void> {
    this.pause();
    await this.goTo(this.snap.k + n);
  }

  toStart(): void {
    this.pause();
    this.set({ k: 0 });
  }

  /** Fetches the rest of the walk and shows its last iterate. */
  async toEnd(): Promise<void> {
    this.pause();
    const gen = this.generation;
    while (this.snap.total === null && gen === this.generation && !this.snap.error)
      await this.fetchMore(TO_END_CHUNK);
    if (gen === this.generation && this.snap.total !== null) this.set({ k: this.snap.total - 1 });
  }

  dispose(): void {
    this.pause();
    this.generation++;
    this.listeners.clear();
  }

  private atEnd(): boolean {
    return this.snap.total !== null && this.snap.k >= this.snap.total - 1;
  }

  private async goTo(k: number): Promise<void> {
    const gen = this.generation;
    const want = Math.max(0, k);
    await this.ensure(want + 1);
    if (gen !== this.generation) return;
    this.set({ k: Math.min(want, this.steps.length - 1) });
  }

  /** Fetches until `n` iterates are known or the walk has ended. */
  private async ensure(n: number): Promise<void> {
    const gen = this.generation;
    while (this.steps.length < n && this.snap.total === null && gen === this.generation) {
      if (this.snap.error) return;
      await this.fetchMore(Math.max(CHUNK, n - this.steps.length));
    }
  }

  private fetchMore(count: number): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const fetcher = this.fetcher;
    if (!fetcher) return Promise.resolve();
    const gen = this.generation;
    this.set({ loading: true });
    const from = this.steps.length;
    this.inFlight = fetcher(from, count).then(
      (reply) => {
        if (gen !== this.generation) return;
        this.inFlight = null;
        // A reply for iterates already known (a resend after a worker restart) adds nothing twice.
        for (const s of reply.steps) if (s.k === this.steps.length) this.steps.push(s);
        this.set({
          loading: false,
          total: reply.total,
          result: reply.result,
          rhoChanges: reply.rhoChanges,
        });
      },
      (e: unknown) => {
        if (gen !== this.generation) return;
        this.inFlight = null;
        this.pause();
        this.set({ loading: false, error: errorMessage(e) });
      },
    );
    return this.inFlight;
  }

  private readonly tick = (now: number): void => {
    this.frame = null;
    if (!this.snap.playing) return;
    this.carry += ((now - this.lastTime) / 1000) * this.snap.speed;
    this.lastTime = now;
    const n = Math.floor(this.carry);
    if (n > 0) {
      this.carry -= n;
      const target = this.snap.k + n;
      if (target < this.steps.length) this.set({ k: target });
      else {
        if (this.steps.length > 0) this.set({ k: this.steps.length - 1 });
        if (this.snap.total === null) void this.fetchMore(CHUNK);
      }
    }
    if (this.atEnd()) {
      this.set({ playing: false });
      return;
    }
    this.frame = requestAnimationFrame(this.tick);
  };

  private set(patch: Partial<WalkSnapshot>): void {
    const next = { ...this.snap, ...patch };
    next.known = this.steps.length;
    next.step = this.steps[next.k] ?? null;
    this.snap = next;
    for (const fn of this.listeners) fn();
  }
}
