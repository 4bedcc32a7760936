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
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { solveQp, type AnyQpProblem, type QpResult, type QpSettings } from '../solvers/qp';
import { storedEntries } from '../solvers/qp/matrix';
import { parseProblemJson, problemToJson } from '../solvers/io';
import { bpqpRandomQp } from '../gpu/random-qp';
import { TABLE1_SIZES, sizeName } from '../gpu/benchmark/types';
import {
  relativeError,
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

/**
 * Our engine on one problem: the first solve's result, the median time over repeats. A first solve
 * shorter than the budget is a warm-up (V8 compiles the code paths it meets) and is not timed, as
 * OSQP's C code needs none; a longer one is the only sample.
 */
function runOurs(p: AnyQpProblem, s: Partial<QpSettings>, c: SetConfig): OursRow {
  const first = solveQp(p, s);
  const samples: QpResult[] = first.time_ms >= c.budgetMs ? [first] : [];
  let spent = 0;
  while (samples.length < c.maxRepeats && (samples.length === 0 || spent < c.budgetMs)) {
    const r = solveQp(p, s);
    samples.push(r);
    spent += r.time_ms;
  }
  const r = first;
  const median = (f: (r: QpResult) => number) => {
    const v = samples.map(f).sort((a, b) => a - b);
    return v[v.length >> 1];
  };
  const byTotal = [...samples].sort((a, b) => a.time_ms - b.time_ms)[samples.length >> 1];
  return {
    status: r.status,
    obj: r.obj,
    iter: r.iter,
    setupMs: byTotal.timing?.setup_ms ?? NaN,
    solveMs: byTotal.timing?.solve_ms ?? NaN,
    polishMs: byTotal.timing?.polish_ms ?? NaN,
    totalMs: median((x) => x.time_ms),
    repeats: samples.length,
    ...(r.linsys ? { linsys: r.linsys } : {}),
    polish: r.polish,
    primRes: r.prim_res,
    dualRes: r.dual_res,
    ...(r.message ? { message: r.message } : {}),
  };
}

/** OSQP on every problem in one Python process; or why it cannot run. */
function runOsqp(
  problems: SetProblem[],
  c: SetConfig,
): { rows: Map<string, OsqpRow>; version: string } | { unavailable: string } {
  const job = {
    settings: { eps_abs: c.eps, eps_rel: c.eps, max_iter: c.maxIter, polishing: c.polish },
    budget_ms: c.budgetMs,
    max_repeats: c.maxRepeats,
    problems: problems.map(({ name, file }) => ({ name, file })),
  };
  const r = spawnSync('python3', [join(ROOT, 'scripts/osqp_bench.py')], {
    input: JSON.stringify(job),
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.error) return { unavailable: `python3 could not run (${r.error.message})` };
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const head = lines[0];
  if (!head || 'unavailable' in head)
    return { unavailable: String(head?.unavailable ?? (r.stderr.trim() || 'no output')) };
  const rows = new Map<string, OsqpRow>();
  for (const l of lines.slice(1)) rows.set(String(l.name), l as unknown as OsqpRow);
  return { rows, version: String(head.version) };
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
export function runSet(c: SetConfig, onProgress: (p: SetProgress) => void): SetReport {
  const tmp = c.set === 'bpqp' ? mkdtempSync(join(tmpdir(), 'bench-bpqp-')) : null;
  try {
    let problems = c.set === 'bpqp' ? bpqpProblems(tmp as string) : marosProblems();
    if (c.only) problems = problems.filter((p) => c.only?.includes(p.name));
    const osqp = c.osqp === 'auto' ? runOsqp(problems, c) : { unavailable: 'off (--osqp off)' };
    let osqpSource: string;
    let readme = new Map<string, number>();
    if ('rows' in osqp) {
      osqpSource = `OSQP ${osqp.version} (C library via Python's osqp), measured in this run`;
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
    const rows = problems.map((sp): SetRow => {
      const o = 'rows' in osqp ? osqp.rows.get(sp.name) : undefined;
      const reference = sp.reference ?? o?.obj ?? undefined;
      const ours = runOurs(sp.problem, s, c);
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
      return row;
    });
    return {
      set: c.set,
      config: c,
      host: `node ${process.version}`,
      ...('rows' in osqp ? { osqpVersion: osqp.version } : {}),
      summary: summarize(rows, osqpSource),
      rows,
    };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
