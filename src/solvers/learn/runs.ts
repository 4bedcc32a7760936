/**
 * What the experiments of Training lab II (sobolev/, l2o/, sudoku/) share with the lab of issue 9:
 * the report shape, the hooks a worker or the CLI passes in, a clock that reports progress and
 * gives the event loop a turn, and a few statistics (median, variance, log–log slope).
 *
 * Report (issue 9 §3, with experiment-specific fields in the epoch records and `final`):
 *
 *   {"experiment", "settings", "engine", "methods": {KEY: {"label", "epochs": [{"epoch", …}],
 *    "final": {…}}}, "table": [...], "aborted", "elapsed_ms", …experiment extras}
 *
 * A run is `await runXxx(options, hooks)`; the hooks stream each epoch record as it is made, so a
 * panel can chart it and the CLI can print it, and `signal` stops the run between steps: the
 * report then holds what was done, with `aborted: true`.
 */
import type { Engine } from '../engine';
import { CpuEngine } from '../cpu-engine';

/** Where a run is, for a progress bar. */
export interface RunProgress {
  /** What is running ("mse", "δ grid 3/5", …). */
  phase: string;
  /** Units of work done and planned (steps, solves: each runner says). */
  done: number;
  total: number;
  elapsedMs: number;
  /** Estimated time left, NaN before any work is done. */
  leftMs: number;
}

/** What a caller (worker, CLI, test) passes to a runner. Every field is optional. */
export interface RunHooks<E> {
  /** One record per method and epoch, as soon as it exists. */
  onEpoch?(method: string, record: E): void;
  onProgress?(p: RunProgress): void;
  /** Stops the run between steps; the report keeps what was done. */
  signal?: AbortSignal;
}

/** The engine that ran the QP solves, and why it is that one. */
export interface EngineInfo {
  name: 'cpu' | 'gpu';
  adapter: string;
  reason?: string;
}

export interface MethodReport<E, F> {
  label: string;
  epochs: E[];
  final: F;
}

export interface ExperimentReport<S, E, F, R> {
  experiment: string;
  settings: S;
  engine: EngineInfo;
  methods: Record<string, MethodReport<E, F>>;
  table: R[];
  /** True when the signal stopped the run; the records are those made before. */
  aborted: boolean;
  elapsed_ms: number;
}

/** The engine a runner uses: the one given, or the CPU engine. */
export function engineOf(engine: Engine | undefined): { engine: Engine; info: EngineInfo } {
  const e = engine ?? new CpuEngine();
  return {
    engine: e,
    info: {
      name: e.name,
      adapter: e.adapter,
      ...(engine ? {} : { reason: 'no engine was given; the CPU engine is the default' }),
    },
  };
}

/** Thrown inside a runner when its signal fires; the runner catches it and reports. */
export class RunAborted extends Error {
  override name = 'RunAborted';
}

/**
 * Progress, cancellation and fairness for one run: `tick` counts work and reports progress at most
 * every `reportMs`; `turn` yields to the event loop when `turnMs` have passed since the last turn
 * (so a worker keeps answering messages, the abort among them) and throws RunAborted when the
 * signal has fired.
 */
export class RunClock {
  private readonly t0 = performance.now();
  private lastTurn = this.t0;
  private lastReport = -Infinity;
  private done = 0;
  phase = '';

  constructor(
    private readonly hooks: RunHooks<unknown>,
    private total: number,
    private readonly turnMs = 50,
    private readonly reportMs = 100,
  ) {}

  get elapsedMs(): number {
    return performance.now() - this.t0;
  }

  /** Re-estimates the planned work (a phase whose size is known only once it starts). */
  plan(total: number): void {
    this.total = Math.max(total, this.done);
  }

  tick(units = 1): void {
    this.done += units;
    const now = performance.now();
    if (now - this.lastReport < this.reportMs && this.done < this.total) return;
    this.lastReport = now;
    const elapsedMs = now - this.t0;
    const leftMs = this.done > 0 ? (elapsedMs * (this.total - this.done)) / this.done : NaN;
    this.hooks.onProgress?.({
      phase: this.phase,
      done: this.done,
      total: this.total,
      elapsedMs,
      leftMs,
    });
  }

  /** Yields when due; throws RunAborted once the signal has fired. */
  async turn(): Promise<void> {
    this.check();
    const now = performance.now();
    if (now - this.lastTurn < this.turnMs) return;
    this.lastTurn = now;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.check();
  }

  check(): void {
    if (this.hooks.signal?.aborted) throw new RunAborted('the run was stopped');
  }
}

/** Median of the finite values (NaN when none). */
export function median(values: ArrayLike<number>): number {
  const v = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/** Mean of the finite values (NaN when none). */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++)
    if (Number.isFinite(values[i])) {
      s += values[i];
      n++;
    }
  return n > 0 ? s / n : NaN;
}

/** Population variance of the finite values (NaN when none). */
export function variance(values: ArrayLike<number>): number {
  const m = mean(values);
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++)
    if (Number.isFinite(values[i])) {
      s += (values[i] - m) ** 2;
      n++;
    }
  return n > 0 ? s / n : NaN;
}

/** Largest finite value (NaN when none). */
export function maxOf(values: ArrayLike<number>): number {
  let best = -Infinity;
  for (let i = 0; i < values.length; i++)
    if (Number.isFinite(values[i]) && values[i] > best) best = values[i];
  return best === -Infinity ? NaN : best;
}

/**
 * Least-squares line through (log x, log y): y ≈ C·x^slope. Returns the slope and log C; pairs with
 * a non-positive or non-finite coordinate are left out.
 */
export function logLogFit(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
): {
  slope: number;
  intercept: number;
} {
  const px: number[] = [];
  const py: number[] = [];
  for (let i = 0; i < xs.length; i++)
    if (xs[i] > 0 && ys[i] > 0 && Number.isFinite(xs[i]) && Number.isFinite(ys[i])) {
      px.push(Math.log(xs[i]));
      py.push(Math.log(ys[i]));
    }
  const n = px.length;
  if (n < 2) return { slope: NaN, intercept: NaN };
  const mx = px.reduce((s, v) => s + v, 0) / n;
  const my = py.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (px[i] - mx) * (py[i] - my);
    sxx += (px[i] - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { slope, intercept: my - slope * mx };
}

/** Runs `f` and returns its value with the milliseconds it took. */
export function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}
