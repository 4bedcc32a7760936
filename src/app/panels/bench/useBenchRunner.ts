/**
 * The Benchmark panel's side of bench.worker.ts: starts the worker when the panel mounts (and
 * stops it on unmount), asks which engines exist, runs a configuration with progress and rows
 * streaming back, and cancels. Cancelling asks the worker to stop between steps; a step that does
 * not yield in time (a long CPU solve) is ended by terminating the worker, which is then restarted.
 */
import * as Comlink from 'comlink';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BenchApi, BenchWorkerInfo } from '../../../workers/bench.worker';
import type {
  BenchConfig,
  BenchProgress,
  BenchReport,
  BenchRow,
} from '../../../gpu/benchmark/types';

export type RunState = 'idle' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'error';

export interface BenchRunner {
  /** null until the worker has tried WebGPU. */
  info: BenchWorkerInfo | null;
  state: RunState;
  progress: BenchProgress | null;
  rows: BenchRow[];
  report: BenchReport | null;
  error: string | null;
  run(config: BenchConfig): void;
  cancel(): void;
}

/** How long a cancel may wait for the worker's next step before the worker is terminated. */
const CANCEL_GRACE_MS = 1500;

interface Handle {
  worker: Worker;
  remote: Comlink.Remote<BenchApi>;
}

function startWorker(): Handle {
  const worker = new Worker(new URL('../../../workers/bench.worker.ts', import.meta.url), {
    type: 'module',
    name: 'bench',
  });
  return { worker, remote: Comlink.wrap<BenchApi>(worker) };
}

function stopWorker(h: Handle): void {
  h.remote[Comlink.releaseProxy]();
  h.worker.terminate();
}

export function useBenchRunner(): BenchRunner {
  const handle = useRef<Handle | null>(null);
  /** Bumped per run and per restart, so callbacks of an abandoned run are ignored. */
  const runId = useRef(0);
  /** False while a run's promise is pending. */
  const settled = useRef(true);
  const [info, setInfo] = useState<BenchWorkerInfo | null>(null);
  const [state, setState] = useState<RunState>('idle');
  const [progress, setProgress] = useState<BenchProgress | null>(null);
  const [rows, setRows] = useState<BenchRow[]>([]);
  const [report, setReport] = useState<BenchReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  const restart = useCallback(() => {
    if (handle.current) stopWorker(handle.current);
    const h = startWorker();
    handle.current = h;
    h.worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      if (handle.current !== h) return;
      runId.current++;
      settled.current = true;
      setError(`the benchmark worker stopped: ${ev.message || 'script error'}`);
      setState('error');
    });
    h.remote.info().then(
      (i) => handle.current === h && setInfo(i),
      (e: Error) =>
        handle.current === h && setError(`the benchmark worker did not start: ${e.message}`),
    );
  }, []);

  useEffect(() => {
    restart();
    const ids = runId; // the counter object itself, not a DOM node: bumping it in cleanup is intended
    return () => {
      ids.current++;
      if (handle.current) stopWorker(handle.current);
      handle.current = null;
    };
  }, [restart]);

  const run = useCallback((config: BenchConfig) => {
    const h = handle.current;
    if (!h) return;
    const id = ++runId.current;
    setRows([]);
    setReport(null);
    setError(null);
    setProgress(null);
    setState('running');
    settled.current = false;
    const mine = () => id === runId.current;
    const done = () => (settled.current = true);
    h.remote
      .run(
        config,
        Comlink.proxy((p: BenchProgress) => mine() && setProgress(p)),
        Comlink.proxy((row: BenchRow) => mine() && setRows((rs) => [...rs, row])),
      )
      .then(
        (r) => {
          if (!mine()) return;
          done();
          setReport(r);
          setRows(r.rows);
          setState('done');
        },
        (e: Error) => {
          if (!mine()) return;
          done();
          const cancelled = e.name === 'AbortError' || /cancelled/.test(e.message);
          setState(cancelled ? 'cancelled' : 'error');
          if (!cancelled) setError(e.message);
        },
      );
  }, []);

  const cancel = useCallback(() => {
    const h = handle.current;
    if (!h) return;
    const id = runId.current;
    setState('cancelling');
    void h.remote.cancel();
    setTimeout(() => {
      if (settled.current || id !== runId.current || handle.current !== h) return; // stopped in time
      runId.current++;
      settled.current = true;
      setState('cancelled');
      restart();
    }, CANCEL_GRACE_MS);
  }, [restart]);

  return { info, state, progress, rows, report, error, run, cancel };
}
