/**
 * `experiment sobolev` (issue 10 §1): the mask study (Table 5 of the Sobolev training paper) and the
 * δ² study (Theorem 3) on the parametric QP families of families.ts, as one seeded run that streams
 * its records and returns the lab's report. docs/sobolev.md puts the numbers beside the paper's.
 */
import { Rng } from '../../grad/rng';
import { splitIndices } from '../batches';
import {
  RunAborted,
  RunClock,
  type ExperimentReport,
  type RunHooks,
  type EngineInfo,
} from '../runs';
import { FAMILIES, makeFamily, solveInstance, type FamilyName, type Instance } from './families';
import { normalizerFor } from './train';
import { trainDensity, type SobolevEpoch, type SobolevFinal } from './mask';
import { deltaStudy, type DeltaOptions, type DeltaPoint, type DeltaStudy } from './delta';

export interface SobolevOptions {
  seed: number;
  quick: boolean;
  /** Families of the mask study. */
  maskFamilies: FamilyName[];
  /** Mask densities in [0, 1]; 0 is MSE-only training. */
  densities: number[];
  /** Parameters drawn uniformly in each family's box (split 70/20/10). */
  samples: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** λ of the Sobolev term. */
  lambda: number;
  hidden: number[];
  stabilityEpochs: number;
  /** Families of the δ study (their whole parameter box is gridded). */
  deltaFamilies: FamilyName[];
  delta: Omit<DeltaOptions, 'seed'>;
}

export function sobolevDefaults(quick = false): SobolevOptions {
  const base: SobolevOptions = {
    seed: 1,
    quick,
    maskFamilies: ['dc-opf', 'portfolio-kink', 'portfolio-c1'],
    densities: [0, 0.05, 0.25, 1],
    samples: 400,
    epochs: 60,
    batchSize: 32,
    lr: 5e-3,
    lambda: 1,
    hidden: [32, 32],
    stabilityEpochs: 5,
    deltaFamilies: ['portfolio-c1', 'portfolio-kink'],
    delta: {
      sides: [3, 5, 7, 9, 13, 17],
      features: 300,
      featureScale: 2,
      ridge: 1e-14,
      lambda: 1,
      testSide: 41,
      floorFactor: 10,
    },
  };
  if (quick)
    Object.assign(base, {
      maskFamilies: ['portfolio-c1'],
      samples: 150,
      epochs: 15,
      hidden: [16, 16],
      delta: { ...base.delta, sides: [3, 5, 7, 9], features: 150, testSide: 21 },
    });
  return base;
}

/** Hooks of this experiment: the lab's, plus each δ point as it is measured. */
export interface SobolevHooks extends RunHooks<SobolevEpoch> {
  onDelta?(family: FamilyName, point: DeltaPoint): void;
}

export interface SobolevRow {
  family: FamilyName;
  method: string;
  density: number;
  test_mse: number;
  test_jac_mse: number;
  violation_max: number;
  violation_median: number;
  gap_mean: number;
  stability: number;
  tangents_per_instance: number;
  train_ms: number;
}

export interface SobolevReport extends ExperimentReport<
  SobolevOptions,
  SobolevEpoch,
  SobolevFinal,
  SobolevRow
> {
  delta: DeltaStudy[];
  findings: {
    /** Per family: the density of lowest test MSE, and 5 % against 0 % and 100 %. */
    mask: {
      family: FamilyName;
      best_density: number;
      five_beats_mse: boolean;
      five_beats_dense: boolean;
    }[];
    /** Per family: fitted slopes, and the sup-error ratio MSE/Sobolev at the finest grid. */
    delta: { family: FamilyName; mse: number; sobolev: number; gain_finest: number }[];
  };
}

/** 'mse' for density 0, else 'sobolev-5' for 5 %. */
export function densityKey(density: number): string {
  return density === 0 ? 'mse' : `sobolev-${Math.round(density * 100)}`;
}

function checkOptions(o: SobolevOptions): void {
  const bad = (m: string) => {
    throw new Error(`sobolev: ${m}`);
  };
  for (const f of [...o.maskFamilies, ...o.deltaFamilies])
    if (!FAMILIES.includes(f)) bad(`unknown family '${f}' (${FAMILIES.join(', ')})`);
  if (!o.densities.every((d) => d >= 0 && d <= 1)) bad('densities must be in [0, 1]');
  if (!(Number.isInteger(o.samples) && o.samples >= 20)) bad('samples must be an integer ≥ 20');
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) bad('epochs must be a positive integer');
  if (!(o.lr > 0 && o.lambda >= 0)) bad('lr must be > 0 and lambda ≥ 0');
  if (!o.delta.sides.every((s) => Number.isInteger(s) && s >= 2)) bad('δ grid sides must be ≥ 2');
}

export async function runSobolev(
  options: Partial<SobolevOptions> = {},
  hooks: SobolevHooks = {},
): Promise<SobolevReport> {
  const o: SobolevOptions = { ...sobolevDefaults(options.quick), ...options };
  checkOptions(o);
  const steps = Math.ceil((0.7 * o.samples) / o.batchSize) * o.epochs;
  const clock = new RunClock(
    hooks as RunHooks<unknown>,
    o.maskFamilies.length * (o.samples / 10 + o.densities.length * steps) +
      o.deltaFamilies.length * o.delta.sides.length * 2,
  );
  const engine: EngineInfo = {
    name: 'cpu',
    adapter: 'CPU (Float64, JavaScript)',
    reason: 'targets and Jacobians are solved and differentiated in Float64 (solutionJacobian)',
  };
  const report: SobolevReport = {
    experiment: 'sobolev',
    settings: o,
    engine,
    methods: {},
    table: [],
    aborted: false,
    elapsed_ms: 0,
    delta: [],
    findings: { mask: [], delta: [] },
  };
  try {
    for (const [fi, name] of o.maskFamilies.entries()) {
      const family = makeFamily(name, o.seed);
      clock.phase = `solving ${o.samples} ${name} instances`;
      const rng = new Rng(o.seed * 7919 + fi);
      const instances: Instance[] = [];
      for (let i = 0; i < o.samples; i++) {
        const p = Float64Array.from(
          { length: family.d },
          (_, j) => family.lo[j] + (family.hi[j] - family.lo[j]) * rng.uniform(),
        );
        instances.push(solveInstance(family, p));
        if (i % 10 === 9) clock.tick();
        await clock.turn();
      }
      const split = splitIndices(o.samples, o.seed + fi);
      const norm = normalizerFor(
        family,
        Array.from(split.train, (i) => instances[i]),
      );
      for (const density of o.densities) {
        const key = `${name}/${densityKey(density)}`;
        clock.phase = key;
        // `final` is filled when the density finishes (it stays empty if the run is stopped).
        const entry = {
          label: `${family.label}, mask ${density * 100} %`,
          epochs: [] as SobolevEpoch[],
          final: {} as SobolevFinal,
        };
        report.methods[key] = entry;
        const run = await trainDensity(family, norm, instances, split, density, o, clock, (rec) => {
          entry.epochs.push(rec);
          hooks.onEpoch?.(key, rec);
        });
        entry.final = run.final;
        report.table.push({ family: name, method: densityKey(density), ...tableOf(run.final) });
      }
      report.findings.mask.push(maskFinding(name, report.table));
    }
    for (const name of o.deltaFamilies) {
      const family = makeFamily(name, o.seed);
      const study = await deltaStudy(
        family,
        Array.from({ length: family.d }, () => NaN),
        { ...o.delta, seed: o.seed },
        clock,
        (p) => hooks.onDelta?.(name, p),
      );
      report.delta.push(study);
      const last = study.points[study.points.length - 1];
      report.findings.delta.push({
        family: name,
        mse: study.slopes.mse.slope,
        sobolev: study.slopes.sobolev.slope,
        gain_finest: last ? last.mse.sup / last.sobolev.sup : NaN,
      });
    }
  } catch (e) {
    if (!(e instanceof RunAborted)) throw e;
    report.aborted = true;
  }
  report.elapsed_ms = clock.elapsedMs;
  return report;
}

function tableOf(f: SobolevFinal): Omit<SobolevRow, 'family' | 'method'> {
  return {
    density: f.density,
    test_mse: f.test_mse,
    test_jac_mse: f.test_jac_mse,
    violation_max: f.violation_max,
    violation_median: f.violation_median,
    gap_mean: f.gap_mean,
    stability: f.stability,
    tangents_per_instance: f.tangents_per_instance,
    train_ms: f.train_ms,
  };
}

function maskFinding(family: FamilyName, rows: SobolevRow[]) {
  const mine = rows.filter((r) => r.family === family);
  const at = (d: number) => mine.find((r) => r.density === d)?.test_mse ?? NaN;
  const best = mine.reduce((a, b) => (b.test_mse < a.test_mse ? b : a), mine[0]);
  return {
    family,
    best_density: best?.density ?? NaN,
    five_beats_mse: at(0.05) < at(0),
    five_beats_dense: at(0.05) < at(1),
  };
}
