/**
 * Test fixtures for the gradient tests (not used by production code).
 *
 * `knownQp` builds a QP whose solution is known exactly: pick x*, a role per row and multipliers
 * first, then set the bounds and q = −Px* − Aᵀy* so that the KKT conditions hold. Margins and
 * multipliers are ≥ 0.5, so small perturbations never change the active set (strict complementarity),
 * except on the 'weak' rows, which bind with a zero multiplier.
 *
 * `quadprogSolve` is the independent reference forward solver (Goldfarb–Idnani dual active set,
 * npm `quadprog`), used to take finite differences without our own ADMM engine.
 */
import { createRequire } from 'node:module';
import type { ActiveKind, QpProblem, QpResult } from '../qp/types';
import { matTVec, matVec, zeros } from '../linalg/dense';
import { Rng } from './rng';
import { exactResultOf } from './result';

export type RowRole = 'equality' | 'upper' | 'lower' | 'inactive' | 'weak';

export interface KnownQpSpec {
  n: number;
  roles: RowRole[];
  /** Smallest eigenvalue shift of P = BᵀB/n + μI (default 0.5). */
  mu?: number;
}

export interface KnownQp {
  problem: QpProblem;
  result: QpResult;
}

function between(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}

export function knownQp(seed: number, spec: KnownQpSpec): KnownQp {
  const rng = new Rng(seed);
  const { n, roles } = spec;
  const m = roles.length;
  const B = zeros(n, n);
  for (let k = 0; k < n * n; k++) B.data[k] = rng.normal();
  const P = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += B.data[k * n + i] * B.data[k * n + j];
      P.data[i * n + j] = s / n + (i === j ? (spec.mu ?? 0.5) : 0);
    }
  }
  const A = zeros(m, n);
  for (let k = 0; k < m * n; k++) A.data[k] = rng.normal();
  const x = rng.normals(n);
  const z = matVec(A, x);
  const y = new Float64Array(m);
  const l = new Float64Array(m);
  const u = new Float64Array(m);
  const active: ActiveKind[] = [];
  roles.forEach((role, i) => {
    const open = rng.uniform() < 0.3; // sometimes leave the far bound infinite
    switch (role) {
      case 'equality':
        l[i] = u[i] = z[i];
        y[i] = (rng.uniform() < 0.5 ? -1 : 1) * between(rng, 0.5, 2);
        active.push('equality');
        break;
      case 'upper':
      case 'weak':
        u[i] = z[i];
        l[i] = open ? -Infinity : z[i] - between(rng, 0.5, 2);
        y[i] = role === 'weak' ? 0 : between(rng, 0.5, 2);
        active.push('upper');
        break;
      case 'lower':
        l[i] = z[i];
        u[i] = open ? Infinity : z[i] + between(rng, 0.5, 2);
        y[i] = -between(rng, 0.5, 2);
        active.push('lower');
        break;
      case 'inactive':
        l[i] = open ? -Infinity : z[i] - between(rng, 0.5, 2);
        u[i] = z[i] + between(rng, 0.5, 2);
        active.push('inactive');
        break;
    }
  });
  const q = matVec(P, x).map((v) => -v);
  const Aty = matTVec(A, y);
  for (let j = 0; j < n; j++) q[j] -= Aty[j];
  const problem: QpProblem = { n, m, P, q, r: 0, A, l, u };
  let obj = 0;
  const Px = matVec(P, x);
  for (let j = 0; j < n; j++) obj += 0.5 * x[j] * Px[j] + q[j] * x[j];
  return { problem, result: exactResultOf(problem, x, y, active, obj) };
}

type QuadprogFn = (
  Dmat: number[][],
  dvec: number[],
  Amat: number[][],
  bvec: number[],
  meq: number,
) => { solution: number[]; Lagrangian: number[]; message: string };

const quadprog = createRequire(import.meta.url)('quadprog') as { solveQP: QuadprogFn };

/**
 * x* and y* (OSQP sign) of a strictly convex QP by quadprog. quadprog solves
 * min ½bᵀDb − dᵀb s.t. Aᵀb ≥ b0 (1-indexed, equalities first), multipliers λ ≥ 0 with
 * Db − d − Aλ = 0; a row aᵀx ≥ l thus has y = −λ and a row −aᵀx ≥ −u has y = +λ.
 * Equality rows get y = NaN (quadprog reports only |λ| for them). Only x serves as a reference.
 */
export function quadprogSolve(problem: QpProblem): { x: Float64Array; y: Float64Array } {
  const { n, m, P, q, A, l, u } = problem;
  const D: number[][] = [[]];
  for (let i = 0; i < n; i++) D.push([0, ...Array.from(P.data.subarray(i * n, (i + 1) * n))]);
  const d = [0, ...Array.from(q, (v) => -v)];
  const cons: { row: number; sign: number; b: number }[] = [];
  for (let i = 0; i < m; i++) if (l[i] === u[i]) cons.push({ row: i, sign: 1, b: l[i] });
  const meq = cons.length;
  for (let i = 0; i < m; i++) {
    if (l[i] === u[i]) continue;
    if (Number.isFinite(l[i])) cons.push({ row: i, sign: 1, b: l[i] });
    if (Number.isFinite(u[i])) cons.push({ row: i, sign: -1, b: -u[i] });
  }
  // quadprog needs at least one constraint: add the vacuous 0ᵀx ≥ −1.
  if (cons.length === 0) cons.push({ row: -1, sign: 1, b: -1 });
  const Amat: number[][] = [[]];
  for (let j = 0; j < n; j++)
    Amat.push([0, ...cons.map((c) => (c.row < 0 ? 0 : c.sign * A.data[c.row * n + j]))]);
  const bvec = [0, ...cons.map((c) => c.b)];
  const res = quadprog.solveQP(D, d, Amat, bvec, meq);
  if (res.message) throw new Error(`quadprog: ${res.message}`);
  const x = Float64Array.from(res.solution.slice(1));
  const y = new Float64Array(m);
  cons.forEach((c, k) => {
    // quadprog flips equality rows internally and reports |λ| for them: their sign is lost.
    if (c.row >= 0) y[c.row] += k < meq ? NaN : -c.sign * (res.Lagrangian[k + 1] ?? 0);
  });
  return { x, y };
}
