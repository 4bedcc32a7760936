import { describe, expect, it } from 'vitest';
import { Rng } from '../../grad/rng';
import { solveQp } from '../../qp';
import { CpuEngine } from '../../cpu-engine';
import {
  eqResidual,
  ineqResidual,
  makeL2oData,
  makeL2oProblem,
  objective,
  qpAt,
  type L2oData,
} from './problem';
import { complete, completeAndCorrect, completeAndCorrectBackward, makeDc3 } from './dc3';
import { ProjectionLayer } from './projection';
import { directLoss } from './direct';
import { UnrolledAdmm, exactAdmm } from './unrolled';
import { Huanet } from './huanet';
import { envelope } from './leaf';

const pr = makeL2oProblem({ n: 6, neq: 3, nineq: 3, seed: 4 });
const data: L2oData = makeL2oData(pr, 12, 5);
const rng = new Rng(9);

describe('the DC3-style problem', () => {
  it('labels satisfy the KKT conditions (the certificate of optimality)', () => {
    for (let i = 0; i < data.N; i++) {
      const x = data.X.subarray(i * pr.neq, (i + 1) * pr.neq);
      const qp = qpAt(pr, x);
      const r = solveQp(qp, { eps_abs: 1e-10, eps_rel: 1e-10, polish: true });
      const y = r.x;
      expect(Math.abs(objective(pr, y) - data.obj[i])).toBeLessThan(1e-8);
      expect(Math.max(...eqResidual(pr, y, x).map(Math.abs))).toBeLessThan(1e-8);
      const slack = ineqResidual(pr, y);
      expect(Math.max(...slack)).toBeLessThan(1e-8);
      // Stationarity Qy + p + Aᵀλ + Gᵀν = 0 with the solver's multipliers, ν ≥ 0, ν ⊙ (Gy − h) = 0.
      for (let j = 0; j < pr.n; j++) {
        let s = pr.Qd[j] * y[j] + pr.p[j];
        for (let k = 0; k < qp.m; k++) s += qp.A.data[k * pr.n + j] * r.y[k];
        expect(Math.abs(s)).toBeLessThan(1e-8);
      }
      for (let k = 0; k < pr.nineq; k++) {
        const nu = r.y[pr.neq + k];
        expect(nu).toBeGreaterThan(-1e-9);
        expect(Math.abs(nu * slack[k])).toBeLessThan(1e-8);
      }
    }
  });

  it('A⁺x is feasible for every x in the box (h as DC3 builds it)', () => {
    for (let t = 0; t < 20; t++) {
      const x = Float64Array.from({ length: pr.neq }, () => 2 * rng.uniform() - 1);
      const r = solveQp(
        {
          n: pr.n,
          m: pr.neq,
          P: { rows: pr.n, cols: pr.n, data: identity(pr.n) },
          q: new Float64Array(pr.n),
          r: 0,
          A: { rows: pr.neq, cols: pr.n, data: Float64Array.from(pr.A) },
          l: Float64Array.from(x),
          u: Float64Array.from(x),
        },
        { eps_abs: 1e-10, eps_rel: 1e-10, polish: true },
      );
      // The least-norm point solves min ½‖y‖² s.t. Ay = x; it must satisfy Gy ≤ h too.
      expect(Math.max(...ineqResidual(pr, r.x))).toBeLessThan(1e-8);
    }
  });
});

function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

describe('projection layer (QP engine handle)', () => {
  it('returns points feasible to the solver tolerance, and ∂ℓ/∂ŷ equal to central differences', async () => {
    const layer = await ProjectionLayer.create(new CpuEngine(), pr);
    const B = 4;
    const Yhat = Float64Array.from({ length: B * pr.n }, () => 2 * rng.normal());
    const X = data.X.slice(0, B * pr.neq);
    const { Y, ok } = await layer.project(Yhat, X, B);
    expect(ok.every(Boolean)).toBe(true);
    for (let b = 0; b < B; b++) {
      const y = Y.subarray(b * pr.n, (b + 1) * pr.n);
      const x = X.subarray(b * pr.neq, (b + 1) * pr.neq);
      expect(Math.max(...eqResidual(pr, y, x).map(Math.abs))).toBeLessThan(1e-8);
      expect(Math.max(0, ...ineqResidual(pr, y))).toBeLessThan(1e-8);
    }
    // ℓ = Σ w ⊙ Π(ŷ); its gradient by the handle's KKT backward against re-projections.
    const w = Float64Array.from({ length: B * pr.n }, () => rng.normal());
    const { dYhat, failed } = await layer.backward(w, B);
    expect(failed).toBe(0);
    const h = 1e-6;
    for (const e of [0, 3, 7, 13, 20]) {
      const up = Yhat.slice();
      const dn = Yhat.slice();
      up[e] += h;
      dn[e] -= h;
      const lp = (await layer.project(up, X, B)).Y.reduce((s, v, k) => s + w[k] * v, 0);
      const lm = (await layer.project(dn, X, B)).Y.reduce((s, v, k) => s + w[k] * v, 0);
      expect(Math.abs((lp - lm) / (2 * h) - dYhat[e])).toBeLessThan(1e-5);
    }
    layer.dispose();
  });
});

describe('DC3 completion and correction', () => {
  const dc = makeDc3(pr, 6);
  const np = pr.n - pr.neq;

  it('completion satisfies Ay = x exactly for any z', () => {
    const z = Float64Array.from({ length: np }, () => rng.normal());
    const x = data.X.subarray(0, pr.neq);
    const y = new Float64Array(pr.n);
    complete(dc, z, x, y);
    expect(Math.max(...eqResidual(pr, y, x).map(Math.abs))).toBeLessThan(1e-12);
    completeAndCorrect(dc, pr, z, x, y);
    expect(Math.max(...eqResidual(pr, y, x).map(Math.abs))).toBeLessThan(1e-12);
  });

  it('the correction lowers the inequality violation, and its reverse pass matches differences', () => {
    const x = data.X.subarray(0, pr.neq);
    const z = Float64Array.from({ length: np }, () => 3 * rng.normal());
    const y0 = new Float64Array(pr.n);
    const y = new Float64Array(pr.n);
    complete(dc, z, x, y0);
    const trace = completeAndCorrect(dc, pr, z, x, y);
    const viol = (v: Float64Array) =>
      ineqResidual(pr, v).reduce((s, r) => s + Math.max(r, 0) ** 2, 0);
    expect(viol(y)).toBeLessThan(viol(y0));
    const w = Float64Array.from({ length: pr.n }, () => rng.normal());
    const zb = completeAndCorrectBackward(dc, pr, trace, w);
    const h = 1e-7;
    for (let c = 0; c < np; c++) {
      const zp = z.slice();
      const zm = z.slice();
      zp[c] += h;
      zm[c] -= h;
      const yp = new Float64Array(pr.n);
      const ym = new Float64Array(pr.n);
      completeAndCorrect(dc, pr, zp, x, yp);
      completeAndCorrect(dc, pr, zm, x, ym);
      const fd = yp.reduce((s, v, j) => s + w[j] * (v - ym[j]), 0) / (2 * h);
      expect(Math.abs(fd - zb[c])).toBeLessThan(1e-6);
    }
  });
});

describe('losses and unrolled solvers against central differences', () => {
  it('self-supervised loss gradient', () => {
    const y = Float64Array.from({ length: pr.n }, () => 2 * rng.normal());
    const x = data.X.subarray(0, pr.neq);
    const dy = new Float64Array(pr.n);
    directLoss(data, 'self', 7, 0, y, x, dy);
    const h = 1e-6;
    for (let j = 0; j < pr.n; j++) {
      const yp = y.slice();
      const ym = y.slice();
      yp[j] += h;
      ym[j] -= h;
      const fd =
        (directLoss(data, 'self', 7, 0, yp, x, new Float64Array(pr.n)) -
          directLoss(data, 'self', 7, 0, ym, x, new Float64Array(pr.n))) /
        (2 * h);
      expect(Math.abs(fd - dy[j])).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
    }
  });

  it('ADMM-unrolled: ∂ℓ/∂θ through K steps (clip, dual update, learned x-update)', () => {
    const model = new UnrolledAdmm(pr, {
      steps: 4,
      rho: 0.7,
      hidden: [5],
      epochs: 1,
      batchSize: 4,
      lr: 1e-3,
      seed: 2,
    });
    const idx = [0, 1, 2];
    const g = model.gradient(data, idx);
    const h = 1e-6;
    for (let t = 0; t < model.net.paramCount; t += 3) {
      const save = model.net.params[t];
      model.net.params[t] = save + h;
      const lp = model.gradient(data, idx).loss;
      model.net.params[t] = save - h;
      const lm = model.gradient(data, idx).loss;
      model.net.params[t] = save;
      expect(Math.abs((lp - lm) / (2 * h) - g.grad[t])).toBeLessThan(1e-6);
    }
  });

  it('HUANet: ∂ℓ/∂θ and ∂ℓ/∂log ρ_k through K KKT solves and projections', () => {
    const model = new Huanet(pr, {
      steps: 3,
      hidden: [5],
      epochs: 1,
      batchSize: 4,
      lr: 1e-3,
      seed: 3,
    });
    model.logRho.set([0.2, -0.3, 0.1]);
    const idx = [0, 4, 7];
    const g = model.gradient(data, idx);
    const h = 1e-6;
    const check = (arr: Float64Array, grad: Float64Array, stride: number) => {
      for (let t = 0; t < arr.length; t += stride) {
        const save = arr[t];
        arr[t] = save + h;
        const lp = model.gradient(data, idx).loss;
        arr[t] = save - h;
        const lm = model.gradient(data, idx).loss;
        arr[t] = save;
        const fd = (lp - lm) / (2 * h);
        expect(Math.abs(fd - grad[t])).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    };
    check(model.net.params, g.grad, 4);
    check(model.logRho, g.gRho, 1);
  });

  it('HUANet keeps Ay = x exactly at every step', () => {
    const model = new Huanet(pr, {
      steps: 4,
      hidden: [5],
      epochs: 1,
      batchSize: 4,
      lr: 1e-3,
      seed: 3,
    });
    for (const q of model.stepQuality(data, [0, 1, 2, 3])) expect(q.eq_max).toBeLessThan(1e-12);
  });

  it('exact ADMM converges to the solver’s optimum (the unrolled reference is a real solver)', () => {
    const qs = exactAdmm(data, [0, 1, 2], 400, 1);
    expect(qs[399].gap).toBeLessThan(1e-6);
    expect(qs[399].gap).toBeLessThan(qs[9].gap);
  });

  it('the Moreau envelope: ∇M = ρ(v − prox v) against central differences of M', () => {
    const v = Float64Array.from({ length: pr.n }, () => rng.normal());
    const e = envelope(pr, 1.3, v);
    const h = 1e-6;
    for (let j = 0; j < pr.n; j++) {
      const vp = v.slice();
      const vm = v.slice();
      vp[j] += h;
      vm[j] -= h;
      const fd = (envelope(pr, 1.3, vp).value - envelope(pr, 1.3, vm).value) / (2 * h);
      expect(Math.abs(fd - e.grad[j])).toBeLessThan(1e-7);
    }
  });
});
