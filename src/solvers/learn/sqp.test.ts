/**
 * The SQP solver and its derivative against independent computations:
 *  - the LogSumExp derivatives (∇φ, ∇²φ, M = ∂∇φ/∂p) against central differences of φ itself;
 *  - KKT residuals of the SQP solution, evaluated in Float64 from φ, A, l, u;
 *  - optimality against exponentiated gradient, a first-order method sharing no code with SQP;
 *  - a quadratic φ against quadprog (Goldfarb–Idnani);
 *  - the solution map's Jacobian (backward and forward) against central differences of re-solves.
 */
import { describe, expect, it } from 'vitest';
import { quadprogSolve } from '../grad/testing';
import { relError } from '../grad/vec';
import { Rng } from '../grad/rng';
import { LseObjective } from './lse';
import { solveSqp, violation, type SmoothObjective } from './sqp';
import { sqpBackward, sqpJvp } from './sqp-backward';
import {
  lseOptima,
  lsePortfolioDataset,
  lseRegret,
  lseReturns,
  solveLseSample,
} from './data/lse-portfolio';
import { simplexConstraints } from './data/portfolio';
import { sampleVectors } from './data/dataset';

const ds = lsePortfolioDataset({ assets: 8, samples: 6, seed: 3 });
const n = 8;
const C = { A: ds.structure.A, l: sampleVectors(ds, 0).l, u: sampleVectors(ds, 0).u };

function fdGradient(f: (z: Float64Array) => number, z: Float64Array, h: number): Float64Array {
  return Float64Array.from(z, (_, i) => {
    const zp = z.slice();
    const zm = z.slice();
    zp[i] += h;
    zm[i] -= h;
    return (f(zp) - f(zm)) / (2 * h);
  });
}

/** Exponentiated gradient on the simplex: x ← x ⊙ exp(−η∇φ), normalized. */
function exponentiatedGradient(phi: SmoothObjective, iters: number, eta: number): Float64Array {
  let x = new Float64Array(phi.n).fill(1 / phi.n);
  const g = new Float64Array(phi.n);
  for (let t = 0; t < iters; t++) {
    phi.gradient(x, g);
    const w = x.map((v, i) => v * Math.exp(-eta * g[i]));
    const s = w.reduce((a, b) => a + b, 0);
    x = w.map((v) => v / s);
  }
  return x;
}

describe('LogSumExp objective (Eq. 9) derivatives', () => {
  const obj = new LseObjective(n, { beta: 7, lambda: 0.3, Q: ds.objective.Q });
  const rng = new Rng(1);
  const p = Float64Array.from({ length: n }, () => 0.1 + 0.05 * rng.normal());
  const x = Float64Array.from({ length: n }, () => rng.uniform());
  const phi = obj.at(p);

  it('∇φ and ∇²φ match central differences of φ (relative error < 1e-7)', () => {
    const g = phi.gradient(x, new Float64Array(n));
    expect(
      relError(
        g,
        fdGradient((z) => phi.value(z), x, 1e-5),
      ),
    ).toBeLessThan(1e-7);
    const H = phi.hessian(x, { rows: n, cols: n, data: new Float64Array(n * n) });
    for (let j = 0; j < n; j++) {
      const col = fdGradient((z) => phi.gradient(z, new Float64Array(n))[j], x, 1e-5);
      expect(relError(H.data.subarray(j * n, (j + 1) * n), col)).toBeLessThan(1e-7);
    }
  });

  it('M = ∂∇ₓφ/∂p: mixedJvp matches differences of ∇φ in p, mixedVjp is its transpose', () => {
    const dp = Float64Array.from({ length: n }, () => rng.normal());
    const v = Float64Array.from({ length: n }, () => rng.normal());
    const h = 1e-6;
    const gp = obj.at(p.map((pi, i) => pi + h * dp[i])).gradient(x, new Float64Array(n));
    const gm = obj.at(p.map((pi, i) => pi - h * dp[i])).gradient(x, new Float64Array(n));
    const fd = gp.map((a, i) => (a - gm[i]) / (2 * h));
    expect(relError(obj.mixedJvp(x, p, dp), fd)).toBeLessThan(1e-7);
    const vMdp = v.reduce((s, vi, i) => s + vi * obj.mixedJvp(x, p, dp)[i], 0);
    const MtvDp = obj.mixedVjp(x, p, v).reduce((s, a, i) => s + a * dp[i], 0);
    expect(Math.abs(vMdp - MtvDp)).toBeLessThan(1e-12 * Math.max(1, Math.abs(vMdp)));
  });
});

describe('SQP on the LogSumExp portfolio', () => {
  const samples = [0, 1, 2, 3];
  const sols = samples.map((i) => solveLseSample(ds, i));

  it('converges with Float64 KKT residuals ≤ 1e-12 and holds some assets but not all', () => {
    for (const sol of sols) {
      expect(sol.status).toBe('solved');
      expect(sol.kkt.stationarity).toBeLessThan(1e-12);
      expect(sol.kkt.primal).toBeLessThan(1e-12);
      expect(sol.kkt.dualSign).toBe(0);
      expect(sol.kkt.complementarity).toBeLessThan(1e-12);
      const held = sol.x.filter((v) => v > 1e-9).length;
      expect(held).toBeGreaterThan(1);
      expect(held).toBeLessThan(n);
    }
  });

  it('takes full Newton steps near the solution (quadratic convergence: ≤ 10 steps)', () => {
    for (const sol of sols) {
      expect(sol.iter).toBeLessThanOrEqual(10);
      expect(sol.history[sol.history.length - 1].t).toBe(1);
    }
  });

  it('is optimal: exponentiated gradient (20 000 steps) never finds a lower φ, and reaches it to 1e-8', () => {
    samples.forEach((i, r) => {
      const phi = ds.objective.at(lseReturns(ds, i));
      const xEg = exponentiatedGradient(phi, 20000, 0.5);
      expect(violation(C, xEg)).toBeLessThan(1e-12);
      expect(phi.value(xEg)).toBeGreaterThanOrEqual(sols[r].obj - 1e-13);
      expect(phi.value(xEg) - sols[r].obj).toBeLessThan(1e-8);
    });
  });

  it('starts anywhere: from x₀ = 0 (infeasible) it reaches the same solution', () => {
    const p = lseReturns(ds, 0);
    const sol = solveSqp(ds.objective.at(p), C, { x0: new Float64Array(n) });
    expect(sol.status).toBe('solved');
    expect(relError(sol.x, sols[0].x)).toBeLessThan(1e-10);
  });

  it('reports an infeasible constraint set as a failed QP, with a message', () => {
    const bad = simplexConstraints(n);
    bad.l[0] = bad.u[0] = -1; // Σx = −1 with x ≥ 0
    const sol = solveSqp(ds.objective.at(lseReturns(ds, 0)), bad);
    expect(sol.status).toBe('qp_failed');
    expect(sol.message).toMatch(/primal_infeasible/);
    expect(() => sqpBackward(ds.objective, lseReturns(ds, 0), sol, new Float64Array(n))).toThrow(
      /qp_failed/,
    );
  });
});

describe('SQP on a quadratic objective equals the QP solution (quadprog)', () => {
  it('matches quadprog to 1e-9 from an infeasible start', () => {
    const rng = new Rng(2);
    const B = Float64Array.from({ length: n * n }, () => rng.normal());
    const P = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < n; k++) P[i * n + j] += (B[k * n + i] * B[k * n + j]) / n;
        if (i === j) P[i * n + j] += 0.1;
      }
    const q = Float64Array.from({ length: n }, () => rng.normal());
    const phi: SmoothObjective = {
      n,
      value: (x) => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          s += q[i] * x[i];
          for (let j = 0; j < n; j++) s += 0.5 * x[i] * P[i * n + j] * x[j];
        }
        return s;
      },
      gradient: (x, out) => {
        for (let i = 0; i < n; i++) {
          out[i] = q[i];
          for (let j = 0; j < n; j++) out[i] += P[i * n + j] * x[j];
        }
        return out;
      },
      hessian: (_x, out) => {
        out.data.set(P);
        return out;
      },
    };
    const sol = solveSqp(phi, C);
    const ref = quadprogSolve({ n, m: C.A.rows, P: { rows: n, cols: n, data: P }, q, r: 0, ...C });
    expect(sol.status).toBe('solved');
    expect(relError(sol.x, ref.x)).toBeLessThan(1e-9);
  });
});

describe('differentiating the SQP solution map (KKT with the Hessian at x*)', () => {
  const H = 1e-5;
  const TOL = 1e-6;

  it.each([0, 1, 2])(
    'sample %i: ∂x*/∂p by sqpBackward (rows) and sqpJvp (columns) match central differences',
    (i) => {
      const p = lseReturns(ds, i);
      const sol = solveLseSample(ds, i);
      // Strict complementarity keeps the active set under ±h: held assets well inside, the
      // others with a clearly nonzero multiplier.
      for (let j = 0; j < n; j++) {
        const y = sol.y[j + 1];
        if (sol.x[j] > 1e-9) expect(sol.x[j]).toBeGreaterThan(1e-3);
        else expect(Math.abs(y)).toBeGreaterThan(1e-4);
      }
      const fdCols = Array.from({ length: n }, (_, k) => {
        const shifted = (s: number) => {
          const pk = p.slice();
          pk[k] += s;
          return solveLseSample(ds, i, pk).x;
        };
        const xp = shifted(H);
        const xm = shifted(-H);
        return xp.map((v, r) => (v - xm[r]) / (2 * H));
      });
      // Whole Jacobians compared (relative Frobenius error): a column of an unheld asset is ~0.
      const fd = new Float64Array(n * n);
      const back = new Float64Array(n * n);
      const fwd = new Float64Array(n * n);
      for (let r = 0; r < n; r++) {
        const e = new Float64Array(n);
        e[r] = 1;
        back.set(sqpBackward(ds.objective, p, sol, e).dtheta, r * n); // row r: ∂x_r/∂p
        const col = sqpJvp(ds.objective, p, sol, e); // column r: ∂x/∂p_r
        for (let k = 0; k < n; k++) {
          fwd[k * n + r] = col[k];
          fd[k * n + r] = fdCols[r][k];
        }
      }
      expect(relError(back, fd)).toBeLessThan(TOL);
      expect(relError(fwd, fd)).toBeLessThan(TOL);
      expect(relError(fwd, back)).toBeLessThan(1e-10);
    },
  );

  it('∂ℓ/∂(budget) from the constraint gradients matches a difference in the budget row', () => {
    const p = lseReturns(ds, 1);
    const sol = solveLseSample(ds, 1);
    const g = Float64Array.from({ length: n }, (_, j) => Math.cos(j));
    const grads = sqpBackward(ds.objective, p, sol, g);
    const solveBudget = (b: number) => {
      const Cb = simplexConstraints(n);
      Cb.l[0] = Cb.u[0] = b;
      return solveSqp(ds.objective.at(p), Cb, { x0: sol.x }).x;
    };
    const xp = solveBudget(1 + H);
    const xm = solveBudget(1 - H);
    const fd = g.reduce((s, gj, j) => s + (gj * (xp[j] - xm[j])) / (2 * H), 0);
    expect(Math.abs(grads.dl[0] + grads.du[0] - fd)).toBeLessThan(TOL * Math.max(1, Math.abs(fd)));
  });
});

describe('the LogSumExp true-problem evaluator and loss', () => {
  it('lseRegret is 0 at the SQP optima and positive for equal weights', () => {
    const idx = [0, 1, 2];
    const opt = lseOptima(ds, idx);
    const xs = new Float64Array(idx.length * n);
    idx.forEach((i, r) => xs.set(opt.x.subarray(i * n, (i + 1) * n), r * n));
    expect(Math.abs(lseRegret(ds, idx, xs, opt).normalized)).toBeLessThan(1e-12);
    const equal = lseRegret(ds, idx, new Float64Array(idx.length * n).fill(1 / n), opt);
    expect(Math.min(...equal.regret)).toBeGreaterThan(0);
  });

  it('∂/∂p̂ of the true-problem loss φ(x*(p̂); p) by sqpBackward matches central differences', () => {
    const p = lseReturns(ds, 4);
    const rng = new Rng(5);
    const pHat = p.map((v) => v * (1 + 0.3 * rng.normal()));
    const loss = (q: Float64Array): number => ds.objective.value(solveLseSample(ds, 4, q).x, p);
    const sol = solveLseSample(ds, 4, pHat);
    const g = ds.objective.at(p).gradient(sol.x, new Float64Array(n)); // ∂ℓ/∂x̂
    const grad = sqpBackward(ds.objective, pHat, sol, g).dtheta;
    expect(relError(grad, fdGradient(loss, pHat, 1e-6), 1e-8)).toBeLessThan(1e-6);
  });
});
