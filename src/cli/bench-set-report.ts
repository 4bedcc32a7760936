/**
 * The report of `npm run bench -- --set NAME` (./bench-set.ts): one row per problem, our engine and
 * OSQP side by side, and the summary the issue asks for. Pure: rows in, numbers and markdown out.
 */
import type { LinSysPath, QpStatus } from '../solvers/qp';

/** Our engine on one problem. */
export interface OursRow {
  status: QpStatus;
  obj: number;
  iter: number;
  /** Median over repeats, ms. */
  setupMs: number;
  solveMs: number;
  polishMs: number;
  totalMs: number;
  repeats: number;
  linsys?: LinSysPath;
  polish: string;
  primRes: number;
  dualRes: number;
  message?: string;
}

/** OSQP (the C library through Python's osqp) on one problem, as scripts/osqp_bench.py prints it. */
export interface OsqpRow {
  status: string;
  iter: number;
  obj: number | null;
  setup_ms: number;
  solve_ms: number;
  polish_ms: number;
  /** Median run_time over repeats (setup + solve + polish), ms. */
  run_ms: number;
  repeats: number;
  error?: string;
}

export interface SetRow {
  name: string;
  /** Which folder: the 12 small test problems or the 32 benchmark ones; 'bpqp' for random QPs. */
  group: string;
  n: number;
  m: number;
  nnz: number;
  /** Reference optimal objective (Maros–Meszaros table), or OSQP's objective for random QPs. */
  reference?: number;
  ours: OursRow;
  /** Relative objective error |obj − ref| / max(1, |ref|) (NaN when there is no objective). */
  relErr: number;
  osqp?: OsqpRow;
  osqpRelErr?: number;
  /** OSQP's time for comparison: measured here, or the README's reference time. */
  osqpMs?: number;
  /** ours / OSQP time. */
  ratio?: number;
}

export interface SetSummary {
  problems: number;
  within1e4: number;
  within1e6: number;
  solved: number;
  /** 'solved' with a relative objective error above WRONG_SOLVED_ERR. */
  wrongSolved: string[];
  /** An infeasibility claimed for a problem with a finite reference optimum. */
  falseInfeasible: string[];
  osqp?: { within1e4: number; within1e6: number; solved: number; falseInfeasible: string[] };
  /** Problems OSQP solves (status solved, within 1e-4) that we do not solve within 1e-4. */
  osqpOnly: string[];
  /** Geometric mean of ours / OSQP time, over the rows with an OSQP time. */
  geoMeanRatio?: number;
  /** The same over the rows both solve within 1e-4. */
  geoMeanRatioBothSolved?: number;
  /** Where OSQP's times come from. */
  osqpSource: string;
}

/** A 'solved' claim further than this from the reference objective is counted as wrong. */
export const WRONG_SOLVED_ERR = 1e-3;

export const relativeError = (obj: number, ref: number | undefined): number =>
  ref === undefined || !Number.isFinite(obj)
    ? NaN
    : Math.abs(obj - ref) / Math.max(1, Math.abs(ref));

const INFEASIBLE = ['primal_infeasible', 'dual_infeasible'];
const OSQP_INFEASIBLE = [
  'primal infeasible',
  'primal infeasible inaccurate',
  'dual infeasible',
  'dual infeasible inaccurate',
];

function geoMean(values: number[]): number | undefined {
  const v = values.filter((x) => x > 0 && Number.isFinite(x));
  if (v.length === 0) return undefined;
  return Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
}

export function summarize(rows: SetRow[], osqpSource: string): SetSummary {
  const within = (e: number | undefined, tol: number) => e !== undefined && e <= tol;
  const hasRef = (r: SetRow) => r.reference !== undefined;
  const osqpRows = rows.filter((r) => r.osqp && !r.osqp.error);
  const osqpSolves = (r: SetRow) => r.osqp?.status === 'solved' && within(r.osqpRelErr, 1e-4);
  const oursSolves = (r: SetRow) => r.ours.status === 'solved' && within(r.relErr, 1e-4);
  return {
    problems: rows.length,
    within1e4: rows.filter((r) => within(r.relErr, 1e-4)).length,
    within1e6: rows.filter((r) => within(r.relErr, 1e-6)).length,
    solved: rows.filter((r) => r.ours.status === 'solved').length,
    wrongSolved: rows
      .filter((r) => r.ours.status === 'solved' && hasRef(r) && !(r.relErr <= WRONG_SOLVED_ERR))
      .map((r) => r.name),
    falseInfeasible: rows
      .filter((r) => hasRef(r) && INFEASIBLE.includes(r.ours.status))
      .map((r) => r.name),
    ...(osqpRows.length > 0
      ? {
          osqp: {
            within1e4: osqpRows.filter((r) => within(r.osqpRelErr, 1e-4)).length,
            within1e6: osqpRows.filter((r) => within(r.osqpRelErr, 1e-6)).length,
            solved: osqpRows.filter((r) => r.osqp?.status === 'solved').length,
            falseInfeasible: osqpRows
              .filter((r) => hasRef(r) && OSQP_INFEASIBLE.includes(r.osqp?.status ?? ''))
              .map((r) => r.name),
          },
        }
      : {}),
    osqpOnly: rows.filter((r) => osqpSolves(r) && !oursSolves(r)).map((r) => r.name),
    geoMeanRatio: geoMean(rows.map((r) => r.ratio ?? NaN)),
    geoMeanRatioBothSolved: geoMean(
      rows.filter((r) => osqpSolves(r) && oursSolves(r)).map((r) => r.ratio ?? NaN),
    ),
    osqpSource,
  };
}

const ms = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v)
    ? '–'
    : v < 1
      ? v.toFixed(3)
      : v < 100
        ? v.toFixed(2)
        : v.toFixed(0);
const err = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? '–' : v === 0 ? '0' : v.toExponential(1);

export function setMarkdown(title: string, rows: SetRow[], s: SetSummary): string {
  const lines = [
    `## ${title}`,
    '',
    `- ${s.problems} problems; ours: ${s.solved} 'solved', ${s.within1e4} within 1e-4 and ${s.within1e6} within 1e-6 of the reference objective` +
      (s.osqp
        ? `; OSQP: ${s.osqp.solved} 'solved', ${s.osqp.within1e4} within 1e-4, ${s.osqp.within1e6} within 1e-6`
        : ''),
    `- wrong 'solved' (relative objective error > ${WRONG_SOLVED_ERR}): ${s.wrongSolved.length}${s.wrongSolved.length ? ` (${s.wrongSolved.join(', ')})` : ''}`,
    `- false infeasibility claims: ${s.falseInfeasible.length}${s.falseInfeasible.length ? ` (${s.falseInfeasible.join(', ')})` : ''}` +
      (s.osqp
        ? `; OSQP: ${s.osqp.falseInfeasible.length}${s.osqp.falseInfeasible.length ? ` (${s.osqp.falseInfeasible.join(', ')})` : ''}`
        : ''),
    `- solved within 1e-4 by OSQP but not by us: ${s.osqpOnly.length}${s.osqpOnly.length ? ` (${s.osqpOnly.join(', ')})` : ''}`,
    `- time ours / OSQP, geometric mean: ${s.geoMeanRatio?.toFixed(2) ?? '–'}× over the problems with an OSQP time, ` +
      `${s.geoMeanRatioBothSolved?.toFixed(2) ?? '–'}× over those both solve (OSQP times: ${s.osqpSource})`,
    '',
    '| problem | n | m | nnz | status | rel. err | iter | setup ms | solve ms | polish ms | total ms | linsys | OSQP status | OSQP iter | OSQP rel. err | OSQP ms | ratio |',
    '|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|---|---|--:|--:|--:|--:|',
    ...rows.map((r) => {
      const o = r.ours;
      const q = r.osqp;
      return (
        `| ${r.name} | ${r.n} | ${r.m} | ${r.nnz} | ${o.status} | ${err(r.relErr)} | ${o.iter} | ` +
        `${ms(o.setupMs)} | ${ms(o.solveMs)} | ${ms(o.polishMs)} | ${ms(o.totalMs)} | ${o.linsys ?? '–'} | ` +
        `${q ? (q.error ? 'error' : q.status) : '–'} | ${q?.iter ?? '–'} | ${err(r.osqpRelErr)} | ${ms(r.osqpMs)} | ` +
        `${r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}×`} |`
      );
    }),
    '',
  ];
  return lines.join('\n');
}
