/**
 * The experiment report, assembled from what a run streamed (runner.ts hooks), by the CLI and by
 * the page alike:
 *
 *   {"experiment", "settings", "engine",
 *    "methods": {KEY: {"method", "problem", "epochs": [{"epoch", "regret": {"train", "val", "test"},
 *                "grad_norm", "forward_ms", "backward_ms", …}], "final": {…}, "runs"?: […]}},
 *    "table": [...], "disabled": [...], "halts": [...]}
 *
 * KEY is the method ("exact") when the experiment has one problem, else "PROBLEM/METHOD"
 * ("lambda=0.1/exact", "knapsack/spo+"). With several seeds an entry's epochs are the per-epoch
 * means over seeds, `runs` holds each seed's own, and `final` has mean ± std; the test regret is
 * the best-on-validation epoch's (You Shall Pass App. C).
 */
import type { ExperimentSettings } from './experiments';
import { METHOD_INFO, type LabMethod } from './methods';
import { meanStd, type EpochRecord, type Halt } from './records';
import type { JobInfo } from './runner';

/** What a run collected for one job. */
export interface JobRecords {
  info: JobInfo;
  epochs: Partial<Record<LabMethod, EpochRecord[]>>;
  halts: Halt[];
}

/** Appends streamed events to a list of job records (the CLI and the page both keep one). */
export class RecordBook {
  readonly jobs: JobRecords[] = [];

  job(info: JobInfo): void {
    const existing = this.jobs[info.job];
    // A resumed job keeps the records it had (its epochs up to the snapshot).
    this.jobs[info.job] = existing
      ? { ...existing, info }
      : { info, epochs: Object.fromEntries(info.methods.map((m) => [m, []])), halts: [] };
  }

  epoch(job: number, method: LabMethod, rec: EpochRecord): void {
    const list = (this.jobs[job].epochs[method] ??= []);
    // After a resume the same epoch may arrive again: keep the newer one.
    const at = list.findIndex((r) => r.epoch === rec.epoch);
    if (at >= 0) list.splice(at);
    list.push(rec);
  }

  halt(job: number, h: Halt): void {
    this.jobs[job].halts.push(h);
  }

  /** Drops every job's records after `epoch` of job `job` (before resuming from that epoch). */
  truncate(job: number, epoch: number): void {
    this.jobs.length = Math.min(this.jobs.length, job + 1);
    const j = this.jobs[job];
    if (!j) return;
    for (const m of Object.keys(j.epochs) as LabMethod[])
      j.epochs[m] = j.epochs[m]!.filter((r) => r.epoch <= epoch);
    j.halts = j.halts.filter((h) => h.epoch <= epoch);
  }
}

export interface EngineReport {
  /** The engine asked for (cpu, gpu) and where the work ran. */
  requested: string;
  name: 'cpu' | 'gpu';
  adapter: string;
  /** Why the CPU runs something, when it does. */
  reason?: string;
}

export interface MethodFinal {
  label: string;
  regret_test: { mean: number; std: number; n: number };
  regret_val: { mean: number; std: number; n: number };
  best_epoch: number;
  grad_norm_first: number;
  grad_norm_last: number;
  /** grad_norm_last / grad_norm_first (the collapse of Figure 3b when ≪ 1). */
  grad_norm_ratio: number;
  zero_grad_share_last: number;
  /** Training forward and backward time per sample and step, milliseconds. */
  forward_ms_per_sample: number;
  backward_ms_per_sample: number;
  failures: number;
  halted: Halt[];
  seeds: { seed: number; best_epoch: number; regret_val: number; regret_test: number }[];
  forward_engine: string;
  backward_engine: string;
}

export interface MethodEntry {
  method: LabMethod;
  problem: string;
  epochs: EpochRecord[];
  final: MethodFinal;
  runs?: { seed: number; epochs: EpochRecord[] }[];
}

export interface TableRow {
  problem: string;
  method: LabMethod;
  label: string;
  /** "0.064 ± 0.004" (± only with several seeds). */
  regret_test: string;
  regret_test_mean: number;
  regret_test_std: number;
  grad_norm_ratio: number;
  zero_grad_share: number;
  forward_ms_per_sample: number;
  backward_ms_per_sample: number;
  failures: number;
  seeds: number;
}

export interface ExperimentReport {
  experiment: string;
  settings: ExperimentSettings;
  engine: EngineReport;
  methods: Record<string, MethodEntry>;
  table: TableRow[];
  disabled: { problem: string; method: LabMethod; reason: string }[];
  halts: (Halt & { problem: string; seed: number })[];
}

/** The epoch of lowest validation regret, and its record. */
export function bestEpoch(epochs: EpochRecord[]): EpochRecord | null {
  let best: EpochRecord | null = null;
  for (const r of epochs)
    if (Number.isFinite(r.regret.val) && (!best || r.regret.val < best.regret.val)) best = r;
  return best;
}

const NUMERIC: (keyof EpochRecord)[] = [
  'grad_norm',
  'forward_ms',
  'backward_ms',
  'loss',
  'eval_ms',
  'zero_grad_share',
  'failures',
  'samples',
];

/** Per-epoch means over runs (epochs present in every run). */
export function meanEpochs(runs: EpochRecord[][]): EpochRecord[] {
  if (runs.length === 1) return runs[0];
  const len = Math.min(...runs.map((r) => r.length));
  return Array.from({ length: len }, (_, e) => {
    const recs = runs.map((r) => r[e]);
    const mean = (f: (r: EpochRecord) => number | null) =>
      meanStd(recs.map((r) => f(r) ?? NaN)).mean;
    const out = { ...recs[0], regret: { train: 0, val: 0, test: 0 } } as EpochRecord;
    out.regret = {
      train: mean((r) => r.regret.train),
      val: mean((r) => r.regret.val),
      test: mean((r) => r.regret.test),
    };
    for (const k of NUMERIC)
      (out as unknown as Record<string, number>)[k] = mean((r) => r[k] as number);
    const lost = mean((r) => r.lost_fraction);
    out.lost_fraction = Number.isFinite(lost) ? lost : null;
    return out;
  });
}

/** ± text for a table cell. */
export function formatMeanStd(v: { mean: number; std: number; n: number }, digits = 3): string {
  if (!Number.isFinite(v.mean)) return '—';
  return v.n > 1 ? `${v.mean.toFixed(digits)} ± ${v.std.toFixed(digits)}` : v.mean.toFixed(digits);
}

export function buildReport(
  settings: ExperimentSettings,
  engine: EngineReport,
  jobs: readonly JobRecords[],
): ExperimentReport {
  const problems = [...new Set(jobs.map((j) => j.info.problem.key))];
  const single = problems.length <= 1;
  const methods: Record<string, MethodEntry> = {};
  const table: TableRow[] = [];
  const disabled: ExperimentReport['disabled'] = [];
  const halts: ExperimentReport['halts'] = [];
  for (const key of problems) {
    const js = jobs.filter((j) => j.info.problem.key === key);
    for (const d of js[0].info.disabled) disabled.push({ problem: key, ...d });
    for (const j of js)
      for (const h of j.halts) halts.push({ ...h, problem: key, seed: j.info.seed });
    const order = settings.methods.filter((m) => js.some((j) => j.epochs[m]?.length));
    for (const method of order) {
      const runs = js
        .filter((j) => (j.epochs[method]?.length ?? 0) > 0)
        .map((j) => ({ seed: j.info.seed, epochs: j.epochs[method]!, job: j }));
      const bests = runs.map((r) => ({ seed: r.seed, best: bestEpoch(r.epochs) }));
      const first = runs.map((r) => r.epochs[0].grad_norm);
      const last = runs.map((r) => r.epochs[r.epochs.length - 1].grad_norm);
      const lastRec = runs.map((r) => r.epochs[r.epochs.length - 1]);
      const perSample = (f: (r: EpochRecord) => number) =>
        meanStd(
          runs.map((r) => {
            const t = r.epochs.reduce((s, e) => s + f(e), 0);
            const n = r.epochs.reduce((s, e) => s + e.samples, 0);
            return n > 0 ? t / n : NaN;
          }),
        ).mean;
      const eng = runs[0].job.info.engines[method];
      const final: MethodFinal = {
        label: METHOD_INFO[method].label,
        regret_test: meanStd(bests.map((b) => b.best?.regret.test ?? NaN)),
        regret_val: meanStd(bests.map((b) => b.best?.regret.val ?? NaN)),
        best_epoch: meanStd(bests.map((b) => b.best?.epoch ?? NaN)).mean,
        grad_norm_first: meanStd(first).mean,
        grad_norm_last: meanStd(last).mean,
        grad_norm_ratio: meanStd(runs.map((_, k) => last[k] / first[k])).mean,
        zero_grad_share_last: meanStd(lastRec.map((r) => r.zero_grad_share)).mean,
        forward_ms_per_sample: perSample((e) => e.forward_ms),
        backward_ms_per_sample: perSample((e) => e.backward_ms),
        failures: runs.reduce((s, r) => s + r.epochs.reduce((t, e) => t + e.failures, 0), 0),
        halted: runs.flatMap((r) => r.job.halts.filter((h) => h.method === method)),
        seeds: bests.map((b) => ({
          seed: b.seed,
          best_epoch: b.best?.epoch ?? NaN,
          regret_val: b.best?.regret.val ?? NaN,
          regret_test: b.best?.regret.test ?? NaN,
        })),
        forward_engine: eng?.forward ?? 'cpu',
        backward_engine: eng?.backward ?? 'cpu',
      };
      const entry: MethodEntry = {
        method,
        problem: key,
        epochs: meanEpochs(runs.map((r) => r.epochs)),
        final,
        ...(runs.length > 1 ? { runs: runs.map((r) => ({ seed: r.seed, epochs: r.epochs })) } : {}),
      };
      methods[single ? method : `${key}/${method}`] = entry;
      table.push({
        problem: key,
        method,
        label: final.label,
        regret_test: formatMeanStd(final.regret_test),
        regret_test_mean: final.regret_test.mean,
        regret_test_std: final.regret_test.std,
        grad_norm_ratio: final.grad_norm_ratio,
        zero_grad_share: final.zero_grad_share_last,
        forward_ms_per_sample: final.forward_ms_per_sample,
        backward_ms_per_sample: final.backward_ms_per_sample,
        failures: final.failures,
        seeds: final.regret_test.n,
      });
    }
  }
  return { experiment: settings.experiment, settings, engine, methods, table, disabled, halts };
}

/** Every epoch of every run as CSV (one row per problem, seed, method and epoch). */
export function recordsCsv(jobs: readonly JobRecords[]): string {
  const head = [
    'problem',
    'seed',
    'method',
    'epoch',
    'regret_train',
    'regret_val',
    'regret_test',
    'grad_norm',
    'forward_ms',
    'backward_ms',
    'loss',
    'eval_ms',
    'zero_grad_share',
    'lost_fraction',
    'failures',
    'samples',
  ];
  const lines = [head.join(',')];
  const num = (v: number | null) => (v === null || !Number.isFinite(v) ? '' : String(v));
  for (const j of jobs) {
    for (const [m, recs] of Object.entries(j.epochs)) {
      for (const r of recs ?? []) {
        lines.push(
          [
            j.info.problem.key,
            j.info.seed,
            m,
            r.epoch,
            num(r.regret.train),
            num(r.regret.val),
            num(r.regret.test),
            num(r.grad_norm),
            num(r.forward_ms),
            num(r.backward_ms),
            num(r.loss),
            num(r.eval_ms),
            num(r.zero_grad_share),
            num(r.lost_fraction),
            r.failures,
            r.samples,
          ].join(','),
        );
      }
    }
  }
  return lines.join('\n') + '\n';
}
