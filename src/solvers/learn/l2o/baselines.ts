/**
 * The references of the L2O table: the QP engine's own time on the test instances, its iterations
 * from cold and from a learned warm start, and the findings read off the finished table.
 */
import type { Engine } from '../../engine';
import { gatherRows } from '../batches';
import { qpAt, quality, SOLVER_SETTINGS, type L2oData } from './problem';
import type { L2oFinal, L2oReport } from './run';

/** The QP engine on the test instances: one handle, cold solves (ms per instance). */
export async function solverTime(engine: Engine, data: L2oData, idx: ArrayLike<number>) {
  const pr = data.problem;
  const X = gatherRows(data.X, pr.neq, idx);
  const params = Array.from(idx, (_, b) => {
    const qp = qpAt(pr, X.subarray(b * pr.neq, (b + 1) * pr.neq));
    return { l: qp.l, u: qp.u };
  });
  const t0 = performance.now();
  const h = await engine.setup(qpAt(pr, X.subarray(0, pr.neq)), SOLVER_SETTINGS, params);
  const results = await h.solve();
  h.dispose();
  const Y = new Float64Array(idx.length * pr.n);
  results.forEach((r, b) => Y.set(r.x, b * pr.n));
  return { ms: (performance.now() - t0) / Math.max(idx.length, 1), quality: quality(data, idx, Y) };
}

/** ADMM iterations from cold and from ŷ (fresh handles, so no ρ carries over between them). */
export async function warmStart(
  engine: Engine,
  data: L2oData,
  idx: ArrayLike<number>,
  Yhat: Float64Array,
) {
  const pr = data.problem;
  const X = gatherRows(data.X, pr.neq, idx);
  const params = Array.from(idx, (_, b) => {
    const qp = qpAt(pr, X.subarray(b * pr.neq, (b + 1) * pr.neq));
    return { l: qp.l, u: qp.u };
  });
  const structure = qpAt(pr, X.subarray(0, pr.neq));
  const run = async (warm?: { x: Float64Array }[]) => {
    const h = await engine.setup(structure, SOLVER_SETTINGS, params);
    const t0 = performance.now();
    const rs = await h.solve(warm);
    const ms = (performance.now() - t0) / rs.length;
    h.dispose();
    const Y = new Float64Array(rs.length * pr.n);
    rs.forEach((r, b) => Y.set(r.x, b * pr.n));
    return {
      iters: rs.reduce((s, r) => s + r.iter, 0) / rs.length,
      ms,
      quality: quality(data, idx, Y),
    };
  };
  const cold = await run();
  const warm = await run(Array.from(idx, (_, b) => ({ x: Yhat.slice(b * pr.n, (b + 1) * pr.n) })));
  return {
    stats: {
      cold_iters: cold.iters,
      warm_iters: warm.iters,
      saved: cold.iters - warm.iters,
      cold_ms: cold.ms,
      warm_ms: warm.ms,
    },
    quality: warm.quality,
  };
}

export function findings(r: L2oReport): L2oReport['findings'] {
  const f = (k: string) => r.methods[k]?.final;
  const proj = ['sup+proj', 'self+proj'].map(f).filter(Boolean) as L2oFinal[];
  const ratio: Record<string, number> = {};
  for (const [tag, s, u] of [
    ['plain', 'sup', 'self'],
    ['proj', 'sup+proj', 'self+proj'],
    ['dc3', 'sup+dc3', 'self+dc3'],
  ])
    if (f(s) && f(u)) ratio[tag] = f(u)!.gap / f(s)!.gap;
  const unrolled: Record<string, { first: number; last: number }> = {};
  for (const k of ['admm-unrolled', 'admm-exact', 'leaf', 'leaf-exact', 'huanet']) {
    const st = f(k)?.steps;
    if (st && st.length > 0) unrolled[k] = { first: st[0].gap, last: st[st.length - 1].gap };
  }
  return {
    projection_violation: proj.length
      ? Math.max(...proj.map((q) => Math.max(q.eq_max, q.ineq_max)))
      : NaN,
    self_over_sup: ratio,
    unrolled,
    warm_start_saved_iters: f('warm-start')?.warm?.saved ?? NaN,
  };
}
