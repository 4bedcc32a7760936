/**
 * The experiments' main findings (issue 9 §3, §7), as seeded assertions at a scale that runs in
 * seconds. They are properties of the methods on this seeded data, checked against the paper's
 * claims; docs/training.md has the full-scale tables.
 *  - You Shall Pass Fig. 3b: at small λ the exact Jacobian's gradient collapses (most samples get a
 *    zero gradient: x̂ at a vertex, Thm. 3.8) while smoothed QP's never does; at λ = 2 the collapse
 *    is much weaker.
 *  - Fig. 3a: smoothed QP ends with a lower test regret than the QP approximation and than the
 *    true problem's exact Jacobian, over several seeds.
 *  - BPQP §4: BPQP's gradients are exact KKT's, so a BPQP race retraces the exact one.
 */
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../../cpu-engine';
import { relError } from '../../grad/vec';
import { Rng } from '../../grad/rng';
import { ExperimentRunner } from './runner';
import { RecordBook, buildReport } from './report';
import { defaultSettings, type ExperimentSettings } from './experiments';
import { buildProblem } from './problems';
import { QpLayer } from './layer';
import { gatherRows } from '../batches';

const cpu = new CpuEngine();
const engines = { engine: cpu, cpu };

async function race(over: Partial<ExperimentSettings>) {
  const s: ExperimentSettings = {
    ...defaultSettings('portfolio'),
    size: 10,
    samples: 200,
    epochs: 10,
    lr: 3e-3,
    hidden: [32, 32],
    ...over,
  };
  const book = new RecordBook();
  const runner = new ExperimentRunner(s, engines, {
    onJob: (i) => book.job(i),
    onEpoch: (j, m, r) => book.epoch(j, m, r),
  });
  while ((await runner.step()) !== 'done');
  return {
    book,
    report: buildReport(s, { requested: 'cpu', name: 'cpu', adapter: '' }, book.jobs),
  };
}

describe('findings at classroom scale (seeded)', () => {
  it('λ = 0.1: the exact gradient collapses, smoothed QP keeps learning and ends lowest', async () => {
    const { book, report } = await race({
      lambdas: [0.1],
      seeds: 3,
      methods: ['exact', 'qp', 'smoothed-qp'],
    });
    for (const job of book.jobs) {
      const exact = job.epochs.exact!;
      const smoothed = job.epochs['smoothed-qp']!;
      const seed = `seed ${job.info.seed}`;
      // Exact: in the last epoch at least 40 % of the samples pass back exactly nothing, and the
      // gradient norm ends below 60 % of its first epoch's.
      expect(exact.at(-1)!.zero_grad_share, seed).toBeGreaterThanOrEqual(0.4);
      expect(exact.at(-1)!.grad_norm / exact[0].grad_norm, seed).toBeLessThan(0.6);
      // Smoothed QP: no sample ever gets a zero gradient, and its norm does not fall.
      expect(
        smoothed.every((r) => r.zero_grad_share === 0),
        seed,
      ).toBe(true);
      expect(smoothed.at(-1)!.grad_norm / smoothed[0].grad_norm, seed).toBeGreaterThan(1);
    }
    const regret = (m: string) => report.methods[m].final.regret_test.mean;
    expect(regret('smoothed-qp')).toBeLessThan(regret('qp'));
    expect(regret('smoothed-qp')).toBeLessThan(regret('exact'));
  });

  it('the collapse is a small-λ effect: at λ = 2 far fewer exact gradients vanish', async () => {
    const { report } = await race({
      lambdas: [0.1, 2],
      epochs: 4,
      methods: ['exact'],
    });
    const zero = (p: string) => report.methods[`${p}/exact`].final.zero_grad_share_last;
    expect(zero('lambda=2')).toBeLessThan(0.5 * zero('lambda=0.1'));
  });

  it("BPQP's gradients are exact KKT's: per sample, and over a whole race", async () => {
    const p = await buildProblem({
      kind: 'portfolio',
      size: 12,
      samples: 60,
      lambda: 0.5,
      seed: 5,
    });
    const n = p.ds.structure.n;
    const layer = await QpLayer.create(engines, p.ds.structure, p.ds.size, null);
    const idx = p.splits.train.slice(0, 10);
    const rng = new Rng(3);
    const costs = gatherRows(p.ds.costs, n, idx).map((v) => v + 0.02 * rng.normal());
    const res = await layer.solve(idx, costs);
    const g = res.map((r, k) => p.gradient(idx[k], r.x));
    const kkt = await layer.backward(g, 'kkt');
    const bpqp = await layer.backward(g, 'bpqp');
    kkt.forEach((a, k) => {
      const b = bpqp[k];
      if (!a.ok || !b.ok) throw new Error('backward failed');
      expect(relError(b.grads.dq, a.grads.dq, 1e-12)).toBeLessThan(1e-8);
    });
    const { book } = await race({
      lambdas: [0.5],
      size: 8,
      samples: 80,
      epochs: 2,
      methods: ['exact', 'bpqp'],
    });
    const [job] = book.jobs;
    job.epochs.exact!.forEach((a, e) => {
      const b = job.epochs.bpqp![e];
      expect(b.regret.val).toBeCloseTo(a.regret.val, 7);
      expect(b.regret.test).toBeCloseTo(a.regret.test, 7);
      expect(b.grad_norm / a.grad_norm).toBeCloseTo(1, 6);
    });
  });
});
