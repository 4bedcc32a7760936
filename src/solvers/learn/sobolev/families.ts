/**
 * Parametric QP families for Sobolev training: a parameter box p ∈ [lo, hi] ⊂ ℝᵈ, the QP at each p
 * (minimize ½xᵀPx + q(p)ᵀx s.t. l(p) ≤ Ax ≤ u(p)), and how q, l, u move with p. The targets are the
 * solution map g(p) = x*(p) and its Jacobian Dg(p) = ∂x* / ∂(q, l, u) · ∂(q, l, u)/∂p, with the first
 * factor from `solutionJacobian` (the exact active-set KKT Jacobian).
 *
 *  - `portfolio-c1` and `portfolio-kink`: the long-only mean–variance portfolio with returns
 *    μ(r) = μ₀ + B r (k return factors r) and a risk budget b,
 *
 *      minimize ½xᵀΣx − b·μ(r)ᵀx  s.t.  1ᵀx = 1, x ≥ 0,
 *
 *    i.e. maximize return at the price 1/b per unit of variance (the Lagrangian form of a risk
 *    budget: a larger b allows more risk). Σ ≻ 0, so x* is unique. While no x_i ≥ 0 binds,
 *    x* = x_mv + b·Σ⁻¹(μ − c1) (x_mv the minimum-variance portfolio, c = 1ᵀΣ⁻¹μ / 1ᵀΣ⁻¹1):
 *    C^∞ and bilinear in (r, b), so Theorem 3's assumptions hold. 'c1' is a box where every weight
 *    stays above a margin (checked at the box's corners, where a multi-affine function has its
 *    extremes); 'kink' extends b until assets leave the portfolio: the active set changes inside the
 *    box and Dg jumps there (the theorem's break condition).
 *  - `dc-opf`: Training lab I's DC-OPF grid (opfDataset) with the loads' demands d as parameters
 *    (the upper bounds of their power rows), prices and line limits at their means, and a small
 *    ridge ½ε‖v − v₀1‖² that makes x* unique (the LP's solution can be a face). Piecewise affine:
 *    line limits and generator capacities switch on and off as demand moves.
 */
import type { QpProblem } from '../../qp/types';
import { solveQp } from '../../qp';
import { solutionJacobian } from '../../grad/jacobian';
import { Rng } from '../../grad/rng';
import { opfDataset } from '../data/opf';

export type FamilyName = 'portfolio-c1' | 'portfolio-kink' | 'dc-opf';
export const FAMILIES: readonly FamilyName[] = ['portfolio-c1', 'portfolio-kink', 'dc-opf'];

export interface Family {
  name: FamilyName;
  label: string;
  /** Parameter dimension d. */
  d: number;
  /** Output (solution) dimension n. */
  n: number;
  lo: Float64Array;
  hi: Float64Array;
  /** True when x* is C¹ on the whole box (one active set). */
  smooth: boolean;
  /** The QP at p. */
  problem(p: Float64Array): QpProblem;
  /** ∂q/∂p, ∂l/∂p, ∂u/∂p at p: d directions (missing parts are zero). */
  dataJacobian(p: Float64Array): { dq?: Float64Array; dl?: Float64Array; du?: Float64Array }[];
}

/** One solved parameter: x*, Dg (n × d, row-major), the optimal value and the problem. */
export interface Instance {
  p: Float64Array;
  x: Float64Array;
  J: Float64Array;
  obj: number;
  problem: QpProblem;
}

/**
 * Targets must be far below the errors a δ² study measures: ADMM stops early and polishing solves
 * the identified active set's KKT system exactly (as regret.ts does for the true optima); when the
 * polish fails, a tighter solve from there polishes again.
 */
export const TARGET_SETTINGS = Object.freeze({
  eps_abs: 1e-6,
  eps_rel: 1e-6,
  polish: true,
  max_iter: 100_000,
});
export const TARGET_FALLBACK = Object.freeze({
  eps_abs: 1e-9,
  eps_rel: 1e-9,
  polish: true,
  max_iter: 200_000,
});

/** Solves the family at p and differentiates: Dg = Σ_data ∂x* / ∂data · ∂data/∂p. */
export function solveInstance(family: Family, p: Float64Array): Instance {
  const problem = family.problem(p);
  let res = solveQp(problem, TARGET_SETTINGS);
  if (res.polish !== 'success') {
    const warm = res.status === 'solved' ? { x: res.x, y: res.y } : undefined;
    res = solveQp(problem, TARGET_FALLBACK, warm);
  }
  if (res.status !== 'solved' && !(res.status === 'solved_inaccurate' && res.polish === 'success'))
    throw new Error(`${family.name}: the solve at p = [${Array.from(p)}] ended '${res.status}'`);
  const { n, m } = problem;
  const Jd = solutionJacobian(problem, res);
  const J = new Float64Array(n * family.d);
  family.dataJacobian(p).forEach((dir, j) => {
    for (let r = 0; r < n; r++) {
      let s = 0;
      if (dir.dq) for (let c = 0; c < n; c++) s += Jd.dq.data[r * n + c] * dir.dq[c];
      if (dir.dl) for (let c = 0; c < m; c++) s += Jd.dl.data[r * m + c] * dir.dl[c];
      if (dir.du) for (let c = 0; c < m; c++) s += Jd.du.data[r * m + c] * dir.du[c];
      J[r * family.d + j] = s;
    }
  });
  return { p, x: res.x, J, obj: res.obj, problem };
}

export interface PortfolioFamilyOptions {
  /** Assets (default 4). */
  assets?: number;
  /** Return factors k, so d = k + 1 (default 1). */
  factors?: number;
  seed?: number;
}

/** Σ, μ₀, B of the portfolio families, with a strictly positive minimum-variance portfolio. */
function portfolioData(n: number, k: number, seed: number) {
  // μ_i(r) = (c_i + Σ_f B_if r_f)^4 with c_i − Σ_f |B_if| ≥ 0.2: positive, and curved in r.
  const rng = new Rng(seed);
  for (;;) {
    const L = rng.normals(n * 2);
    const S = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 0.5 + rng.uniform() : 0;
        for (let f = 0; f < 2; f++) s += 0.3 * L[i * 2 + f] * L[j * 2 + f];
        S[i * n + j] = s;
      }
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) S[i * n + j] = S[j * n + i] = (S[i * n + j] + S[j * n + i]) / 2;
    const B = Float64Array.from({ length: n * k }, () => (0.6 * (2 * rng.uniform() - 1)) / k);
    const mu0 = Float64Array.from({ length: n }, (_, i) => {
      let s = 0.2 + 0.3 * rng.uniform();
      for (let f = 0; f < k; f++) s += Math.abs(B[i * k + f]);
      return s;
    });
    const xmv = unconstrained(S, new Float64Array(n), n);
    if (xmv.every((v) => v > 0.05)) return { S, mu0, B };
  }
}

/** argmin ½xᵀSx − μᵀx s.t. 1ᵀx = 1 (no sign constraints), by the 2×2 block formula. */
function unconstrained(S: Float64Array, mu: Float64Array, n: number): Float64Array {
  const Si1 = solveSpd(S, new Float64Array(n).fill(1), n);
  const Simu = solveSpd(S, mu, n);
  const a = Si1.reduce((s, v) => s + v, 0);
  const c = (1 - Simu.reduce((s, v) => s + v, 0)) / a;
  return Simu.map((v, i) => v + c * Si1[i]);
}

/** S⁻¹b for a small SPD S by Gaussian elimination (no pivoting needed). */
function solveSpd(S: Float64Array, b: Float64Array, n: number): Float64Array {
  const M = Float64Array.from(S);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++)
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c] / M[c * n + c];
      for (let k = c; k < n; k++) M[r * n + k] -= f * M[c * n + k];
      x[r] -= f * x[c];
    }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= M[r * n + k] * x[k];
    x[r] = s / M[r * n + r];
  }
  return x;
}

/** Degree of the return model μ_i(r) = (c_i + Σ_f B_if r_f)^deg (PyEPO's polynomial factor model). */
export const RETURN_DEGREE = 4;

/** The portfolio family on its C¹ box or on a box that crosses active-set changes. */
export function portfolioFamily(
  region: 'c1' | 'kink',
  options: PortfolioFamilyOptions = {},
): Family {
  const n = options.assets ?? 4;
  const k = options.factors ?? 1;
  const deg = RETURN_DEGREE;
  const { S, mu0: c, B } = portfolioData(n, k, options.seed ?? 0);
  const base = (r: ArrayLike<number>) =>
    c.map((v, i) => {
      let s = v;
      for (let f = 0; f < k; f++) s += B[i * k + f] * r[f];
      return s;
    });
  const mu = (r: ArrayLike<number>) => base(r).map((v) => v ** deg);
  // Largest budget b at which every sampled r keeps every unconstrained weight ≥ 0.05. For fixed r
  // the unconstrained x_u(r, b) = x_mv + b·(x_u(r, 1) − x_mv) is affine in b.
  const xmv = unconstrained(S, new Float64Array(n), n);
  let bMax = Infinity;
  const rng = new Rng(0x5ca1e);
  const samples = k === 1 ? 401 : 4000;
  for (let t = 0; t < samples; t++) {
    const r = Float64Array.from({ length: k }, () =>
      k === 1 ? -1 + (2 * t) / (samples - 1) : 2 * rng.uniform() - 1,
    );
    unconstrained(S, mu(r), n).forEach((v, i) => {
      const slope = v - xmv[i];
      if (slope < 0) bMax = Math.min(bMax, (xmv[i] - 0.05) / -slope);
    });
  }
  if (!Number.isFinite(bMax)) bMax = 1;
  const lo = new Float64Array(k + 1).fill(-1);
  const hi = new Float64Array(k + 1).fill(1);
  lo[k] = region === 'c1' ? 0.25 * bMax : 0.5 * bMax;
  hi[k] = region === 'c1' ? bMax : 4 * bMax;
  const A = { rows: n + 1, cols: n, data: new Float64Array((n + 1) * n) };
  for (let j = 0; j < n; j++) {
    A.data[j] = 1;
    A.data[(j + 1) * n + j] = 1;
  }
  const l = new Float64Array(n + 1);
  const u = new Float64Array(n + 1).fill(Infinity);
  l[0] = u[0] = 1;
  return {
    name: region === 'c1' ? 'portfolio-c1' : 'portfolio-kink',
    label: `portfolio, ${n} assets, ${region === 'c1' ? 'C¹ region' : 'across active-set changes'}`,
    d: k + 1,
    n,
    lo,
    hi,
    smooth: region === 'c1',
    problem: (p) => ({
      n,
      m: n + 1,
      P: { rows: n, cols: n, data: S },
      q: mu(p).map((v) => -p[k] * v),
      r: 0,
      A,
      l,
      u,
    }),
    dataJacobian: (p) => {
      // q = −b·μ(r): ∂q_i/∂r_f = −b·deg·base_i^(deg−1)·B_if, ∂q/∂b = −μ(r).
      const bs = base(p);
      const dirs = [];
      for (let f = 0; f < k; f++)
        dirs.push({
          dq: Float64Array.from(
            { length: n },
            (_, i) => -p[k] * deg * bs[i] ** (deg - 1) * B[i * k + f],
          ),
        });
      dirs.push({ dq: mu(p).map((v) => -v) });
      return dirs;
    },
  };
}

export interface OpfFamilyOptions {
  /** Grid nodes (default 10). */
  nodes?: number;
  /** Ridge ε of ½ε‖v − v₀‖² (default 1). */
  ridge?: number;
  seed?: number;
}

/** DC-OPF with the loads' demands as parameters, each in [0.5, 1.5] × its mean. */
export function opfFamily(options: OpfFamilyOptions = {}): Family {
  const nodes = options.nodes ?? 10;
  const eps = options.ridge ?? 1;
  const ds = opfDataset({ nodes, samples: 1, seed: options.seed ?? 0 });
  const st = ds.structure;
  const N = st.n;
  // Loads are the nodes whose power row has l = 0 < u.
  const loads: number[] = [];
  for (let i = 0; i < N; i++) if (st.l[N + i] === 0 && st.u[N + i] > 0) loads.push(i);
  const mean = loads.map((i) => st.u[N + i]);
  const v0 = st.l[0];
  // Mean prices: 1.2 at loads, 0.8 at generators (App. C.2), q = v₀Yw − εv₀1 with the ridge.
  const Y = new Float64Array(N * N);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++) Y[i * N + j] = -st.A.data[(N + i) * N + j] / v0;
  const w = Float64Array.from({ length: N }, (_, i) => (loads.includes(i) ? 1.2 : 0.8));
  const q = Float64Array.from({ length: N }, (_, a) => {
    let s = 0;
    for (let b = 0; b < N; b++) s += Y[a * N + b] * w[b];
    return v0 * s - eps * v0;
  });
  const P = { rows: N, cols: N, data: new Float64Array(N * N) };
  for (let i = 0; i < N; i++) P.data[i * N + i] = eps;
  const d = loads.length;
  return {
    name: 'dc-opf',
    label: `DC-OPF, ${nodes} nodes, ${d} load demands`,
    d,
    n: N,
    lo: Float64Array.from(mean, (v) => 0.5 * v),
    hi: Float64Array.from(mean, (v) => 1.5 * v),
    smooth: false,
    problem: (p) => {
      const u = Float64Array.from(st.u);
      loads.forEach((i, k) => (u[N + i] = p[k]));
      return { ...st, P, q, r: 0.5 * eps * N * v0 * v0, l: st.l, u };
    },
    dataJacobian: () =>
      loads.map((i) => {
        const du = new Float64Array(st.m);
        du[N + i] = 1;
        return { du };
      }),
  };
}

export function makeFamily(name: FamilyName, seed = 0): Family {
  if (name === 'dc-opf') return opfFamily({ seed });
  return portfolioFamily(name === 'portfolio-c1' ? 'c1' : 'kink', { seed });
}
