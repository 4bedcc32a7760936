/// <reference lib="webworker" />
/**
 * The Training panel's worker: runs the lab's experiments (src/solvers/learn/lab) one mini-batch
 * at a time, with play, pause and step, and streams every record back as it is made (events
 * outside comlink, trainingProtocol.ts). The QP layer runs on the engine the request's route gives
 * (EngineHost: WebGPU shared-structure handles on a hardware adapter under 'auto', the CPU engine
 * otherwise, with the reason). Between mini-batches the event loop turns, so pings are answered
 * and a pause takes effect at once. After each epoch the weights go to the page (a snapshot), from
 * which a replacement worker resumes when this one crashes.
 */
import * as Comlink from 'comlink';
import { navigatorGpu } from '../gpu/browser';
import { ExperimentRunner } from '../solvers/learn/lab/runner';
import { yieldTurn } from '../solvers/learn/lab/problems';
import type { LayerEngines } from '../solvers/learn/lab/layer';
import { errorMessage } from '../solvers/errors';
import { EngineHost } from './engineHost';
import { isPing, transferables, type PongMessage } from './protocol';
import type {
  TrainingApi,
  TrainingEngine,
  TrainingEvent,
  TrainingEventMessage,
} from './trainingProtocol';

const host = new EngineHost({ gpu: navigatorGpu(), post: (m) => self.postMessage(m) });

self.addEventListener('message', (ev: MessageEvent) => {
  if (isPing(ev.data)) self.postMessage({ type: 'pong', seq: ev.data.seq } satisfies PongMessage);
});

function post(event: TrainingEvent, transfer: ArrayBuffer[] = []): void {
  self.postMessage({ type: 'training-event', event } satisfies TrainingEventMessage, transfer);
}

/** Progress messages at most this often (and always at an epoch's end, a pause, the end). */
const PROGRESS_EVERY_MS = 100;

/** The run in this worker: at most one. */
class Session {
  private playing = false;
  /** The step in progress (steps never overlap). */
  private busy: Promise<void> = Promise.resolve();
  private lastProgress = 0;
  private stopped = false;

  constructor(private readonly runner: ExperimentRunner) {}

  static create(req: Parameters<TrainingApi['start']>[0], engines: LayerEngines): Session {
    let session: Session | null = null;
    const runner = new ExperimentRunner(req.settings, engines, {
      onJob: (info) => post({ type: 'job', info }),
      onEpoch: (job, method, record) => post({ type: 'epoch', job, method, record }),
      onHalt: (job, halt) => {
        post({ type: 'halt', job, halt });
        // "Nothing lost": a NaN pauses the race with a message; Play goes on without that method.
        session?.halt(halt.message);
      },
      onSnapshot: (snap) => {
        const buffers = Object.values(snap.trainer.methods).flatMap((m) =>
          m ? [m.params, ...Object.values(m.opt.buffers)] : [],
        );
        post({ type: 'snapshot', snap }, transferables(buffers));
      },
      onProgress: (progress) => {
        const now = performance.now();
        if (now - (session?.lastProgress ?? 0) < PROGRESS_EVERY_MS && progress.batch !== 0) return;
        if (session) session.lastProgress = now;
        post({ type: 'progress', progress });
      },
    });
    session = new Session(runner);
    return session;
  }

  resumeFrom(snap: Parameters<TrainingApi['start']>[1]): void {
    if (snap) this.runner.resumeFrom(snap);
  }

  private halt(message: string): void {
    this.playing = false;
    post({ type: 'state', state: 'paused', message });
  }

  private async runOne(): Promise<boolean> {
    if (this.stopped || this.runner.done) return false;
    try {
      const state = await this.runner.step();
      if (state === 'done') {
        this.playing = false;
        post({ type: 'progress', progress: this.runner.progress() });
        post({ type: 'state', state: 'done' });
        return false;
      }
      return true;
    } catch (e) {
      this.playing = false;
      post({ type: 'state', state: 'error', message: errorMessage(e) });
      return false;
    }
  }

  play(): void {
    if (this.playing || this.stopped || this.runner.done) return;
    this.playing = true;
    post({ type: 'state', state: 'running' });
    this.busy = this.busy.then(async () => {
      while (this.playing && (await this.runOne())) await yieldTurn();
    });
  }

  async pause(): Promise<void> {
    if (!this.playing) return;
    this.playing = false;
    await this.busy;
    if (!this.stopped && !this.runner.done) {
      post({ type: 'progress', progress: this.runner.progress() });
      post({ type: 'state', state: 'paused' });
    }
  }

  async step(): Promise<void> {
    if (this.playing || this.stopped) return;
    this.busy = this.busy.then(async () => {
      if (await this.runOne()) {
        post({ type: 'progress', progress: this.runner.progress() });
        post({ type: 'state', state: 'paused' });
      }
    });
    await this.busy;
  }

  async stop(): Promise<void> {
    this.playing = false;
    this.stopped = true;
    await this.busy;
    this.runner.dispose();
  }
}

let session: Session | null = null;

const api: TrainingApi = {
  async start(req, resume) {
    await session?.stop();
    session = null;
    post({ type: 'state', state: 'preparing' });
    const d = await host.decide(req.route, 'batch');
    const engines: LayerEngines = d.gpu
      ? { engine: d.gpu.engine, cpu: host.cpu }
      : { engine: host.cpu, cpu: host.cpu };
    const info = await host.engineInfo();
    const engine: TrainingEngine =
      d.engine === 'gpu' && d.gpu
        ? {
            name: 'gpu',
            label: info.label,
            adapter: info.adapter,
            ...(d.note ? { note: d.note } : {}),
          }
        : {
            name: 'cpu',
            label: 'CPU (Float64)',
            adapter: host.cpu.adapter,
            ...(d.note
              ? { note: d.note }
              : info.fallbackReason
                ? { note: `WebGPU unavailable: ${info.fallbackReason}` }
                : {}),
          };
    try {
      session = Session.create(req, engines);
      session.resumeFrom(resume);
    } catch (e) {
      session = null;
      post({ type: 'state', state: 'error', message: errorMessage(e) });
      throw e;
    }
    post({ type: 'state', state: 'paused' });
    return engine;
  },
  async play() {
    session?.play();
  },
  async pause() {
    await session?.pause();
  },
  async step() {
    await session?.step();
  },
  async stop() {
    await session?.stop();
    session = null;
  },
};

Comlink.expose(api);
