import { describe, expect, it } from 'vitest';
import { solveQp } from '../solvers/qp';
import { CpuEngine } from '../solvers/cpu-engine';
import { buildQp, metric, PRESETS } from '../app/panels/geometry/presets';
import { runEnvelope } from './envelopeJob';
import {
  GRAD_METHOD_NAMES,
  runGeometryJob,
  type GeometryGradResponse,
  type GeometryRequest,
} from './geometryJob';

const cpu = new CpuEngine();
/** The Geometry job on the CPU engine; its gradients (the forward solve must succeed). */
async function runGeometryGradients(req: GeometryRequest): Promise<GeometryGradResponse> {
  const res = await runGeometryJob(req, {
    solve: async (p, s, warm) => ({
      result: solveQp(p, s, warm),
      run: { engine: 'cpu', method: 'Float64 ADMM + polish', problems: 1, resolved: 0 },
    }),
    backward: async (items, method, options) => ({
      grads: await cpu.backwardBatch(items, method, options),
      engine: 'cpu',
    }),
  });
  if (!res.grads) throw new Error(`the forward solve ended with status '${res.result.status}'`);
  return res.grads;
}

const pent = PRESETS.polygon;
const G = metric(pent.M);
const request = (what: [number, number], w: [number, number], tau = 1e-3): GeometryRequest => ({
  problem: buildQp(pent, what),
  what,
  w,
  metric: [G[0][0], G[0][1], G[1][0], G[1][1]],
  tau,
  methods: [...GRAD_METHOD_NAMES],
});
/** The pentagon's vertex at 18° (rows 3 and 4 bind there). */
const V: [number, number] = [Math.cos(Math.PI / 10), Math.sin(Math.PI / 10)];

describe('geometry gradients (worker job)', () => {
  it('inside the set every method moves ŵ straight to w (∂x̂/∂ŵ = I)', async () => {
    const r = await runGeometryGradients(request([0.1, -0.2], [0.4, 0.3]));
    for (const m of GRAD_METHOD_NAMES) {
      expect(r.updates[m]?.dw?.[0]).toBeCloseTo(0.3, 5);
      expect(r.updates[m]?.dw?.[1]).toBeCloseTo(0.5, 5);
    }
    expect(r.zero.dimN).toBe(0);
    expect(r.zero.lostFraction).toBe(0);
  });

  it('at a vertex the exact gradient vanishes (Theorem 3.8) while smoothed QP survives; LPGD needs a τ that leaves the cone', async () => {
    // ŵ beyond the vertex, inside its normal cone; w inside the set.
    const what: [number, number] = [1.15 * V[0], 1.15 * V[1]];
    const r = await runGeometryGradients(request(what, [-0.2, 0.1], 0.01));
    expect(Math.hypot(r.x[0] - V[0], r.x[1] - V[1])).toBeLessThan(1e-7);
    expect(r.updates.kkt!.norm).toBeLessThan(1e-8);
    expect(r.updates['smoothed-qp']!.norm).toBeGreaterThan(0.1);
    // LPGD at small τ recovers the true (zero) gradient (Theorem 3.1); a large τ reaches past the cone.
    expect(r.updates.lpgd!.norm).toBeLessThan(1e-8);
    const wide = await runGeometryGradients(request(what, [-0.2, 0.1], 4));
    expect(wide.updates.lpgd!.norm).toBeGreaterThan(0.05);
    expect(r.zero.dimN).toBe(2);
    expect(r.zero.lostFraction).toBeCloseTo(1, 10);
    expect(r.zero.zeroGradient).toBe(true);
    // Property 3.11: the smoothed update is orthogonal to the internal gradient ŵ − x̂.
    const d = r.updates['smoothed-qp']!.dw!;
    expect(Math.abs(d[0] * (what[0] - r.x[0]) + d[1] * (what[1] - r.x[1]))).toBeLessThan(1e-8);
    // Theorem 3.12: a small step along it does not increase the loss ½‖x̂ − w‖².
    const lossAt = (wh: [number, number]) => {
      const x = solveQp(buildQp(pent, wh), { eps_abs: 1e-10, eps_rel: 1e-10, polish: true }).x;
      return ((x[0] + 0.2) ** 2 + (x[1] - 0.1) ** 2) / 2;
    };
    const step = (t: number): [number, number] => [what[0] + t * d[0], what[1] + t * d[1]];
    for (const t of [0.05, 0.5, 1])
      expect(lossAt(step(t))).toBeLessThanOrEqual(lossAt(what) + 1e-12);
    // …and a full step leaves the vertex's cone and lowers it.
    expect(lossAt(step(1))).toBeLessThan(lossAt(what) - 1e-2);
  });

  it('on an edge the exact gradient is the true gradient projected on the edge', async () => {
    // Edge of row 4 (outward normal at 414° = 54°): ŵ outside its midpoint.
    const n: [number, number] = [Math.cos((54 * Math.PI) / 180), Math.sin((54 * Math.PI) / 180)];
    const h = Math.cos(Math.PI / 5);
    const what: [number, number] = [1.3 * h * n[0], 1.3 * h * n[1]];
    const w: [number, number] = [0.5, -0.5];
    const r = await runGeometryGradients(request(what, w));
    const t = [-n[1], n[0]];
    const tg = r.trueGrad[0] * t[0] + r.trueGrad[1] * t[1];
    expect(r.updates.kkt!.dw![0]).toBeCloseTo(tg * t[0], 6);
    expect(r.updates.kkt!.dw![1]).toBeCloseTo(tg * t[1], 6);
    expect(r.updates.kkt!.norm).toBeGreaterThan(0.1);
    expect(r.zero.dimN).toBe(1);
    expect(r.zero.lostFraction).toBeGreaterThan(0);
    expect(r.zero.lostFraction).toBeLessThan(1);
  });

  it('rejects bad input with a reason', async () => {
    await expect(runGeometryGradients({ ...request([0, 0], [0, 0]), w: [NaN, 0] })).rejects.toThrow(
      /w must be finite/,
    );
    await expect(runGeometryGradients(request([0, 0], [0, 0], 0))).rejects.toThrow(
      /τ must be positive/,
    );
  });
});

describe('envelope job', () => {
  it('one redraw: curves, and LPGD agrees with the measured slope', async () => {
    const r = await runEnvelope(new CpuEngine(), {
      seed: 1,
      n: 4,
      tau: 1,
      rho: 0.5,
      t0: -0.1,
      samples: 31,
    });
    expect(r.sweep.t.length).toBe(31);
    expect(r.solves).toBe(34 + 3 * 34 + 7);
    for (const k of ['lower', 'upper', 'average'] as const)
      expect(Math.abs(r.sweep.at.slope[k] - r.lpgd.slope[k])).toBeLessThan(1e-6);
    expect(Math.abs(r.lpgd.slope.lower)).toBeGreaterThan(1e-2);
  });
});
