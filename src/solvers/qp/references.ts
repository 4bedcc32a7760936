/**
 * Independent reference solvers for tests (Node only): npm `quadprog` (Goldfarb–Idnani dual active
 * set, strictly convex QPs) and npm `highs` (HiGHS, QP via CPLEX LP-format text).
 */
import { createRequire } from 'node:module';
import type { QpProblem } from './types';

interface QuadprogResult {
  solution?: number[];
  Lagrangian?: number[];
  value?: number;
  message: string;
}
type SolveQP = (
  D: number[][],
  d: number[],
  A: number[][],
  b: number[],
  meq: number,
) => QuadprogResult;

const require = createRequire(import.meta.url);
const quadprog = require('quadprog') as { solveQP: SolveQP };

/**
 * Solves with quadprog: min −dᵀx + ½xᵀDx s.t. Cᵀx ≥ b (first meq equalities), 1-indexed arrays.
 * Returns x and the objective ½xᵀPx + qᵀx + r, or throws with quadprog's message.
 */
export function solveWithQuadprog(p: QpProblem): { x: Float64Array } {
  const { n, m } = p;
  const D: number[][] = [[]];
  for (let i = 0; i < n; i++) D.push([0, ...Array.from(p.P.data.subarray(i * n, (i + 1) * n))]);
  const d = [0, ...Array.from(p.q, (v) => -v)];
  const cols: { a: number[]; b: number }[] = [];
  const eqs: { a: number[]; b: number }[] = [];
  for (let i = 0; i < m; i++) {
    const a = Array.from(p.A.data.subarray(i * n, (i + 1) * n));
    if (p.l[i] === p.u[i]) eqs.push({ a, b: p.l[i] });
    else {
      if (p.l[i] > -Infinity) cols.push({ a, b: p.l[i] });
      if (p.u[i] < Infinity) cols.push({ a: a.map((v) => -v), b: -p.u[i] });
    }
  }
  const all = [...eqs, ...cols];
  const C: number[][] = [[]];
  for (let i = 0; i < n; i++) C.push([0, ...all.map((c) => c.a[i])]);
  const b = [0, ...all.map((c) => c.b)];
  const r = quadprog.solveQP(D, d, C, b, eqs.length);
  if (r.message || !r.solution) throw new Error(`quadprog: ${r.message}`);
  return { x: Float64Array.from(r.solution.slice(1)) };
}

interface HighsSolution {
  Status: string;
  ObjectiveValue: number;
  Columns: Record<string, { Primal: number }>;
  Rows: { Name: string; Primal: number; Dual: number }[];
}
export interface Highs {
  solve(lp: string, options?: Record<string, unknown>): HighsSolution;
}

export async function loadHighs(): Promise<Highs> {
  const mod = (await import('highs')) as unknown as { default: () => Promise<Highs> };
  return mod.default();
}

const num = (v: number): string => (Object.is(v, -0) ? '0' : v.toPrecision(17));

/** The QP as CPLEX LP text: rows split into `>=` / `<=` / `=` constraints, variables free. */
export function toLpFormat(p: QpProblem): string {
  const { n, m } = p;
  const terms = (coef: (j: number) => number) => {
    const out: string[] = [];
    for (let j = 0; j < n; j++) {
      const c = coef(j);
      if (c !== 0) out.push(`${c < 0 ? '-' : '+'} ${num(Math.abs(c))} x${j}`);
    }
    return out.length ? out.join(' ') : '0 x0';
  };
  const quad: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const c = (i === j ? 1 : 2) * p.P.data[i * n + j];
      if (c === 0) continue;
      const sign = c < 0 ? '-' : '+';
      quad.push(
        i === j
          ? `${sign} ${num(Math.abs(c))} x${i}^2`
          : `${sign} ${num(Math.abs(c))} x${i} * x${j}`,
      );
    }
  }
  const lines = [
    'Minimize',
    ` obj: ${terms((j) => p.q[j])}${quad.length ? ` + [ ${quad.join(' ')} ] / 2` : ''}`,
    'Subject To',
  ];
  for (let i = 0; i < m; i++) {
    const row = terms((j) => p.A.data[i * n + j]);
    if (p.l[i] === p.u[i]) lines.push(` e${i}: ${row} = ${num(p.l[i])}`);
    else {
      if (p.l[i] > -Infinity) lines.push(` l${i}: ${row} >= ${num(p.l[i])}`);
      if (p.u[i] < Infinity) lines.push(` u${i}: ${row} <= ${num(p.u[i])}`);
    }
  }
  lines.push('Bounds', ...Array.from({ length: n }, (_, j) => ` x${j} free`), 'End');
  return lines.join('\n');
}

/**
 * Solves with HiGHS. Returns x and y in OSQP's sign convention (Px + q + Aᵀy = 0): HiGHS reports
 * duals with ∇f = Aᵀλ, so y = −λ, summed over the one or two LP rows of each of our rows.
 */
export function solveWithHighs(
  highs: Highs,
  p: QpProblem,
): { status: string; x: Float64Array; y: Float64Array; obj: number } {
  const sol = highs.solve(toLpFormat(p), { output_flag: false });
  const x = new Float64Array(p.n);
  const y = new Float64Array(p.m);
  if (sol.Status === 'Optimal') {
    for (let j = 0; j < p.n; j++) x[j] = sol.Columns[`x${j}`]?.Primal ?? 0;
    for (const row of sol.Rows) {
      const i = Number(row.Name.slice(1));
      if (Number.isInteger(i)) y[i] -= row.Dual;
    }
  }
  return { status: sol.Status, x, y, obj: sol.ObjectiveValue + p.r };
}
