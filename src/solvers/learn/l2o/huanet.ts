/**
 * HUANet-style hard-constrained unrolled ADMM (the tutorial's HUANet slide), trained self-supervised
 * on the KKT conditions. With slack s for Gy ≤ h and its copy w ≥ 0 (dual v of s = w):
 *
 *   (y⁺, s⁺) = argmin f(y) + (ρ_k/2)‖s − w + v/ρ_k‖²  s.t.  Ay = x,  Gy + s = h
 *            ⇔ [Q + ρ_kGᵀG, Aᵀ; A, 0] [y⁺; μ⁺] = [−p + ρ_kGᵀ(h − w) + Gᵀv; x],  s⁺ = h − Gy⁺
 *   w⁺ = Π_{≥0}(s⁺ + v/ρ_k)
 *   v⁺ = v + ρ_k(s⁺ − w⁺)
 *
 * so Ay = x and Gy + s = h hold exactly at every step (the hard constraints); only s ≥ 0 is reached
 * in the limit. A network maps x to the start (w⁰, v⁰), and each step has a learned ρ_k = exp(ℓ_k);
 * both are trained, with no labels, on the KKT residuals of every iterate (weights k/Σk), with the
 * inequality multiplier ν = −v⁺:
 *
 *   ‖Qy + p + Aᵀμ + Gᵀν‖² + ‖(Gy − h)₊‖² + ‖ν₋‖² + ‖ν ⊙ (h − Gy)‖²
 *   (stationarity, primal feasibility, dual feasibility, complementarity).
 *
 * ρ_k is shared by the batch, so each step factors one (n + neq)-square KKT matrix for all instances.
 */
import { Mlp, mlpSpec } from '../mlp';
import { Adam } from '../optim';
import { BatchSampler, gatherRows } from '../batches';
import { l2Norm } from '../loss';
import type { RunClock } from '../runs';
import { ldlFactor, ldlSolve, type LdlFactor } from '../../linalg/ldl';
import { quality, type L2oData, type L2oProblem, type Quality } from './problem';
import type { L2oEpoch } from './direct';

export interface HuanetOptions {
  steps: number;
  hidden: number[];
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
}

interface Step {
  rho: number;
  factor: LdlFactor;
  w: Float64Array;
  v: Float64Array;
  y: Float64Array;
  mu: Float64Array;
  s: Float64Array;
  /** s⁺ + v/ρ > 0 (the projection passed it). */
  pos: Uint8Array;
  vNext: Float64Array;
}

export class Huanet {
  readonly net: Mlp;
  /** ℓ_k = log ρ_k. */
  readonly logRho: Float64Array;

  constructor(
    readonly pr: L2oProblem,
    readonly o: HuanetOptions,
  ) {
    this.net = Mlp.init(mlpSpec(pr.neq, o.hidden, 2 * pr.nineq, 'leaky-relu'), o.seed);
    this.logRho = new Float64Array(o.steps);
  }

  private kkt(rho: number): LdlFactor {
    const { n, neq, nineq, G, A, Qd } = this.pr;
    const N = n + neq;
    const K = { rows: N, cols: N, data: new Float64Array(N * N) };
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let s = a === b ? Qd[a] : 0;
        for (let i = 0; i < nineq; i++) s += rho * G[i * n + a] * G[i * n + b];
        K.data[a * N + b] = s;
      }
      for (let i = 0; i < neq; i++) K.data[a * N + n + i] = K.data[(n + i) * N + a] = A[i * n + a];
    }
    return ldlFactor(K);
  }

  /** Unrolls `steps` steps for a batch; every step's record (for the reverse pass). */
  run(
    X: Float64Array,
    B: number,
    steps = this.o.steps,
  ): { trace: Step[]; start: ReturnType<Mlp['forward']> } {
    const { n, neq, nineq, G, h, p } = this.pr;
    const start = this.net.forward(X, B);
    let w = new Float64Array(B * nineq);
    let v = new Float64Array(B * nineq);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < nineq; i++) {
        w[b * nineq + i] = start.output[b * 2 * nineq + i];
        v[b * nineq + i] = start.output[b * 2 * nineq + nineq + i];
      }
    const trace: Step[] = [];
    for (let k = 0; k < steps; k++) {
      const rho = Math.exp(this.logRho[Math.min(k, this.o.steps - 1)]);
      const factor = this.kkt(rho);
      const y = new Float64Array(B * n);
      const mu = new Float64Array(B * neq);
      const s = new Float64Array(B * nineq);
      const pos = new Uint8Array(B * nineq);
      const wNext = new Float64Array(B * nineq);
      const vNext = new Float64Array(B * nineq);
      for (let b = 0; b < B; b++) {
        const rhs = new Float64Array(n + neq);
        for (let j = 0; j < n; j++) {
          let t = -p[j];
          for (let i = 0; i < nineq; i++)
            t += G[i * n + j] * (rho * (h[i] - w[b * nineq + i]) + v[b * nineq + i]);
          rhs[j] = t;
        }
        for (let i = 0; i < neq; i++) rhs[n + i] = X[b * neq + i];
        const t = ldlSolve(factor, rhs);
        y.set(t.subarray(0, n), b * n);
        mu.set(t.subarray(n), b * neq);
        for (let i = 0; i < nineq; i++) {
          let g = 0;
          for (let j = 0; j < n; j++) g += G[i * n + j] * t[j];
          const e = b * nineq + i;
          s[e] = h[i] - g;
          const a = s[e] + v[e] / rho;
          pos[e] = a > 0 ? 1 : 0;
          wNext[e] = Math.max(a, 0);
          vNext[e] = v[e] + rho * (s[e] - wNext[e]);
        }
      }
      trace.push({ rho, factor, w, v, y, mu, s, pos, vNext });
      w = wNext;
      v = vNext;
    }
    return { trace, start };
  }

  /** c × the KKT loss of one iterate (summed over the batch), its adjoints added into ȳ, μ̄, s̄, v̄⁺. */
  private kktLoss(
    st: Step,
    B: number,
    c: number,
    yb: Float64Array,
    mub: Float64Array,
    sb: Float64Array,
    vb: Float64Array,
  ): number {
    const { n, neq, nineq, A, G, Qd, p } = this.pr;
    let L = 0;
    for (let b = 0; b < B; b++) {
      const r = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        let t = Qd[j] * st.y[b * n + j] + p[j];
        for (let i = 0; i < neq; i++) t += A[i * n + j] * st.mu[b * neq + i];
        for (let i = 0; i < nineq; i++) t -= G[i * n + j] * st.vNext[b * nineq + i];
        r[j] = t;
        L += c * t * t;
        yb[b * n + j] += 2 * c * Qd[j] * t;
      }
      for (let i = 0; i < neq; i++) {
        let t = 0;
        for (let j = 0; j < n; j++) t += A[i * n + j] * r[j];
        mub[b * neq + i] += 2 * c * t;
      }
      for (let i = 0; i < nineq; i++) {
        const e = b * nineq + i;
        let t = 0;
        for (let j = 0; j < n; j++) t += G[i * n + j] * r[j];
        vb[e] -= 2 * c * t;
        const sv = st.s[e];
        const vv = st.vNext[e];
        if (sv < 0) {
          L += c * sv * sv;
          sb[e] += 2 * c * sv;
        }
        if (vv > 0) {
          L += c * vv * vv;
          vb[e] += 2 * c * vv;
        }
        L += c * (vv * sv) ** 2;
        vb[e] += 2 * c * vv * sv * sv;
        sb[e] += 2 * c * vv * vv * sv;
      }
    }
    return L;
  }

  /** Loss and gradients (network θ and log ρ) for instances idx. */
  gradient(data: L2oData, idx: ArrayLike<number>) {
    const { n, neq, nineq, G, h } = this.pr;
    const B = idx.length;
    const K = this.o.steps;
    const X = gatherRows(data.X, neq, idx);
    const t0 = performance.now();
    const { trace, start } = this.run(X, B);
    const t1 = performance.now();
    let loss = 0;
    const gRho = new Float64Array(K);
    let wb = new Float64Array(B * nineq);
    let vb = new Float64Array(B * nineq);
    for (let k = K - 1; k >= 0; k--) {
      const st = trace[k];
      const rho = st.rho;
      const c = (2 * (k + 1)) / (K * (K + 1)) / B;
      const yb = new Float64Array(B * n);
      const mub = new Float64Array(B * neq);
      const sb = new Float64Array(B * nineq);
      const vNb = vb; // adjoint of v⁺ from later steps; the loss at this step adds to it
      loss += this.kktLoss(st, B, c, yb, mub, sb, vNb);
      const wPrev = new Float64Array(B * nineq);
      const vPrev = new Float64Array(B * nineq);
      let rb = 0;
      for (let e = 0; e < B * nineq; e++) {
        // v⁺ = v + ρ(s − w⁺);  w⁺ = max(s + v/ρ, 0).
        const wN = st.pos[e] ? st.s[e] + st.v[e] / rho : 0;
        vPrev[e] += vNb[e];
        sb[e] += rho * vNb[e];
        const wNb = wb[e] - rho * vNb[e];
        rb += vNb[e] * (st.s[e] - wN);
        const ab = st.pos[e] ? wNb : 0;
        sb[e] += ab;
        vPrev[e] += ab / rho;
        rb -= (ab * st.v[e]) / (rho * rho);
      }
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < nineq; i++)
          for (let j = 0; j < n; j++) yb[b * n + j] -= G[i * n + j] * sb[b * nineq + i];
        // Adjoint of the KKT solve (K symmetric): r̄hs = K⁻¹[ȳ; μ̄].
        const tb = new Float64Array(n + neq);
        tb.set(yb.subarray(b * n, (b + 1) * n));
        tb.set(mub.subarray(b * neq, (b + 1) * neq), n);
        const rhsb = ldlSolve(st.factor, tb);
        for (let i = 0; i < nineq; i++) {
          let g = 0;
          let gy = 0;
          for (let j = 0; j < n; j++) {
            g += G[i * n + j] * rhsb[j];
            gy += G[i * n + j] * st.y[b * n + j];
          }
          const e = b * nineq + i;
          wPrev[e] -= rho * g;
          vPrev[e] += g;
          // ∂rhs/∂ρ − (∂K/∂ρ)t = Gᵀ(h − w − Gy).
          rb += g * (h[i] - st.w[e] - gy);
        }
      }
      gRho[k] = rb * rho;
      wb = wPrev;
      vb = vPrev;
    }
    const dOut = new Float64Array(B * 2 * nineq);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < nineq; i++) {
        dOut[b * 2 * nineq + i] = wb[b * nineq + i];
        dOut[b * 2 * nineq + nineq + i] = vb[b * nineq + i];
      }
    const { grad } = this.net.backward(start, { dY: dOut });
    return {
      loss,
      grad,
      gRho,
      forwardMs: t1 - t0,
      backwardMs: performance.now() - t1,
      y: trace[K - 1].y,
    };
  }

  /** Quality of y^k for every k on idx. */
  stepQuality(data: L2oData, idx: ArrayLike<number>, steps = this.o.steps): Quality[] {
    const X = gatherRows(data.X, this.pr.neq, idx);
    return this.run(X, idx.length, steps).trace.map((st) => quality(data, idx, st.y));
  }
}

export async function trainHuanet(
  model: Huanet,
  data: L2oData,
  split: { train: Int32Array; val: Int32Array; test: Int32Array },
  clock: RunClock,
  onEpoch: (r: L2oEpoch) => void,
): Promise<L2oEpoch[]> {
  const o = model.o;
  const adam = new Adam(model.net.paramCount, { lr: o.lr });
  const adamRho = new Adam(o.steps, { lr: o.lr * 10 });
  const sampler = new BatchSampler(split.train, o.batchSize, o.seed + 41);
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
      adamRho.step(model.logRho, g.gRho);
      loss += g.loss;
      gap += quality(data, idx, g.y).gap;
      gn += Math.hypot(l2Norm(g.grad), l2Norm(g.gRho));
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
