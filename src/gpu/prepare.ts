/**
 * CPU side of the GPU engine, in Float64: validation, Ruiz scaling and warm starts before the
 * upload (reusing src/solvers/qp), and the results after the readback (unscaling, residuals,
 * certificates, active sets), so that statuses and fields mean exactly what the CPU engine's do.
 */
import type {
  DenseMatrix,
  QpBatch,
  QpProblem,
  QpResult,
  QpSettings,
  QpStatus,
  WarmStart,
} from '../solvers/qp/types';
import {
  validateMatrices,
  validateProblem,
  validateVectors,
  objective,
} from '../solvers/qp/validate';
import {
  scaleData,
  scaleVectors,
  scaleWarmStart,
  unscaleSolution,
  withVectors,
  type Scaling,
} from '../solvers/qp/scaling';
import { classifyRows } from '../solvers/qp/admm';
import { activeSet, failedResult } from '../solvers/qp/solve';
import { polish } from '../solvers/qp/polish';
import { matTVec, matVec, normInf } from '../solvers/linalg/dense';
import { DIVISION_TOL } from '../solvers/qp/workspace';
import { GPU_STATUS, INFO, INFO_STRIDE, stateStride } from './admm-layout';
import type { RegimeOutcome } from './run-problems';

/** One valid problem, scaled and ready for upload. */
export interface PreparedProblem {
  /** Position in the caller's batch. */
  index: number;
  /** The original problem (unscaled), for the result. */
  problem: QpProblem;
  n: number;
  m: number;
  /** Scaled P̄, Ā (the same objects for every problem of a shared batch). */
  P: DenseMatrix;
  A: DenseMatrix;
  /** Scaled q̄, l̄, ū (±Infinity kept; packData maps them to ±1e30). */
  q: Float64Array;
  l: Float64Array;
  u: Float64Array;
  /** Row types deciding the per-row ρ. */
  rowType: Int8Array;
  scaling: Scaling;
  /** Scaled starting iterates (zero, or the warm start with z̄ = Π(Āx̄)). */
  x0: Float64Array;
  z0: Float64Array;
  y0: Float64Array;
}

export interface PreparedBatch {
  /** Groups of problems with equal (n, m), each solved as one GPU batch. */
  groups: PreparedProblem[][];
  /** Results already decided on the CPU (invalid input, non-convex), by batch index. */
  failed: Map<number, QpResult>;
  total: number;
}

function startingPoint(
  A: DenseMatrix,
  l: Float64Array,
  u: Float64Array,
  sc: Scaling,
  s: QpSettings,
  warm: WarmStart | undefined,
) {
  const n = A.cols;
  const m = A.rows;
  const x0 = new Float64Array(n);
  const y0 = new Float64Array(m);
  const z0 = new Float64Array(m);
  if (s.warm_start && warm) {
    for (const [name, v, len] of [
      ['x', warm.x, n],
      ['y', warm.y, m],
    ] as const) {
      if (v !== undefined && (v.length !== len || !v.every(Number.isFinite)))
        throw new Error(`warm start ${name} must be ${len} finite numbers`);
    }
    const ws = scaleWarmStart(sc, warm.x, warm.y);
    if (ws.x) x0.set(ws.x);
    if (ws.y) y0.set(ws.y);
    // As the CPU engine (OSQP): z = Ax on a warm start, projected onto [l, u].
    matVec(A, x0, z0);
    for (let i = 0; i < m; i++) z0[i] = Math.min(Math.max(z0[i], l[i]), u[i]);
  }
  return { x0, y0, z0 };
}

function prepareOne(
  index: number,
  p: QpProblem,
  P: DenseMatrix,
  A: DenseMatrix,
  sc: Scaling,
  s: QpSettings,
  warm: WarmStart | undefined,
): PreparedProblem {
  const v = scaleVectors(sc, p.q, p.l, p.u);
  return {
    index,
    problem: p,
    n: p.n,
    m: p.m,
    P,
    A,
    q: v.q,
    l: v.l,
    u: v.u,
    rowType: classifyRows(v.l, v.u),
    scaling: sc,
    ...startingPoint(A, v.l, v.u, sc, s, warm),
  };
}

/** Validates and scales a batch; bad problems get their failed result here, as on the CPU. */
export function prepareBatch(
  batch: QpBatch,
  s: QpSettings,
  warm: (WarmStart | undefined)[] | undefined,
  t0: number,
): PreparedBatch {
  const failed = new Map<number, QpResult>();
  const fail = (i: number, p: QpProblem, status: QpStatus, message: string) =>
    failed.set(i, failedResult(p, status, message, t0));
  const guard = (
    i: number,
    p: QpProblem,
    f: () => PreparedProblem | null,
  ): PreparedProblem | null => {
    try {
      return f();
    } catch (e) {
      fail(i, p, 'invalid_input', (e as Error).message);
      return null;
    }
  };
  if (batch.kind === 'problems') {
    const bySize = new Map<string, PreparedProblem[]>();
    batch.problems.forEach((p, i) => {
      const bad = validateProblem(p);
      if (bad) return fail(i, p, bad.status, bad.message);
      const pp = guard(i, p, () => {
        const { scaling, scaled } = scaleData(p.P, p.A, [p.q], s.scaling);
        return prepareOne(i, p, scaled.P, scaled.A, scaling, s, warm?.[i]);
      });
      if (!pp) return;
      const key = `${p.n}x${p.m}`;
      bySize.set(key, [...(bySize.get(key) ?? []), pp]);
    });
    return { groups: [...bySize.values()], failed, total: batch.problems.length };
  }
  const problems = batch.params.map((v) => withVectors(batch.structure, v));
  const structureIssue = validateMatrices(batch.structure);
  if (structureIssue) {
    problems.forEach((p, i) => fail(i, p, structureIssue.status, structureIssue.message));
    return { groups: [], failed, total: problems.length };
  }
  const issues = problems.map(validateVectors);
  problems.forEach((p, i) => issues[i] && fail(i, p, issues[i].status, issues[i].message));
  const ok = problems.map((p, i) => ({ p, i })).filter(({ i }) => !issues[i]);
  if (ok.length === 0) return { groups: [], failed, total: problems.length };
  // One scaling for the batch (cost scaling over all q), so P̄, Ā and K are shared.
  const { scaling, scaled } = scaleData(
    batch.structure.P,
    batch.structure.A,
    ok.map(({ p }) => p.q),
    s.scaling,
  );
  const group = ok
    .map(({ p, i }) =>
      guard(i, p, () => prepareOne(i, p, scaled.P, scaled.A, scaling, s, warm?.[i])),
    )
    .filter((x): x is PreparedProblem => x !== null);
  return { groups: group.length > 0 ? [group] : [], failed, total: problems.length };
}

/** Copies problem b's slice of the state readback into f64 scaled iterates. */
function slice(state: Float32Array, b: number, n: number, m: number) {
  const o = b * stateStride(n, m);
  const f = (a: number, len: number) => Float64Array.from(state.subarray(o + a, o + a + len));
  return { x: f(0, n), z: f(n, m), y: f(n + m, m), dx: f(n + 2 * m, n), dy: f(2 * n + 2 * m, m) };
}

/** OSQP's termination test in Float64 on the unscaled problem (×10 for 'approximate'). */
function meetsTolerance(
  p: QpProblem,
  x: Float64Array,
  z: Float64Array,
  y: Float64Array,
  s: QpSettings,
  k: number,
) {
  const Ax = matVec(p.A, x);
  const Px = matVec(p.P, x);
  const Aty = matTVec(p.A, y);
  const prim = normInf(Ax.map((v, i) => v - z[i]));
  const dual = normInf(Px.map((v, j) => v + p.q[j] + Aty[j]));
  const primOk =
    p.m === 0 || prim <= k * (s.eps_abs + s.eps_rel * Math.max(normInf(Ax), normInf(z)));
  const dualOk =
    dual <= k * (s.eps_abs + s.eps_rel * Math.max(normInf(Px), normInf(Aty), normInf(p.q)));
  return { ok: primOk && dualOk, prim, dual };
}

/** The unscaled certificate, normalized as in admm.ts (isPrimalInfeasible / isDualInfeasible). */
function certificate(
  pp: PreparedProblem,
  status: QpStatus,
  dx: Float64Array,
  dy: Float64Array,
): Float64Array | undefined {
  const sc = pp.scaling;
  if (status === 'primal_infeasible') {
    const v = dy
      .map((d, i) => (pp.u[i] === Infinity ? Math.min(d, 0) : d))
      .map((d, i) => (pp.l[i] === -Infinity ? Math.max(d, 0) : d));
    const norm = normInf(v.map((d, i) => sc.E[i] * d));
    return norm > DIVISION_TOL ? v.map((d, i) => (sc.E[i] * d) / norm) : undefined;
  }
  if (status === 'dual_infeasible') {
    const norm = normInf(dx.map((d, j) => sc.D[j] * d));
    return norm > DIVISION_TOL ? dx.map((d, j) => (sc.D[j] * d) / norm) : undefined;
  }
  return undefined;
}

/** A GPU engine result: a QpResult, plus the PCG iteration count when x̃ was solved indirectly. */
export interface GpuQpResult extends QpResult {
  /** PCG iterations summed over every x̃ solve (per-problem batches on the indirect path only). */
  cg_iter?: number;
}

/** Builds the QpResult of every problem of a finished regime run. */
export function collectResults(
  group: PreparedProblem[],
  out: RegimeOutcome,
  s: QpSettings,
  t0: number,
): GpuQpResult[] {
  const time = performance.now() - t0;
  return group.map((pp, b) => {
    const { n, m, problem: p } = pp;
    const it = slice(out.state, b, n, m);
    let { x, y, z } = unscaleSolution(pp.scaling, it.x, it.y, it.z);
    const code = out.info[b * INFO_STRIDE + INFO.status];
    let tol = meetsTolerance(p, x, z, y, s, 1);
    let status: QpStatus;
    if (code === GPU_STATUS.solved) status = 'solved';
    else if (code === GPU_STATUS.primalInfeasible) status = 'primal_infeasible';
    else if (code === GPU_STATUS.dualInfeasible) status = 'dual_infeasible';
    else if (tol.ok) status = 'solved';
    else if (meetsTolerance(p, x, z, y, s, 10).ok) status = 'solved_inaccurate';
    else status = out.timeLimitHit ? 'time_limit_reached' : 'max_iter_reached';
    // Polishing runs here, on the CPU in Float64, from the f32 iterate: with the right active set
    // it turns an f32 answer into an exact one, and it is refused (kept 'unsuccessful') otherwise.
    let polishStatus: QpResult['polish'] = 'not_run';
    if (s.polish && status === 'solved') {
      const residualsOf = (xs: Float64Array, zs: Float64Array, ys: Float64Array) =>
        meetsTolerance(p, xs, zs, ys, s, 1);
      const pol = polish({ ...p, z, y, settings: s }, tol, residualsOf);
      polishStatus = pol.status;
      if (pol.status === 'success' && pol.x && pol.y && pol.z && pol.residuals) {
        ({ x, y, z } = pol);
        tol = pol.residuals;
      }
    }
    const infeasible = status === 'primal_infeasible' || status === 'dual_infeasible';
    const cert = certificate(pp, status, it.dx, it.dy);
    return {
      status,
      x,
      y,
      z,
      obj: infeasible ? NaN : objective(p, x),
      iter: out.info[b * INFO_STRIDE + INFO.iter],
      prim_res: tol.prim,
      dual_res: tol.dual,
      time_ms: time,
      active: activeSet(p, z, y, s),
      rho: out.rho[b],
      rho_updates: out.rhoUpdates[b],
      polish: polishStatus,
      ...(cert ? { certificate: cert } : {}),
      ...(out.linsys === 'indirect' ? { cg_iter: out.info[b * INFO_STRIDE + INFO.cgIter] } : {}),
    };
  });
}
