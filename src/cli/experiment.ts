/**
 * `experiment NAME [options]`: runs a training-lab experiment (src/solvers/learn/lab) headless.
 * Progress goes to stderr, one line per epoch; stdout gets the table, or with --json one object
 * (report.ts). --out FILE also writes the JSON there. Every option is checked before anything runs.
 */
import { writeFile } from 'node:fs/promises';
import { CpuEngine } from '../solvers/cpu-engine';
import type { Engine } from '../solvers/engine';
import {
  EXPERIMENTS,
  LINEAR_PROBLEMS,
  checkSettings,
  defaultSettings,
  type ExperimentName,
  type ExperimentSettings,
  type LinearProblem,
} from '../solvers/learn/lab/experiments';
import { LAB_METHODS, isLabMethod } from '../solvers/learn/lab/methods';
import { ExperimentRunner } from '../solvers/learn/lab/runner';
import { RecordBook, buildReport, type ExperimentReport } from '../solvers/learn/lab/report';
import { formatFlags, parseArgs, type FlagSpec, type FlagValue } from './args';
import { processIo, terminalLine, type CliIo } from './console';
import { EngineError, EXIT, UsageError } from './errors';
import { openEngine } from './engines';
import { errorMessage } from '../solvers/errors';

const FLAGS: readonly FlagSpec[] = [
  { name: 'seed', type: 'int', arg: 'S', help: 'first seed (default 1); run k uses S + k' },
  { name: 'seeds', type: 'int', arg: 'K', help: 'runs per problem, for mean ± std (default 1)' },
  {
    name: 'quick',
    type: 'boolean',
    usage: '--quick',
    help: 'a run of seconds (small data, 4 epochs)',
  },
  { name: 'json', type: 'boolean', usage: '--json', help: 'print the report as one JSON object' },
  {
    name: 'engine',
    type: 'string',
    choices: ['cpu', 'gpu'],
    help: 'engine of the QP layer (default cpu; gpu: WebGPU through Dawn)',
  },
  { name: 'out', type: 'string', arg: 'FILE', help: 'also write the JSON report to FILE' },
  {
    name: 'lambda',
    type: 'string',
    arg: 'L[,L…]',
    help: 'portfolio: risk aversion(s) λ (default 0.1; Figure 3: 0,0.1,0.25,0.5,1,2)',
  },
  {
    name: 'problems',
    type: 'string',
    arg: 'P[,P…]',
    help: `linear: problems among ${LINEAR_PROBLEMS.join(',')} (default all)`,
  },
  {
    name: 'methods',
    type: 'string',
    arg: 'M[,M…]',
    help: `methods among ${LAB_METHODS.join(',')} (default per experiment)`,
  },
  { name: 'size', type: 'int', arg: 'N', help: 'assets, items or nodes (default 20)' },
  { name: 'samples', type: 'int', arg: 'N', help: 'samples, split 70/20/10 (default 500)' },
  { name: 'epochs', type: 'int', arg: 'N', help: 'epochs (default 20)' },
  { name: 'batch-size', type: 'int', arg: 'B', help: 'mini-batch size (default 8)' },
  { name: 'lr', type: 'number', arg: 'X', help: "Adam's learning rate (default 1e-3)" },
  { name: 'hidden', type: 'string', arg: 'H[,H…]', help: 'hidden widths (default 64,64)' },
  { name: 'alpha', type: 'string', arg: 'X|auto', help: 'α of Eq. 6 (default auto: per λ, §4.1)' },
  { name: 'tau', type: 'number', arg: 'X', help: 'LPGD τ (default 1)' },
  { name: 'blackbox-lambda', type: 'number', arg: 'X', help: 'blackbox λ (default 1)' },
  { name: 'sigma', type: 'number', arg: 'X', help: 'perturbed σ, in cost std units (default 0.5)' },
  {
    name: 'perturb-samples',
    type: 'int',
    arg: 'M',
    help: 'perturbed Monte Carlo samples (default 4)',
  },
  { name: 'weight-decay', type: 'number', arg: 'X', help: 'Adam weight decay (default 0)' },
  {
    name: 'lost-sample',
    type: 'int',
    arg: 'K',
    help: 'test sample whose lost fraction is tracked (default 0)',
  },
  { name: 'help', type: 'boolean', usage: '-h, --help', help: 'show this help' },
];

export const EXPERIMENT_HELP = `Usage: npm run --silent cli -- experiment NAME [options]

Trains predict-and-optimize models through the QP layer and reports regret, gradient
norms and solver time per epoch (docs/training.md). NAME is one of:
  portfolio       You Shall Pass Figure 3: MSE, true problem (exact KKT), QP approximation,
                  smoothed QP, LPGD (and BPQP, shown equal to exact) on Eq. 7
  lse-portfolio   Table 1: the LogSumExp portfolio (Eq. 9), SQP against the QP methods
  linear          Figure 4: SPO+, perturbed, identity, LPGD, QP, smoothed QP on knapsack,
                  DC-OPF and the portfolio at λ = 0 and 0.1

Options:
${formatFlags(FLAGS)}

Progress is printed on stderr. With --json stdout gets one object:
  {"experiment","settings","engine","methods":{KEY:{"epochs":[{"epoch","regret":{"train",
  "val","test"},"grad_norm","forward_ms","backward_ms",...}],"final":{...}}},"table":[...]}
KEY is the method, or PROBLEM/METHOD when the experiment has several problems.

Exit status: 0 when the run finished (methods may have halted on a NaN: see "halts");
2 for a bad command line; 3 when the engine cannot start or the run fails.`;

function list(flags: Map<string, FlagValue>, name: string): string[] | undefined {
  const raw = flags.get(name) as string | undefined;
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`--${name}: empty item in '${raw}'`);
  return items;
}

function numbers(flags: Map<string, FlagValue>, name: string): number[] | undefined {
  return list(flags, name)?.map((s) => {
    const v = Number(s);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) || !Number.isFinite(v))
      throw new UsageError(`--${name}: '${s}' is not a number`);
    return v;
  });
}

/** Settings from the command line; throws UsageError naming the first bad flag. */
export function experimentSettings(
  name: string,
  flags: Map<string, FlagValue>,
): ExperimentSettings {
  if (!(EXPERIMENTS as readonly string[]).includes(name))
    throw new UsageError(`unknown experiment '${name}' (experiments: ${EXPERIMENTS.join(', ')})`);
  const s = defaultSettings(name as ExperimentName, flags.get('quick') === true);
  const take = (flag: string, key: keyof ExperimentSettings) => {
    if (flags.has(flag)) (s as unknown as Record<string, unknown>)[key] = flags.get(flag);
  };
  take('seed', 'seed');
  take('seeds', 'seeds');
  take('size', 'size');
  take('samples', 'samples');
  take('epochs', 'epochs');
  take('batch-size', 'batchSize');
  take('lr', 'lr');
  take('tau', 'tau');
  take('blackbox-lambda', 'blackboxLambda');
  take('sigma', 'sigma');
  take('perturb-samples', 'perturbSamples');
  take('weight-decay', 'weightDecay');
  take('lost-sample', 'lostSample');
  const lambdas = numbers(flags, 'lambda');
  if (lambdas) {
    if (name !== 'portfolio') throw new UsageError('--lambda applies to the portfolio experiment');
    s.lambdas = lambdas;
  }
  const problems = list(flags, 'problems');
  if (problems) {
    if (name !== 'linear') throw new UsageError('--problems applies to the linear experiment');
    s.problems = problems as LinearProblem[];
  }
  const methods = list(flags, 'methods');
  if (methods) {
    const bad = methods.find((m) => !isLabMethod(m));
    if (bad)
      throw new UsageError(
        `--methods: unknown method '${bad}' (methods: ${LAB_METHODS.join(', ')})`,
      );
    s.methods = methods.filter(isLabMethod);
  }
  const hidden = numbers(flags, 'hidden');
  if (hidden) s.hidden = hidden;
  if (flags.has('alpha')) {
    const a = flags.get('alpha') as string;
    s.alpha = a === 'auto' ? 'auto' : (numbers(new Map([['alpha', a]]), 'alpha')![0] ?? NaN);
  }
  try {
    return checkSettings(s);
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
}

/** The engine of the QP layer, and the CPU engine for the methods it lacks. */
async function openLabEngines(kind: 'cpu' | 'gpu') {
  const cpu = new CpuEngine();
  if (kind === 'cpu')
    return { engine: cpu as Engine, cpu, adapter: cpu.adapter, dispose: () => {} };
  const open = await openEngine('gpu');
  const engine = open.engine as Partial<Engine> & { adapter?: string };
  if (typeof engine.setup !== 'function') {
    open.dispose();
    throw new EngineError('GPU engine unavailable: it has no handles (setup)');
  }
  return {
    engine: engine as Engine,
    cpu,
    adapter: engine.adapter ?? 'WebGPU',
    dispose: open.dispose,
  };
}

const fmt = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(1) : '—');

/** The table as aligned text. */
export function tableText(r: ExperimentReport): string {
  const rows = [
    [
      'problem',
      'method',
      'test regret',
      'grad ratio',
      'zero share',
      'fwd ms/s',
      'bwd ms/s',
      'fail',
    ],
    ...r.table.map((t) => [
      t.problem,
      t.method,
      t.regret_test,
      sci(t.grad_norm_ratio),
      fmt(t.zero_grad_share, 2),
      fmt(t.forward_ms_per_sample, 3),
      fmt(t.backward_ms_per_sample, 3),
      String(t.failures),
    ]),
  ];
  const w = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) =>
    row
      .map((cell, c) => cell.padEnd(w[c]))
      .join('  ')
      .trimEnd(),
  );
  for (const d of r.disabled) lines.push(`(${d.problem}/${d.method} not run: ${d.reason})`);
  for (const h of r.halts) lines.push(`(halted: ${h.message})`);
  return lines.join('\n') + '\n';
}

export async function experimentCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (flags.get('help')) {
    await io.out(EXPERIMENT_HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0
        ? `experiment: which one? (${EXPERIMENTS.join(', ')}; see --help)`
        : `experiment takes one name, got ${positionals.length}`,
    );
  const settings = experimentSettings(positionals[0], flags);
  const kind = (flags.get('engine') as 'cpu' | 'gpu' | undefined) ?? 'cpu';
  const out = flags.get('out') as string | undefined;
  const engines = await openLabEngines(kind);
  const book = new RecordBook();
  const t0 = performance.now();
  const runner = new ExperimentRunner(settings, engines, {
    onJob: (info) => {
      book.job(info);
      io.err(
        `${info.problem.label}, seed ${info.seed}: ${info.methods.join(', ')}` +
          (info.disabled.length
            ? ` (not run: ${info.disabled.map((d) => d.method).join(', ')})`
            : '') +
          `; ${info.trainSize} training samples, ${info.batches} mini-batches per epoch`,
      );
    },
    onEpoch: (job, method, rec) => book.epoch(job, method, rec),
    onHalt: (job, h) => {
      book.halt(job, h);
      io.err(`halted: ${terminalLine(h.message)}`);
    },
    onSnapshot: (snap) => {
      const j = book.jobs[snap.job];
      const parts = j.info.methods.map((m) => {
        const r = j.epochs[m]?.at(-1);
        return r && r.epoch === snap.trainer.epoch
          ? `${m} ${fmt(r.regret.test)} (∇ ${sci(r.grad_norm)})`
          : `${m} —`;
      });
      io.err(
        `  epoch ${snap.trainer.epoch}/${settings.epochs} test regret: ${parts.join(', ')}  [${((performance.now() - t0) / 1000).toFixed(1)} s]`,
      );
    },
  });
  try {
    while ((await runner.step()) !== 'done');
  } catch (e) {
    throw new EngineError(`the run failed: ${errorMessage(e)}`);
  } finally {
    runner.dispose();
    engines.dispose();
  }
  const report = buildReport(
    settings,
    {
      requested: kind,
      name: kind,
      adapter: engines.adapter,
      ...(kind === 'gpu'
        ? { reason: 'methods the WebGPU engine does not implement run their backward on the CPU' }
        : {}),
    },
    book.jobs,
  );
  io.err(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const json = JSON.stringify(report, (_, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
  if (out) await writeFile(out, json + '\n');
  await io.out(flags.get('json') ? json + '\n' : tableText(report));
  return EXIT.ok;
}
