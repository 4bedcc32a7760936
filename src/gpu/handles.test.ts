/**
 * Handles (setup once, update q/l/u, solve warm, backward) on both engines: the same answers as
 * one-shot batch solves and as the CPU exact gradient, factorizations kept across solves, and
 * failures kept to their own member.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { QpResult } from '../solvers/qp/types';
import { makeProblem, QpSetupError } from '../solvers/qp';
import type { QpParams } from '../solvers/qp/prepared';
import { CpuEngine, type CpuHandle } from '../solvers/cpu-engine';
import type { Engine } from '../solvers/engine';
import { kktBackward } from '../solvers/grad/kkt';
import { cosine, flattenGradients } from '../solvers/grad';
import { solveWithQuadprog } from '../solvers/qp/references';
import { withParams } from '../solvers/qp/prepared';
import { bpqpRandomQp } from './random-qp';
import { createNodeGpuEngine } from './node';
import type { GpuHandle } from './handle';

const gpu = await createNodeGpuEngine();
afterAll(() => gpu.dispose());

const ENGINES: { name: string; engine: Engine; eps: number; tol: number }[] = [
  { name: 'cpu', engine: new CpuEngine(), eps: 1e-6, tol: 1e-4 },
  { name: 'gpu', engine: gpu, eps: 1e-4, tol: 2e-3 },
];

const structure = bpqpRandomQp(21, 8, 3);
/** N changing cost vectors, as a training loop would send. */
const costs = (N: number): QpParams[] =>
  Array.from({ length: N }, (_, k) => ({
    q: structure.q.map((v, j) => v + 0.3 * Math.sin(k + j)),
  }));

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe.each(ENGINES)('handle on $name', ({ name, engine, eps, tol }) => {
  const settings = { eps_abs: eps, eps_rel: eps };

  it('solves a changing q like one-shot batches (and quadprog), warm from the previous solve', async () => {
    const h = await engine.setup(structure, settings, costs(3));
    let results: QpResult[] = [];
    for (let round = 0; round < 4; round++) {
      const params = costs(3).map((v) => ({
        q: (v.q as Float64Array).map((x) => x + 0.05 * round),
      }));
      h.update(params);
      results = await h.solve(round === 0 ? undefined : 'previous');
      const oneShot = await engine.solveBatch({ kind: 'shared', structure, params }, settings);
      results.forEach((r, k) => {
        expect(r.status).toBe('solved');
        expect(maxAbs(r.x, oneShot[k].x)).toBeLessThan(2 * tol);
        expect(maxAbs(r.x, solveWithQuadprog(withParams(structure, params[k])).x)).toBeLessThan(
          tol,
        );
      });
    }
    h.dispose();
  });

  it('keeps its factorizations: no new one while ρ repeats', async () => {
    const h = await engine.setup(structure, settings, costs(4));
    const seen = new Set<number>();
    for (let round = 0; round < 5; round++) {
      h.update(
        costs(4).map((v) => ({ q: (v.q as Float64Array).map((x) => x * (1 + 0.01 * round)) })),
      );
      for (const r of await h.solve('previous')) seen.add(r.rho);
    }
    // Every factorization (CPU: of P + σI + Aᵀdiag(ρ)A; GPU: the operator M) belongs to a ρ met.
    const built = () =>
      name === 'cpu' ? (h as CpuHandle).factorizations : (h as GpuHandle).operatorBuilds;
    const before = built();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThanOrEqual(seen.size + 1);
    // Solving again from the solutions, at the same ρ: nothing is factored again.
    const again = await h.solve('previous');
    again.forEach((r) => expect(r.status).toBe('solved'));
    expect(built()).toBe(before);
    h.dispose();
  });

  it('differentiates the last solve on its engine: matches the CPU exact KKT gradient', async () => {
    const params = costs(3);
    const h = await engine.setup(structure, { ...settings, polish: true }, params);
    const results = await h.solve();
    const g = params.map((_, k) =>
      Float64Array.from({ length: structure.n }, (_, j) => Math.cos(j + k)),
    );
    const out = await h.backward(g, 'kkt');
    out.forEach((o, k) => {
      expect(o.ok).toBe(true);
      if (!o.ok) return;
      const ref = kktBackward(withParams(structure, params[k]), results[k], g[k]);
      expect(cosine(flattenGradients(o.grads), flattenGradients(ref))).toBeGreaterThan(0.999);
    });
    h.dispose();
  });

  it('a member that cannot be solved gets its reason; the others their gradients', async () => {
    const box = makeProblem({
      P: [
        [1, 0],
        [0, 1],
      ],
      q: [-1, -1],
      A: [
        [1, 0],
        [1, 0],
      ],
      l: [0, -Infinity],
      u: [Infinity, 0.3],
    });
    const params: QpParams[] = [{}, { l: Float64Array.of(1, -Infinity) }, {}];
    const h = await engine.setup(box, settings, params);
    const res = await h.solve();
    expect(res.map((r) => r.status)).toEqual(['solved', 'primal_infeasible', 'solved']);
    const out = await h.backward(
      params.map(() => Float64Array.of(1, 0)),
      'kkt',
    );
    expect(out[0].ok && out[2].ok).toBe(true);
    expect(out[1]).toEqual({
      ok: false,
      error: "cannot differentiate: the forward solve ended with status 'primal_infeasible'",
    });
    h.dispose();
  });

  it('after an infeasible solve the next starts cold (not from the diverging iterate)', async () => {
    const box = makeProblem({
      P: [
        [1, 0],
        [0, 1],
      ],
      q: [-1, -1],
      A: [
        [1, 0],
        [1, 0],
      ],
      l: [0, -Infinity],
      u: [Infinity, 0.3],
    });
    const infeasible: QpParams = { l: Float64Array.of(1, -Infinity) };
    const h = await engine.setup(box, settings, [infeasible]);
    expect((await h.solve())[0].status).toBe('primal_infeasible');
    h.update([{}]);
    const after = await h.solve('previous');
    const cold = await engine.solveBatch({ kind: 'problems', problems: [box] }, settings);
    expect(after[0].status).toBe('solved');
    expect(after[0].iter).toBeLessThanOrEqual(cold[0].iter);
    h.dispose();
  });

  it('refuses a structure that cannot be set up, with the status', async () => {
    const bad = makeProblem({
      P: [
        [1, 0],
        [0, -1],
      ],
      q: [0, 0],
    });
    await expect(engine.setup(bad, settings)).rejects.toBeInstanceOf(QpSetupError);
    await expect(engine.setup(bad, settings)).rejects.toMatchObject({ status: 'non_convex' });
  });
});

describe('GPU handle lifetime', () => {
  it('refuses to solve after dispose', async () => {
    const h = await gpu.setup(structure, { eps_abs: 1e-4, eps_rel: 1e-4 });
    h.dispose();
    await expect(h.solve()).rejects.toThrow(/disposed/);
  });
});
