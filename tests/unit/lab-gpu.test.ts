/**
 * The training lab's QP layer on the WebGPU engine (Dawn; SwiftShader where there is no GPU):
 * the same decisions and gradients as on the CPU engine. Forward solves are f32 ADMM polished in
 * Float64, so a decision whose polish succeeds equals the CPU's to round-off; the KKT backward runs
 * in f32 on the GPU (tolerance 2e-3, as the handle tests); smoothed QP, which the GPU engine does not
 * implement, runs on the CPU engine from the GPU's solutions.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/solvers/cpu-engine';
import { createNodeGpuEngine } from '../../src/gpu/node';
import { buildProblem } from '../../src/solvers/learn/lab/problems';
import { QpLayer } from '../../src/solvers/learn/lab/layer';
import { lpgdDq } from '../../src/solvers/learn/lab/estimators';
import { Trainer } from '../../src/solvers/learn/lab/trainer';
import { gatherRows } from '../../src/solvers/learn/batches';
import { Rng } from '../../src/solvers/grad/rng';
import { relError } from '../../src/solvers/grad/vec';

const gpu = await createNodeGpuEngine();
afterAll(() => gpu.dispose());
const cpu = new CpuEngine();

describe('QP layer on the WebGPU engine', () => {
  it('decides and differentiates as the CPU layer does (kkt on the GPU, smoothed QP on the CPU)', async () => {
    const p = await buildProblem({
      kind: 'portfolio',
      size: 10,
      samples: 40,
      lambda: 0.5,
      seed: 3,
    });
    const n = p.ds.structure.n;
    const idx = p.splits.train.slice(0, 8);
    const rng = new Rng(1);
    const costs = gatherRows(p.ds.costs, n, idx).map((v) => v + 0.03 * rng.normal());
    const onGpu = await QpLayer.create({ engine: gpu, cpu }, p.ds.structure, p.ds.size, null);
    const onCpu = await QpLayer.create({ engine: cpu, cpu }, p.ds.structure, p.ds.size, null);
    expect(onGpu.engine).toBe('gpu');
    expect(onGpu.backwardEngine('kkt')).toBe('gpu');
    expect(onGpu.backwardEngine('smoothed-qp')).toBe('cpu');
    const rg = await onGpu.solve(idx, costs);
    const rc = await onCpu.solve(idx, costs);
    rg.forEach((r, k) => {
      expect(r.status).toBe('solved');
      expect(relError(r.x, rc[k].x, 1e-9)).toBeLessThan(1e-6);
    });
    const g = rc.map((r, k) => p.gradient(idx[k], r.x));
    for (const [method, tol] of [
      ['kkt', 2e-3],
      ['smoothed-qp', 1e-6],
    ] as const) {
      const a = await onGpu.backward(g, method);
      const b = await onCpu.backward(g, method);
      a.forEach((o, k) => {
        const c = b[k];
        if (!o.ok || !c.ok) throw new Error(`${method} failed`);
        expect(relError(o.grads.dq, c.grads.dq, 1e-8), method).toBeLessThan(tol);
      });
    }
    // LPGD's perturbed solves run as batches on the GPU handle too.
    await onGpu.solve(idx, costs);
    await onCpu.solve(idx, costs);
    const lg = await lpgdDq(onGpu, idx, costs, rg, g, 0.5, 'lpgd');
    const lc = await lpgdDq(onCpu, idx, costs, rc, g, 0.5, 'lpgd');
    lg.forEach((v, k) => expect(relError(v!, lc[k]!, 1e-8)).toBeLessThan(1e-5));
    onGpu.dispose();
    onCpu.dispose();
  });

  it('a short race on the GPU engine reports where each method ran', async () => {
    const p = await buildProblem({ kind: 'portfolio', size: 6, samples: 40, lambda: 0.1, seed: 2 });
    const t = await Trainer.create(
      p,
      {
        methods: ['exact', 'smoothed-qp', 'lpgd'],
        seed: 1,
        epochs: 1,
        batchSize: 14,
        lr: 1e-3,
        hidden: [8],
        weightDecay: 0,
        alpha: 0,
        tau: 1,
        blackboxLambda: 1,
        sigma: 0.5,
        perturbSamples: 2,
        lostSample: 0,
      },
      { engine: gpu, cpu },
    );
    expect(t.engines()).toEqual({
      exact: { forward: 'gpu', backward: 'gpu' },
      'smoothed-qp': { forward: 'gpu', backward: 'cpu' },
      lpgd: { forward: 'gpu', backward: 'gpu' },
    });
    let records = null;
    while (!records) records = (await t.step()).records;
    for (const m of ['exact', 'smoothed-qp', 'lpgd'] as const) {
      expect(Number.isFinite(records[m]!.regret.test)).toBe(true);
      expect(records[m]!.failures).toBe(0);
    }
    t.dispose();
  });
});
