/**
 * Training lab II (issue 10) in one place for the worker and the CLI of Training lab I: each
 * experiment is `run(options, hooks)` returning the lab's report (runs.ts), with its defaults
 * (`quick` for a run of seconds). Wiring an experiment is one call:
 *
 *   const report = await LAB2.sudoku.run({ seed, quick, engine }, { onEpoch, onProgress, signal });
 *
 * Options not given take the defaults; `engine` (l2o, sudoku) is the QP engine whose handles solve
 * and differentiate the batches (the CPU engine when absent; the report's `engine` says which).
 */
import { runSobolev, sobolevDefaults } from './sobolev/run';
import { l2oDefaults, runL2o } from './l2o/run';
import { runSudoku, sudokuDefaults } from './sudoku/run';

export const LAB2 = {
  sobolev: { run: runSobolev, defaults: sobolevDefaults },
  l2o: { run: runL2o, defaults: l2oDefaults },
  sudoku: { run: runSudoku, defaults: sudokuDefaults },
} as const;

export type Lab2Experiment = keyof typeof LAB2;
export const LAB2_EXPERIMENTS = Object.keys(LAB2) as Lab2Experiment[];

export type { RunHooks, RunProgress, ExperimentReport, EngineInfo } from './runs';
export type { SobolevOptions, SobolevReport, SobolevHooks, SobolevRow } from './sobolev/run';
export type { SobolevEpoch, SobolevFinal } from './sobolev/mask';
export type { DeltaStudy, DeltaPoint } from './sobolev/delta';
export type { L2oOptions, L2oReport, L2oFinal, L2oRow, L2oVariant } from './l2o/run';
export type { L2oEpoch } from './l2o/direct';
export type {
  SudokuOptions,
  SudokuReport,
  SudokuFinal,
  SudokuRow,
  SudokuHooks,
} from './sudoku/run';
export type { SudokuEpoch } from './sudoku/train';
