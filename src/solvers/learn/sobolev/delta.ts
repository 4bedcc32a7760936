/**
 * The δ² study (Sobolev training paper, Theorem 3). If a proxy ĝ matches g and Dg at every point of
 * a training set with covering radius δ (every p is within δ of one), and g, ĝ are C¹ with
 * M_g-, M_ĝ-Lipschitz derivatives, then sup‖ĝ − g‖ ≤ ½(M_g + M_ĝ)δ²; matching values only gives the
 * first-order bound (L_g + L_ĝ)δ. We fit on tensor grids of decreasing spacing, measure the sup error
 * on an offset test grid, and fit log(sup error) against log δ.
 *
 * The theorem is about proxies that match their data; a proxy trained by Adam stops at its noise
 * floor (~1e-4 here) long before the grids are fine, and Levenberg–Marquardt on a full MLP stalled
 * near 1e-6 at tens of seconds per fit. So the proxy of this study is a one-hidden-layer tanh network
 * whose hidden layer is drawn at random and frozen (random features φ(p̃) = tanh(Wp̃ + b), seeded,
 * W and b PyTorch's fan-in draw times `featureScale`), and whose output layer is fitted exactly:
 *
 *   MSE:      min_C Σ_i ‖Cᵀ[φ(p̃_i); 1] − ỹ_i‖²                                   + ρ‖C‖²
 *   Sobolev:  min_C Σ_i ‖Cᵀ[φ(p̃_i); 1] − ỹ_i‖² + λ Σ_i Σ_j ‖Cᵀ[Dφ(p̃_i)e_j; 0] − J̃_i e_j‖² + ρ‖C‖²
 *
 * by Householder QR (lsq.ts), with Dφ·e_j from the network's forward-mode tangents (`Mlp.forward`).
 * The fit's own error at the training points is reported with every point (the tolerance below which
 * a sup error means nothing); the slope is fitted on the points whose sup error is at least
 * `floorFactor` times that error.
 */
import { Mlp, unitDirections } from '../mlp';
import { logLogFit, type RunClock } from '../runs';
import { solveInstance, type Family, type Instance } from './families';
import { normalizeInput, normalizerFor, type Normalizer } from './train';
import { ridgeLeastSquares } from './lsq';

export interface DeltaOptions {
  /** Grid points per dimension, coarse to fine. */
  sides: number[];
  /** Random tanh features F (hidden units). */
  features: number;
  /** Scale of the hidden layer's fan-in draw (larger: more curved features). */
  featureScale: number;
  /** Ridge ρ of the output-layer fit. */
  ridge: number;
  /** λ of the Sobolev fit (the value fit has λ = 0). */
  lambda: number;
  /** Test points per dimension (an offset grid). */
  testSide: number;
  /** Seed of the random features. */
  seed: number;
  /** Points count in the slope when sup error ≥ floorFactor × training error. */
  floorFactor: number;
}

/** One fit at one grid. */
export interface DeltaFit {
  /** Largest |ĝ − g| over the test grid and outputs (original units). */
  sup: number;
  /** Largest |ĝ − g| over the training grid: the precision the fit reached. */
  train_sup: number;
  /** Rows of the least-squares system (values, plus λ-weighted Jacobian columns). */
  rows: number;
  ms: number;
}

export interface DeltaPoint {
  side: number;
  points: number;
  /** Covering radius in the normalized box [−1, 1]ᵈ: (h/2)√d with spacing h = 2/(side − 1). */
  delta: number;
  mse: DeltaFit;
  sobolev: DeltaFit;
}

export interface SlopeFit {
  /** Fitted exponent on the points above the floor (NaN with fewer than two). */
  slope: number;
  /** Fitted exponent on every point. */
  slope_all: number;
  /** Sides of the points used in `slope`. */
  used: number[];
}

export interface DeltaStudy {
  family: string;
  label: string;
  smooth: boolean;
  /** What was fixed to make the cut: parameter values, in family units; NaN marks the free axes. */
  cut: number[];
  points: DeltaPoint[];
  slopes: { mse: SlopeFit; sobolev: SlopeFit };
  /** Fitted lines log sup = slope·log δ + intercept, for drawing. */
  lines: { mse: [number, number]; sobolev: [number, number] };
}

/** The family restricted to the axes where `at` is NaN; the others are fixed at `at`. */
export function cutFamily(family: Family, at: ArrayLike<number>): Family {
  const free: number[] = [];
  for (let j = 0; j < family.d; j++) if (Number.isNaN(at[j])) free.push(j);
  const full = (p: Float64Array): Float64Array => {
    const f = Float64Array.from(at);
    free.forEach((j, k) => (f[j] = p[k]));
    return f;
  };
  return {
    ...family,
    d: free.length,
    lo: Float64Array.from(free, (j) => family.lo[j]),
    hi: Float64Array.from(free, (j) => family.hi[j]),
    problem: (p) => family.problem(full(p)),
    dataJacobian: (p) => {
      const dirs = family.dataJacobian(full(p));
      return free.map((j) => dirs[j]);
    },
  };
}

/** Tensor grid with `side` points per axis on [lo, hi] (offset: shifted by `shift` of a step, open). */
export function tensorGrid(family: Family, side: number, shift?: number): Float64Array[] {
  const { d, lo, hi } = family;
  const out: Float64Array[] = [];
  const total = side ** d;
  for (let t = 0; t < total; t++) {
    const p = new Float64Array(d);
    let rest = t;
    for (let j = 0; j < d; j++) {
      const a = rest % side;
      rest = Math.floor(rest / side);
      const frac = shift === undefined ? a / (side - 1) : (a + shift) / side;
      p[j] = lo[j] + (hi[j] - lo[j]) * frac;
    }
    out.push(p);
  }
  return out;
}

/** The frozen hidden layer: its outputs φ and, when asked, tangents Dφ·e_j at normalized inputs. */
function features(net: Mlp, norm: Normalizer, set: Instance[], tangents: boolean) {
  const d = norm.lo.length;
  const X = new Float64Array(set.length * d);
  set.forEach((it, i) => normalizeInput(norm, it.p, X.subarray(i * d, (i + 1) * d)));
  const all = Array.from({ length: d }, (_, j) => j);
  return net.forward(
    X,
    set.length,
    tangents
      ? unitDirections(
          d,
          Array.from(set, () => all),
        )
      : undefined,
  );
}

/** Largest |ĝ − g| over a set, ĝ = Cᵀ[φ; 1] in original units. */
function supError(net: Mlp, C: Float64Array, norm: Normalizer, set: Instance[]): number {
  const F = net.outputSize;
  const n = norm.shift.length;
  const phi = features(net, norm, set, false).output;
  let sup = 0;
  set.forEach((it, i) => {
    for (let o = 0; o < n; o++) {
      let s = C[F * n + o];
      for (let c = 0; c < F; c++) s += phi[i * F + c] * C[c * n + o];
      sup = Math.max(sup, Math.abs(s * norm.scale[o] + norm.shift[o] - it.x[o]));
    }
  });
  return sup;
}

function fit(
  net: Mlp,
  norm: Normalizer,
  train: Instance[],
  test: Instance[],
  lambda: number,
  ridge: number,
): DeltaFit {
  const t0 = performance.now();
  const F = net.outputSize;
  const d = norm.lo.length;
  const n = norm.shift.length;
  const per = lambda > 0 ? 1 + d : 1;
  const R = train.length * per;
  const cols = F + 1;
  const A = new Float64Array(R * cols);
  const B = new Float64Array(R * n);
  const tape = features(net, norm, train, lambda > 0);
  const w = Math.sqrt(lambda);
  train.forEach((it, i) => {
    const r0 = i * per;
    for (let c = 0; c < F; c++) A[r0 * cols + c] = tape.output[i * F + c];
    A[r0 * cols + F] = 1;
    for (let o = 0; o < n; o++) B[r0 * n + o] = (it.x[o] - norm.shift[o]) / norm.scale[o];
    for (let j = 0; j < per - 1; j++) {
      const r = r0 + 1 + j;
      for (let c = 0; c < F; c++) A[r * cols + c] = w * tape.tangent[(i * d + j) * F + c];
      for (let o = 0; o < n; o++)
        B[r * n + o] = (w * it.J[o * d + j] * (norm.hi[j] - norm.lo[j])) / (2 * norm.scale[o]);
    }
  });
  const C = ridgeLeastSquares(A, R, cols, B, n, ridge);
  return {
    sup: supError(net, C, norm, test),
    train_sup: supError(net, C, norm, train),
    rows: R,
    ms: performance.now() - t0,
  };
}

function slopeOf(points: DeltaPoint[], key: 'mse' | 'sobolev', factor: number): SlopeFit {
  const above = points.filter((p) => p[key].sup >= factor * p[key].train_sup);
  const f = logLogFit(
    above.map((p) => p.delta),
    above.map((p) => p[key].sup),
  );
  const all = logLogFit(
    points.map((p) => p.delta),
    points.map((p) => p[key].sup),
  );
  return { slope: f.slope, slope_all: all.slope, used: above.map((p) => p.side) };
}

/** Runs the study on `family` (already cut to the axes to sample). */
export async function deltaStudy(
  family: Family,
  cut: number[],
  o: DeltaOptions,
  clock: RunClock,
  onPoint?: (p: DeltaPoint) => void,
): Promise<DeltaStudy> {
  const test = tensorGrid(family, o.testSide, 0.5).map((p) => solveInstance(family, p));
  const norm = normalizerFor(family, test);
  const net = Mlp.init(
    { input: family.d, layers: [{ kind: 'dense', units: o.features }, { kind: 'tanh' }] },
    o.seed,
  );
  for (let i = 0; i < net.params.length; i++) net.params[i] *= o.featureScale;
  const points: DeltaPoint[] = [];
  for (const side of o.sides) {
    clock.phase = `δ study, ${family.name}, ${side} points per axis`;
    const train = tensorGrid(family, side).map((p) => solveInstance(family, p));
    await clock.turn();
    const mse = fit(net, norm, train, test, 0, o.ridge);
    clock.tick();
    await clock.turn();
    const sobolev = fit(net, norm, train, test, o.lambda, o.ridge);
    clock.tick();
    const point = {
      side,
      points: train.length,
      delta: (1 / (side - 1)) * Math.sqrt(family.d),
      mse,
      sobolev,
    };
    points.push(point);
    onPoint?.(point);
  }
  const slopes = {
    mse: slopeOf(points, 'mse', o.floorFactor),
    sobolev: slopeOf(points, 'sobolev', o.floorFactor),
  };
  const line = (key: 'mse' | 'sobolev'): [number, number] => {
    const above = points.filter((p) => slopes[key].used.includes(p.side));
    const f = logLogFit(
      above.map((p) => p.delta),
      above.map((p) => p[key].sup),
    );
    return [f.slope, f.intercept];
  };
  return {
    family: family.name,
    label: family.label,
    smooth: family.smooth,
    cut,
    points,
    slopes,
    lines: { mse: line('mse'), sobolev: line('sobolev') },
  };
}
