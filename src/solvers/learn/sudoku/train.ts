/**
 * One training run of the Sudoku model with one backward method: mini-batches of puzzles solved on
 * one shared-structure handle per parameter update (warm-started from each puzzle's last solution),
 * the MSE between x* and the one-hot solution (Amos & Kolter's loss), and Adam on θ = [A; ζ].
 */
import type { Engine } from '../../engine';
import type { QpResult } from '../../qp/types';
import { Adam } from '../optim';
import { BatchSampler } from '../batches';
import { l2Norm } from '../loss';
import type { RunClock } from '../runs';
import { argmaxGrid, N_ONEHOT, oneHot, type Puzzle } from './puzzles';
import { costOf, qpGradients, solvePuzzles, SudokuLp, type BackwardChoice } from './model';

export interface SudokuEpoch {
  epoch: number;
  /** MSE of x* against the one-hot solution; train is the running value over the mini-batches. */
  loss: { train: number; test: number };
  /** Fraction of puzzles whose argmax grid is not the solution. */
  error: { train: number; test: number };
  grad_norm: number;
  /** Forward solves and backward passes of the training steps, summed over the epoch (ms). */
  forward_ms: number;
  backward_ms: number;
  /** Puzzles whose solve or backward pass failed this epoch (they contribute no gradient). */
  failures: number;
}

export interface Evaluation {
  loss: number;
  error: number;
  results: QpResult[];
}

/** Loss and error of the model on puzzles, from solves warm-started at `warm`. */
export async function evaluatePuzzles(
  engine: Engine,
  model: SudokuLp,
  puzzles: Puzzle[],
  warm: (QpResult | undefined)[] = [],
): Promise<Evaluation> {
  const costs = puzzles.map((p) => costOf(oneHot(p.puzzle)));
  const { handle, results } = await solvePuzzles(
    engine,
    model,
    costs,
    puzzles.map((_, i) => warm[i]),
  );
  handle.dispose();
  let loss = 0;
  let wrong = 0;
  puzzles.forEach((p, i) => {
    const r = results[i];
    const target = oneHot(p.solution);
    const ok = r.status === 'solved' || r.status === 'solved_inaccurate';
    let l = 0;
    for (let j = 0; j < N_ONEHOT; j++) l += ((ok ? r.x[j] : 0) - target[j]) ** 2;
    loss += l / N_ONEHOT;
    const g = argmaxGrid(r.x);
    if (!ok || g.some((v, k) => v !== p.solution[k])) wrong++;
  });
  return { loss: loss / puzzles.length, error: wrong / puzzles.length, results };
}

export interface TrainSudokuOptions extends BackwardChoice {
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
}

export async function trainSudoku(
  engine: Engine,
  model: SudokuLp,
  train: Puzzle[],
  test: Puzzle[],
  o: TrainSudokuOptions,
  clock: RunClock,
  onEpoch: (r: SudokuEpoch) => void,
): Promise<SudokuEpoch[]> {
  const adam = new Adam(model.params.length, { lr: o.lr });
  const sampler = new BatchSampler(
    Int32Array.from(train, (_, i) => i),
    o.batchSize,
    o.seed + 3,
  );
  const last: (QpResult | undefined)[] = [];
  const lastTest: (QpResult | undefined)[] = [];
  const out: SudokuEpoch[] = [];
  for (let e = 1; e <= o.epochs; e++) {
    let loss = 0;
    let wrong = 0;
    let seen = 0;
    let gn = 0;
    let fwd = 0;
    let bwd = 0;
    let failures = 0;
    const batches = sampler.epoch();
    for (const idx of batches) {
      const B = idx.length;
      const costs = Array.from(idx, (i) => costOf(oneHot(train[i].puzzle)));
      const t0 = performance.now();
      const solved = await solvePuzzles(
        engine,
        model,
        costs,
        Array.from(idx, (i) => last[i]),
      );
      const t1 = performance.now();
      const dl = solved.results.map((r, b) => {
        const target = oneHot(train[idx[b]].solution);
        last[idx[b]] = r;
        const d = new Float64Array(N_ONEHOT);
        let l = 0;
        for (let j = 0; j < N_ONEHOT; j++) {
          const res = r.x[j] - target[j];
          l += res * res;
          d[j] = (2 * res) / (N_ONEHOT * B);
        }
        loss += l / N_ONEHOT;
        if (argmaxGrid(r.x).some((v, k) => v !== train[idx[b]].solution[k])) wrong++;
        seen++;
        return d;
      });
      const grads = await qpGradients(solved, costs, dl, o);
      solved.handle.dispose();
      const grad = new Float64Array(model.params.length);
      grads.forEach((g) => (g ? model.chain(g, grad) : failures++));
      const t2 = performance.now();
      adam.step(model.params, grad);
      gn += l2Norm(grad);
      fwd += t1 - t0;
      bwd += t2 - t1;
      clock.tick(B);
      await clock.turn();
    }
    const ev = await evaluatePuzzles(engine, model, test, lastTest);
    ev.results.forEach((r, i) => (lastTest[i] = r));
    const rec: SudokuEpoch = {
      epoch: e,
      loss: { train: loss / seen, test: ev.loss },
      error: { train: wrong / seen, test: ev.error },
      grad_norm: gn / batches.length,
      forward_ms: fwd,
      backward_ms: bwd,
      failures,
    };
    out.push(rec);
    onEpoch(rec);
  }
  return out;
}
