/**
 * WorkerKeeper with fake workers and fake timers: a worker that answers pings is kept; one that
 * goes silent, or throws, is replaced and the owner told why; one that keeps failing is given up;
 * messages other than pongs reach the owner. (The browser tests drive the real workers.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_CRASHES,
  PING_EVERY_MS,
  SILENT_LIMIT_MS,
  STARTUP_LIMIT_MS,
  WorkerCrashedError,
  WorkerKeeper,
} from './keeper';

/** A worker double: answers pings when `alive`, records what it was sent, can be terminated. */
class FakeWorker extends EventTarget {
  alive = true;
  terminated = false;
  readonly sent: unknown[] = [];
  postMessage(data: unknown): void {
    this.sent.push(data);
    const d = data as { type?: string; seq?: number };
    if (d?.type === 'ping' && this.alive && !this.terminated)
      queueMicrotask(() =>
        this.dispatchEvent(new MessageEvent('message', { data: { type: 'pong', seq: d.seq } })),
      );
  }
  terminate(): void {
    this.terminated = true;
  }
  start(): void {}
}

function setup(aliveAtStart = true) {
  const workers: FakeWorker[] = [];
  const fails: { why: string; willRestart: boolean }[] = [];
  const messages: unknown[] = [];
  let restarts = 0;
  const keeper = new WorkerKeeper<object>(
    {
      url: 'worker.js',
      makeWorker: () => {
        const w = new FakeWorker();
        w.alive = aliveAtStart;
        workers.push(w);
        return w as unknown as Worker;
      },
      name: 'Test',
    },
    {
      onFail: (why, willRestart) => fails.push({ why, willRestart }),
      onRestart: () => restarts++,
      onMessage: (d) => messages.push(d),
    },
  );
  return { keeper, workers, fails, messages, restarts: () => restarts };
}

describe('WorkerKeeper', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps a worker that answers its pings, and passes other messages on', async () => {
    const { keeper, workers, fails, messages } = setup();
    for (let t = 0; t < 20; t++) await vi.advanceTimersByTimeAsync(PING_EVERY_MS);
    expect(fails).toEqual([]);
    expect(workers).toHaveLength(1);
    expect(workers[0].sent.filter((m) => (m as { type: string }).type === 'ping').length).toBe(21);
    workers[0].dispatchEvent(new MessageEvent('message', { data: { type: 'training-event' } }));
    expect(messages).toEqual([{ type: 'training-event' }]);
    keeper.dispose('done');
    expect(workers[0].terminated).toBe(true);
  });

  it('replaces a worker that goes silent, and rejects what raced against it', async () => {
    const { keeper, workers, fails, restarts } = setup();
    await vi.advanceTimersByTimeAsync(2 * PING_EVERY_MS);
    const pending = keeper.race(new Promise(() => undefined)).catch((e: unknown) => e);
    workers[0].alive = false;
    await vi.advanceTimersByTimeAsync(SILENT_LIMIT_MS + 2 * PING_EVERY_MS);
    const error = await pending;
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toMatch(/^Test worker failed: stopped answering/);
    expect(fails).toEqual([{ why: 'stopped answering (no reply for 5 s)', willRestart: true }]);
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    expect(restarts()).toBe(1);
    keeper.dispose('done');
  });

  it('gives a worker that never answers the start-up limit, then replaces it', async () => {
    const { keeper, fails } = setup(false);
    await vi.advanceTimersByTimeAsync(STARTUP_LIMIT_MS - PING_EVERY_MS);
    expect(fails).toEqual([]);
    await vi.advanceTimersByTimeAsync(3 * PING_EVERY_MS);
    expect(fails[0].why).toBe('did not start (no reply for 10 s)');
    keeper.dispose('done');
  });

  it('gives up after repeated crashes', async () => {
    const { keeper, workers, fails } = setup();
    for (let k = 0; k <= MAX_CRASHES; k++) {
      const ev = Object.assign(new Event('error', { cancelable: true }), { message: 'boom' });
      workers[workers.length - 1].dispatchEvent(ev);
      expect(ev.defaultPrevented).toBe(true);
    }
    expect(fails.map((f) => f.willRestart)).toEqual([true, true, true, false]);
    expect(fails[0].why).toBe('crashed (boom)');
    expect(workers).toHaveLength(MAX_CRASHES + 1);
    expect(keeper.stopped).toMatch(/stopped after repeated failures/);
  });
});
