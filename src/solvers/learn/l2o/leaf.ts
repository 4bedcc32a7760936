/**
 * LEAF (the tutorial's "Learning Moreau Envelope Framework"): consensus ADMM for min f(y) s.t.
 * y ∈ C(x), scaled dual u,
 *
 *   y⁺ = prox_{f/ρ}(z − u) = v − ∇M_{1/ρ}f(v)/ρ,  v = z − u      (learned: v − ∇πθ(v)/ρ)
 *   z⁺ = Π_C(x)(y⁺ + u)                                          (the projection layer, by the engine)
 *   u⁺ = u + y⁺ − z⁺
 *
 * with M_{1/ρ}f(v) = min_y f(y) + (ρ/2)‖y − v‖² the Moreau envelope, convex and ρ-smooth, learned
 * by a scalar ICNN πθ (icnn.ts). f does not depend on x, so the envelope is learned once, offline,
 * on points v = A⁺x + s·N(0, I) (no labels: M and ∇M = ρ(v − prox(v)) are evaluated from f), by a
 * Sobolev-style loss (π − M)² + ‖∇π − ∇M‖²; the ADMM then runs with the learned x-update. Every
 * iterate z^k is feasible (it is a projection), so the gap is the only error; `leafAdmm` with
 * `exact` uses the true prox, the reference.
 */
import { Adam } from '../optim';
import { Rng } from '../../grad/rng';
import { l2Norm } from '../loss';
import { mean, type RunClock } from '../runs';
import { Icnn } from './icnn';
import { gatherRows } from '../batches';
import { objective, quality, type L2oData, type L2oProblem, type Quality } from './problem';
import type { ProjectionLayer } from './projection';
import type { L2oEpoch } from './direct';

export interface LeafOptions {
  rho: number;
  hidden: number[];
  /** ε of the ICNN's ½ε‖v‖². */
  strong: number;
  epochs: number;
  /** Envelope samples per epoch. */
  samples: number;
  batchSize: number;
  lr: number;
  /** Spread s of the sample points around A⁺x. */
  spread: number;
  steps: number;
  seed: number;
}

/** prox_{f/ρ}(v) = (Q + ρI)⁻¹(ρv − p) (Q diagonal), M(v) and ∇M(v) = ρ(v − prox(v)). */
export function envelope(pr: L2oProblem, rho: number, v: ArrayLike<number>) {
  const n = pr.n;
  const prox = new Float64Array(n);
  const grad = new Float64Array(n);
  let dist = 0;
  for (let j = 0; j < n; j++) {
    prox[j] = (rho * v[j] - pr.p[j]) / (pr.Qd[j] + rho);
    grad[j] = rho * (v[j] - prox[j]);
    dist += (prox[j] - v[j]) ** 2;
  }
  return { prox, value: objective(pr, prox) + 0.5 * rho * dist, grad };
}

/** Least-norm points y = A⁺x, by solving AAᵀc = x (rows of X). */
function leastNorm(pr: L2oProblem, X: Float64Array, B: number): Float64Array {
  const { n, neq } = pr;
  const AAt = new Float64Array(neq * neq);
  for (let i = 0; i < neq; i++)
    for (let k = 0; k < neq; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += pr.A[i * n + j] * pr.A[k * n + j];
      AAt[i * neq + k] = s;
    }
  const Y = new Float64Array(B * n);
  for (let b = 0; b < B; b++) {
    // Gaussian elimination on a copy (neq is small).
    const M = Float64Array.from(AAt);
    const c = Float64Array.from(X.subarray(b * neq, (b + 1) * neq));
    for (let col = 0; col < neq; col++)
      for (let r = col + 1; r < neq; r++) {
        const f = M[r * neq + col] / M[col * neq + col];
        for (let k = col; k < neq; k++) M[r * neq + k] -= f * M[col * neq + k];
        c[r] -= f * c[col];
      }
    for (let r = neq - 1; r >= 0; r--) {
      let s = c[r];
      for (let k = r + 1; k < neq; k++) s -= M[r * neq + k] * c[k];
      c[r] = s / M[r * neq + r];
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < neq; i++) s += pr.A[i * n + j] * c[i];
      Y[b * n + j] = s;
    }
  }
  return Y;
}

/** Sample points for the envelope fit: A⁺x + s·N(0, I) around the instances `idx`. */
function envelopePoints(
  data: L2oData,
  idx: ArrayLike<number>,
  count: number,
  spread: number,
  rng: Rng,
) {
  const pr = data.problem;
  const pick = Int32Array.from(
    { length: count },
    () => idx[Math.floor(rng.uniform() * idx.length)],
  );
  const V = leastNorm(pr, gatherRows(data.X, pr.neq, pick), count);
  for (let k = 0; k < V.length; k++) V[k] += spread * rng.normal();
  return V;
}

/** Mean squared error of the learned prox v − ∇π(v)/ρ against the true one. */
export function proxError(net: Icnn, pr: L2oProblem, rho: number, V: Float64Array): number {
  const B = V.length / pr.n;
  const t = net.forward(V, B);
  const errs: number[] = [];
  for (let b = 0; b < B; b++) {
    const v = V.subarray(b * pr.n, (b + 1) * pr.n);
    const { prox } = envelope(pr, rho, v);
    let s = 0;
    for (let j = 0; j < pr.n; j++) s += (v[j] - t.gradient[b * pr.n + j] / rho - prox[j]) ** 2;
    errs.push(s / pr.n);
  }
  return mean(errs);
}

/** Fits the ICNN to the envelope; one record per epoch (its gap fields are filled by the caller). */
export async function trainLeaf(
  data: L2oData,
  train: ArrayLike<number>,
  val: ArrayLike<number>,
  o: LeafOptions,
  clock: RunClock,
  onEpoch: (r: L2oEpoch & { prox_err: number }) => void,
): Promise<Icnn> {
  const pr = data.problem;
  const n = pr.n;
  const net = Icnn.init({ input: n, hidden: o.hidden, strong: o.strong }, o.seed);
  const adam = new Adam(net.paramCount, { lr: o.lr });
  const rng = new Rng(o.seed + 31);
  const Vval = envelopePoints(data, val, 200, o.spread, new Rng(o.seed + 37));
  for (let e = 1; e <= o.epochs; e++) {
    const V = envelopePoints(data, train, o.samples, o.spread, rng);
    let loss = 0;
    let gn = 0;
    let fwd = 0;
    let bwd = 0;
    const batches = Math.ceil(o.samples / o.batchSize);
    for (let k = 0; k < batches; k++) {
      const Vb = V.subarray(k * o.batchSize * n, Math.min(o.samples, (k + 1) * o.batchSize) * n);
      const B = Vb.length / n;
      const t0 = performance.now();
      const tape = net.forward(Vb, B);
      const dV = new Float64Array(B);
      const dG = new Float64Array(B * n);
      for (let b = 0; b < B; b++) {
        const env = envelope(pr, o.rho, Vb.subarray(b * n, (b + 1) * n));
        const r = tape.value[b] - env.value;
        loss += (r * r) / B;
        dV[b] = (2 * r) / B;
        for (let j = 0; j < n; j++) {
          const g = tape.gradient[b * n + j] - env.grad[j];
          loss += (g * g) / B;
          dG[b * n + j] = (2 * g) / B;
        }
      }
      const t1 = performance.now();
      const grad = net.backward(tape, dV, dG);
      adam.step(net.params, grad);
      net.project();
      gn += l2Norm(grad);
      fwd += t1 - t0;
      bwd += performance.now() - t1;
      clock.tick();
      await clock.turn();
    }
    onEpoch({
      epoch: e,
      loss: loss / batches,
      gap: { train: NaN, val: NaN, test: NaN },
      eq_max: NaN,
      ineq_max: NaN,
      grad_norm: gn / batches,
      forward_ms: fwd,
      backward_ms: bwd,
      prox_err: proxError(net, pr, o.rho, Vval),
    });
  }
  return net;
}

/**
 * K consensus-ADMM steps on instances idx with the learned (or, when `exact`, the true) x-update;
 * returns the quality of z^k for k = 1…K, and the time per instance.
 */
export async function leafAdmm(
  data: L2oData,
  idx: ArrayLike<number>,
  projection: ProjectionLayer,
  steps: number,
  rho: number,
  net: Icnn | null,
): Promise<{ perStep: Quality[]; ms: number; failures: number }> {
  const pr = data.problem;
  const { n, neq } = pr;
  const B = idx.length;
  const t0 = performance.now();
  const X = gatherRows(data.X, neq, idx);
  let z = leastNorm(pr, X, B); // A⁺x is feasible by DC3's choice of h.
  let u = new Float64Array(B * n);
  const perStep: Quality[] = [];
  let failures = 0;
  for (let k = 0; k < steps; k++) {
    const V = z.map((v, e) => v - u[e]);
    const Y = new Float64Array(B * n);
    if (net) {
      const g = net.forward(V, B).gradient;
      for (let e = 0; e < B * n; e++) Y[e] = V[e] - g[e] / rho;
    } else
      for (let b = 0; b < B; b++)
        Y.set(envelope(pr, rho, V.subarray(b * n, (b + 1) * n)).prox, b * n);
    const proj = await projection.project(
      Y.map((v, e) => v + u[e]),
      X,
      B,
    );
    failures += proj.ok.filter((ok) => !ok).length;
    u = u.map((v, e) => v + Y[e] - proj.Y[e]);
    z = proj.Y;
    perStep.push(quality(data, idx, z));
  }
  return { perStep, ms: (performance.now() - t0) / B, failures };
}
