/**
 * A wall-clock deadline that long computations can see: validation, scaling, factorizations and
 * polishing check it and stop with a DeadlineError, so that `time_limit` bounds setup as well as
 * the ADMM iterations (which the driver stops itself, keeping the last iterate).
 */

/** The time limit ran out inside a computation; the message names which. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/** Units of work between two reads of the clock in `tick` (a read costs ~50 ns; this is ~1 ms). */
const TICK_WORK = 1 << 20;

export class Deadline {
  /** Work counted by `tick` since the clock was last read. */
  private work = 0;

  /** `at`: performance.now() time of the deadline (Infinity: none). */
  constructor(readonly at: number) {}

  /** The deadline of a computation started at t0 (performance.now() ms) with a limit in seconds (0: none). */
  static of(t0: number, limitSeconds: number): Deadline {
    return new Deadline(limitSeconds > 0 ? t0 + limitSeconds * 1000 : Infinity);
  }

  get expired(): boolean {
    return this.at !== Infinity && performance.now() > this.at;
  }

  /** Throws a DeadlineError naming `what` when the deadline has passed. */
  check(what: string): void {
    if (this.expired) throw new DeadlineError(`the time limit ran out during ${what}`);
  }

  /** Counts `work` units (about one multiply-add each) and checks the clock every ~10⁶ of them. */
  tick(work: number, what: string): void {
    if (this.at === Infinity) return;
    this.work += work;
    if (this.work < TICK_WORK) return;
    this.work = 0;
    this.check(what);
  }
}

/** No deadline. */
export const NO_DEADLINE: Deadline = new Deadline(Infinity);
