import { describe, expect, it } from 'vitest';
import { solveQp } from '../../qp';
import { symmetricEigenvalues } from '../../linalg/eigen';
import { CpuEngine } from '../../cpu-engine';
import {
  allGrids,
  argmaxGrid,
  countSolutions,
  isValidGrid,
  makePuzzles,
  N_ONEHOT,
  oneHot,
  ruleMatrix,
} from './puzzles';
import { costOf, qpGradients, solvePuzzles, SudokuLp } from './model';
import { runSudoku, ruleAlignment } from './run';

describe('4×4 puzzles', () => {
  it('288 valid grids; generated puzzles have exactly one solution, which is the stored one', () => {
    const grids = allGrids();
    expect(grids).toHaveLength(288);
    expect(grids.every(isValidGrid)).toBe(true);
    for (const p of makePuzzles(30, 10, 3)) {
      expect(countSolutions(p.puzzle)).toBe(1);
      expect(p.puzzle.filter((v) => v > 0).length).toBeGreaterThanOrEqual(10);
      p.puzzle.forEach((v, k) => v > 0 && expect(v).toBe(p.solution[k]));
      expect(isValidGrid(p.solution)).toBe(true);
      expect(Array.from(argmaxGrid(oneHot(p.solution)))).toEqual(Array.from(p.solution));
    }
  });

  it('the rule matrix: Rx = 1 exactly on every valid grid, rank 40, and not on an invalid one', () => {
    const R = ruleMatrix();
    const rows = R.length / N_ONEHOT;
    for (const g of allGrids().slice(0, 50)) {
      const x = oneHot(g);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let j = 0; j < N_ONEHOT; j++) s += R[r * N_ONEHOT + j] * x[j];
        expect(s).toBe(1);
      }
    }
    const RtR = new Float64Array(N_ONEHOT * N_ONEHOT);
    for (let a = 0; a < N_ONEHOT; a++)
      for (let b = 0; b < N_ONEHOT; b++)
        for (let r = 0; r < rows; r++)
          RtR[a * N_ONEHOT + b] += R[r * N_ONEHOT + a] * R[r * N_ONEHOT + b];
    const eig = symmetricEigenvalues({ rows: N_ONEHOT, cols: N_ONEHOT, data: RtR });
    expect(eig.filter((v) => v > 1e-8).length).toBe(40);
    // The rules' own rows span themselves; a random A spans part of them.
    expect(ruleAlignment(R.slice(0, rows * N_ONEHOT), rows)).toBeCloseTo(1, 10);
    expect(ruleAlignment(SudokuLp.init(40, 1).A, 40)).toBeLessThan(0.9);
  });
});

describe('the LP layer', () => {
  const engine = new CpuEngine();
  const puzzles = makePuzzles(3, 10, 5);
  const model = SudokuLp.init(12, 2);
  const costs = puzzles.map((p) => costOf(oneHot(p.puzzle)));

  it('z₀ is feasible, so every puzzle LP solves', async () => {
    const { results, handle } = await solvePuzzles(engine, model, costs, []);
    handle.dispose();
    expect(results.every((r) => r.status === 'solved')).toBe(true);
  });

  it('GD and LPGD (small τ): ∂ℓ/∂(A, ζ) of the ρ-augmented LP against central differences of re-solves', async () => {
    const rho = 5;
    const solved = await solvePuzzles(engine, model, [costs[0]], []);
    const xbar = solved.results[0].x;
    const target = oneHot(puzzles[0].solution);
    const dl = xbar.map((v, j) => (2 * (v - target[j])) / N_ONEHOT);
    const tight = { eps_abs: 1e-10, eps_rel: 1e-10, polish: true };
    const grads = await Promise.all(
      (['gd', 'lpgd'] as const).map(async (method) => {
        const [g] = await qpGradients(solved, [costs[0]], [dl], {
          method,
          tau: 1e-4,
          rho,
          settings: tight,
        });
        const grad = new Float64Array(model.params.length);
        model.chain(g!, grad);
        return grad;
      }),
    );
    solved.handle.dispose();
    // ℓ(θ) with x(θ) = argmin ⟨x, e⟩ + (ρ/2)‖x − x̄‖² over the learned constraints: the problem both
    // methods differentiate (Eq. 28; x̄ = x* stays its solution at θ).
    const loss = () => {
      const st = model.structure();
      const P = { ...st.P, data: new Float64Array(N_ONEHOT * N_ONEHOT) };
      for (let j = 0; j < N_ONEHOT; j++) P.data[j * (N_ONEHOT + 1)] = rho;
      const q = costs[0].map((v, j) => v - rho * xbar[j]);
      const r = solveQp(
        { ...st, P, q },
        { eps_abs: 1e-11, eps_rel: 1e-11, polish: true, max_iter: 100_000 },
      );
      return r.x.reduce((s, v, j) => s + (v - target[j]) ** 2, 0) / N_ONEHOT;
    };
    const h = 1e-6;
    for (const k of [0, 5, 70, 300, 12 * N_ONEHOT + 3, 12 * N_ONEHOT + 40]) {
      const save = model.params[k];
      model.params[k] = save + h;
      const lp = loss();
      model.params[k] = save - h;
      const lm = loss();
      model.params[k] = save;
      const fd = (lp - lm) / (2 * h);
      for (const g of grads) expect(Math.abs(fd - g[k])).toBeLessThan(1e-6);
    }
  });
});

describe('runSudoku', () => {
  it('LPGD: the training loss falls and held-out puzzles are solved, more than chance and the untrained model', async () => {
    const maps: number[] = [];
    const report = await runSudoku(
      { seed: 2, methods: ['lpgd'], train: 30, test: 20, epochs: 6, clues: 12 },
      { onModel: (_, epoch) => maps.push(epoch) },
    );
    const e = report.methods.lpgd.epochs;
    expect(e).toHaveLength(6);
    expect(e[e.length - 1].loss.train).toBeLessThan(0.5 * e[0].loss.train);
    for (let k = 1; k < e.length; k++) expect(e[k].loss.train).toBeLessThan(e[k - 1].loss.train);
    const f = report.methods.lpgd.final;
    expect(f.untrained_test_error).toBe(1);
    expect(f.solved_test).toBeGreaterThanOrEqual(1);
    expect(f.solved_test / 20).toBeGreaterThan(10 * f.chance_solved);
    expect(maps).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
