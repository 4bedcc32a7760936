/**
 * Polishing after a GPU solve: the f32 ADMM iterate is polished on the CPU in Float64, so with the
 * right active set the GPU engine returns the exact optimum. Reference: npm `quadprog`.
 */
import { afterAll, describe, expect, it } from 'vitest';
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
});
