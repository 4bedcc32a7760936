/**
 * The generators against their stated formulas (recovered from the generated data by exact
 * least-squares fits, independent of the generator's code path), their structural promises
 * (feasibility, power balance, covariance from the factors), and the true optima that regret
 * uses against HiGHS, an independent solver.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighs, solveWithHighs, type Highs } from '../../qp/references';
import { choleskyFactor, choleskySolve, isCholeskyFailure } from '../../linalg/cholesky';
import { testPositiveSemidefinite } from '../../linalg/eigen';
import { sampleFeatures, sampleProblem, sampleVectors, type PoDataset } from './dataset';
import { PORTFOLIO_LAMBDAS, portfolioData, portfolioDataset } from './portfolio';
import { knapsackDataset } from './knapsack';
import { opfDataset, randomGrid } from './opf';
import { Rng } from '../../grad/rng';
import { maxViolation, normalizedRegret, solveOptima } from '../regret';

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

/**
 * Least-squares fit t ≈ c + Σ_j β_j o_j over all samples; returns [β…, c] and the max residual.
 */
function affineFit(
  features: Float64Array,
  k: number,
  t: Float64Array,
): { coef: Float64Array; res: number } {
  const N = t.length;
  const n = k + 1;
  const M = { rows: n, cols: n, data: new Float64Array(n * n) };
  const rhs = new Float64Array(n);
  const row = (i: number, j: number): number => (j < k ? features[i * k + j] : 1);
  for (let i = 0; i < N; i++)
    for (let a = 0; a < n; a++) {
      rhs[a] += row(i, a) * t[i];
      for (let b = 0; b < n; b++) M.data[a * n + b] += row(i, a) * row(i, b);
    }
  const f = choleskyFactor(M);
  if (isCholeskyFailure(f)) throw new Error('singular fit');
  const coef = choleskySolve(f, rhs);
  let res = 0;
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let a = 0; a < n; a++) s += row(i, a) * coef[a];
    res = Math.max(res, Math.abs(s - t[i]));
  }
  return { coef, res };
}

function column(
  ds: { costs: Float64Array },
  n: number,
  a: number,
  map: (v: number) => number,
): Float64Array {
  const N = ds.costs.length / n;
  return Float64Array.from({ length: N }, (_, i) => map(ds.costs[i * n + a]));
}

/** Optimal values of our engine (regret.ts) against HiGHS on the first `count` samples. */
function expectOptimaMatchHighs(ds: PoDataset, count: number): void {
  const idx = Array.from({ length: count }, (_, i) => i);
  const opt = solveOptima(ds, idx);
  for (const i of idx) {
    expect(opt.status[i]).toBe('solved');
    const ref = solveWithHighs(highs, sampleProblem(ds, i));
    expect(ref.status).toBe('Optimal');
    expect(Math.abs(opt.obj[i] - ref.obj)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.obj)));
  }
}

describe('portfolio (You Shall Pass Eq. 7, PyEPO factor model)', () => {
  it('noise-free returns satisfy p^{1/deg} = 0.1^{1/deg} + 0.05·Bo/√k exactly, B ∈ {0,1}', () => {
    for (const deg of [1, 2, 4]) {
      const k = 5;
      const d = portfolioData({ assets: 6, features: k, samples: 60, deg, noiseLevel: 0, seed: 3 });
      for (let a = 0; a < d.n; a++) {
        const { coef, res } = affineFit(
          d.features,
          k,
          column({ costs: d.returns }, d.n, a, (v) => Math.pow(v, 1 / deg)),
        );
        expect(res).toBeLessThan(1e-12);
        expect(coef[k]).toBeCloseTo(Math.pow(0.1, 1 / deg), 12);
        for (let j = 0; j < k; j++) {
          const b = coef[j] / (0.05 / Math.sqrt(k));
          expect(Math.min(Math.abs(b), Math.abs(b - 1))).toBeLessThan(1e-10);
        }
      }
    }
  });

  it('the noise is the factor model: its sample covariance is Σ = LLᵀ + (0.01τ)²I (= Q/κ), within 10 %', () => {
    const opts = { assets: 4, features: 3, samples: 6000, deg: 1, seed: 5 };
    const noisy = portfolioData({ ...opts, noiseLevel: 1 });
    const clean = portfolioData({ ...opts, noiseLevel: 0 });
    const n = noisy.n;
    const C = new Float64Array(n * n);
    for (let i = 0; i < opts.samples; i++)
      for (let a = 0; a < n; a++)
        for (let b = 0; b < n; b++) {
          const ea = noisy.returns[i * n + a] - clean.returns[i * n + a];
          const eb = noisy.returns[i * n + b] - clean.returns[i * n + b];
          C[a * n + b] += (ea * eb) / opts.samples;
        }
    const Sigma = noisy.Q.map((v) => v / noisy.riskScale);
    let num = 0;
    let den = 0;
    for (let t = 0; t < n * n; t++) {
      num += (C[t] - Sigma[t]) ** 2;
      den += Sigma[t] ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(0.1);
  });

  it('is Eq. 7 in QP form: P = 2λQ ⪰ 0, q = −p, the simplex; reproducible by seed', () => {
    const ds = portfolioDataset({ assets: 8, samples: 40, lambda: 0.5, seed: 1 });
    const d = portfolioData({ assets: 8, samples: 40, seed: 1 });
    expect(ds.structure.P.data).toEqual(d.Q.map((v) => v));
    expect(testPositiveSemidefinite(ds.structure.P).psd).toBe(true);
    expect(ds.costs).toEqual(d.returns.map((v) => -v));
    const x = new Float64Array(8).fill(1 / 8);
    expect(maxViolation(ds, 0, x)).toBeLessThan(1e-15);
    expect(portfolioDataset({ assets: 8, samples: 40, lambda: 0.5, seed: 1 })).toEqual(ds);
    expect(portfolioDataset({ assets: 8, samples: 40, lambda: 0.5, seed: 2 }).costs).not.toEqual(
      ds.costs,
    );
  });

  it('λ spans linear to diversified: a vertex at λ = 0, more assets held as λ grows', () => {
    const support = PORTFOLIO_LAMBDAS.map((lambda) => {
      const ds = portfolioDataset({ samples: 30, lambda, seed: 1 });
      const opt = solveOptima(ds);
      let held = 0;
      for (let t = 0; t < opt.x.length; t++) if (opt.x[t] > 1e-6) held++;
      return held / ds.size;
    });
    expect(support[0]).toBe(1);
    for (let j = 1; j < support.length; j++)
      expect(support[j]).toBeGreaterThanOrEqual(support[j - 1]);
    expect(support[support.length - 1]).toBeGreaterThan(3);
  });

  it('its optima (λ = 0.25) match HiGHS', () => {
    expectOptimaMatchHighs(
      portfolioDataset({ assets: 10, samples: 10, lambda: 0.25, seed: 4 }),
      10,
    );
  });
});

describe('knapsack (You Shall Pass App. C.3, PyEPO)', () => {
  it('draws W ~ U(3, 8), b ~ U(20, 80) and rows [I; W] with 0 ≤ x ≤ 1, Wx ≤ b', () => {
    const ds = knapsackDataset({ samples: 20, seed: 2 });
    const { n, m, A, l, u } = ds.structure;
    expect([n, m, ds.featureSize, ds.size]).toEqual([20, 35, 16, 20]);
    const W = A.data.subarray(n * n);
    expect(Math.min(...W)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...W)).toBeLessThan(8);
    const b = u.subarray(n);
    expect(Math.min(...b)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...b)).toBeLessThan(80);
    expect(Array.from(l.subarray(0, n))).toEqual(new Array(n).fill(0));
    expect(l.subarray(n).every((v) => v === -Infinity)).toBe(true);
  });

  it('noise-free values satisfy ((w − 1)·3.5^deg/5 − 1)^{1/deg} = 3 + Bo/√k exactly', () => {
    const k = 16;
    const ds = knapsackDataset({ samples: 80, noiseWidth: 0, seed: 3 });
    for (let a = 0; a < 20; a++) {
      const t = column(ds, 20, a, (q) => Math.sqrt(((-q - 1) * 3.5 ** 2) / 5 - 1));
      const { coef, res } = affineFit(ds.features, k, t);
      expect(res).toBeLessThan(1e-12);
      expect(coef[k]).toBeCloseTo(3, 12);
      for (let j = 0; j < k; j++) {
        const b = coef[j] * Math.sqrt(k);
        expect(Math.min(Math.abs(b), Math.abs(b - 1))).toBeLessThan(1e-10);
      }
    }
  });

  it('adds ε ~ U(0.5, 1.5) (App. C.3) or multiplies by it (PyEPO)', () => {
    const clean = knapsackDataset({ samples: 200, noiseWidth: 0, seed: 3 }); // w + 1
    const add = knapsackDataset({ samples: 200, seed: 3 });
    const cleanMul = knapsackDataset({
      samples: 200,
      noiseWidth: 0,
      seed: 3,
      noise: 'multiplicative',
    });
    const mul = knapsackDataset({ samples: 200, seed: 3, noise: 'multiplicative' });
    const dAdd = add.costs.map((v, i) => clean.costs[i] - v);
    const ratio = mul.costs.map((v, i) => v / cleanMul.costs[i]);
    expect(Math.min(...dAdd)).toBeGreaterThanOrEqual(0.5 - 1);
    expect(Math.max(...dAdd)).toBeLessThan(1.5 - 1 + 1e-12);
    expect(dAdd.reduce((s, v) => s + v, 0) / dAdd.length).toBeCloseTo(0, 1);
    expect(Math.min(...ratio)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...ratio)).toBeLessThan(1.5);
  });

  it('its optima match HiGHS', () => {
    expectOptimaMatchHighs(knapsackDataset({ samples: 8, seed: 5 }), 8);
  });
});

describe('DC optimal power flow (You Shall Pass App. C.2)', () => {
  it('builds a connected grid: a spanning tree plus distinct extra lines; node 0 generates', () => {
    const g = randomGrid(30, 8, 0.3, new Rng(4));
    expect(g.lines.length).toBe(29 + 8);
    expect(new Set(g.lines.map(([i, j]) => `${i}-${j}`)).size).toBe(g.lines.length);
    const reached = new Set([0]);
    for (let changed = true; changed;) {
      changed = false;
      for (const [i, j] of g.lines)
        if (reached.has(i) !== reached.has(j)) {
          reached.add(i);
          reached.add(j);
          changed = true;
        }
    }
    expect(reached.size).toBe(30);
    expect(g.generator[0]).toBe(true);
    expect(g.generator.filter(Boolean).length).toBe(9);
  });

  const ds = opfDataset({ nodes: 12, samples: 400, featureNoise: 0, seed: 6 });
  const N = 12;
  const E = Number(ds.settings.lines);

  it('normalizes v₀ to 7 V: voltages in [6.5, 7.5], demand ≈ 3.2, capacity ≈ −5.6, limits ≈ 0.5', () => {
    const { l, u } = sampleVectors(ds, 0);
    expect([l[0], u[0]]).toEqual([7, 7]);
    expect(l[1]).toBeCloseTo(6.5, 14);
    expect(u[1]).toBeCloseTo(7.5, 14);
    const s2 = (7 / 350) ** 2;
    const mean = (pick: (i: number) => number[]): number => {
      const all = Array.from({ length: ds.size }, (_, i) => pick(i)).flat();
      return all.reduce((a, b) => a + b, 0) / all.length;
    };
    const gen = Array.from({ length: N }, (_, i) => ds.structure.l[N + i] < 0);
    const loads = (i: number) => gen.flatMap((g, j) => (g ? [] : [sampleVectors(ds, i).u[N + j]]));
    const caps = (i: number) => gen.flatMap((g, j) => (g ? [sampleVectors(ds, i).l[N + j]] : []));
    const limits = (i: number) => Array.from(sampleVectors(ds, i).u.subarray(2 * N));
    expect(Math.abs(mean(loads) / (8000 * s2) - 1)).toBeLessThan(0.05);
    expect(Math.abs(mean(caps) / (-14000 * s2) - 1)).toBeLessThan(0.05);
    expect(Math.abs(mean(limits) / (25 * (7 / 350)) - 1)).toBeLessThan(0.05);
  });

  it('is power balanced and lossless: the power rows sum to zero for every v', () => {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += ds.structure.A.data[(N + i) * N + j];
      expect(Math.abs(s)).toBeLessThan(1e-12);
    }
  });

  it('costs q = v₀Yw make qᵀv = −wᵀP(v), the negated welfare, with w read from the features', () => {
    const rng = new Rng(8);
    for (const i of [0, 7, 99]) {
      const w = sampleFeatures(ds, i).subarray(0, N);
      const { q } = sampleVectors(ds, i);
      const v = Float64Array.from({ length: N }, () => 7 + 0.3 * rng.normal());
      let qv = 0;
      let welfare = 0;
      for (let a = 0; a < N; a++) {
        qv += q[a] * v[a];
        let power = 0;
        for (let b = 0; b < N; b++) power += ds.structure.A.data[(N + a) * N + b] * v[b];
        welfare += w[a] * power;
      }
      expect(Math.abs(qv + welfare)).toBeLessThan(1e-10 * Math.max(1, Math.abs(qv)));
    }
  });

  it('every sample is feasible at v ≡ v₀ (no flow) and its optimum has nonnegative welfare', () => {
    const v0 = new Float64Array(N).fill(7);
    for (let i = 0; i < ds.size; i++) expect(maxViolation(ds, i, v0)).toBeLessThan(1e-12);
    const opt = solveOptima(ds, [0, 1, 2, 3]);
    for (const i of [0, 1, 2, 3]) expect(opt.obj[i]).toBeLessThanOrEqual(1e-9);
    expect(ds.featureSize).toBe(2 * N + E);
  });

  it('its optima match HiGHS', () => {
    expectOptimaMatchHighs(opfDataset({ nodes: 10, samples: 6, seed: 7 }), 6);
  });
});

describe('regret (Eq. 8, normalized by the optimal value)', () => {
  it('is 0 at the optimum, positive elsewhere, and Σ regret / Σ|f*|', () => {
    const ds = portfolioDataset({ assets: 6, samples: 12, lambda: 1, seed: 9 });
    const idx = [0, 1, 2, 3];
    const opt = solveOptima(ds, idx);
    const xs = new Float64Array(idx.length * 6);
    idx.forEach((i, r) => xs.set(opt.x.subarray(i * 6, (i + 1) * 6), r * 6));
    expect(Math.abs(normalizedRegret(ds, idx, xs, opt).normalized)).toBeLessThan(1e-9);
    const uniformX = new Float64Array(idx.length * 6).fill(1 / 6);
    const r = normalizedRegret(ds, idx, uniformX, opt);
    expect(Math.min(...r.regret)).toBeGreaterThan(0);
    const den = idx.reduce((s, i) => s + Math.abs(opt.obj[i]), 0);
    expect(r.normalized).toBeCloseTo(r.regret.reduce((s, v) => s + v, 0) / den, 14);
  });
});
