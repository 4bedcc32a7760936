import { describe, expect, it } from 'vitest';
import type { QpProblem } from '../qp/types';
import { knownQp, quadprogSolve } from './testing';
import { jvp, matrixJacobian, solutionJacobian, type DataDirection } from './jacobian';
import { kktBackward } from './kkt';
import { Rng } from './rng';
import { relError } from './vec';

const { problem, result } = knownQp(41, {
  n: 5,
  roles: ['equality', 'upper', 'lower', 'inactive', 'inactive', 'upper'],
});
const { n, m } = problem;

/** A random direction; equality rows move both bounds together (the only feasible way to move them). */
function direction(seed: number): Required<DataDirection> {
  const rng = new Rng(seed);
  const dl = rng.normals(m);
  const du = rng.normals(m);
  for (let i = 0; i < m; i++) if (problem.l[i] === problem.u[i]) du[i] = dl[i];
  const dP = { rows: n, cols: n, data: rng.normals(n * n) };
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) dP.data[i * n + j] = dP.data[j * n + i];
  return { dq: rng.normals(n), dl, du, dP, dA: { rows: m, cols: n, data: rng.normals(m * n) } };
}

function moved(d: Required<DataDirection>, t: number): QpProblem {
  const add = (a: Float64Array, b: Float64Array) => a.map((v, k) => v + t * b[k]);
  return {
    ...problem,
    q: add(problem.q, d.dq),
    l: add(problem.l, d.dl),
    u: add(problem.u, d.du),
    P: { ...problem.P, data: add(problem.P.data, d.dP.data) },
    A: { ...problem.A, data: add(problem.A.data, d.dA.data) },
  };
}

describe('forward mode: JVP vs Jacobian vs finite differences', () => {
  it.each([1, 2, 3])('direction %i', (seed) => {
    const d = direction(seed);
    const h = 1e-6;
    const xp = quadprogSolve(moved(d, h)).x;
    const xm = quadprogSolve(moved(d, -h)).x;
    const fd = xp.map((v, k) => (v - xm[k]) / (2 * h));
    const { dx } = jvp(problem, result, d);
    expect(relError(dx, fd)).toBeLessThan(1e-6);

    // Jacobian times the (q, l, u) part equals the JVP of that part alone.
    const J = solutionJacobian(problem, result);
    const qlu: DataDirection = { dq: d.dq, dl: d.dl, du: d.du };
    const viaJ = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < n; j++) viaJ[r] += J.dq.data[r * n + j] * d.dq[j];
      for (let i = 0; i < m; i++)
        viaJ[r] += J.dl.data[r * m + i] * d.dl[i] + J.du.data[r * m + i] * d.du[i];
    }
    expect(relError(viaJ, jvp(problem, result, qlu).dx)).toBeLessThan(1e-12);
  });

  it('∂x*/∂P and ∂x*/∂A column by column against central differences of quadprog solves', () => {
    const J = matrixJacobian(problem, result);
    expect([J.dP.rows, J.dP.cols, J.dA.rows, J.dA.cols]).toEqual([n, (n * (n + 1)) / 2, n, m * n]);
    // Not vacuous: the matrices move x* (inactive rows' columns of dA are zero, the rest are not).
    expect(Math.max(...J.dP.data.map(Math.abs))).toBeGreaterThan(1e-2);
    expect(Math.max(...J.dA.data.map(Math.abs))).toBeGreaterThan(1e-2);
    const h = 1e-6;
    const zeroP = { rows: n, cols: n, data: new Float64Array(n * n) };
    const zeroA = { rows: m, cols: n, data: new Float64Array(m * n) };
    const none = { dq: new Float64Array(n), dl: new Float64Array(m), du: new Float64Array(m) };
    const fdColumn = (d: Required<DataDirection>) => {
      const xp = quadprogSolve(moved(d, h)).x;
      const xm = quadprogSolve(moved(d, -h)).x;
      return xp.map((v, k) => (v - xm[k]) / (2 * h));
    };
    // Symmetric P directions (i ≤ j), in the documented column order.
    let col = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++, col++) {
        const dP = { ...zeroP, data: new Float64Array(n * n) };
        dP.data[i * n + j] = 1;
        dP.data[j * n + i] = 1;
        const fd = fdColumn({ ...none, dP, dA: zeroA });
        const jc = Float64Array.from({ length: n }, (_, r) => J.dP.data[r * J.dP.cols + col]);
        for (let r = 0; r < n; r++) expect(Math.abs(jc[r] - fd[r])).toBeLessThan(1e-5);
      }
    }
    for (let k = 0; k < m * n; k++) {
      const dA = { ...zeroA, data: new Float64Array(m * n) };
      dA.data[k] = 1;
      const fd = fdColumn({ ...none, dP: zeroP, dA });
      for (let r = 0; r < n; r++)
        expect(Math.abs(J.dA.data[r * J.dA.cols + k] - fd[r])).toBeLessThan(1e-5);
    }
  });

  it('adjoint identity: gᵀ(JVP along d) = ⟨backward gradients, d⟩ for every block', () => {
    const g = new Rng(7).normals(n);
    const grads = kktBackward(problem, result, g);
    for (const seed of [4, 5]) {
      const d = direction(seed);
      const { dx } = jvp(problem, result, d);
      let lhs = 0;
      for (let j = 0; j < n; j++) lhs += g[j] * dx[j];
      let rhs = 0;
      const acc = (a: Float64Array, b: Float64Array) => a.forEach((v, k) => (rhs += v * b[k]));
      acc(grads.dq, d.dq);
      acc(grads.dl, d.dl);
      acc(grads.du, d.du);
      acc(grads.dP.data, d.dP.data);
      acc(grads.dA.data, d.dA.data);
      expect(lhs).toBeCloseTo(rhs, 10);
    }
  });

  it('∂x*/∂q is symmetric negative semidefinite (−Z(ZᵀPZ)⁻¹Zᵀ) and inactive rows have zero columns', () => {
    const J = solutionJacobian(problem, result);
    for (let i = 0; i < n; i++) {
      expect(J.dq.data[i * n + i]).toBeLessThanOrEqual(1e-14);
      for (let j = 0; j < n; j++)
        expect(J.dq.data[i * n + j]).toBeCloseTo(J.dq.data[j * n + i], 12);
    }
    for (const i of [3, 4])
      for (let r = 0; r < n; r++) expect(J.dl.data[r * m + i] + J.du.data[r * m + i]).toBe(0);
  });
});
