import { describe, expect, it } from 'vitest';
import { knownQp, quadprogSolve, type RowRole } from './testing';
import { kktBackward } from './kkt';
import { bpqpBackward } from './bpqp';
import { fdBackward } from './fd';
import { backward } from './index';
import { cosine, flattenGradients as flat, relError } from './vec';
import type { QpGradients } from './types';

/** Random well-conditioned QPs with equality, upper, lower and inactive rows (strict complementarity). */
const CASES: { name: string; n: number; roles: RowRole[]; seeds: number[] }[] = [
  {
    name: 'mixed',
    n: 6,
    roles: ['equality', 'upper', 'upper', 'lower', 'inactive', 'inactive', 'inactive'],
    seeds: [1, 2, 3],
  },
  {
    name: 'two equalities',
    n: 5,
    roles: ['equality', 'equality', 'lower', 'inactive', 'inactive'],
    seeds: [4, 5],
  },
  {
    name: 'inequalities only',
    n: 7,
    roles: ['upper', 'lower', 'lower', 'upper', 'inactive', 'inactive', 'inactive', 'inactive'],
    seeds: [6],
  },
];

const quadprogX = (p: Parameters<typeof quadprogSolve>[0]): Float64Array => quadprogSolve(p).x;
const lossGrad = (n: number, seed: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(3 * i + seed) + 0.3);

function expectBlocksClose(a: QpGradients, b: QpGradients, tol: number): void {
  for (const k of ['dq', 'dl', 'du'] as const)
    expect(relError(a[k], b[k], 1e-8), k).toBeLessThan(tol);
  expect(relError(a.dP.data, b.dP.data, 1e-8), 'dP').toBeLessThan(tol);
  expect(relError(a.dA.data, b.dA.data, 1e-8), 'dA').toBeLessThan(tol);
}

describe('known-solution fixtures', () => {
  it('quadprog recovers the constructed x* and the inequality multipliers (validates generator and reference)', () => {
    for (const c of CASES) {
      for (const seed of c.seeds) {
        const { problem, result } = knownQp(seed, { n: c.n, roles: c.roles });
        const ref = quadprogSolve(problem);
        expect(relError(ref.x, result.x)).toBeLessThan(1e-10);
        c.roles.forEach((r, i) => {
          if (r !== 'equality') expect(ref.y[i]).toBeCloseTo(result.y[i], 9);
        });
      }
    }
  });
});

describe.each(CASES)(
  'exact KKT and BPQP vs central finite differences: $name',
  ({ n, roles, seeds }) => {
    it.each(seeds)('seed %i', (seed) => {
      const { problem, result } = knownQp(seed, { n, roles });
      const g = lossGrad(n, seed);
      const fd = fdBackward(problem, result, g, { solve: quadprogX });
      const kkt = kktBackward(problem, result, g);
      const bpqp = bpqpBackward(problem, result, g);
      const bpqpAdmmOnly = bpqpBackward(problem, result, g, { refineIter: 0 });
      expect(cosine(flat(kkt), flat(fd))).toBeGreaterThanOrEqual(0.999);
      expect(cosine(flat(bpqp), flat(fd))).toBeGreaterThanOrEqual(0.999);
      expect(cosine(flat(bpqpAdmmOnly), flat(fd))).toBeGreaterThanOrEqual(0.999);
      // Much tighter than the cosine bound: x* is piecewise affine in (q, l, u), so FD is exact there.
      expectBlocksClose(kkt, fd, 1e-6);
      expectBlocksClose(bpqp, kkt, 1e-10);
      expectBlocksClose(bpqpAdmmOnly, kkt, 1e-4);
      // dP is symmetric; inactive rows get no gradient.
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) expect(kkt.dP.data[i * n + j]).toBe(kkt.dP.data[j * n + i]);
      roles.forEach((r, i) => {
        if (r !== 'inactive') return;
        expect(kkt.dl[i]).toBe(0);
        expect(kkt.du[i]).toBe(0);
        expect(Array.from(kkt.dA.data.subarray(i * n, (i + 1) * n)).every((v) => v === 0)).toBe(
          true,
        );
      });
    });
  },
);

describe('conventions', () => {
  it('equality rows: dl + du matches FD of moving both bounds; all of it sits on the multiplier side', () => {
    const { problem, result } = knownQp(11, {
      n: 5,
      roles: ['equality', 'equality', 'equality', 'upper', 'inactive'],
    });
    const g = lossGrad(5, 11);
    const kkt = kktBackward(problem, result, g);
    const fd = fdBackward(problem, result, g, { solve: quadprogX });
    for (let i = 0; i < 3; i++) {
      expect(kkt.dl[i] + kkt.du[i]).toBeCloseTo(fd.dl[i] + fd.du[i], 7);
      if (result.y[i] > 0) expect(kkt.dl[i]).toBe(0);
      else expect(kkt.du[i]).toBe(0);
    }
  });

  it('dA uses OSQP signs: upper rows (y > 0) and lower rows (y < 0) both match FD entrywise', () => {
    const { problem, result } = knownQp(12, { n: 4, roles: ['upper', 'lower', 'inactive'] });
    expect(result.y[0]).toBeGreaterThan(0);
    expect(result.y[1]).toBeLessThan(0);
    const g = lossGrad(4, 12);
    const kkt = kktBackward(problem, result, g);
    const fd = fdBackward(problem, result, g, { solve: quadprogX });
    for (let k = 0; k < 8; k++) expect(kkt.dA.data[k]).toBeCloseTo(fd.dA.data[k], 7);
  });

  it('our ADMM engine as the FD forward solver agrees with the quadprog-based FD', () => {
    const { problem, result } = knownQp(13, {
      n: 4,
      roles: ['equality', 'upper', 'lower', 'inactive', 'inactive'],
    });
    const g = lossGrad(4, 13);
    const viaEngine = backward(problem, result, g, 'fd');
    const viaQuadprog = fdBackward(problem, result, g, { solve: quadprogX });
    expectBlocksClose(viaEngine, viaQuadprog, 1e-5);
  });
});

describe('weakly active rows (binding, zero multiplier)', () => {
  const { problem, result } = knownQp(21, {
    n: 4,
    roles: ['upper', 'weak', 'inactive', 'inactive'],
  });
  const g = lossGrad(4, 21);
  const binding = kktBackward(problem, result, g); // result.active marks row 1 'upper'
  const free = kktBackward(problem, result, g, {
    active: ['upper', 'inactive', 'inactive', 'inactive'],
  });

  it('the two branches differ, and BPQP follows the active set it is given, like KKT', () => {
    expect(relError(flat(binding), flat(free))).toBeGreaterThan(1e-3);
    expectBlocksClose(bpqpBackward(problem, result, g), binding, 1e-10);
    expectBlocksClose(
      bpqpBackward(problem, result, g, { active: ['upper', 'inactive', 'inactive', 'inactive'] }),
      free,
      1e-10,
    );
  });

  it('smoothed-qp leaves the weak row out of its aggregate: with one other binding row that is the free branch', () => {
    const smoothed = backward(problem, result, g, 'smoothed-qp');
    expect(relError(smoothed.dq, free.dq)).toBeLessThan(1e-10);
    expect(smoothed.du[1]).toBe(0);
  });

  it('central FD returns the average of the two branches', () => {
    const fd = fdBackward(problem, result, g, { solve: quadprogX });
    const avg = flat(binding).map((v, k) => (v + flat(free)[k]) / 2);
    expect(relError(flat(fd), avg)).toBeLessThan(1e-6);
  });

  it('LPGD lower and upper pick one branch each (one-sided derivatives along ±g); average is their mean', () => {
    const opts = { tau: 1e-6 };
    const lo = flat(backward(problem, result, g, 'lpgd-lower', opts));
    const up = flat(backward(problem, result, g, 'lpgd-upper', opts));
    const b = flat(binding);
    const f = flat(free);
    const [near, far] = relError(lo, b) < relError(lo, f) ? [b, f] : [f, b];
    expect(relError(lo, near)).toBeLessThan(1e-4);
    expect(relError(up, far)).toBeLessThan(1e-4);
    const avg = flat(backward(problem, result, g, 'lpgd', opts));
    expect(
      relError(
        avg,
        b.map((v, k) => (v + f[k]) / 2),
      ),
    ).toBeLessThan(1e-4);
  });
});

describe('bad input gives a clear error', () => {
  const { problem, result } = knownQp(31, { n: 3, roles: ['upper', 'inactive'] });
  it('rejects an unsolved forward result, a wrong-length gradient, a bad active label, and an unknown method', () => {
    expect(() =>
      kktBackward(problem, { ...result, status: 'primal_infeasible' }, [1, 2, 3]),
    ).toThrow(/status 'primal_infeasible'/);
    expect(() => kktBackward(problem, result, [1, 2])).toThrow(
      /dl_dx has length 2, expected n = 3/,
    );
    expect(() => kktBackward(problem, result, [1, NaN, 3])).toThrow(/dl_dx\[1\] is NaN/);
    const open = {
      ...problem,
      u: Float64Array.from([Infinity, problem.u[1]]),
      l: Float64Array.from([problem.u[0] - 1, problem.l[1]]),
    };
    expect(() => kktBackward(open, result, [1, 2, 3])).toThrow(
      /row 0 is marked 'upper' but that bound is infinite/,
    );
    expect(() => backward(problem, result, [1, 2, 3], 'magic' as never)).toThrow(
      /unknown gradient method 'magic'/,
    );
  });
});
