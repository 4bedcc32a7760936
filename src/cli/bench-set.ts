/**
 * `npm run bench -- --set maros-meszaros | bpqp`: a set of problems solved by our CPU engine and,
 * where Python's `osqp` can be imported, by OSQP's C library in the same run (scripts/osqp_bench.py),
 * with the time ratio. Without osqp the Maros–Meszaros set is compared with the reference times in
 * the benchmark folder's README, and the report says so.
 *
 *  - maros-meszaros: every problem of ../shared/data/maros-meszaros (12) and
 *    ../shared/data/maros-meszaros-benchmark (32), read by the app's JSON reader; relative objective
 *    error against each file's reference optimum.
 *  - bpqp: BPQP's dense random QPs at Table 1's sizes (a few seeds each), written to temporary JSON
 *    files for OSQP; the error is against OSQP's objective.
 *
 * Times are medians of repeats (up to a budget per problem), printed, never asserted.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { solveQp, type AnyQpProblem, type QpResult, type QpSettings } from '../solvers/qp';
import { storedEntries } from '../solvers/qp/matrix';
import { parseProblemJson, problemToJson } from '../solvers/io';
import { bpqpRandomQp } from '../gpu/random-qp';
import { TABLE1_SIZES, sizeName } from '../gpu/benchmark/types';
import { shortMessage, type CliIo } from './console';
import { EXIT } from './errors';
import {
  relativeError,
  setMarkdown,
  summarize,
  type OsqpRow,
  type OursRow,
  type SetRow,
  type SetSummary,
} from './bench-set-report';

export const SETS = ['maros-meszaros', 'bpqp'] as const;
export type SetName = (typeof SETS)[number];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** ../shared/data beside the repository, or $ARGMIN_SHARED/data. */
const DATA = join(process.env.ARGMIN_SHARED ?? resolve(ROOT, '../shared'), 'data');
const MAROS_FOLDERS = ['maros-meszaros', 'maros-meszaros-benchmark'];
/** Seeds per BPQP size. */
const BPQP_SEEDS = 3;
/** Problems up to this many stored entries are solved once before timing (JIT warm-up). */
const WARM_UP_MAX_NNZ = 10_000;

/** One problem of a set, with the file OSQP reads. */
export interface SetProblem {
  name: string;
  group: string;
  file: string;
  problem: AnyQpProblem;
  reference?: number;
}

export interface SetConfig {
  set: SetName;
  eps: number;
  maxIter: number;
  polish: boolean;
  /** Only these problems (by name), when given. */
  only?: string[];
  /** Time budget per problem for repeats, ms. */
  budgetMs: number;
  maxRepeats: number;
  /** Run OSQP when it can be imported ('auto'), or never. */
  osqp: 'auto' | 'off';
}

export interface SetReport {
  set: SetName;
  config: SetConfig;
  host: string;
  osqpVersion?: string;
  summary: SetSummary;
  rows: SetRow[];
}

function marosProblems(): SetProblem[] {
  return MAROS_FOLDERS.flatMap((folder) => {
    const dir = join(DATA, folder);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => {
        const file = join(dir, f);
        const [p] = parseProblemJson(readFileSync(file, 'utf8')).problems;
        const ref = p.meta?.opt_obj_reference;
        return {
          name: f.slice(0, -5),
          group: folder === 'maros-meszaros' ? 'test (12)' : 'benchmark (32)',
          file,
          problem: p,
          ...(typeof ref === 'number' ? { reference: ref } : {}),
        };
      });
  });
}

function bpqpProblems(dir: string): SetProblem[] {
  return TABLE1_SIZES.flatMap((size) =>
    Array.from({ length: BPQP_SEEDS }, (_, k) => {
      const name = `${sizeName(size)}#${k}`;
      const problem = bpqpRandomQp(1000 + k, size.d, size.meq);
      const file = join(dir, `${name.replace('#', '-')}.json`);
      writeFileSync(file, JSON.stringify(problemToJson(problem)));
      return { name, group: sizeName(size), file, problem };
    }),
  );
}

/** The median of some numbers. */
function median(v: number[]): number {
  const sorted = [...v].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/** Our row from our solves (the first is the result; times are medians over all). */
function oursRow(samples: QpResult[]): OursRow {
  const r = samples[0];
  const byTotal = [...samples].sort((a, b) => a.time_ms - b.time_ms)[samples.length >> 1];
  return {
    status: r.status,
    obj: r.obj,
    iter: r.iter,
    setupMs: byTotal.timing?.setup_ms ?? NaN,
    solveMs: byTotal.timing?.solve_ms ?? NaN,
    polishMs: byTotal.timing?.polish_ms ?? NaN,
    totalMs: median(samples.map((x) => x.time_ms)),
    repeats: samples.length,
    ...(r.linsys ? { linsys: r.linsys } : {}),
    polish: r.polish,
    primRes: r.prim_res,
    dualRes: r.dual_res,
    ...(r.message ? { message: r.message } : {}),
  };
}

/** scripts/osqp_bench.py as a child process answering one solve per request line. */
class OsqpProcess {
  private readonly lines: AsyncIterator<string>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /** Starts the helper with the settings; its version, or why OSQP cannot run here. */
  static async start(
    c: SetConfig,
  ): Promise<{ osqp: OsqpProcess; version: string } | { unavailable: string }> {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn('python3', [join(ROOT, 'scripts/osqp_bench.py')]);
    } catch (e) {
      return {
        unavailable: `python3 could not start (${e instanceof Error ? e.message : String(e)})`,
      };
    }
    const started = new Promise<string | null>((resolve) =>
      child.once('error', (e) => resolve(e.message)),
    );
    const proc = new OsqpProcess(child);
    const first = await Promise.race([
      proc.lines.next().then((l) => (l.done ? null : l.value)),
      started,
    ]);
    const head = first ? (JSON.parse(first) as Record<string, unknown>) : null;
    if (!head || !('version' in head)) {
      child.kill();
      return { unavailable: String(head?.unavailable ?? 'python3 did not start the helper') };
    }
    child.stdin.write(
      JSON.stringify({ eps_abs: c.eps, eps_rel: c.eps, max_iter: c.maxIter, polishing: c.polish }) +
        '\n',
    );
    return { osqp: proc, version: String(head.version) };
  }

  /** OSQP's solves of a problem file: at least one, more while `budgetMs` lasts (run_ms each). */
  async solve(
    p: SetProblem,
    budgetMs: number,
    maxRepeats: number,
  ): Promise<Omit<OsqpRow, 'run_ms'> & { run_ms: number[] }> {
    const request = { name: p.name, file: p.file, budget_ms: budgetMs, max_repeats: maxRepeats };
    this.child.stdin.write(JSON.stringify(request) + '\n');
    const l = await this.lines.next();
    if (l.done) throw new Error('the OSQP helper ended');
    return JSON.parse(l.value) as Omit<OsqpRow, 'run_ms'> & { run_ms: number[] };
  }

  close(): void {
    this.child.stdin.end();
  }
}

/**
 * Both engines on one problem, in alternating blocks so that both see the same load (OSQP, ours,
 * OSQP, ours; each block repeats within half the budget, back to back, as each engine would run
 * in a loop). Our first solve of a problem shorter than the budget is a warm-up and is not timed;
 * a longer one is our only sample. Times are medians.
 */
async function measure(
  sp: SetProblem,
  s: Partial<QpSettings>,
  c: SetConfig,
  osqp: OsqpProcess | null,
): Promise<{ ours: OursRow; osqp?: OsqpRow }> {
  const half = c.budgetMs / 2;
  const perBlock = Math.max(1, Math.floor(c.maxRepeats / 2));
  const theirs: number[] = [];
  let o: (Omit<OsqpRow, 'run_ms'> & { run_ms: number[] }) | undefined;
  const osqpBlock = async () => {
    if (!osqp || o?.error) return;
    const block = await osqp.solve(sp, half, perBlock);
    o ??= block;
    if (block.error) o = block;
    else theirs.push(...block.run_ms);
  };
  const ours: QpResult[] = [];
  const oursBlock = () => {
    let spent = 0;
    for (let k = 0; k < perBlock && (k === 0 || spent < half); k++) {
      const r = solveQp(sp.problem, s);
      ours.push(r);
      spent += r.time_ms;
    }
  };
  await osqpBlock();
  const first = solveQp(sp.problem, s);
  if (first.time_ms >= c.budgetMs) ours.push(first);
  else {
    oursBlock();
    await osqpBlock();
    oursBlock();
  }
  const row = oursRow(ours);
  if (!o) return { ours: row };
  return {
    ours: row,
    osqp: o.error
      ? { ...o, run_ms: NaN, repeats: 0 }
      : { ...o, run_ms: median(theirs), repeats: theirs.length },
  };
}

/**
 * OSQP 1.1.3's times from the benchmark folder's README ("Reference times, measured side by side
 * on one 2-core machine"): name → ms.
 */
export function readmeTimes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const para = /Reference times[\s\S]*?(?:\n\n|$)/.exec(text)?.[0] ?? '';
  for (const m of para.matchAll(/\b([A-Z][A-Z0-9_-]+) ([\d.]+) ms/g)) out.set(m[1], Number(m[2]));
  return out;
}

export interface SetProgress {
  row?: SetRow;
  note?: string;
}

/** Runs a set and returns its report; `onProgress` sees each row as it is measured. */
export async function runSet(
  c: SetConfig,
  onProgress: (p: SetProgress) => void,
): Promise<SetReport> {
  const tmp = c.set === 'bpqp' ? mkdtempSync(join(tmpdir(), 'bench-bpqp-')) : null;
  const osqp = c.osqp === 'auto' ? await OsqpProcess.start(c) : { unavailable: 'off (--osqp off)' };
  try {
    let problems = c.set === 'bpqp' ? bpqpProblems(tmp as string) : marosProblems();
    if (c.only) problems = problems.filter((p) => c.only?.includes(p.name));
    let osqpSource: string;
    let readme = new Map<string, number>();
    if ('osqp' in osqp) {
      osqpSource = `OSQP ${osqp.version} (C library via Python's osqp), measured in this run, its solves alternating with ours`;
    } else {
      const path = join(DATA, 'maros-meszaros-benchmark/README.md');
      readme = c.set === 'maros-meszaros' ? readmeTimes(readFileSync(path, 'utf8')) : readme;
      osqpSource =
        `osqp not importable (${osqp.unavailable}); ` +
        (readme.size > 0
          ? `OSQP 1.1.3's reference times from ${path} for ${readme.size} problems, measured on another machine`
          : 'no OSQP times');
      onProgress({ note: osqpSource });
    }
    const s: Partial<QpSettings> = {
      eps_abs: c.eps,
      eps_rel: c.eps,
      max_iter: c.maxIter,
      polish: c.polish,
    };
    // Warm-up: V8 compiles the engine's code paths as they run, and a first problem would pay for
    // all of them; OSQP's C code needs none. Every small problem is solved once, untimed.
    for (const sp of problems)
      if (storedEntries(sp.problem.P) + storedEntries(sp.problem.A) <= WARM_UP_MAX_NNZ)
        solveQp(sp.problem, s);
    const rows: SetRow[] = [];
    for (const sp of problems) {
      const { ours, osqp: o } = await measure(sp, s, c, 'osqp' in osqp ? osqp.osqp : null);
      const reference = sp.reference ?? o?.obj ?? undefined;
      const osqpMs = o && !o.error ? o.run_ms : readme.get(sp.name);
      const { n, m } = sp.problem;
      const row: SetRow = {
        name: sp.name,
        group: sp.group,
        n,
        m,
        nnz: storedEntries(sp.problem.P) + storedEntries(sp.problem.A),
        ...(reference !== undefined ? { reference } : {}),
        ours,
        relErr: relativeError(ours.obj, reference),
        ...(o ? { osqp: o, osqpRelErr: relativeError(o.obj ?? NaN, reference) } : {}),
        ...(osqpMs !== undefined ? { osqpMs, ratio: ours.totalMs / osqpMs } : {}),
      };
      onProgress({ row });
      rows.push(row);
    }
    return {
      set: c.set,
      config: c,
      host: `node ${process.version}`,
      ...('osqp' in osqp ? { osqpVersion: osqp.version } : {}),
      summary: summarize(rows, osqpSource),
      rows,
    };
  } finally {
    if ('osqp' in osqp) osqp.osqp.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** `--set NAME`: a problem set beside OSQP (./bench-set.ts), printed and written. */
export async function setCommand(config: SetConfig, out: string, io: CliIo): Promise<number> {
  let report;
  try {
    report = await runSet(config, ({ row, note }) => {
      if (note) void io.out(`${note}\n`);
      if (row)
        void io.out(
          JSON.stringify({
            name: row.name,
            ...row.ours,
            relErr: row.relErr,
            osqp: row.osqp,
            ratio: row.ratio,
          }) + '\n',
        );
    });
  } catch (e) {
    io.err(`error: ${shortMessage(e)}`);
    return EXIT.failure;
  }
  const title = `${config.set}: eps ${config.eps}, max_iter ${config.maxIter}, polish ${config.polish ? 'on' : 'off'}`;
  const md = setMarkdown(title, report.rows, report.summary);
  await io.out(`\n${md}`);
  mkdirSync(out, { recursive: true });
  const base = `${out}/${config.set}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  writeFileSync(
    `${base}.json`,
    JSON.stringify(report, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2),
  );
  writeFileSync(`${base}.md`, md);
  await io.out(`Reports written to ${base}.json and ${base}.md\n`);
  return EXIT.ok;
}
