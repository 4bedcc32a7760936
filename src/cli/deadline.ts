/**
 * `--time-limit` as a bound on the whole command. The solver checks its time limit only between
 * ADMM iterations; validation, scaling and the dense factorizations (O(n³)) run unchecked. So the
 * CLI gives the CPU solve the time left, runs it in a worker thread, and stops that thread shortly
 * after the deadline: a problem caught in setup then reports `time_limit_reached` without an
 * iterate, instead of running for minutes.
 */
import { Worker } from 'node:worker_threads';
import type { ActiveKind, QpProblem, QpResult, QpSettings } from '../solvers/qp';
import { EngineError } from './errors';
import type { SolveJob, SolveMessage } from './solve-worker';

/**
 * How long after the deadline the worker is stopped: the solver's own check ends ADMM at the
 * deadline and needs a moment to unscale and post its result; only a setup or polish past the
 * deadline needs the stop.
 */
export const STOP_GRACE_MS = 250;

/** Messages of the results the worker could not deliver. */
export const UNFINISHED =
  'the time limit ran out before the solver returned (setup: validation, scaling and ' +
  'factorization, and polishing do not check the time limit yet), so there is no iterate';
export const NOT_STARTED = 'the time limit ran out before this problem was started';

/** Result of a problem that ran out of time without an iterate. */
export function timeLimitResult(p: QpProblem, message: string, timeMs: number): QpResult {
  return {
    status: 'time_limit_reached',
    message,
    x: new Float64Array(p.n).fill(NaN),
    y: new Float64Array(p.m).fill(NaN),
    z: new Float64Array(p.m).fill(NaN),
    obj: NaN,
    iter: 0,
    prim_res: NaN,
    dual_res: NaN,
    time_ms: timeMs,
    active: new Array<ActiveKind>(p.m).fill('inactive'),
    rho: NaN,
    rho_updates: 0,
    polish: 'not_run',
  };
}

/** The engine fields of a problem (meta stays behind), and the buffers to transfer. */
function forWorker(problems: QpProblem[], transfer: boolean) {
  const buffers = new Set<ArrayBuffer>();
  const stripped = problems.map(({ n, m, P, q, r, A, l, u }) => {
    if (transfer) for (const v of [P.data, A.data, q, l, u]) buffers.add(v.buffer as ArrayBuffer);
    return { n, m, P, q, r, A, l, u };
  });
  return { stripped, transferList: [...buffers] };
}

/**
 * Solves `problems` on the CPU engine in a worker thread, all within `deadline` (a Date.now()
 * time): each problem gets the time left as its time_limit, and the thread is stopped
 * STOP_GRACE_MS after the deadline. With `transfer` the problems' arrays move to the worker
 * (no copy; the caller must not read them afterwards).
 */
export function solveBeforeDeadline(
  problems: QpProblem[],
  settings: Partial<QpSettings>,
  deadline: number,
  transfer = false,
): Promise<QpResult[]> {
  const started = Date.now();
  const shapes = problems.map(({ n, m }) => ({ n, m }) as QpProblem);
  const results: (QpResult | undefined)[] = new Array(problems.length);
  const worker = new Worker(new URL('./solve-worker.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (error) reject(error);
      else {
        const elapsed = Date.now() - started;
        resolve(
          Array.from(
            shapes,
            (shape, k) => results[k] ?? timeLimitResult(shape, NOT_STARTED, elapsed),
          ),
        );
      }
    };
    const timer = setTimeout(
      () => {
        // Problems before the first missing one finished; the first missing one was running.
        const running = results.findIndex((r) => r === undefined);
        const elapsed = Date.now() - started;
        if (running >= 0) results[running] = timeLimitResult(shapes[running], UNFINISHED, elapsed);
        settle();
      },
      Math.max(0, deadline + STOP_GRACE_MS - Date.now()),
    );
    worker.on('message', (message: SolveMessage) => {
      if ('done' in message) settle();
      else if ('expired' in message)
        results[message.index] = timeLimitResult(shapes[message.index], NOT_STARTED, 0);
      else results[message.index] = message.result;
    });
    worker.on('error', (e) =>
      settle(new EngineError(`the CPU solver failed in its worker thread: ${e.message}`)),
    );
    worker.on('exit', (code) => {
      if (!settled)
        settle(new EngineError(`the CPU solver's worker thread exited with code ${code}`));
    });
    const { stripped, transferList } = forWorker(problems, transfer);
    worker.postMessage({ problems: stripped, settings, deadline } satisfies SolveJob, transferList);
  });
}
