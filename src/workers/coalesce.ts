/**
 * Latest-only request queue: while one request runs, newer ones replace the waiting one, so a
 * pointer drag that fires hundreds of moves solves at most one stale problem and then the newest.
 */
export class LatestOnly<Req, Res> {
  private running = false;
  private waiting: {
    req: Req;
    resolve: (r: Res | null) => void;
    reject: (e: unknown) => void;
  } | null = null;

  constructor(private readonly run: (req: Req) => Promise<Res>) {}

  /** Resolves with the result, or with null when a newer request superseded this one before it ran. */
  request(req: Req): Promise<Res | null> {
    return new Promise<Res | null>((resolve, reject) => {
      this.waiting?.resolve(null);
      this.waiting = { req, resolve, reject };
      this.pump();
    });
  }

  /** True while a request runs or waits. */
  get busy(): boolean {
    return this.running || this.waiting !== null;
  }

  private pump(): void {
    if (this.running || !this.waiting) return;
    const job = this.waiting;
    this.waiting = null;
    this.running = true;
    this.run(job.req)
      .then(job.resolve, job.reject)
      .finally(() => {
        this.running = false;
        this.pump();
      });
  }
}
