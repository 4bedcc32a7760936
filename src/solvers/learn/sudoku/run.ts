/**
 * `experiment sudoku` (issue 10 §3): LPGD's Sudoku experiment (§4.2, Appendix B) at OptNet's 4×4
 * scale. The constraints (A, b) of a box-constrained LP are learned from pairs of puzzles and
 * solutions with LPGD average, lower and upper (Eq. 22, 16, with Eq. 28's ρ) against gradient
 * descent with the exact gradient of the ρ-augmented LP; every method starts from the same seeded
 * A and sees the same batches. docs/sudoku.md compares with the paper's Figures 2–4.
 */
import type { Engine } from '../../engine';
import { householderQr } from '../sobolev/lsq';
import { RunAborted, RunClock, engineOf, type ExperimentReport, type RunHooks } from '../runs';
import { makePuzzles, N_ONEHOT, ruleMatrix } from './puzzles';
import { SUDOKU_METHODS, SudokuLp, type SudokuMethod } from './model';
import { evaluatePuzzles, trainSudoku, type SudokuEpoch } from './train';

export interface SudokuOptions {
  seed: number;
  quick: boolean;
  methods: SudokuMethod[];
  /** Training and held-out puzzles. */
  train: number;
  test: number;
  /** Clues per puzzle (fewer when no more can go without losing uniqueness). */
  clues: number;
  /** Learned constraint rows m. */
  rows: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** LPGD's τ and ρ (Eq. 21, 28). */
  tau: number;
  rho: number;
  /** ρ of the augmented problem whose exact gradient GD follows (Appendix C.1). */
  gdRho: number;
}

export function sudokuDefaults(quick = false): SudokuOptions {
  const base: SudokuOptions = {
    seed: 1,
    quick,
    methods: [...SUDOKU_METHODS],
    train: 50,
    test: 30,
    clues: 10,
    rows: 40,
    epochs: 6,
    batchSize: 10,
    lr: 0.1,
    tau: 1000,
    rho: 10,
    gdRho: 1000,
  };
  if (quick) Object.assign(base, { train: 16, test: 8, epochs: 2 });
  return base;
}

export interface SudokuFinal {
  train_loss: number;
  test_loss: number;
  train_error: number;
  test_error: number;
  /** Held-out puzzles solved (argmax grid = solution). */
  solved_test: number;
  /** The same for the untrained model, and for filling the blanks uniformly at random (expected). */
  untrained_test_error: number;
  chance_solved: number;
  /** Backward passes over the run: total and per training puzzle (ms). */
  backward_ms: number;
  backward_ms_per_puzzle: number;
  forward_ms: number;
  /** Share of the true rules' row space (64 rows, rank 40) that lies in the learned rows' span. */
  rule_alignment: number;
  failures: number;
}

export interface SudokuRow extends SudokuFinal {
  method: SudokuMethod;
  label: string;
}

export interface SudokuHooks extends RunHooks<SudokuEpoch> {
  /** The learned A (rows × 64) after each epoch, for a heat map (epoch 0: the initial A). */
  onModel?(method: SudokuMethod, epoch: number, A: Float64Array, rows: number): void;
}

export type SudokuReport = ExperimentReport<SudokuOptions, SudokuEpoch, SudokuFinal, SudokuRow>;

const LABELS: Record<SudokuMethod, string> = {
  lpgd: 'LPGD (average, Eq. 22)',
  'lpgd-lower': 'LPGD lower (Eq. 16)',
  'lpgd-upper': 'LPGD upper (Eq. 16)',
  gd: 'GD, exact gradient of the ρ-augmented LP',
};

/** ‖R Π‖²_F / ‖R‖²_F with Π the orthogonal projector onto the row space of A. */
export function ruleAlignment(A: Float64Array, rows: number): number {
  const n = N_ONEHOT;
  const At = new Float64Array(n * rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < n; j++) At[j * rows + i] = A[i * n + j];
  const { Q } = householderQr(At, n, rows);
  const R = ruleMatrix();
  const rRows = R.length / n;
  let inside = 0;
  let total = 0;
  for (let r = 0; r < rRows; r++) {
    for (let c = 0; c < rows; c++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += R[r * n + j] * Q[j * rows + c];
      inside += s * s;
    }
    for (let j = 0; j < n; j++) total += R[r * n + j] ** 2;
  }
  return inside / total;
}

export async function runSudoku(
  options: Partial<SudokuOptions> & { engine?: Engine } = {},
  hooks: SudokuHooks = {},
): Promise<SudokuReport> {
  const { engine: given, ...rest } = options;
  const o: SudokuOptions = { ...sudokuDefaults(rest.quick), ...rest };
  for (const m of o.methods)
    if (!SUDOKU_METHODS.includes(m))
      throw new Error(`sudoku: unknown method '${m}' (${SUDOKU_METHODS.join(', ')})`);
  if (!(Number.isInteger(o.train) && o.train >= 1 && Number.isInteger(o.test) && o.test >= 1))
    throw new Error('sudoku: train and test must be positive integers');
  const { engine, info } = engineOf(given);
  const clock = new RunClock(hooks as RunHooks<unknown>, o.methods.length * o.epochs * o.train);
  const report: SudokuReport = {
    experiment: 'sudoku',
    settings: o,
    engine: {
      ...info,
      reason: [info.reason, 'GD differentiates the augmented LP by KKT on the CPU (Float64)']
        .filter(Boolean)
        .join('; '),
    },
    methods: {},
    table: [],
    aborted: false,
    elapsed_ms: 0,
  };
  const puzzles = makePuzzles(o.train + o.test, o.clues, o.seed);
  const train = puzzles.slice(0, o.train);
  const test = puzzles.slice(o.train);
  const chance =
    test.reduce((s, p) => s + 4 ** -p.puzzle.filter((v) => v === 0).length, 0) / test.length;
  try {
    clock.phase = 'untrained model';
    const untrained = await evaluatePuzzles(engine, SudokuLp.init(o.rows, o.seed + 11), test);
    for (const method of o.methods) {
      clock.phase = method;
      const model = SudokuLp.init(o.rows, o.seed + 11);
      hooks.onModel?.(method, 0, model.A.slice(), o.rows);
      const entry = {
        label: LABELS[method],
        epochs: [] as SudokuEpoch[],
        final: {} as SudokuFinal,
      };
      report.methods[method] = entry;
      const epochs = await trainSudoku(
        engine,
        model,
        train,
        test,
        {
          method,
          tau: o.tau,
          rho: method === 'gd' ? o.gdRho : o.rho,
          epochs: o.epochs,
          batchSize: o.batchSize,
          lr: o.lr,
          seed: o.seed,
        },
        clock,
        (r) => {
          entry.epochs.push(r);
          hooks.onEpoch?.(method, r);
          hooks.onModel?.(method, r.epoch, model.A.slice(), o.rows);
        },
      );
      const last = epochs[epochs.length - 1];
      const backward = epochs.reduce((s, e) => s + e.backward_ms, 0);
      entry.final = {
        train_loss: last.loss.train,
        test_loss: last.loss.test,
        train_error: last.error.train,
        test_error: last.error.test,
        solved_test: Math.round((1 - last.error.test) * test.length),
        untrained_test_error: untrained.error,
        chance_solved: chance,
        backward_ms: backward,
        backward_ms_per_puzzle: backward / (o.train * o.epochs),
        forward_ms: epochs.reduce((s, e) => s + e.forward_ms, 0),
        rule_alignment: ruleAlignment(model.A, o.rows),
        failures: epochs.reduce((s, e) => s + e.failures, 0),
      };
      report.table.push({ method, label: LABELS[method], ...entry.final });
    }
  } catch (e) {
    if (!(e instanceof RunAborted)) throw e;
    report.aborted = true;
  }
  report.elapsed_ms = clock.elapsedMs;
  return report;
}
