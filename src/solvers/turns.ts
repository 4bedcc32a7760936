/**
 * Turns of the event loop for long work inside a worker: a macrotask (a MessageChannel message,
 * not a microtask and not setTimeout's clamped delay), so that the worker's other messages (the
 * page's pings) run in between.
 */

/** One turn of the event loop. */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/** A turn at most every `everyMs` of work, shared by the steps of one long job. */
export class Turns {
  private last = performance.now();

  constructor(readonly everyMs = 50) {}

  /** Yields when `everyMs` have passed since the last turn. */
  async maybe(): Promise<void> {
    if (performance.now() - this.last <= this.everyMs) return;
    await yieldTurn();
    this.last = performance.now();
  }
}
