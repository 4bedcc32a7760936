/**
 * 4×4 mini-Sudoku (OptNet §5.2's scale): digits 1–4, rows, columns and 2×2 boxes each hold every
 * digit once. A grid is one-hot encoded in n = 64 entries, x[(4r + c)·4 + d] = 1 when cell (r, c)
 * holds digit d + 1. Puzzles are generated, seeded: a uniformly drawn complete grid (there are 288),
 * then clues removed in a random order as long as the puzzle keeps a unique solution (checked by
 * exhaustive search), down to `clues` clues or until no clue can go.
 */
import { Rng } from '../../grad/rng';
import { shuffleInPlace } from '../batches';

export const SIDE = 4;
export const CELLS = SIDE * SIDE;
export const N_ONEHOT = CELLS * SIDE;

/** A grid: 16 cells, 0 for an empty cell, else the digit 1–4. */
export type Grid = Uint8Array;

export interface Puzzle {
  /** The clues (0 = blank). */
  puzzle: Grid;
  solution: Grid;
}

const box = (r: number, c: number) => 2 * Math.floor(r / 2) + Math.floor(c / 2);

/** May digit d go in cell (r, c) of the partial grid g? */
function allowed(g: Grid, r: number, c: number, d: number): boolean {
  for (let k = 0; k < SIDE; k++) {
    if (g[r * SIDE + k] === d || g[k * SIDE + c] === d) return false;
  }
  const b = box(r, c);
  for (let k = 0; k < CELLS; k++)
    if (box(Math.floor(k / SIDE), k % SIDE) === b && g[k] === d) return false;
  return true;
}

/** Number of completions of g, counting no further than `cap`. */
export function countSolutions(g: Grid, cap = 2): number {
  const work = Uint8Array.from(g);
  let count = 0;
  const search = (): void => {
    const k = work.indexOf(0);
    if (k < 0) {
      count++;
      return;
    }
    const r = Math.floor(k / SIDE);
    const c = k % SIDE;
    for (let d = 1; d <= SIDE && count < cap; d++) {
      if (!allowed(work, r, c, d)) continue;
      work[k] = d;
      search();
      work[k] = 0;
    }
  };
  search();
  return count;
}

/** Every complete valid grid, in lexicographic order (288 of them). */
export function allGrids(): Grid[] {
  const out: Grid[] = [];
  const g = new Uint8Array(CELLS);
  const fill = (k: number): void => {
    if (k === CELLS) {
      out.push(Uint8Array.from(g));
      return;
    }
    for (let d = 1; d <= SIDE; d++)
      if (allowed(g, Math.floor(k / SIDE), k % SIDE, d)) {
        g[k] = d;
        fill(k + 1);
        g[k] = 0;
      }
  };
  fill(0);
  return out;
}

/** Is g a complete grid that obeys every rule? */
export function isValidGrid(g: Grid): boolean {
  if (g.some((v) => v < 1 || v > SIDE)) return false;
  const work = new Uint8Array(CELLS);
  for (let k = 0; k < CELLS; k++) {
    if (!allowed(work, Math.floor(k / SIDE), k % SIDE, g[k])) return false;
    work[k] = g[k];
  }
  return true;
}

/** `count` puzzles with unique solutions and (at most) `clues` clues each. */
export function makePuzzles(count: number, clues: number, seed: number): Puzzle[] {
  const grids = allGrids();
  const rng = new Rng(seed);
  const out: Puzzle[] = [];
  for (let t = 0; t < count; t++) {
    const solution = grids[Math.floor(rng.uniform() * grids.length)];
    const puzzle = Uint8Array.from(solution);
    const order = shuffleInPlace(
      Int32Array.from({ length: CELLS }, (_, k) => k),
      rng,
    );
    let left = CELLS;
    for (const k of order) {
      if (left <= clues) break;
      const keep = puzzle[k];
      puzzle[k] = 0;
      if (countSolutions(puzzle) === 1) left--;
      else puzzle[k] = keep;
    }
    out.push({ puzzle, solution });
  }
  return out;
}

/** One-hot encoding (n = 64; blanks are all zero). */
export function oneHot(g: Grid): Float64Array {
  const x = new Float64Array(N_ONEHOT);
  for (let k = 0; k < CELLS; k++) if (g[k] > 0) x[k * SIDE + g[k] - 1] = 1;
  return x;
}

/** The grid read off a relaxed one-hot vector by an argmax per cell. */
export function argmaxGrid(x: ArrayLike<number>): Grid {
  const g = new Uint8Array(CELLS);
  for (let k = 0; k < CELLS; k++) {
    let best = 0;
    for (let d = 1; d < SIDE; d++) if (x[k * SIDE + d] > x[k * SIDE + best]) best = d;
    g[k] = best + 1;
  }
  return g;
}

/**
 * The rules as equalities Rx = 1 on one-hot vectors: one digit per cell, each digit once per row,
 * per column and per box (64 rows; their rank is 40). The model does not see this matrix; tests
 * and the docs compare the learned constraints with it.
 */
export function ruleMatrix(): Float64Array {
  const R = new Float64Array(4 * CELLS * N_ONEHOT);
  let row = 0;
  const set = (cells: number[], d: number | null) => {
    for (const k of cells)
      for (let e = 0; e < SIDE; e++)
        if (d === null || d === e) R[row * N_ONEHOT + k * SIDE + e] = 1;
    row++;
  };
  for (let k = 0; k < CELLS; k++) set([k], null);
  for (let d = 0; d < SIDE; d++)
    for (let i = 0; i < SIDE; i++) {
      set(
        Array.from({ length: SIDE }, (_, c) => i * SIDE + c),
        d,
      );
      set(
        Array.from({ length: SIDE }, (_, r) => r * SIDE + i),
        d,
      );
      set(
        Array.from({ length: CELLS }, (_, k) => k).filter(
          (k) => box(Math.floor(k / SIDE), k % SIDE) === i,
        ),
        d,
      );
    }
  return R;
}
