/**
 * Worker thread of a time-limited CPU solve (./deadline.ts): solves the problems it is sent one
 * after another, each with the time left until the shared deadline, and posts each result as soon
 * as it has it, so that the results finished before the deadline survive when the thread is
 * stopped in the middle of a setup that does not check the clock.
 */
import { parentPort } from 'node:worker_threads';
import { solveQp, type QpProblem, type QpSettings } from '../solvers/qp';

/** What the main thread sends: the problems, the settings and the deadline (Date.now() ms). */
export interface SolveJob {
  problems: QpProblem[];
  settings: Partial<QpSettings>;
  deadline: number;
}

/** What the worker posts: one message per problem, then `done`. */
export type SolveMessage =
  | { index: number; result: ReturnType<typeof solveQp> }
  | { index: number; expired: true }
  | { done: true };

const port = parentPort;
if (!port) throw new Error('solve-worker.ts runs as a worker thread');
port.once('message', (job: SolveJob) => {
  job.problems.forEach((problem, index) => {
    const left = (job.deadline - Date.now()) / 1000;
    const message: SolveMessage =
      left > 0
        ? { index, result: solveQp(problem, { ...job.settings, time_limit: left }) }
        : { index, expired: true };
    port.postMessage(message);
  });
  port.postMessage({ done: true } satisfies SolveMessage);
});
