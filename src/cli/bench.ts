/**
 * `npm run bench`: the benchmark of src/gpu/benchmark on this machine (Node, Dawn), with the
 * forward-only references npm `quadprog` and HiGHS. Flags are checked before anything runs (one
 * line, exit 2); a reference that throws on a problem is recorded as its row's error and the run
 * goes on; the markdown and the JSON report are written to --out even when the run stops early.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { QpProblem } from '../solvers/qp/types';
import type { GpuEngines } from '../gpu/browser';
import { reportMarkdown } from '../gpu/benchmark/format';
import {
  CORE_ENGINES,
  DEFAULT_BENCH,
  TABLE1_SIZES,
  sizeName,
  type BenchConfig,
  type BenchReport,
  type BenchRow,
  type BenchSize,
} from '../gpu/benchmark/types';
import { formatFlags, parseArgs, type FlagSpec, type FlagValue } from './args';
import { processIo, shortMessage, terminalLine, type CliIo } from './console';
import { EngineError, EXIT, UsageError } from './errors';
import { errorMessage } from '../solvers/errors';
import type { SetConfig, SetName } from './bench-set';

const REFERENCES = ['quadprog', 'highs'] as const;
/** --set: time budget per problem for repeats, and the most repeats (the median is reported). */
const SET_BUDGET_MS = 500;
const SET_MAX_REPEATS = 25;
const ALL_ENGINES: readonly string[] = [...CORE_ENGINES, ...REFERENCES];
const HANDLE_ENGINES: readonly string[] = ['cpu', 'gpu'];

/** Largest problem dimension d: bpqpRandomQp alone costs d³ per problem. */
export const MAX_D = 2000;
export const MAX_BATCH = 16384;
export const MAX_MATMUL = 2048;
export const MAX_ITER = 1_000_000;
export const MAX_HANDLE_SOLVES = 10_000;
/** f32 ADMM reaches 1e-4 reliably (docs/gpu.md): the GPU rows of --handles use at least that. */
const GPU_HANDLE_EPS = 1e-4;
const MB = 2 ** 20;
/** Default memory limit: three quarters of this machine's memory. */
const DEFAULT_MEMORY_MB = Math.floor((0.75 * totalmem()) / MB);

const FLAGS: readonly FlagSpec[] = [
  {
    name: 'sizes',
    type: 'string',
    arg: 'DxM,...',
    help: `problem sizes d×meq, d ≤ ${MAX_D}, meq ≤ d (default ${TABLE1_SIZES.map(sizeName).join(',')})`,
  },
  {
    name: 'batches',
    type: 'string',
    arg: 'B,...',
    help: `batch sizes, 1 to ${MAX_BATCH} (default 1,64,1024)`,
  },
  {
    name: 'engines',
    type: 'string',
    arg: 'E,...',
    help: `engines among ${ALL_ENGINES.join(',')} (default all)`,
  },
  {
    name: 'eps',
    type: 'number',
    arg: 'X',
    help: `tolerance in (0, 1) (default ${DEFAULT_BENCH.eps})`,
  },
  {
    name: 'max-iter',
    type: 'int',
    arg: 'N',
    help: `ADMM iteration limit, 1 to ${MAX_ITER} (default ${DEFAULT_BENCH.maxIter})`,
  },
  {
    name: 'matmul',
    type: 'int',
    arg: 'N',
    help: `edge of the reference matmul, 1 to ${MAX_MATMUL} (default ${DEFAULT_BENCH.matmulSize})`,
  },
  { name: 'polish', type: 'boolean', usage: '--polish', help: 'polish every forward solution' },
  {
    name: 'handles',
    type: 'int',
    arg: 'N',
    help: `instead: one structure solved N times with a changing q, one-shot solveBatch (cold and warm) against a handle, per engine among cpu,gpu (1 to ${MAX_HANDLE_SOLVES})`,
  },
  {
    name: 'set',
    type: 'string',
    choices: ['maros-meszaros', 'bpqp'],
    help: 'instead: a problem set on the CPU engine beside OSQP (Python osqp, when importable): maros-meszaros (the 44 files in ../shared/data) or bpqp (Table 1 sizes); eps 1e-6 and polishing for maros-meszaros',
  },
  {
    name: 'problems',
    type: 'string',
    arg: 'NAME,...',
    help: 'with --set: only these problems',
  },
  {
    name: 'osqp',
    type: 'string',
    choices: ['auto', 'off'],
    help: 'with --set: run OSQP side by side when Python can import osqp (default auto)',
  },
  { name: 'out', type: 'string', arg: 'DIR', help: 'folder of the reports (default bench-out)' },
  {
    name: 'max-memory-mb',
    type: 'number',
    arg: 'MB',
    help: `refuse a size and batch estimated to need more (default ${DEFAULT_MEMORY_MB}, 3/4 of this machine's)`,
  },
  { name: 'help', type: 'boolean', usage: '-h, --help', help: 'show this help' },
];

export const BENCH_HELP = `Usage: npm run bench -- [options]

Times random QPs of BPQP's Table 1 (d variables, meq equalities, meq inequalities):
forward, backward and total per problem for each engine, gradient accuracy, and on the
GPU each kernel's GFLOP/s against the adapter's own matmul. Prints each row as JSON and
then markdown tables, and writes bench-<time>.json and bench-<time>.md to --out.

Options:
${formatFlags(FLAGS)}

A reference (quadprog, highs) that throws on a problem counts it as unsolved and the
row carries the error; the run goes on. On SwiftShader (no GPU driver) GPU times say
nothing about GPUs; see docs/gpu.md.

Exit status: 0 when the run finished (rows may carry errors); 2 for a bad command
line; 3 when an engine cannot start or the run stops (the reports are still written).`;

export interface BenchArgs {
  config: BenchConfig;
  out: string;
  maxMemoryBytes: number;
  /** --handles N: run the handle benchmark (N solves per variant) instead. */
  handles: number | null;
  /** --set NAME: run a problem set beside OSQP instead (./bench-set.ts). */
  set: SetConfig | null;
}

function list(flags: Map<string, FlagValue>, name: string, def: string): string[] {
  const raw = (flags.get(name) as string | undefined) ?? def;
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`--${name}: empty item in '${raw}'`);
  return items;
}

function parseSize(s: string): BenchSize {
  const match = /^(\d{1,9})x(\d{1,9})$/.exec(s);
  if (!match) throw new UsageError(`--sizes: bad size '${s}', expected d x meq like 10x5`);
  const [d, meq] = [Number(match[1]), Number(match[2])];
  if (d < 1 || d > MAX_D) throw new UsageError(`--sizes: d = ${d} in '${s}' is not in 1..${MAX_D}`);
  if (meq > d)
    throw new UsageError(
      `--sizes: meq = ${meq} in '${s}' exceeds d = ${d} (more equalities than variables)`,
    );
  return { d, meq };
}

function parseBatch(s: string): number {
  if (!/^\d{1,9}$/.test(s)) throw new UsageError(`--batches: bad batch size '${s}'`);
  const b = Number(s);
  if (b < 1 || b > MAX_BATCH) throw new UsageError(`--batches: ${b} is not in 1..${MAX_BATCH}`);
  return b;
}

/**
 * Bytes one size and batch holds at once: its problems (dense P, A), their exact reference
 * gradients per problem set used (independent, shared), the gradients being measured, and for
 * the GPU its f32 copies.
 */
export function workloadBytes(size: BenchSize, batch: number, engines: readonly string[]): number {
  const m = 2 * size.meq;
  const problem = 8 * (size.d * size.d + m * size.d + size.d + 2 * m);
  const core = engines.filter((e) => (CORE_ENGINES as readonly string[]).includes(e));
  const sets = new Set(core.map((e) => e.endsWith('-shared'))).size;
  const gpu = core.some((e) => e.startsWith('gpu')) ? 0.5 : 0;
  return batch * problem * (1 + (core.length > 0 ? sets + 1 : 0) + gpu);
}

/** The configuration from the command line; throws UsageError with one line for any bad value. */
export function parseBenchArgs(argv: string[]): BenchArgs | 'help' {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (flags.get('help')) return 'help';
  if (positionals.length > 0)
    throw new UsageError(`bench takes no positional arguments, got '${positionals[0]}'`);
  const sizes = list(flags, 'sizes', TABLE1_SIZES.map(sizeName).join(',')).map(parseSize);
  const batches = list(flags, 'batches', '1,64,1024').map(parseBatch);
  const handles = (flags.get('handles') as number | undefined) ?? null;
  if (handles !== null && (handles < 1 || handles > MAX_HANDLE_SOLVES))
    throw new UsageError(`--handles must lie in 1..${MAX_HANDLE_SOLVES}, got ${handles}`);
  const setName = (flags.get('set') as SetName | undefined) ?? null;
  if (setName !== null && handles !== null)
    throw new UsageError('--set and --handles are two different benchmarks: choose one');
  for (const only of ['problems', 'osqp'])
    if (flags.has(only) && setName === null) throw new UsageError(`--${only} needs --set`);
  const known = handles !== null ? HANDLE_ENGINES : ALL_ENGINES;
  const engines = list(flags, 'engines', known.join(','));
  for (const e of engines)
    if (!known.includes(e))
      throw new UsageError(
        `--engines: unknown engine '${e}'${handles !== null ? ' with --handles' : ''} (engines: ${known.join(',')})`,
      );
  const twice = engines.find((e, i) => engines.indexOf(e) !== i);
  if (twice) throw new UsageError(`--engines: '${twice}' is listed twice`);
  const eps = (flags.get('eps') as number | undefined) ?? DEFAULT_BENCH.eps;
  if (!(eps > 0 && eps < 1)) throw new UsageError(`--eps must lie in (0, 1), got ${eps}`);
  const maxIter = (flags.get('max-iter') as number | undefined) ?? DEFAULT_BENCH.maxIter;
  if (maxIter < 1 || maxIter > MAX_ITER)
    throw new UsageError(`--max-iter must lie in 1..${MAX_ITER}, got ${maxIter}`);
  const matmulSize = (flags.get('matmul') as number | undefined) ?? DEFAULT_BENCH.matmulSize;
  if (matmulSize < 1 || matmulSize > MAX_MATMUL)
    throw new UsageError(`--matmul must lie in 1..${MAX_MATMUL}, got ${matmulSize}`);
  const memoryMb = (flags.get('max-memory-mb') as number | undefined) ?? DEFAULT_MEMORY_MB;
  if (!(memoryMb > 0)) throw new UsageError(`--max-memory-mb must be > 0, got ${memoryMb}`);
  const out = (flags.get('out') as string | undefined) ?? 'bench-out';
  if (out.trim() === '') throw new UsageError('--out needs a folder name');
  for (const size of sizes) {
    for (const batch of batches) {
      const bytes = workloadBytes(size, batch, engines);
      if (bytes > memoryMb * MB)
        throw new UsageError(
          `size ${sizeName(size)} at batch ${batch} needs about ${Math.ceil(bytes / MB)} MB, ` +
            `above the memory limit of ${memoryMb} MB (raise it with --max-memory-mb)`,
        );
    }
  }
  const set: SetConfig | null =
    setName === null
      ? null
      : {
          set: setName,
          eps: flags.has('eps') ? eps : setName === 'maros-meszaros' ? 1e-6 : eps,
          maxIter,
          polish: setName === 'maros-meszaros' || flags.get('polish') === true,
          ...(flags.has('problems') ? { only: list(flags, 'problems', '') } : {}),
          budgetMs: SET_BUDGET_MS,
          maxRepeats: SET_MAX_REPEATS,
          osqp: (flags.get('osqp') as 'auto' | 'off' | undefined) ?? 'auto',
        };
  return {
    config: {
      ...DEFAULT_BENCH,
      sizes,
      batches,
      engines,
      eps,
      maxIter,
      matmulSize,
      polish: flags.get('polish') === true,
    },
    out,
    maxMemoryBytes: memoryMb * MB,
    handles,
    set,
  };
}

/** Dependencies the run needs, injectable so that tests can supply a failing reference. */
export interface BenchDeps {
  /** Reference solvers by name: true when solved; may throw. */
  references?: Record<string, (p: QpProblem) => boolean>;
  /** The WebGPU engines, or null; by default created with Dawn when a GPU engine is chosen. */
  gpu?: GpuEngines | null;
}

async function nodeGpuEngines(): Promise<GpuEngines> {
  try {
    const { createNodeGpu } = await import('../gpu/node');
    const { GpuEngine } = await import('../gpu/engine');
    const { GpuBackwardEngine } = await import('../gpu/backward');
    const ctx = await createNodeGpu((e) => {
      if (e.type !== 'recreated')
        console.warn(`[webgpu] ${e.type}: ${'message' in e ? e.message : ''}`);
    });
    const engine = new GpuEngine(ctx);
    return { ctx, engine, backward: new GpuBackwardEngine(ctx, engine) };
  } catch (e) {
    throw new EngineError(
      `WebGPU is unavailable (${errorMessage(e)}); choose engines without gpu, ` +
        `e.g. --engines cpu,cpu-shared,quadprog,highs`,
    );
  }
}

async function defaultReferences(engines: readonly string[]) {
  const refs: Record<string, (p: QpProblem) => boolean> = {};
  const { loadHighs, solveWithHighs, solveWithQuadprog } = await import('../solvers/qp/references');
  if (engines.includes('quadprog'))
    refs.quadprog = (p) => {
      try {
        return solveWithQuadprog(p).x.every(Number.isFinite);
      } catch {
        // quadprog reports an infeasible or non-strictly-convex problem by throwing: unsolved.
        return false;
      }
    };
  if (engines.includes('highs')) {
    const highs = await loadHighs();
    refs.highs = (p) => solveWithHighs(highs, p).status === 'Optimal';
  }
  return refs;
}

/**
 * The references wrapped so that a throw counts the problem as unsolved and is remembered for
 * the row; `take(engine)` returns that row's error text and resets the count.
 */
function guardReferences(refs: Record<string, (p: QpProblem) => boolean>) {
  const state = new Map<string, { calls: number; failed: number; first?: string }>();
  const guarded: Record<string, (p: QpProblem) => boolean> = {};
  for (const [name, solve] of Object.entries(refs)) {
    guarded[name] = (p) => {
      const s = state.get(name) ?? { calls: 0, failed: 0 };
      state.set(name, s);
      const index = s.calls++;
      try {
        return solve(p);
      } catch (e) {
        s.failed++;
        s.first ??= `problem ${index}: ${shortMessage(e)}`;
        return false;
      }
    };
  }
  const take = (engine: string): string | undefined => {
    const s = state.get(engine);
    state.delete(engine);
    if (!s || s.failed === 0) return undefined;
    return `${engine} threw on ${s.failed} of ${s.calls} problems (counted unsolved); first: ${s.first}`;
  };
  return { guarded, take };
}

function writeReports(out: string, report: BenchReport): string[] {
  mkdirSync(out, { recursive: true });
  const base = `${out}/bench-${report.startedAt.replace(/[:.]/g, '-')}`;
  writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
  writeFileSync(`${base}.md`, reportMarkdown(report));
  return [`${base}.json`, `${base}.md`];
}

/**
 * Opens the WebGPU engines when an engine among `engines` needs them (unless the caller supplies
 * them), runs `body`, reports any failure as one line (exit 3), and releases the device.
 */
async function withEngines(
  engines: readonly string[],
  io: CliIo,
  deps: BenchDeps,
  body: (gpu: GpuEngines | null) => Promise<number>,
): Promise<number> {
  let gpu: GpuEngines | null = null;
  try {
    const wantsGpu = engines.some((e) => e.startsWith('gpu'));
    gpu = deps.gpu !== undefined ? deps.gpu : wantsGpu ? await nodeGpuEngines() : null;
    return await body(gpu);
  } catch (e) {
    io.err(`error: ${e instanceof EngineError ? terminalLine(e.message) : shortMessage(e)}`);
    return EXIT.failure;
  } finally {
    if (deps.gpu === undefined) gpu?.ctx.dispose();
  }
}

/** Runs the benchmark command; resolves to the exit status and never throws. */
export async function benchCommand(
  argv: string[],
  io: CliIo = processIo,
  deps: BenchDeps = {},
): Promise<number> {
  let args: BenchArgs | 'help';
  try {
    args = parseBenchArgs(argv);
  } catch (e) {
    io.err(`error: ${e instanceof UsageError ? terminalLine(e.message) : shortMessage(e)}`);
    return e instanceof UsageError ? EXIT.usage : EXIT.failure;
  }
  if (args === 'help') {
    await io.out(BENCH_HELP + '\n');
    return EXIT.ok;
  }
  if (args.handles !== null) return handlesCommand(args, args.handles, io, deps);
  if (args.set !== null) {
    const { setCommand } = await import('./bench-set');
    return setCommand(args.set, args.out, io);
  }
  const { config, out } = args;
  const startedAt = new Date().toISOString();
  const rows: BenchRow[] = [];
  return withEngines(config.engines, io, deps, async (gpu) => {
    const { guarded, take } = guardReferences(
      deps.references ?? (await defaultReferences(config.engines)),
    );
    const { runBenchmark } = await import('../gpu/benchmark/run');
    let report: BenchReport;
    try {
      report = await runBenchmark(
        config,
        { gpu, references: guarded },
        {
          host: `node ${process.version}`,
          onProgress: (p) =>
            p.phase === 'matmul' && void io.out('measuring the reference matmul…\n'),
          onRow: (row) => {
            const error = take(row.engine);
            if (error) row.error = error;
            rows.push(row);
            void io.out(JSON.stringify(row) + '\n');
          },
        },
      );
    } catch (e) {
      const error = shortMessage(e);
      const partial: BenchReport = {
        adapter: gpu?.ctx.adapterInfo ?? null,
        matmul: { gflops: NaN, source: 'n/a', size: config.matmulSize },
        config,
        rows,
        startedAt,
        host: `node ${process.version}`,
        error,
      };
      const files = writeReports(out, partial);
      throw new EngineError(
        `the benchmark stopped: ${error}; the ${rows.length} rows measured are in ${files.join(' and ')}`,
      );
    }
    await io.out(`\n${reportMarkdown(report)}`);
    const files = writeReports(out, report);
    await io.out(`Reports written to ${files.join(' and ')}\n`);
    return EXIT.ok;
  });
}

/** `--handles N`: the handle benchmark (src/gpu/benchmark/handles.ts), printed and written. */
function handlesCommand(
  args: BenchArgs,
  solves: number,
  io: CliIo,
  deps: BenchDeps,
): Promise<number> {
  const { config, out } = args;
  return withEngines(config.engines, io, deps, async (gpu) => {
    const { CpuEngine } = await import('../solvers/cpu-engine');
    const { runHandleBenchmark, handleMarkdown } = await import('../gpu/benchmark/handles');
    const engines = config.engines.map((name) =>
      name === 'gpu'
        ? { name, engine: (gpu as GpuEngines).engine, eps: Math.max(config.eps, GPU_HANDLE_EPS) }
        : { name, engine: new CpuEngine() },
    );
    const rows = await runHandleBenchmark(
      {
        sizes: config.sizes,
        batches: config.batches,
        solves,
        eps: config.eps,
        maxIter: config.maxIter,
      },
      engines,
      (row) => void io.out(JSON.stringify(row) + '\n'),
    );
    const md = handleMarkdown(rows);
    await io.out(`\n${md}`);
    mkdirSync(out, { recursive: true });
    const base = `${out}/handles-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    writeFileSync(
      `${base}.json`,
      JSON.stringify({ adapter: gpu?.ctx.adapterInfo ?? null, solves, rows }, null, 2),
    );
    writeFileSync(`${base}.md`, md);
    await io.out(`Reports written to ${base}.json and ${base}.md\n`);
    return EXIT.ok;
  });
}
