/**
 * Page side of the training worker. The worker is kept alive as the solver's is (keeper.ts: pings,
 * a fresh worker after a crash, the script kept for offline restarts), but a run is stateful, so
 * nothing is resent after a crash: the page is told, and resumes from the last epoch's snapshot it
 * kept (`start(req, snapshot)`) when the user asks.
 */
import type { Remote } from 'comlink';
import workerUrl from './training.worker.ts?worker&url';
import { WorkerKeeper } from './keeper';
import type { RunSnapshot } from '../solvers/learn/lab/runner';
import {
  isTrainingEventMessage,
  type TrainingApi,
  type TrainingEngine,
  type TrainingEvent,
  type TrainingRequest,
} from './trainingProtocol';

export interface TrainingClientEvents {
  onEvent(e: TrainingEvent): void;
  /** The worker failed; a fresh one is up when `willRestart` (the run must be resumed). */
  onCrash(message: string, willRestart: boolean): void;
}

export function createTrainingWorker(url: string): Worker {
  return new Worker(url, { type: 'module', name: 'training' });
}

export class TrainingClient {
  private readonly keeper: WorkerKeeper<TrainingApi>;
  private disposed = false;

  constructor(
    private readonly events: TrainingClientEvents,
    makeWorker: (url: string) => Worker = createTrainingWorker,
  ) {
    this.keeper = new WorkerKeeper<TrainingApi>(
      { url: workerUrl, makeWorker, keepScript: import.meta.env.PROD, name: 'Training' },
      {
        onFail: (why, willRestart) =>
          this.events.onCrash(
            willRestart
              ? `The training worker ${why}. A fresh worker is ready; the weights of the last completed epoch are kept in the page.`
              : `The training worker ${why}, repeatedly, and was stopped. Reload the page to try again.`,
            willRestart,
          ),
        onMessage: (data) => {
          if (!this.disposed && isTrainingEventMessage(data)) this.events.onEvent(data.event);
        },
      },
    );
  }

  private call<T>(f: (r: Remote<TrainingApi>) => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new Error('the training client was disposed'));
    if (this.keeper.stopped) return Promise.reject(new Error(this.keeper.stopped));
    return this.keeper.race(f(this.keeper.remote));
  }

  start(req: TrainingRequest, resume: RunSnapshot | null = null): Promise<TrainingEngine> {
    return this.call((r) => r.start(structuredClone(req), resume));
  }
  play(): Promise<void> {
    return this.call((r) => r.play());
  }
  pause(): Promise<void> {
    return this.call((r) => r.pause());
  }
  step(): Promise<void> {
    return this.call((r) => r.step());
  }
  stop(): Promise<void> {
    return this.call((r) => r.stop());
  }

  /** Test and diagnostics hook: the live worker. */
  get currentWorker(): Worker {
    return this.keeper.worker;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.keeper.dispose('the training client was disposed');
  }
}
