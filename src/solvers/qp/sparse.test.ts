/**
 * The CPU engine's sparse path (CSC data, KKT LDLᵀ under AMD) against independent references: the
 * Maros–Meszaros reference optima, npm quadprog, HiGHS, KKT residuals computed here, and OSQP's own
 * iteration counts (fixtures/osqp-maros.json, from fixtures/osqp-maros.py). Also the automatic
 * choice between the dense and sparse paths, and the setup deadline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { solveQp } from './solve';
import { CpuSolver } from './handle';
import { chooseLinSys, DENSE_MAX_N } from './linsys-path';
import { resolveSettings } from './solve';
import { mul, symMul, tMul, toDenseProblem, toSparseProblem } from './matrix';
import { gaussian, loadMarosSparse, marosMeszarosNames, MM_DIR, rng } from './testutil';
import { loadHighs, solveWithHighs, solveWithQuadprog } from './references';
import type { AnyQpProblem, QpProblem, QpResult, SparseQpProblem } from './types';
import { cscFromTriplets } from '../linalg/sparse/csc';
import { gridLaplacian } from '../linalg/sparse/testutil';

const BENCH_DIR = join(MM_DIR, '../maros-meszaros-benchmark');
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
const TIGHT = { eps_abs: 1e-6, eps_rel: 1e-6, polish: true, max_iter: 20000 };

/** ‖Ax − z‖∞, ‖Px + q + Aᵀy‖∞, and the worst complementarity violation, computed here. */
function kktResiduals(p: AnyQpProblem, r: QpResult) {
  const Ax = mul(p.A, r.x);
  const g = symMul(p.P, r.x);
  const Aty = tMul(p.A, r.y);
  let prim = 0;
  let dual = 0;
  let comp = 0;
  for (let i = 0; i < p.m; i++) {
    prim = Math.max(prim, Math.max(p.l[i] - Ax[i], Ax[i] - p.u[i], 0));
    // y > 0 only at the upper bound, y < 0 only at the lower one.
    if (r.y[i] > 0) comp = Math.max(comp, r.y[i] * Math.abs(p.u[i] - Ax[i]));
    if (r.y[i] < 0) comp = Math.max(comp, -r.y[i] * Math.abs(Ax[i] - p.l[i]));
  }
  for (let j = 0; j < p.n; j++) dual = Math.max(dual, Math.abs(g[j] + p.q[j] + Aty[j]));
  return { prim, dual, comp };
}

/** A sparse strictly convex QP: P = BᵀB + 0.1I with sparse B, box rows and sparse coupling rows. */
function randomSparse(seed: number, n: number, mc: number, density = 0.05): SparseQpProblem {
  const rand = rng(seed);
  const g = gaussian(rand);
  const bI: number[] = [];
  const bJ: number[] = [];
  const bV: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (rand() < density) {
        bI.push(i);
        bJ.push(j);
        bV.push(g());
      }
  // P = BᵀB + 0.1 I, densely (small n), then to CSC.
  const P = new Float64Array(n * n);
  for (let k = 0; k < n; k++) P[k * n + k] = 0.1;
  const rows = new Map<number, [number, number][]>();
  bI.forEach((i, k) => rows.set(i, [...(rows.get(i) ?? []), [bJ[k], bV[k]]]));
  for (const entries of rows.values())
    for (const [a, va] of entries) for (const [b, vb] of entries) P[a * n + b] += va * vb;
  const aI: number[] = [];
  const aJ: number[] = [];
  const aV: number[] = [];
  for (let r = 0; r < mc; r++)
    for (let j = 0; j < n; j++)
      if (rand() < 3 * density) {
        aI.push(r);
        aJ.push(j);
        aV.push(g());
      }
  for (let j = 0; j < n; j++) {
    aI.push(mc + j);
    aJ.push(j);
    aV.push(1);
  }
  const m = mc + n;
  const l = Float64Array.from({ length: m }, (_, i) => (i < mc ? -1 - rand() : -0.5));
  const u = Float64Array.from({ length: m }, (_, i) => (i < mc ? 1 + rand() : 0.5));
  const dense: QpProblem = {
    n,
    m,
    P: { rows: n, cols: n, data: P },
    q: Float64Array.from({ length: n }, () => 2 * g()),
    r: 0,
    A: { rows: m, cols: n, data: new Float64Array(m * n) },
    l,
    u,
  };
  const sp = toSparseProblem(dense);
  return { ...sp, A: cscFromTriplets(m, n, aI, aJ, aV) };
}

describe('the sparse path on the 12 small Maros–Meszaros problems', () => {
  it.each(marosMeszarosNames())('%s: both paths reach the reference objective', (name) => {
    const p = loadMarosSparse(name);
    const sparse = solveQp(p, { ...TIGHT, linsys: 'sparse' });
    const dense = solveQp(p, { ...TIGHT, linsys: 'dense' });
    expect(sparse.linsys).toBe('sparse');
    expect(dense.linsys).toBe('dense');
    for (const r of [sparse, dense]) {
      expect(r.status).toBe('solved');
      expect(relErr(r.obj, p.meta.reference)).toBeLessThan(1e-6);
      const k = kktResiduals(p, r);
      const scale = Math.max(1, ...r.y.map(Math.abs), ...p.q.map(Math.abs));
      expect(k.prim).toBeLessThan(1e-5 * Math.max(1, ...r.z.map(Math.abs)));
      expect(k.dual).toBeLessThan(1e-5 * scale);
    }
  });
});

describe('the sparse path against quadprog and HiGHS', () => {
  it.each([1, 2, 3])(
    'random sparse QP %i: x matches quadprog, the objective HiGHS',
    async (seed) => {
      const p = randomSparse(seed, 60, 25);
      const r = solveQp(p, { ...TIGHT, linsys: 'sparse' });
      expect(r.status).toBe('solved');
      const dense = toDenseProblem(p);
      const qp = solveWithQuadprog(dense);
      expect(Math.max(...r.x.map((v, j) => Math.abs(v - qp.x[j])))).toBeLessThan(1e-6);
      const highs = solveWithHighs(await loadHighs(), dense);
      expect(highs.status).toBe('Optimal');
      expect(relErr(r.obj, highs.obj)).toBeLessThan(1e-7);
    },
  );
});

describe('iteration counts agree with OSQP 1.1.3', () => {
  const osqp = JSON.parse(
    readFileSync(new URL('./fixtures/osqp-maros.json', import.meta.url), 'utf8'),
  ) as { problems: Record<string, { set: string; status: string; iter: number }> };
  // Fast ones (the benchmark has all 44): OSQP's scaling, ρ estimate, 50-iteration ρ interval,
  // duality-gap test and residual normalizations are ours, so the ADMM takes the same path.
  const names = ['HS21', 'HS35', 'QAFIRO', 'CVXQP1_S', 'DUALC1', 'QPCBLEND', 'LOTSCHD', 'QRECIPE'];
  it.each(names)('%s: the same number of iterations, and the same status', (name) => {
    const ref = osqp.problems[name];
    const p = loadMarosSparse(name, ref.set === 'maros-meszaros' ? MM_DIR : BENCH_DIR);
    const r = solveQp(p, { eps_abs: 1e-6, eps_rel: 1e-6, polish: true, max_iter: 4000 });
    expect(r.iter).toBe(ref.iter);
    expect(r.status).toBe(ref.status);
  });

  it('LOTSCHD needs 175 iterations, as the data set README says of OSQP', () => {
    const p = loadMarosSparse('LOTSCHD', BENCH_DIR);
    expect(solveQp(p, { eps_abs: 1e-6, eps_rel: 1e-6 }).iter).toBe(175);
  });
});

describe('honest statuses', () => {
  it('VALUES: P with λmin ≈ −1.3e-5 against λmax ≈ 10.8 is convex to rounding, and solves', () => {
    const p = loadMarosSparse('VALUES', BENCH_DIR);
    const r = solveQp(p, { eps_abs: 1e-6, eps_rel: 1e-6, polish: true });
    expect(r.status).toBe('solved');
    expect(relErr(r.obj, p.meta.reference)).toBeLessThan(1e-6);
  });

  it('a P whose negative eigenvalue is beyond rounding (−1e-3·‖P‖) is non_convex, on both paths', () => {
    // P = diag(1, 1, −1e-3) rotated: λmin = −1e-3 ‖P‖, far below the −1e-5‖P‖∞ of rounding.
    const c = Math.SQRT1_2;
    const lam = [1, 1, -1e-3];
    const Q = [
      [c, c, 0],
      [-c, c, 0],
      [0, 0, 1],
    ];
    const P = Q.map((_, i) =>
      Q.map((_, j) => lam.reduce((s, l, k) => s + l * Q[i][k] * Q[j][k], 0)),
    );
    const dense: QpProblem = {
      n: 3,
      m: 3,
      P: { rows: 3, cols: 3, data: Float64Array.from(P.flat()) },
      q: Float64Array.of(1, 1, 1),
      r: 0,
      A: { rows: 3, cols: 3, data: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) },
      l: Float64Array.of(-1, -1, -1),
      u: Float64Array.of(1, 1, 1),
    };
    for (const p of [dense, toSparseProblem(dense)]) {
      const r = solveQp(p);
      expect(r.status).toBe('non_convex');
      expect(r.message).toMatch(/^P is not positive semidefinite \(smallest eigenvalue -0\.001000/);
    }
  });

  it('a direction of tiny positive curvature is not claimed as unboundedness (PRIMALC1-like)', () => {
    // min ½·1e-5·x₀² − x₀ + ½x₁² s.t. x ≥ 0: x* = (1e5, 0), objective −5e4. ADMM walks towards it
    // along d = (1, 0), where ‖Pd‖ = 1e-5 passes OSQP's eps_dual_inf = 1e-4.
    const p: QpProblem = {
      n: 2,
      m: 2,
      P: { rows: 2, cols: 2, data: Float64Array.of(1e-5, 0, 0, 1) },
      q: Float64Array.of(-1, 0),
      r: 0,
      A: { rows: 2, cols: 2, data: Float64Array.of(1, 0, 0, 1) },
      l: Float64Array.of(0, 0),
      u: Float64Array.of(Infinity, Infinity),
    };
    const r = solveQp(p, { eps_abs: 1e-6, eps_rel: 1e-6, polish: true, max_iter: 20000 });
    expect(r.status).not.toBe('dual_infeasible');
    expect(r.status).toBe('solved');
    expect(relErr(r.obj, -5e4)).toBeLessThan(1e-6);
  });

  it('PRIMALC1 (finite optimum, OSQP: dual infeasible) is not claimed infeasible', () => {
    const p = loadMarosSparse('PRIMALC1', BENCH_DIR);
    const r = solveQp(p, { eps_abs: 1e-6, eps_rel: 1e-6, polish: true, max_iter: 4000 });
    expect(['primal_infeasible', 'dual_infeasible']).not.toContain(r.status);
  });

  it('a refused polish leaves the ADMM point with its own residuals', () => {
    const p = loadMarosSparse('QSCSD1', BENCH_DIR);
    const r = solveQp(p, { eps_abs: 1e-6, eps_rel: 1e-6, polish: true, polish_passes: 1 });
    expect(r.polish).not.toBe('success');
    const k = kktResiduals(p, r);
    expect(
      Math.abs(r.prim_res - Math.max(...mul(p.A, r.x).map((v, i) => Math.abs(v - r.z[i])))),
    ).toBeLessThan(1e-12);
    expect(k.dual).toBeCloseTo(r.dual_res, 12);
  });
});

describe('the automatic choice of linear system', () => {
  const s = resolveSettings({});

  it('takes the dense path for small or dense problems, the sparse one for sparse ones', () => {
    expect(chooseLinSys(loadMarosSparse('HS21'), s).path).toBe('dense');
    expect(chooseLinSys(loadMarosSparse('QAFIRO'), s).path).toBe('sparse');
    expect(chooseLinSys(loadMarosSparse('CVXQP1_S'), s).path).toBe('sparse');
    // BPQP-like: P and A fully dense.
    const rand = gaussian(rng(4));
    const n = 120;
    const dense: QpProblem = {
      n,
      m: 40,
      P: {
        rows: n,
        cols: n,
        data: new Float64Array(n * n).map((_, k) => (k % (n + 1) === 0 ? n : 0.01 * rand())),
      },
      q: new Float64Array(n),
      r: 0,
      A: { rows: 40, cols: n, data: new Float64Array(40 * n).map(rand) },
      l: new Float64Array(40).fill(-1),
      u: new Float64Array(40).fill(1),
    };
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) dense.P.data[i * n + j] = dense.P.data[j * n + i];
    const c = chooseLinSys(dense, s);
    expect(c.path).toBe('dense');
  });

  it('beyond DENSE_MAX_N, or past the memory the dense path needs, it is sparse', () => {
    const n = DENSE_MAX_N + 1;
    const diag = (k: number) => Array.from({ length: k }, (_, j) => j);
    const big: SparseQpProblem = {
      n,
      m: n,
      P: cscFromTriplets(n, n, diag(n), diag(n), new Float64Array(n).fill(1)),
      q: new Float64Array(n),
      r: 0,
      A: cscFromTriplets(n, n, diag(n), diag(n), new Float64Array(n).fill(1)),
      l: new Float64Array(n).fill(-1),
      u: new Float64Array(n).fill(1),
    };
    expect(chooseLinSys(big, s).path).toBe('sparse');
    // A dense P, n = 40, m = 0: the dense path (25 kB of storage) unless the limit on the factors
    // (each at most 16 kB, two of them) leaves too little; its sparse factor takes ~10 kB.
    const k = 40;
    const P = new Float64Array(k * k).map((_, i) => (i % (k + 1) === 0 ? k : 1));
    const densePd: QpProblem = {
      n: k,
      m: 0,
      P: { rows: k, cols: k, data: P },
      q: new Float64Array(k).fill(1),
      r: 0,
      A: { rows: 0, cols: k, data: new Float64Array(0) },
      l: new Float64Array(0),
      u: new Float64Array(0),
    };
    expect(chooseLinSys(densePd, s).path).toBe('dense');
    expect(chooseLinSys(densePd, resolveSettings({ max_factor_bytes: 16_000 })).path).toBe(
      'sparse',
    );
  });

  it('a factor over max_factor_bytes is refused after the symbolic analysis, before allocating', () => {
    const p = loadMarosSparse('CVXQP1_S'); // its LDLᵀ factor takes ~29 kB, its dense path 560 kB
    const r = solveQp(p, { max_factor_bytes: 10_000 });
    expect(r.status).toBe('invalid_input');
    expect(r.message).toMatch(
      /^the problem is too large: the LDLᵀ factor would need .*, over the limit of 9\.8 KiB$/,
    );
    expect(solveQp(p, { max_factor_bytes: 40_000 }).status).toBe('solved');
  });

  it('the result says which path ran, and settings.linsys forces one', () => {
    const p = loadMarosSparse('QAFIRO');
    expect(solveQp(p).linsys).toBe('sparse');
    expect(solveQp(p, { linsys: 'dense' }).linsys).toBe('dense');
    expect(solveQp(toDenseProblem(p)).linsys).toBe('sparse');
  });
});

describe('the setup deadline', () => {
  it('a long sparse factorization (3-D grid) stops at the time limit with no iterate', () => {
    const P = gridLaplacian([24, 24, 24], 1);
    const n = P.cols;
    const p: SparseQpProblem = {
      n,
      m: n,
      P,
      q: Float64Array.from({ length: n }, (_, j) => Math.sin(j)),
      r: 0,
      A: cscFromTriplets(
        n,
        n,
        Array.from({ length: n }, (_, j) => j),
        Array.from({ length: n }, (_, j) => j),
        new Float64Array(n).fill(1),
      ),
      l: new Float64Array(n).fill(-1),
      u: new Float64Array(n).fill(1),
    };
    const r = solveQp(p, { time_limit: 0.05 });
    expect(r.status).toBe('time_limit_reached');
    expect(r.iter).toBe(0);
    expect(r.message).toMatch(/^the time limit ran out during .* \(setup\), before any iterate$/);
  });

  it('on the dense path too (n = 1200: a factorization of ~0.5 s)', () => {
    const n = 1200;
    const rand = gaussian(rng(9));
    const P = new Float64Array(n * n);
    for (let i = 0; i < n; i++) P[i * n + i] = 1;
    const p: QpProblem = {
      n,
      m: n,
      P: { rows: n, cols: n, data: P },
      q: Float64Array.from({ length: n }, rand),
      r: 0,
      A: { rows: n, cols: n, data: Float64Array.from({ length: n * n }, rand) },
      l: new Float64Array(n).fill(-1),
      u: new Float64Array(n).fill(1),
    };
    const r = solveQp(p, { time_limit: 0.02, linsys: 'dense' });
    expect(r.status).toBe('time_limit_reached');
    expect(r.iter).toBe(0);
  });
});

describe('a handle on a sparse structure', () => {
  it('keeps one analysis: solves at a ρ already met factor nothing; updates keep the pattern', () => {
    const p = loadMarosSparse('CVXQP1_S');
    const h = new CpuSolver(p, { eps_abs: 1e-6, eps_rel: 1e-6, linsys: 'sparse' });
    expect(h.linsys).toBe('sparse');
    const [first] = h.solveSync();
    expect(first.status).toBe('solved');
    const after = h.factorizations;
    // The same problem, warm: its last ρ is cached, so nothing is factored again.
    h.solveSync('previous');
    expect(h.factorizations).toBe(after);
    h.update([{ q: p.q.map((v, j) => v + 0.01 * Math.sin(j)) }]);
    const [moved] = h.solveSync('previous');
    expect(moved.status).toBe('solved');
    const ref = solveQp({ ...p, q: p.q.map((v, j) => v + 0.01 * Math.sin(j)) }, TIGHT);
    expect(relErr(moved.obj, ref.obj)).toBeLessThan(1e-4);
  });
});
