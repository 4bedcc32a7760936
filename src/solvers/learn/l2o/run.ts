/**
 * `experiment l2o` (issue 10 §2): every learning-to-optimize variant of the tutorial on one DC3-style
 * parametric QP, seeded, with one metrics table: optimality gap, largest equality and inequality
 * violation, inference time per instance against the solver's, and (unrolled variants) the gap after
 * each unrolled step. docs/l2o.md discusses the numbers.
 */
import type { Engine } from '../../engine';
import { splitIndices } from '../batches';
import { RunAborted, RunClock, engineOf, type ExperimentReport, type RunHooks } from '../runs';
import { makeL2oData, makeL2oProblem, type Quality } from './problem';
import { makeDc3 } from './dc3';
import { ProjectionLayer } from './projection';
import {
  evaluate,
  forwardDirect,
  makeDirect,
  trainDirect,
  type DirectModel,
  type L2oEpoch,
  type Restoration,
  type Supervision,
} from './direct';
import { UnrolledAdmm, exactAdmm, trainUnrolled } from './unrolled';
import { Huanet, trainHuanet } from './huanet';
import { leafAdmm, trainLeaf } from './leaf';
import { findings, solverTime, warmStart } from './baselines';

export const L2O_VARIANTS = [
  'sup',
  'self',
  'sup+proj',
  'self+proj',
  'sup+dc3',
  'self+dc3',
  'admm-unrolled',
  'leaf',
  'huanet',
  'warm-start',
] as const;
export type L2oVariant = (typeof L2O_VARIANTS)[number];

export interface L2oOptions {
  seed: number;
  quick: boolean;
  variants: L2oVariant[];
  n: number;
  neq: number;
  nineq: number;
  samples: number;
  /** Direct maps. */
  hidden: number[];
  epochs: number;
  batchSize: number;
  lr: number;
  penalty: number;
  /** Epochs through the projection layer, starting from the plain model of the same supervision. */
  projEpochs: number;
  dc3Steps: number;
  /** Unrolled steps K and ADMM ρ of the unrolled variants. */
  steps: number;
  rho: number;
  unrolledHidden: number[];
  unrolledEpochs: number;
  leafEpochs: number;
  leafLr: number;
  leafSteps: number;
}

export function l2oDefaults(quick = false): L2oOptions {
  const base: L2oOptions = {
    seed: 1,
    quick,
    variants: [...L2O_VARIANTS],
    n: 10,
    neq: 5,
    nineq: 5,
    samples: 800,
    hidden: [64, 64],
    epochs: 60,
    batchSize: 32,
    lr: 3e-3,
    penalty: 100,
    projEpochs: 3,
    dc3Steps: 10,
    steps: 10,
    rho: 1,
    unrolledHidden: [48, 48],
    unrolledEpochs: 25,
    leafEpochs: 30,
    leafLr: 2e-2,
    leafSteps: 20,
  };
  if (quick)
    Object.assign(base, {
      samples: 300,
      epochs: 15,
      projEpochs: 1,
      unrolledEpochs: 6,
      leafEpochs: 15,
      leafSteps: 10,
      hidden: [32, 32],
      unrolledHidden: [32, 32],
    });
  return base;
}

export interface StepQuality {
  k: number;
  gap: number;
  eq_max: number;
  ineq_max: number;
}

export interface L2oFinal extends Quality {
  /** Inference time per test instance, and the solver's for the same instances (ms). */
  infer_ms: number;
  solver_ms: number;
  /** Gap after each unrolled step (unrolled variants and their exact references). */
  steps?: StepQuality[];
  /** Warm start: mean ADMM iterations cold and from the direct map's output. */
  warm?: {
    cold_iters: number;
    warm_iters: number;
    saved: number;
    cold_ms: number;
    warm_ms: number;
  };
  train_ms: number;
}

export interface L2oRow extends L2oFinal {
  variant: string;
  label: string;
}

export interface L2oReport extends ExperimentReport<
  Omit<L2oOptions, never>,
  L2oEpoch,
  L2oFinal,
  L2oRow
> {
  findings: {
    /** Largest violation of the projection-layer variants (solver tolerance: eps 1e-9). */
    projection_violation: number;
    /** gap(self)/gap(sup) per restoration. */
    self_over_sup: Record<string, number>;
    /** Per unrolled variant: gap after the first and the last step. */
    unrolled: Record<string, { first: number; last: number }>;
    warm_start_saved_iters: number;
  };
}

const LABELS: Record<string, string> = {
  sup: 'direct map, supervised',
  self: 'direct map, self-supervised',
  'sup+proj': 'supervised + projection layer (QP engine)',
  'self+proj': 'self-supervised + projection layer (QP engine)',
  'sup+dc3': 'supervised + DC3 completion/correction',
  'self+dc3': 'self-supervised + DC3 completion/correction',
  'admm-unrolled': 'ADMM unrolled, learned x-update',
  'admm-exact': 'ADMM, exact x-update (reference)',
  leaf: 'LEAF: ICNN Moreau envelope',
  'leaf-exact': 'consensus ADMM, exact prox (reference)',
  huanet: 'HUANet, self-supervised on KKT',
  'warm-start': 'solver warm-started by the supervised map',
  solver: 'QP engine (ADMM, eps 1e-5)',
};

const stepRows = (qs: Quality[]): StepQuality[] =>
  qs.map((q, i) => ({ k: i + 1, gap: q.gap, eq_max: q.eq_max, ineq_max: q.ineq_max }));

/** Times `f` per instance of `count`. */
async function perInstance<T>(
  count: number,
  f: () => Promise<T> | T,
): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: (performance.now() - t0) / Math.max(count, 1) };
}

export async function runL2o(
  options: Partial<L2oOptions> & { engine?: Engine } = {},
  hooks: RunHooks<L2oEpoch> = {},
): Promise<L2oReport> {
  const { engine: given, ...rest } = options;
  const o: L2oOptions = { ...l2oDefaults(rest.quick), ...rest };
  for (const v of o.variants)
    if (!L2O_VARIANTS.includes(v))
      throw new Error(`l2o: unknown variant '${v}' (${L2O_VARIANTS.join(', ')})`);
  const { engine, info } = engineOf(given);
  const trainBatches = Math.ceil((0.7 * o.samples) / o.batchSize);
  const clock = new RunClock(
    hooks as RunHooks<unknown>,
    trainBatches * (4 * o.epochs + 2 * o.projEpochs + 2 * o.unrolledEpochs) + 8 * o.leafEpochs,
  );
  const report: L2oReport = {
    experiment: 'l2o',
    settings: o,
    engine: info,
    methods: {},
    table: [],
    aborted: false,
    elapsed_ms: 0,
    findings: {
      projection_violation: NaN,
      self_over_sup: {},
      unrolled: {},
      warm_start_saved_iters: NaN,
    },
  };
  const has = (v: L2oVariant) => o.variants.includes(v);
  const pr = makeL2oProblem(o);
  const projection = await ProjectionLayer.create(engine, pr);
  try {
    clock.phase = 'solving the instances';
    const data = makeL2oData(pr, o.samples, o.seed + 1);
    const split = splitIndices(o.samples, o.seed + 2);
    const test = split.test;
    const solver = await solverTime(engine, data, test);
    const direct = { ...o, seed: o.seed + 3 };
    const dc3 = makeDc3(pr, o.dc3Steps);
    const record = (key: string, final: L2oFinal) => {
      report.methods[key] ??= { label: LABELS[key] ?? key, epochs: [], final };
      report.methods[key].final = final;
      report.table.push({ variant: key, label: LABELS[key] ?? key, ...final });
    };
    const stream = (key: string) => {
      report.methods[key] = { label: LABELS[key] ?? key, epochs: [], final: {} as L2oFinal };
      return (r: L2oEpoch) => {
        report.methods[key].epochs.push(r);
        hooks.onEpoch?.(key, r);
      };
    };
    record('solver', { ...solver.quality, infer_ms: solver.ms, solver_ms: solver.ms, train_ms: 0 });
    const plain: Partial<Record<Supervision, DirectModel>> = {};
    for (const res of ['none', 'dc3', 'proj'] as Restoration[])
      for (const sup of ['sup', 'self'] as Supervision[]) {
        const key = (res === 'none' ? sup : `${sup}+${res}`) as L2oVariant;
        const needed =
          has(key) ||
          (res === 'none' &&
            (has(`${sup}+proj` as L2oVariant) || (sup === 'sup' && has('warm-start'))));
        if (!needed) continue;
        clock.phase = key;
        const t0 = performance.now();
        const epochs = res === 'proj' ? o.projEpochs : o.epochs;
        const model = makeDirect(data, sup, res, direct, {
          dc3,
          projection,
          init: res === 'proj' ? plain[sup]?.net : undefined,
        });
        await trainDirect(model, data, split, { ...direct, epochs }, clock, stream(key));
        if (res === 'none') plain[sup] = model;
        const trainMs = performance.now() - t0;
        const q = await perInstance(test.length, () => evaluate(model, data, test));
        if (has(key))
          record(key, { ...q.value, infer_ms: q.ms, solver_ms: solver.ms, train_ms: trainMs });
        else delete report.methods[key];
      }
    if (has('warm-start') && plain.sup) {
      clock.phase = 'warm-start';
      const pass = await forwardDirect(plain.sup, data, test);
      const warm = await warmStart(engine, data, test, pass.Y);
      record('warm-start', {
        ...warm.quality,
        infer_ms: warm.stats.warm_ms,
        solver_ms: solver.ms,
        warm: warm.stats,
        train_ms: 0,
      });
    }
    if (has('admm-unrolled')) {
      clock.phase = 'admm-unrolled';
      const t0 = performance.now();
      const model = new UnrolledAdmm(pr, {
        steps: o.steps,
        rho: o.rho,
        hidden: o.unrolledHidden,
        epochs: o.unrolledEpochs,
        batchSize: o.batchSize,
        lr: 1e-3,
        seed: o.seed + 5,
      });
      await trainUnrolled(model, data, split, clock, stream('admm-unrolled'));
      const trainMs = performance.now() - t0;
      const q = await perInstance(test.length, () => model.stepQuality(data, test));
      record('admm-unrolled', {
        ...q.value.at(-1)!,
        infer_ms: q.ms,
        solver_ms: solver.ms,
        steps: stepRows(q.value),
        train_ms: trainMs,
      });
      const ex = await perInstance(test.length, () => exactAdmm(data, test, o.steps, o.rho));
      record('admm-exact', {
        ...ex.value.at(-1)!,
        infer_ms: ex.ms,
        solver_ms: solver.ms,
        steps: stepRows(ex.value),
        train_ms: 0,
      });
    }
    if (has('leaf')) {
      clock.phase = 'leaf';
      const t0 = performance.now();
      const leafOptions = {
        rho: o.rho,
        hidden: [16, 16],
        strong: 0.01,
        epochs: o.leafEpochs,
        samples: 256,
        batchSize: 32,
        lr: o.leafLr,
        spread: 1,
        steps: o.leafSteps,
        seed: o.seed + 7,
      };
      const net = await trainLeaf(data, split.train, split.val, leafOptions, clock, stream('leaf'));
      const trainMs = performance.now() - t0;
      const run = await leafAdmm(data, test, projection, o.leafSteps, o.rho, net);
      record('leaf', {
        ...run.perStep.at(-1)!,
        infer_ms: run.ms,
        solver_ms: solver.ms,
        steps: stepRows(run.perStep),
        train_ms: trainMs,
      });
      const ex = await leafAdmm(data, test, projection, o.leafSteps, o.rho, null);
      record('leaf-exact', {
        ...ex.perStep.at(-1)!,
        infer_ms: ex.ms,
        solver_ms: solver.ms,
        steps: stepRows(ex.perStep),
        train_ms: 0,
      });
    }
    if (has('huanet')) {
      clock.phase = 'huanet';
      const t0 = performance.now();
      const model = new Huanet(pr, {
        steps: o.steps,
        hidden: o.unrolledHidden,
        epochs: o.unrolledEpochs,
        batchSize: o.batchSize,
        lr: 1e-3,
        seed: o.seed + 9,
      });
      await trainHuanet(model, data, split, clock, stream('huanet'));
      const trainMs = performance.now() - t0;
      const q = await perInstance(test.length, () => model.stepQuality(data, test));
      record('huanet', {
        ...q.value.at(-1)!,
        infer_ms: q.ms,
        solver_ms: solver.ms,
        steps: stepRows(q.value),
        train_ms: trainMs,
      });
    }
  } catch (e) {
    if (!(e instanceof RunAborted)) throw e;
    report.aborted = true;
  } finally {
    projection.dispose();
  }
  report.findings = findings(report);
  report.elapsed_ms = clock.elapsedMs;
  return report;
}
