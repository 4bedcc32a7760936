import { describe, expect, it } from 'vitest';
import { solveQp } from '../../qp';
import { Rng } from '../../grad/rng';
import { Mlp, mlpSpec } from '../mlp';
import {
  makeFamily,
  portfolioFamily,
  solveInstance,
  TARGET_FALLBACK,
  type Family,
} from './families';
import { buildData, normalizerFor, sobolevBatch } from './train';
import { ridgeLeastSquares } from './lsq';
import { deltaStudy } from './delta';
import { objective, violation } from './mask';
import { densityKey, runSobolev } from './run';
import { RunClock } from '../runs';

/** x*(p) by a tight solve, independent of the Jacobian code. */
function xStar(family: Family, p: Float64Array): Float64Array {
  const r = solveQp(family.problem(p), TARGET_FALLBACK);
  expect(r.status).toBe('solved');
  return r.x;
}

describe('families: Dg from solutionJacobian against central differences of re-solves', () => {
  const cases: [string, Family, number[]][] = [
    ['portfolio-c1', portfolioFamily('c1'), [0.3, 0.5]],
    ['portfolio-kink (between kinks)', portfolioFamily('kink'), [1, 0.3]],
    ['dc-opf', makeFamily('dc-opf', 0), []],
  ];
  for (const [name, family, frac] of cases) {
    it(name, () => {
      const p = Float64Array.from(
        { length: family.d },
        (_, j) => family.lo[j] + (family.hi[j] - family.lo[j]) * (frac[j] ?? 0.37 + 0.05 * j),
      );
      const inst = solveInstance(family, p);
      const h = 1e-6;
      for (let j = 0; j < family.d; j++) {
        const step = h * (family.hi[j] - family.lo[j]);
        const plus = Float64Array.from(p);
        const minus = Float64Array.from(p);
        plus[j] += step;
        minus[j] -= step;
        const xp = xStar(family, plus);
        const xm = xStar(family, minus);
        for (let o = 0; o < family.n; o++) {
          const fd = (xp[o] - xm[o]) / (2 * step);
          expect(Math.abs(inst.J[o * family.d + j] - fd)).toBeLessThan(
            1e-5 * Math.max(1, Math.abs(fd)),
          );
        }
      }
    });
  }

  it('the C¹ box keeps every weight positive; the kink box crosses active-set changes', () => {
    const c1 = portfolioFamily('c1');
    const kink = portfolioFamily('kink');
    const patterns = (f: Family) => {
      const seen = new Set<string>();
      for (let a = 0; a <= 10; a++)
        for (let b = 0; b <= 10; b++) {
          const p = Float64Array.of(
            f.lo[0] + ((f.hi[0] - f.lo[0]) * a) / 10,
            f.lo[1] + ((f.hi[1] - f.lo[1]) * b) / 10,
          );
          seen.add(Array.from(xStar(f, p), (v) => (v > 1e-8 ? '+' : '0')).join(''));
        }
      return seen;
    };
    expect([...patterns(c1)]).toEqual(['++++']);
    expect(patterns(kink).size).toBeGreaterThan(2);
  });
});

describe('Sobolev loss with masks', () => {
  const family = portfolioFamily('c1', { factors: 2 });
  const rng = new Rng(3);
  const instances = Array.from({ length: 6 }, () =>
    solveInstance(
      family,
      Float64Array.from(
        { length: family.d },
        (_, j) => family.lo[j] + (family.hi[j] - family.lo[j]) * rng.uniform(),
      ),
    ),
  );
  const norm = normalizerFor(family, instances);
  const data = buildData(norm, instances);
  const net = Mlp.init(mlpSpec(family.d, [7], family.n, 'tanh'), 2);
  const idx = [0, 2, 3, 5];

  it('equals value MSE + λ/(n·d)·masked squared Jacobian error, Jacobian by central differences', () => {
    const v = sobolevBatch(net, data, idx, 0.7, 0.3, new Rng(11));
    // Redraw the same masks, then evaluate the loss from network differences alone.
    const maskRng = new Rng(11);
    const { d, n } = data;
    let mse = 0;
    let jac = 0;
    const h = 1e-6;
    for (const i of idx) {
      const x = data.P.slice(i * d, (i + 1) * d);
      const y = net.predict(x, 1);
      for (let o = 0; o < n; o++) mse += (y[o] - data.Y[i * n + o]) ** 2;
      const M = Array.from({ length: n * d }, () => (maskRng.uniform() < 0.3 ? 1 : 0));
      for (let j = 0; j < d; j++) {
        const xp = x.slice();
        const xm = x.slice();
        xp[j] += h;
        xm[j] -= h;
        const yp = net.predict(xp, 1);
        const ym = net.predict(xm, 1);
        for (let o = 0; o < n; o++) {
          const dg = (yp[o] - ym[o]) / (2 * h);
          if (M[o * d + j]) jac += (dg - data.J[(i * n + o) * d + j]) ** 2;
        }
      }
    }
    const B = idx.length;
    const expected = mse / (B * n) + (0.7 * jac) / (B * n * d);
    expect(Math.abs(v.loss - expected)).toBeLessThan(1e-8 * Math.max(1, expected));
    expect(v.tangentsPerInstance).toBeLessThanOrEqual(d);
  });

  it('∂L/∂θ against central differences (dense mask, so the loss is a fixed function of θ)', () => {
    const v = sobolevBatch(net, data, idx, 0.7, 1, null);
    const theta = net.params.slice();
    const h = 1e-6;
    let worst = 0;
    for (let t = 0; t < theta.length; t += 5) {
      net.params.set(theta);
      net.params[t] = theta[t] + h;
      const lp = sobolevBatch(net, data, idx, 0.7, 1, null).loss;
      net.params[t] = theta[t] - h;
      const lm = sobolevBatch(net, data, idx, 0.7, 1, null).loss;
      worst = Math.max(worst, Math.abs((lp - lm) / (2 * h) - v.grad[t]));
    }
    net.params.set(theta);
    expect(worst).toBeLessThan(1e-7);
  });

  it('a sparse mask carries fewer tangent directions than a dense one', () => {
    const big = portfolioFamily('c1', { factors: 5 });
    const inst = Array.from({ length: 4 }, (_, b) =>
      solveInstance(
        big,
        Float64Array.from(
          { length: big.d },
          (_, j) => big.lo[j] + 0.2 * (b + 1) * (big.hi[j] - big.lo[j]),
        ),
      ),
    );
    const dat = buildData(normalizerFor(big, inst), inst);
    const m = Mlp.init(mlpSpec(big.d, [5], big.n, 'tanh'), 1);
    const sparse = sobolevBatch(m, dat, [0, 1, 2, 3], 1, 0.05, new Rng(1));
    const dense = sobolevBatch(m, dat, [0, 1, 2, 3], 1, 1, null);
    expect(dense.tangentsPerInstance).toBe(big.d);
    expect(sparse.tangentsPerInstance).toBeLessThan(big.d);
  });
});

describe('ridgeLeastSquares', () => {
  it('solves the ridge normal equations (AᵀA + ρI)X = AᵀB', () => {
    const rng = new Rng(5);
    const [R, F, k, rho] = [9, 4, 2, 0.3];
    const A = rng.normals(R * F);
    const B = rng.normals(R * k);
    const X = ridgeLeastSquares(A, R, F, B, k, rho);
    for (let a = 0; a < F; a++)
      for (let c = 0; c < k; c++) {
        let lhs = rho * X[a * k + c];
        let rhs = 0;
        for (let r = 0; r < R; r++) {
          let ax = 0;
          for (let b = 0; b < F; b++) ax += A[r * F + b] * X[b * k + c];
          lhs += A[r * F + a] * ax;
          rhs += A[r * F + a] * B[r * k + c];
        }
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12);
      }
  });
});

describe('the δ² study (Theorem 3)', () => {
  const options = {
    sides: [3, 5, 7, 9],
    features: 150,
    featureScale: 2,
    ridge: 1e-14,
    lambda: 1,
    testSide: 21,
    seed: 1,
    floorFactor: 10,
  };

  it('inside the C¹ region the Sobolev slope exceeds the MSE slope by at least 0.5; across the kink the gain shrinks', async () => {
    const clock = new RunClock({}, 1);
    const c1 = await deltaStudy(portfolioFamily('c1'), [NaN, NaN], options, clock);
    const kink = await deltaStudy(portfolioFamily('kink'), [NaN, NaN], options, clock);
    const { mse, sobolev } = c1.slopes;
    expect(mse.used.length).toBeGreaterThanOrEqual(2);
    expect(sobolev.used.length).toBeGreaterThanOrEqual(2);
    expect(sobolev.slope).toBeGreaterThan(mse.slope + 0.5);
    const gain = (s: typeof c1) => {
      const last = s.points[s.points.length - 1];
      return last.mse.sup / last.sobolev.sup;
    };
    expect(gain(kink)).toBeLessThan(gain(c1) / 10);
    // Sobolev's value fit is at least as good at every δ inside the C¹ region.
    for (const p of c1.points) expect(p.sobolev.sup).toBeLessThanOrEqual(p.mse.sup);
  });
});

describe('runSobolev', () => {
  it('quick run: the lab JSON shape, streamed epochs, metrics that are real', async () => {
    const seen: string[] = [];
    const report = await runSobolev(
      { quick: true, epochs: 3, deltaFamilies: [] },
      { onEpoch: (m) => seen.push(m) },
    );
    expect(report.experiment).toBe('sobolev');
    expect(Object.keys(report.methods)).toEqual(
      [0, 0.05, 0.25, 1].map((d) => `portfolio-c1/${densityKey(d)}`),
    );
    expect(seen.length).toBe(4 * 3);
    for (const m of Object.values(report.methods)) {
      expect(m.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
      expect(m.final.test_mse).toBeGreaterThan(0);
      expect(m.final.violation_max).toBeGreaterThanOrEqual(m.final.violation_median);
    }
    expect(report.table).toHaveLength(4);
    expect(report.aborted).toBe(false);
  });

  it('stops on the signal and keeps what was done', async () => {
    const ctl = new AbortController();
    const report = await runSobolev(
      { quick: true, epochs: 5, deltaFamilies: [] },
      { onEpoch: (_, r) => r.epoch === 2 && ctl.abort(), signal: ctl.signal },
    );
    expect(report.aborted).toBe(true);
    expect(report.methods['portfolio-c1/mse'].epochs.length).toBeGreaterThanOrEqual(2);
  });

  it('violation and objective helpers', () => {
    const inst = solveInstance(portfolioFamily('c1'), Float64Array.of(0, 0.1));
    expect(violation(inst, inst.x)).toBeLessThan(1e-9);
    expect(Math.abs(objective(inst, inst.x) - inst.obj)).toBeLessThan(1e-12);
    const off = inst.x.map((v) => v + 0.1);
    expect(violation(inst, off)).toBeCloseTo(0.4, 12);
  });
});
