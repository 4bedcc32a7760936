/**
 * Polishing after a GPU solve: the f32 ADMM iterate is polished on the CPU in Float64, so with the
 * right active set the GPU engine returns the exact optimum. Reference: npm `quadprog`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { flattenGradients } from '../solvers/grad';
import { kktBackward } from '../solvers/grad/kkt';
import { solveQp } from '../solvers/qp';
import { solveWithQuadprog } from '../solvers/qp/references';
import { bpqpRandomQp } from './random-qp';
import { createNodeGpuEngine } from './node';

const gpu = await createNodeGpuEngine();
afterAll(() => gpu.dispose());

describe('GPU engine with polish', () => {
  it('turns f32 ADMM iterates into Float64-accurate solutions (vs quadprog)', async () => {
    const problems = Array.from({ length: 4 }, (_, k) => bpqpRandomQp(77 + k, 8, 3));
    const settings = { eps_abs: 1e-4, eps_rel: 1e-4 };
    const plain = await gpu.solveBatch({ kind: 'problems', problems }, settings);
    const polished = await gpu.solveBatch(
      { kind: 'problems', problems },
      { ...settings, polish: true },
    );
    let plainErr = 0;
    let polishedErr = 0;
    problems.forEach((p, i) => {
      const ref = solveWithQuadprog(p).x;
      expect(polished[i].status).toBe('solved');
      expect(polished[i].polish).toBe('success');
      expect(plain[i].polish).toBe('not_run');
      for (let j = 0; j < p.n; j++) {
        plainErr = Math.max(plainErr, Math.abs(plain[i].x[j] - ref[j]));
        polishedErr = Math.max(polishedErr, Math.abs(polished[i].x[j] - ref[j]));
      }
      expect(polished[i].dual_res).toBeLessThan(1e-8);
    });
    expect(polishedErr).toBeLessThan(1e-8);
    expect(plainErr).toBeGreaterThan(polishedErr);
  });

  // BPQP's random 10×5, seed 10027: row 7 has slack 2.3e-4 and multiplier 0 at the optimum; f32
  // ADMM at eps 1e-4 leaves a spurious multiplier there, which OSQP's single polish cannot undo.
  it('a nearly active row with a spurious f32 multiplier: corrected polish, exact gradient', async () => {
    const p = bpqpRandomQp(10027, 10, 5);
    const [r] = await gpu.solveBatch(
      { kind: 'problems', problems: [p] },
      { eps_abs: 1e-4, eps_rel: 1e-4, polish: true },
    );
    expect(r.status).toBe('solved');
    expect(r.polish).toBe('success');
    const ref = solveQp(p, { eps_abs: 1e-10, eps_rel: 1e-10, polish: true, max_iter: 50_000 });
    const q = solveWithQuadprog(p).x;
    for (let j = 0; j < p.n; j++) expect(Math.abs(r.x[j] - q[j])).toBeLessThan(1e-8);
    const dl = new Float64Array(p.n).fill(1);
    const g = flattenGradients(kktBackward(p, r, dl));
    const e = flattenGradients(kktBackward(p, ref, dl));
    let dot = 0;
    let gg = 0;
    let ee = 0;
    for (let i = 0; i < g.length; i++) {
      dot += g[i] * e[i];
      gg += g[i] * g[i];
      ee += e[i] * e[i];
    }
    expect(dot / Math.sqrt(gg * ee)).toBeGreaterThan(0.999999);
  });
});
