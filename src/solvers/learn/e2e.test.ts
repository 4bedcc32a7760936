/**
 * The learning core and the data fit the training loop the QP layer will run: predict q̂ = fθ(o)
 * for a mini-batch, solve each sample's QP, take ∂ℓ/∂x̂ of the true objective, turn it into ∂ℓ/∂q̂
 * with a backward method (exact KKT here), backpropagate into θ and take an Adam step. Here the
 * solves and backward calls are plain `solveBatch` + `kktBackward`; the lab will use engine handles.
 */
import { describe, expect, it } from 'vitest';
import { solveBatch } from '../qp';
import { kktBackward } from '../grad/kkt';
import { Mlp, mlpSpec } from './mlp';
import { Adam } from './optim';
import { BatchSampler, gatherRows } from './batches';
import { externalLoss, l2Norm } from './loss';
import { portfolioDataset } from './data/portfolio';
import { sampleProblem, sharedBatch, type PoDataset } from './data/dataset';
import { normalizedRegret, solveOptima, trueObjective, trueObjectiveGradient } from './regret';

const SOLVE = { eps_abs: 1e-7, eps_rel: 1e-7, polish: true };

/** Decisions x̂ = x*(fθ(o)) for samples idx, B × n. */
function decide(net: Mlp, ds: PoDataset, idx: Int32Array): Float64Array {
  const qHat = net.predict(gatherRows(ds.features, ds.featureSize, idx), idx.length);
  const res = solveBatch(sharedBatch(ds, idx, qHat), SOLVE);
  const out = new Float64Array(idx.length * ds.structure.n);
  res.forEach((r, k) => out.set(r.x, k * ds.structure.n));
  return out;
}

describe('end to end: decision-focused training of a portfolio predictor', () => {
  it('lowers the train and validation regret over a few seeded epochs (exact KKT gradients)', () => {
    const ds = portfolioDataset({
      assets: 5,
      features: 3,
      samples: 80,
      lambda: 1,
      deg: 2,
      seed: 11,
    });
    const { n } = ds.structure;
    const opt = solveOptima(ds);
    const net = Mlp.init(
      mlpSpec(ds.featureSize, [16], n, 'leaky-relu', { scale: 0.1, shift: 0 }),
      1,
    );
    const adam = new Adam(net.paramCount, { lr: 0.01 });
    const sampler = new BatchSampler(ds.splits.train, 8, 2);
    const regretOf = (idx: Int32Array) =>
      normalizedRegret(ds, idx, decide(net, ds, idx), opt).normalized;
    const start = { train: regretOf(ds.splits.train), val: regretOf(ds.splits.val) };
    let best = { val: start.val, params: net.params.slice() };
    const gradNorms: number[] = [];
    for (let epoch = 0; epoch < 10; epoch++) {
      for (const idx of sampler.epoch()) {
        const B = idx.length;
        const tape = net.forward(gatherRows(ds.features, ds.featureSize, idx), B);
        const results = solveBatch(sharedBatch(ds, idx, tape.output), SOLVE);
        const dQ = new Float64Array(B * n);
        let loss = 0;
        results.forEach((res, r) => {
          expect(res.status).toBe('solved');
          const i = idx[r];
          const qHat = tape.output.subarray(r * n, (r + 1) * n);
          loss += trueObjective(ds, i, res.x) / B;
          const dl_dx = trueObjectiveGradient(ds, i, res.x).map((v) => v / B);
          dQ.set(kktBackward(sampleProblem(ds, i, qHat), res, dl_dx).dq, r * n);
        });
        const { grad } = net.backward(tape, { dY: externalLoss(loss, dQ, B, n).grad });
        gradNorms.push(l2Norm(grad));
        adam.step(net.params, grad);
      }
      const val = regretOf(ds.splits.val);
      if (val < best.val) best = { val, params: net.params.slice() };
    }
    const end = { train: regretOf(ds.splits.train), val: regretOf(ds.splits.val) };
    expect(end.train).toBeLessThan(0.7 * start.train);
    expect(best.val).toBeLessThan(0.8 * start.val);
    expect(gradNorms.every((g) => Number.isFinite(g) && g > 0)).toBe(true);
    // The best-on-validation snapshot restores exactly (You Shall Pass App. C reports that model).
    net.params.set(best.params);
    expect(regretOf(ds.splits.val)).toBeCloseTo(best.val, 12);
  });
});
