/**
 * One spec table run against every QP engine: the CPU engine (Float64), the WebGPU engine (f32,
 * real Dawn + SwiftShader here, never a mock) with its default x̃ solver (direct LDLᵀ at these
 * sizes) and with the indirect one forced (PCG, 'gpu-indirect'). Expected values come from closed
 * forms or from npm `quadprog` (an independent active-set solver). Tolerances are per engine: the
 * CPU engine is held to 1e-4, both GPU variants to 2e-3 (f32 ADMM, absolute on O(1) solutions;
 * PCG solves x̃ only to a tolerance tied to the ADMM residuals, and the termination test is the
 * same, so the same bound holds).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type {
  QpBatch,
  QpEngine,
  QpProblem,
  QpResult,
  QpSettings,
  WarmStart,
} from '../solvers/qp/types';
import { makeProblem } from '../solvers/qp';
import { CpuEngine } from '../solvers/cpu-engine';
import { solveWithQuadprog } from '../solvers/qp/references';
import { bpqpRandomQp } from './random-qp';
import { createNodeGpuEngine } from './node';
import { GpuEngine } from './engine';

let gpu: Awaited<ReturnType<typeof createNodeGpuEngine>> | null = null;
try {
  gpu = await createNodeGpuEngine();
} catch (e) {
  console.error(
    `\n!!!!!!!! NO WEBGPU ADAPTER: GPU engine cases are SKIPPED (${(e as Error).message}) !!!!!!!!\n`,
  );
}
afterAll(() => gpu?.dispose());

interface EngineUnderTest {
  name: string;
  engine: () => QpEngine;
  /** Max abs error allowed on x (and y where checked) against the reference. */
  tol: number;
  /** eps_abs = eps_rel for the accuracy cases: what the engine's precision can reach. */
  eps: number;
  /** Only per-problem batches differ from 'gpu' here: shared batches never use the x̃ solver choice. */
  perProblemOnly?: boolean;
}

const gpuIndirect = gpu ? new GpuEngine(gpu.ctx, { linsys: 'indirect' }) : null;

const ENGINES: EngineUnderTest[] = [
  { name: 'cpu', engine: () => new CpuEngine(), tol: 1e-4, eps: 1e-6 },
  ...(gpu ? [{ name: 'gpu', engine: () => gpu as QpEngine, tol: 2e-3, eps: 1e-4 }] : []),
  ...(gpuIndirect
    ? [
        {
          name: 'gpu-indirect',
          engine: () => gpuIndirect,
          tol: 2e-3,
          eps: 1e-4,
          perProblemOnly: true,
        },
      ]
    : []),
];

/** Marker: the case runs with the engine's own accuracy (eps_abs = eps_rel = engine eps). */
const ACCURATE: Partial<QpSettings> = { max_iter: 4000 };

/** min ½‖x‖² − 1ᵀx s.t. x₁ + x₂ ≤ 1, 0 ≤ x ≤ 0.7: x* = (½, ½), y* = (½, 0, 0). */
const boxQp = makeProblem({
  P: [
    [1, 0],
    [0, 1],
  ],
  q: [-1, -1],
  A: [
    [1, 1],
    [1, 0],
    [0, 1],
  ],
  l: [-Infinity, 0, 0],
  u: [1, 0.7, 0.7],
});
/** min ½‖x‖² s.t. 1ᵀx = 1 (n = 3): x* = ⅓·1, y* = −⅓. */
const eqQp = makeProblem({
  P: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  q: [0, 0, 0],
  A: [[1, 1, 1]],
  l: [1],
  u: [1],
});
/** 1 ≤ x₁ and x₁ ≤ 0: primal infeasible. */
const infeasibleQp = makeProblem({
  P: [
    [1, 0],
    [0, 1],
  ],
  q: [0, 0],
  A: [
    [1, 0],
    [1, 0],
  ],
  l: [1, -Infinity],
  u: [Infinity, 0],
});
/** min −x₁ + x₂² s.t. x₁ ≥ 0: unbounded below (dual infeasible). */
const unboundedQp = makeProblem({
  P: [
    [0, 0],
    [0, 2],
  ],
  q: [-1, 0],
  A: [[1, 0]],
  l: [0],
  u: [Infinity],
});

interface SpecCase {
  name: string;
  batch: QpBatch;
  settings?: Partial<QpSettings>;
  warm?: (WarmStart | undefined)[];
  check: (res: QpResult[], tol: number) => void;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(
      Math.abs(actual[i] - expected[i]),
      `entry ${i}: ${actual[i]} vs ${expected[i]}`,
    ).toBeLessThanOrEqual(tol);
}

const randomProblems: QpProblem[] = [0, 1, 2, 3].map((seed) => bpqpRandomQp(seed, 6, 3));

const CASES: SpecCase[] = [
  {
    name: 'solved: box-constrained QP with a known solution',
    batch: { kind: 'problems', problems: [boxQp] },
    settings: ACCURATE,
    check: ([r], tol) => {
      expect(r.status).toBe('solved');
      expectClose(r.x, [0.5, 0.5], tol);
      expectClose(r.y, [0.5, 0, 0], tol);
      expect(r.active[0]).toBe('upper');
      expect(Math.abs(r.obj - -0.75)).toBeLessThan(tol);
    },
  },
  {
    name: 'solved: equality-constrained QP (ρ of equality rows)',
    batch: { kind: 'problems', problems: [eqQp] },
    settings: ACCURATE,
    check: ([r], tol) => {
      expect(r.status).toBe('solved');
      expectClose(r.x, [1 / 3, 1 / 3, 1 / 3], tol);
      expectClose(r.y, [-1 / 3], tol);
    },
  },
  {
    name: 'primal_infeasible with a certificate',
    batch: { kind: 'problems', problems: [infeasibleQp] },
    check: ([r]) => {
      expect(r.status).toBe('primal_infeasible');
      const c = r.certificate as Float64Array;
      // Certificate δy: Aᵀδy = 0 and uᵀδy₊ + lᵀδy₋ < 0 (here δy ∝ (−1, 1)).
      expect(Math.abs(c[0] + c[1])).toBeLessThan(1e-3);
      expect(c[1]).toBeGreaterThan(0);
    },
  },
  {
    name: 'dual_infeasible with a certificate',
    batch: { kind: 'problems', problems: [unboundedQp] },
    check: ([r]) => {
      expect(r.status).toBe('dual_infeasible');
      const c = r.certificate as Float64Array;
      expect(c[0]).toBeGreaterThan(0.99);
      expect(Math.abs(c[1])).toBeLessThan(1e-3);
    },
  },
  {
    name: 'max_iter_reached when the iteration budget is too small',
    batch: { kind: 'problems', problems: [randomProblems[0]] },
    settings: { max_iter: 10, eps_abs: 1e-9, eps_rel: 1e-9, check_termination: 5 },
    check: ([r]) => {
      expect(r.status).toBe('max_iter_reached');
      expect(r.iter).toBe(10);
    },
  },
  {
    name: 'a batch mixing an infeasible problem with solvable ones',
    batch: {
      kind: 'problems',
      problems: [randomProblems[1], infeasibleQp, boxQp, unboundedQp, randomProblems[2]],
    },
    settings: ACCURATE,
    check: (res, tol) => {
      expect(res.map((r) => r.status)).toEqual([
        'solved',
        'primal_infeasible',
        'solved',
        'dual_infeasible',
        'solved',
      ]);
      expectClose(res[0].x, solveWithQuadprog(randomProblems[1]).x, tol);
      expectClose(res[2].x, [0.5, 0.5], tol);
      expectClose(res[4].x, solveWithQuadprog(randomProblems[2]).x, tol);
    },
  },
  {
    name: 'shared structure: one P, A with several (q, l, u) matches quadprog',
    batch: {
      kind: 'shared',
      structure: randomProblems[3],
      params: [
        {},
        { q: randomProblems[3].q.map((v) => -v) },
        { u: randomProblems[3].u.map((v) => v + 0.5) },
        { q: randomProblems[3].q.map((v, i) => v + i) },
      ],
    },
    settings: ACCURATE,
    check: (res, tol) => {
      const s = randomProblems[3];
      const refs = [
        s,
        { ...s, q: s.q.map((v) => -v) },
        { ...s, u: s.u.map((v) => v + 0.5) },
        { ...s, q: s.q.map((v, i) => v + i) },
      ].map((p) => solveWithQuadprog(p).x);
      res.forEach((r, k) => {
        expect(r.status).toBe('solved');
        expectClose(r.x, refs[k], tol);
      });
    },
  },
  {
    name: 'invalid input is reported, not solved',
    batch: {
      kind: 'problems',
      problems: [
        { ...boxQp, l: new Float64Array([2, 0, 0]), u: new Float64Array([1, 0.7, 0.7]) },
        boxQp,
      ],
    },
    check: ([bad, good]) => {
      expect(bad.status).toBe('invalid_input');
      expect(bad.message).toMatch(/l\[0\]/);
      expect(good.status).toBe('solved');
    },
  },
];

describe.each(ENGINES)('QP engine spec: $name', ({ engine, tol, eps, perProblemOnly }) => {
  const accurate = { ...ACCURATE, eps_abs: eps, eps_rel: eps };
  it.each(CASES.filter((c) => !(perProblemOnly && c.batch.kind === 'shared')))(
    '$name',
    async ({ batch, settings, warm, check }) => {
      const res = await engine().solveBatch(
        batch,
        settings === ACCURATE ? accurate : settings,
        warm,
      );
      check(res, tol);
    },
  );

  it('warm start from the solution converges at the first check', async () => {
    const problems = [randomProblems[0], boxQp];
    const settings = { ...accurate, check_termination: 5 };
    const cold = await engine().solveBatch({ kind: 'problems', problems }, settings);
    const warm = await engine().solveBatch(
      { kind: 'problems', problems },
      settings,
      cold.map((r) => ({ x: r.x, y: r.y })),
    );
    warm.forEach((r, k) => {
      expect(r.status).toBe('solved');
      expect(r.iter).toBeLessThanOrEqual(5);
      expect(r.iter).toBeLessThan(cold[k].iter);
      expectClose(r.x, cold[k].x, tol);
    });
  });
});
