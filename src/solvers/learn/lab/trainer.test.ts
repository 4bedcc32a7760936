/**
 * The race itself: a run resumed from an epoch's snapshot continues as if it had never stopped; a
 * NaN stops one method with a message naming it, the epoch and the mini-batch while the others go
 * on; a failed solve is counted and skipped, never fatal; and the report has the documented shape.
 */
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../../cpu-engine';
import { buildProblem, type LabProblem } from './problems';
import { Trainer, epochBatches, type TrainConfig, type TrainerSnapshot } from './trainer';
import type { EpochRecord } from './records';
import { ExperimentRunner } from './runner';
import { RecordBook, buildReport, recordsCsv } from './report';
import { defaultSettings } from './experiments';
import type { LabMethod } from './methods';

const cpu = new CpuEngine();
const engines = { engine: cpu, cpu };

const config = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  methods: ['mse', 'exact', 'smoothed-qp'],
  seed: 4,
  epochs: 3,
  batchSize: 8,
  lr: 3e-3,
  hidden: [8],
  weightDecay: 0,
  alpha: 0.01,
  tau: 1,
  blackboxLambda: 1,
  sigma: 0.5,
  perturbSamples: 2,
  lostSample: 1,
  ...over,
});

async function run(t: Trainer, epochs: number) {
  const out: Partial<Record<LabMethod, EpochRecord>>[] = [];
  while (t.epoch < epochs && !t.done) {
    const r = await t.step();
    if (r.records) out.push(r.records);
  }
  return out;
}

/** A deep copy, as the page keeps it (the worker transfers its buffers away). */
const copy = (s: TrainerSnapshot): TrainerSnapshot => structuredClone(s);

describe('training race', () => {
  let problem: LabProblem;
  const portfolio = async () =>
    (problem ??= await buildProblem({
      kind: 'portfolio',
      size: 6,
      samples: 60,
      lambda: 0.5,
      seed: 2,
    }));

  it('mini-batches are a seeded shuffle of the training split, the same for every method', () => {
    const train = Int32Array.from({ length: 23 }, (_, i) => 3 * i);
    const a = epochBatches(train, 5, 7, 2);
    expect(a.map((b) => b.length)).toEqual([5, 5, 5, 5, 3]);
    expect([...a.flatMap((b) => [...b])].sort((x, y) => x - y)).toEqual([...train]);
    expect(epochBatches(train, 5, 7, 2)).toEqual(a);
    expect(epochBatches(train, 5, 7, 3)).not.toEqual(a);
  });

  it('resumes from an epoch snapshot as if it had never stopped', async () => {
    const p = await portfolio();
    const whole = await Trainer.create(p, config(), engines);
    const full = await run(whole, 3);
    const first = await Trainer.create(p, config(), engines);
    await run(first, 2);
    const snap = copy(first.snapshot());
    first.dispose();
    const resumed = await Trainer.create(p, config(), engines);
    resumed.restore(snap);
    expect(resumed.epoch).toBe(2);
    const rest = await run(resumed, 3);
    expect(rest).toHaveLength(1);
    for (const m of ['mse', 'exact', 'smoothed-qp'] as const) {
      const a = full[2][m]!;
      const b = rest[0][m]!;
      expect(b.epoch).toBe(3);
      expect(b.regret.val).toBeCloseTo(a.regret.val, 9);
      expect(b.regret.test).toBeCloseTo(a.regret.test, 9);
      expect(b.grad_norm / a.grad_norm).toBeCloseTo(1, 7);
    }
    const wa = whole.snapshot().methods.exact!.params;
    const wb = resumed.snapshot().methods.exact!.params;
    expect(Math.max(...wa.map((v, k) => Math.abs(v - wb[k])))).toBeLessThan(1e-9);
    whole.dispose();
    resumed.dispose();
  });

  it('a NaN stops that method with a message naming it, the epoch and the mini-batch', async () => {
    const p = await portfolio();
    // Adam's first step moves every weight by about lr: 1e300 overflows the MSE loss at once.
    const t = await Trainer.create(p, config({ methods: ['mse'], lr: 1e300 }), engines);
    const r = await t.step();
    const r2 = r.halts.length ? r : await t.step();
    expect(r2.halts).toHaveLength(1);
    const h = r2.halts[0];
    expect(h.method).toBe('mse');
    expect(h.message).toMatch(
      /^MSE \(two-stage\): .* at epoch 1, mini-batch \d+; this method stopped/,
    );
    expect(t.done).toBe(true);
    expect(() => t.snapshot()).toThrow(/between epochs/);
    t.dispose();
  });

  it('a halted method leaves the others running, and its curve so far stays', async () => {
    const p = await portfolio();
    const t = await Trainer.create(p, config({ methods: ['mse', 'exact'], epochs: 2 }), engines);
    await run(t, 1);
    // Poison MSE's weights after epoch 1: its next step halts, exact carries on.
    const snap = copy(t.snapshot());
    snap.methods.mse!.params.fill(1e300);
    t.restore(snap);
    const out = await run(t, 2);
    expect(t.halts().map((h) => h.method)).toEqual(['mse']);
    expect(out[0].exact?.epoch).toBe(2);
    expect(out[0].mse).toBeUndefined();
    t.dispose();
  });

  it('a failed solve is counted and skipped, never fatal', async () => {
    const p = await buildProblem({ kind: 'dc-opf', size: 6, samples: 40, lambda: 0, seed: 1 });
    const { m } = p.ds.structure;
    // One training sample gets an empty range on its first row: its solves are invalid input.
    const bad = p.splits.train[0];
    p.ds.lower![bad * m] = p.ds.upper![bad * m] + 1;
    const t = await Trainer.create(p, config({ methods: ['qp', 'identity'], epochs: 1 }), engines);
    const [rec] = await run(t, 1);
    expect(t.halts()).toEqual([]);
    for (const method of ['qp', 'identity'] as const) {
      expect(rec[method]!.failures).toBeGreaterThanOrEqual(1);
      expect(rec[method]!.samples).toBe(p.splits.train.length - 1);
      expect(Number.isFinite(rec[method]!.regret.test)).toBe(true);
    }
    t.dispose();
  });
});

describe('experiment report', () => {
  it('has the documented JSON shape; several problems key methods by PROBLEM/METHOD', async () => {
    const s = {
      ...defaultSettings('linear', true),
      problems: ['lambda=0' as const, 'lambda=0.1' as const],
      methods: ['identity', 'qp', 'blackbox'] as LabMethod[],
      samples: 40,
      epochs: 2,
      seeds: 2,
      size: 5,
    };
    const book = new RecordBook();
    const runner = new ExperimentRunner(s, engines, {
      onJob: (i) => book.job(i),
      onEpoch: (j, m, r) => book.epoch(j, m, r),
    });
    while ((await runner.step()) !== 'done');
    const report = buildReport(
      s,
      { requested: 'cpu', name: 'cpu', adapter: cpu.adapter },
      book.jobs,
    );
    expect(Object.keys(report).slice(0, 5)).toEqual([
      'experiment',
      'settings',
      'engine',
      'methods',
      'table',
    ]);
    expect(Object.keys(report.methods).sort()).toEqual([
      'lambda=0.1/identity',
      'lambda=0.1/qp',
      'lambda=0/blackbox',
      'lambda=0/identity',
      'lambda=0/qp',
    ]);
    // Blackbox applies to the LP (λ = 0) only; the other problem says why.
    expect(report.disabled).toEqual([
      { problem: 'lambda=0.1', method: 'blackbox', reason: expect.stringMatching(/LP/) },
    ]);
    const e = report.methods['lambda=0/qp'];
    expect(e.runs).toHaveLength(2);
    expect(Object.keys(e.epochs[0]).slice(0, 6)).toEqual([
      'epoch',
      'regret',
      'grad_norm',
      'forward_ms',
      'backward_ms',
      'loss',
    ]);
    expect(Object.keys(e.epochs[0].regret)).toEqual(['train', 'val', 'test']);
    // Two seeds: the table gives mean ± std of the best-on-validation test regret.
    const seeds = e.final.seeds.map((x) => x.regret_test);
    const mean = (seeds[0] + seeds[1]) / 2;
    expect(e.final.regret_test.mean).toBeCloseTo(mean, 12);
    expect(e.final.regret_test.std).toBeCloseTo(Math.abs(seeds[0] - seeds[1]) / Math.SQRT2, 12);
    const row = report.table.find((r) => r.problem === 'lambda=0' && r.method === 'qp')!;
    expect(row.regret_test).toMatch(/^\d\.\d{3} ± \d\.\d{3}$/);
    const csv = recordsCsv(book.jobs).trim().split('\n');
    expect(csv).toHaveLength(1 + 2 * 2 * 2 * 2 + 2 * 2); // header + problems × seeds × epochs × methods
  });
});
