/**
 * The page's side of a training run. The session owns the training worker's client (started on the
 * first Play or Step), the record book of everything streamed (for the table and the exports), the
 * last epoch's snapshot (weights and optimizer moments: a crashed worker's run resumes from it),
 * and the listener channel the charts draw from. It lives in a store, not in the panel, so that
 * switching panels does not stop a run; the panel's charts replay the book when they mount.
 * React sees only the coarse state (status, engine, notices, a version bumped per epoch).
 */
import { create } from 'zustand';
import { TrainingClient } from '../../../workers/trainingClient';
import type {
  TrainingEngine,
  TrainingEvent,
  TrainingRequest,
} from '../../../workers/trainingProtocol';
import type { JobInfo, Progress, RunSnapshot } from '../../../solvers/learn/lab/runner';
import type { ExperimentSettings } from '../../../solvers/learn/lab/experiments';
import { RecordBook } from '../../../solvers/learn/lab/report';
import { errorMessage } from '../../../solvers/errors';
import { TrainingChannel } from './channel';

export type TrainingStatus =
  'idle' | 'preparing' | 'running' | 'paused' | 'done' | 'error' | 'crashed';

export interface TrainingUi {
  status: TrainingStatus;
  /** A halt (NaN) or error message, shown until the next action. */
  message: string | null;
  /** The worker crashed: what happened, and whether Resume can continue the run. */
  crash: { message: string; canResume: boolean; epoch: number } | null;
  engine: TrainingEngine | null;
  jobs: JobInfo[];
  /** Bumped after each epoch: the table re-reads the record book then. */
  version: number;
  /** The settings of the run shown (null when idle). */
  settings: ExperimentSettings | null;
}

const initialUi = (): TrainingUi => ({
  status: 'idle',
  message: null,
  crash: null,
  engine: null,
  jobs: [],
  version: 0,
  settings: null,
});

export const useTrainingStore = create<TrainingUi>()(() => initialUi());

const patch = (p: Partial<TrainingUi>) => useTrainingStore.setState(p);

export class TrainingSession {
  readonly channel = new TrainingChannel();
  book = new RecordBook();
  /** The last completed epoch's state, kept in the page (issue 9 §6). */
  snapshot: RunSnapshot | null = null;
  lastProgress: Progress | null = null;
  private client: TrainingClient | null = null;
  private request: TrainingRequest | null = null;
  /** Bumped by Reset: answers of an abandoned run are ignored. */
  private runId = 0;

  private ensureClient(): TrainingClient {
    this.client ??= new TrainingClient({
      onEvent: (e) => this.onEvent(e),
      onCrash: (message, willRestart) => {
        const epoch = this.snapshot?.trainer.epoch ?? 0;
        if (useTrainingStore.getState().status === 'idle') return;
        patch({
          status: 'crashed',
          crash: { message, canResume: willRestart && this.request !== null, epoch },
        });
      },
    });
    return this.client;
  }

  private onEvent(e: TrainingEvent): void {
    switch (e.type) {
      case 'job':
        this.book.job(e.info);
        patch({ jobs: this.book.jobs.map((j) => j.info) });
        this.channel.emit(e);
        return;
      case 'epoch':
        this.book.epoch(e.job, e.method, e.record);
        this.channel.emit(e);
        return;
      case 'halt':
        this.book.halt(e.job, e.halt);
        return;
      case 'snapshot':
        this.snapshot = e.snap;
        patch({ version: useTrainingStore.getState().version + 1 });
        return;
      case 'progress':
        this.lastProgress = e.progress;
        this.channel.emit(e);
        return;
      case 'state': {
        const status = useTrainingStore.getState().status;
        if (status === 'idle' || status === 'crashed') return;
        patch({
          status: e.state,
          ...(e.message ? { message: e.message } : e.state === 'running' ? { message: null } : {}),
          version: useTrainingStore.getState().version + 1,
        });
        return;
      }
    }
  }

  /** Sets up the run (the worker builds the data), unless one is set up already. */
  private async prepare(req: TrainingRequest): Promise<boolean> {
    const st = useTrainingStore.getState().status;
    if (st !== 'idle' && this.request) return true;
    this.request = req;
    const id = ++this.runId;
    patch({ status: 'preparing', message: null, crash: null, settings: req.settings });
    try {
      const engine = await this.ensureClient().start(req, null);
      if (id !== this.runId) return false;
      patch({ engine });
      return true;
    } catch (e) {
      // A crash is reported by onCrash (with Resume); anything else is shown here.
      if (id === this.runId && useTrainingStore.getState().status !== 'crashed')
        patch({ status: 'error', message: errorMessage(e) });
      return false;
    }
  }

  async play(req: TrainingRequest): Promise<void> {
    if (await this.prepare(req)) await this.run((c) => c.play());
  }

  async step(req: TrainingRequest): Promise<void> {
    if (await this.prepare(req)) await this.run((c) => c.step());
  }

  async pause(): Promise<void> {
    await this.run((c) => c.pause());
  }

  private async run(f: (c: TrainingClient) => Promise<void>): Promise<void> {
    if (!this.client) return;
    try {
      await f(this.client);
    } catch (e) {
      // A crash is reported by onCrash; anything else is shown here.
      if (useTrainingStore.getState().status !== 'crashed')
        patch({ status: 'error', message: errorMessage(e) });
    }
  }

  /** Continues a crashed run in the fresh worker, from the last completed epoch. */
  async resume(): Promise<void> {
    const req = this.request;
    if (!req || !this.client) return;
    const snap = this.snapshot;
    if (snap) this.book.truncate(snap.job, snap.trainer.epoch);
    else this.book = new RecordBook();
    this.channel.emit({ type: 'clear' });
    const id = ++this.runId;
    patch({
      status: 'preparing',
      crash: null,
      message: null,
      jobs: this.book.jobs.map((j) => j.info),
    });
    try {
      await this.client.start(req, snap);
      if (id !== this.runId) return;
      await this.client.play();
    } catch (e) {
      if (id === this.runId && useTrainingStore.getState().status !== 'crashed')
        patch({ status: 'error', message: errorMessage(e) });
    }
  }

  /** Drops the run and everything drawn. */
  async reset(): Promise<void> {
    this.runId++;
    this.request = null;
    this.snapshot = null;
    this.lastProgress = null;
    this.book = new RecordBook();
    useTrainingStore.setState(initialUi(), true);
    this.channel.emit({ type: 'clear' });
    await this.client?.stop().catch(() => undefined);
  }

  /** Test and diagnostics hook: the training worker, once started. */
  get worker(): Worker | null {
    return this.client?.currentWorker ?? null;
  }

  dispose(): void {
    this.client?.dispose();
    this.client = null;
  }
}

/** The page's one training session (its worker starts on first use), kept across panel switches. */
const useSessionStore = create<{ session: TrainingSession }>()(() => ({
  session: new TrainingSession(),
}));

export const trainingSession = (): TrainingSession => useSessionStore.getState().session;
