/**
 * ADMM-unrolled L2O (the tutorial's "Basic Unrolled L2O for ADMM") on the QP in OSQP's splitting:
 * minimize f(y) subject to My = z, z ∈ [l(x), u(x)], M = [A; G], l = [x; −∞], u = [x; h]. One ADMM
 * step from (z, w) is
 *
 *   y⁺ = argmin f(y) + (ρ/2)‖My − z + w/ρ‖²   →  learned: y⁺ = πθ(z, w, x)
 *   z⁺ = Π_[l,u](My⁺ + w/ρ)                      (the cheap projection: a clip)
 *   w⁺ = w + ρ(My⁺ − z⁺)
 *
 * from z⁰ = Π_[l,u](0), w⁰ = 0. K steps share θ and are trained end to end, supervised on every
 * iterate (ℓ = Σ_k (k/Σk)‖y^k − y*‖²), so each prefix of the unrolled solver is a solver too and the
 * gap can be read against the number of steps. `exactAdmm` runs the same loop with the exact
 * y-update (Q + ρMᵀM)y = −p + Mᵀ(ρz − w), the reference the surrogate imitates.
 */
import { Mlp, mlpSpec, type Tape } from '../mlp';
import { Adam } from '../optim';
import { BatchSampler, gatherRows } from '../batches';
import { l2Norm } from '../loss';
import type { RunClock } from '../runs';
import { choleskyFactor, choleskySolve, isCholeskyFailure } from '../../linalg/cholesky';
import { quality, type L2oData, type L2oProblem, type Quality } from './problem';
import type { L2oEpoch } from './direct';

export interface UnrolledOptions {
  steps: number;
  rho: number;
  hidden: number[];
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
}

/** M = [A; G] row-major, m × n. */
export function stackedRows(pr: L2oProblem): Float64Array {
  const M = new Float64Array((pr.neq + pr.nineq) * pr.n);
  M.set(pr.A);
  M.set(pr.G, pr.neq * pr.n);
  return M;
}

interface StepRecord {
  tape: Tape | null;
  /** w before the step (B × m). */
  w: Float64Array;
  /** My⁺ + w/ρ, and where the clip passed it through (1) or bound it (0). */
  free: Uint8Array;
}

/** Runs K steps for a batch; returns every iterate y^1…y^K (each B × n) and the records. */
function unroll(
  pr: L2oProblem,
  M: Float64Array,
  X: Float64Array,
  B: number,
  steps: number,
  rho: number,
  update: (z: Float64Array, w: Float64Array) => { Y: Float64Array; tape: Tape | null },
): { Ys: Float64Array[]; records: StepRecord[] } {
  const { n, neq } = pr;
  const m = neq + pr.nineq;
  const z = new Float64Array(B * m);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < neq; i++) z[b * m + i] = X[b * neq + i];
    for (let i = neq; i < m; i++) z[b * m + i] = Math.min(0, pr.h[i - neq]);
  }
  let w = new Float64Array(B * m);
  const Ys: Float64Array[] = [];
  const records: StepRecord[] = [];
  for (let k = 0; k < steps; k++) {
    const { Y, tape } = update(z, w);
    const free = new Uint8Array(B * m);
    const wNext = new Float64Array(B * m);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < m; i++) {
        let My = 0;
        for (let j = 0; j < n; j++) My += M[i * n + j] * Y[b * n + j];
        const v = My + w[b * m + i] / rho;
        const lo = i < neq ? X[b * neq + i] : -Infinity;
        const hi = i < neq ? X[b * neq + i] : pr.h[i - neq];
        const zi = Math.min(hi, Math.max(lo, v));
        free[b * m + i] = v > lo && v < hi ? 1 : 0;
        z[b * m + i] = zi;
        wNext[b * m + i] = w[b * m + i] + rho * (My - zi);
      }
    records.push({ tape, w, free });
    Ys.push(Y);
    w = wNext;
  }
  return { Ys, records };
}

/** The learned update's input [z, w, x] per sample. */
function inputs(
  z: Float64Array,
  w: Float64Array,
  X: Float64Array,
  B: number,
  m: number,
  neq: number,
) {
  const width = 2 * m + neq;
  const I = new Float64Array(B * width);
  for (let b = 0; b < B; b++) {
    I.set(z.subarray(b * m, (b + 1) * m), b * width);
    I.set(w.subarray(b * m, (b + 1) * m), b * width + m);
    I.set(X.subarray(b * neq, (b + 1) * neq), b * width + 2 * m);
  }
  return I;
}

export class UnrolledAdmm {
  readonly net: Mlp;
  readonly M: Float64Array;

  constructor(
    readonly pr: L2oProblem,
    readonly o: UnrolledOptions,
  ) {
    const m = pr.neq + pr.nineq;
    this.net = Mlp.init(mlpSpec(2 * m + pr.neq, o.hidden, pr.n, 'leaky-relu'), o.seed);
    this.M = stackedRows(pr);
  }

  /** Iterates y^1…y^steps for instances with parameters X (B × neq). */
  run(X: Float64Array, B: number, steps = this.o.steps) {
    const m = this.pr.neq + this.pr.nineq;
    return unroll(this.pr, this.M, X, B, steps, this.o.rho, (z, w) => {
      const tape = this.net.forward(inputs(z, w, X, B, m, this.pr.neq), B);
      return { Y: tape.output, tape };
    });
  }

  /** One supervised training step on instances idx; returns the loss and ∂ℓ/∂θ. */
  gradient(data: L2oData, idx: ArrayLike<number>) {
    const pr = this.pr;
    const { n, neq } = pr;
    const m = neq + pr.nineq;
    const B = idx.length;
    const K = this.o.steps;
    const rho = this.o.rho;
    const X = gatherRows(data.X, neq, idx);
    const t0 = performance.now();
    const { Ys, records } = this.run(X, B);
    const t1 = performance.now();
    const weight = (k: number) => (2 * (k + 1)) / (K * (K + 1));
    let loss = 0;
    const grad = new Float64Array(this.net.paramCount);
    // Adjoints of z and w after step k (entering step k + 1).
    let zb = new Float64Array(B * m);
    let wb = new Float64Array(B * m);
    for (let k = K - 1; k >= 0; k--) {
      const Y = Ys[k];
      const { tape, w, free } = records[k];
      const yb = new Float64Array(B * n);
      for (let b = 0; b < B; b++)
        for (let j = 0; j < n; j++) {
          const r = Y[b * n + j] - data.Y[idx[b] * n + j];
          loss += (weight(k) * r * r) / B;
          yb[b * n + j] = (2 * weight(k) * r) / B;
        }
      // w⁺ = w + ρ(My − z⁺), z⁺ = clip(My + w/ρ): the adjoints of My and w.
      const wPrev = new Float64Array(B * m);
      for (let b = 0; b < B; b++)
        for (let i = 0; i < m; i++) {
          const e = b * m + i;
          const zTotal = zb[e] - rho * wb[e];
          const vb = free[e] ? zTotal : 0;
          const Myb = rho * wb[e] + vb;
          wPrev[e] = wb[e] + vb / rho;
          for (let j = 0; j < n; j++) yb[b * n + j] += this.M[i * n + j] * Myb;
        }
      const { dX } = this.net.backward(tape!, { dY: yb }, grad);
      const width = 2 * m + neq;
      zb = new Float64Array(B * m);
      for (let b = 0; b < B; b++)
        for (let i = 0; i < m; i++) {
          zb[b * m + i] = dX[b * width + i];
          wPrev[b * m + i] += dX[b * width + m + i];
        }
      // z⁰ does not depend on θ; w of step k is the w⁺ of step k − 1.
      wb = wPrev;
      void w;
    }
    return { loss, grad, forwardMs: t1 - t0, backwardMs: performance.now() - t1, Ys };
  }

  /** Quality of y^k for every k on idx. */
  stepQuality(data: L2oData, idx: ArrayLike<number>, steps = this.o.steps): Quality[] {
    const X = gatherRows(data.X, this.pr.neq, idx);
    return this.run(X, idx.length, steps).Ys.map((Y) => quality(data, idx, Y));
  }
}

/** Trains the unrolled solver; one record per epoch (the gap is the last iterate's). */
export async function trainUnrolled(
  model: UnrolledAdmm,
  data: L2oData,
  split: { train: Int32Array; val: Int32Array; test: Int32Array },
  clock: RunClock,
  onEpoch: (r: L2oEpoch) => void,
): Promise<L2oEpoch[]> {
  const o = model.o;
  const adam = new Adam(model.net.paramCount, { lr: o.lr });
  const sampler = new BatchSampler(split.train, o.batchSize, o.seed + 23);
  const out: L2oEpoch[] = [];
  for (let e = 1; e <= o.epochs; e++) {
    let loss = 0;
    let gap = 0;
    let gn = 0;
    let fwd = 0;
    let bwd = 0;
    const batches = sampler.epoch();
    for (const idx of batches) {
      const g = model.gradient(data, idx);
      adam.step(model.net.params, g.grad);
      loss += g.loss;
      gap += quality(data, idx, g.Ys[g.Ys.length - 1]).gap;
      gn += l2Norm(g.grad);
      fwd += g.forwardMs;
      bwd += g.backwardMs;
      clock.tick();
      await clock.turn();
    }
    const val = model.stepQuality(data, split.val).at(-1)!;
    const test = model.stepQuality(data, split.test).at(-1)!;
    const rec: L2oEpoch = {
      epoch: e,
      loss: loss / batches.length,
      gap: { train: gap / batches.length, val: val.gap, test: test.gap },
      eq_max: val.eq_max,
      ineq_max: val.ineq_max,
      grad_norm: gn / batches.length,
      forward_ms: fwd,
      backward_ms: bwd,
    };
    out.push(rec);
    onEpoch(rec);
  }
  return out;
}

/** ADMM with the exact y-update, for reference: quality of y^k for k = 1…steps. */
export function exactAdmm(data: L2oData, idx: ArrayLike<number>, steps: number, rho: number) {
  const pr = data.problem;
  const { n, neq } = pr;
  const m = neq + pr.nineq;
  const M = stackedRows(pr);
  const K = { rows: n, cols: n, data: new Float64Array(n * n) };
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      let s = a === b ? pr.Qd[a] : 0;
      for (let i = 0; i < m; i++) s += rho * M[i * n + a] * M[i * n + b];
      K.data[a * n + b] = s;
    }
  const f = choleskyFactor(K);
  if (isCholeskyFailure(f)) throw new Error('exactAdmm: Q + ρMᵀM is not positive definite');
  const B = idx.length;
  const X = gatherRows(data.X, neq, idx);
  const { Ys } = unroll(pr, M, X, B, steps, rho, (z, w) => {
    const Y = new Float64Array(B * n);
    for (let b = 0; b < B; b++) {
      const r = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        let s = -pr.p[j];
        for (let i = 0; i < m; i++) s += M[i * n + j] * (rho * z[b * m + i] - w[b * m + i]);
        r[j] = s;
      }
      Y.set(choleskySolve(f, r), b * n);
    }
    return { Y, tape: null };
  });
  return Ys.map((Y) => quality(data, idx, Y));
}
