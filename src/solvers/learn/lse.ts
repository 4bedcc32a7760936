/**
 * The LogSumExp portfolio objective (You Shall Pass Eq. 9), in minimization form:
 *
 *   f_lse(x, p) = −log Σ_i exp(−β p_i x_i)     (maximized over the simplex),
 *   φ(x; p) = −f_lse(x, p) + λ xᵀQx = log Σ_i exp(a_i) + λ xᵀQx,   a_i = −β p_i x_i.
 *
 * β = 1 and λ = 0 is Eq. 9 as printed; β rescales returns (with returns of order 0.1 and weights of
 * order 1/n, Eq. 9 at β = 1 is almost linear) and λ optionally keeps Eq. 7's risk term. With
 * s = softmax(a) and c = βp:
 *
 *   ∇φ = −c ⊙ s + 2λQx,
 *   ∇²φ = diag(c² ⊙ s) − (c ⊙ s)(c ⊙ s)ᵀ + 2λQ          (positive semidefinite),
 *   M = ∂(∇ₓφ)/∂p:  M_ik = −β s_i δ_ik + β² p_i s_i x_k (δ_ik − s_k).
 */
import type { DenseMatrix } from '../qp/types';
import type { SmoothObjective } from './sqp';
import type { ParametricObjective } from './sqp-backward';

export interface LseOptions {
  /** β (default 1). */
  beta?: number;
  /** λ (default 0). */
  lambda?: number;
  /** Q (n × n, row-major), needed when λ > 0. */
  Q?: Float64Array;
}

/** softmax(−βp ⊙ x) into s; returns log Σ exp(a). */
function softmax(
  beta: number,
  p: ArrayLike<number>,
  x: ArrayLike<number>,
  s: Float64Array,
): number {
  const n = s.length;
  let amax = -Infinity;
  for (let i = 0; i < n; i++) amax = Math.max(amax, -beta * p[i] * x[i]);
  let z = 0;
  for (let i = 0; i < n; i++) z += s[i] = Math.exp(-beta * p[i] * x[i] - amax);
  for (let i = 0; i < n; i++) s[i] /= z;
  return amax + Math.log(z);
}

/** The family φ(x; p), p ∈ ℝⁿ. */
export class LseObjective implements ParametricObjective {
  readonly paramSize: number;
  readonly beta: number;
  readonly lambda: number;
  readonly Q: Float64Array;

  constructor(
    readonly n: number,
    options: LseOptions = {},
  ) {
    this.paramSize = n;
    this.beta = options.beta ?? 1;
    this.lambda = options.lambda ?? 0;
    this.Q = options.Q ?? new Float64Array(n * n);
    if (!(this.beta > 0)) throw new Error(`lse: beta must be > 0, got ${this.beta}`);
    if (!(this.lambda >= 0)) throw new Error(`lse: lambda must be ≥ 0, got ${this.lambda}`);
    if (this.Q.length !== n * n) throw new Error(`lse: Q must be ${n}×${n}`);
  }

  /** f_lse(x, p) − λxᵀQx, the true objective in the paper's maximization form (= −φ). */
  trueObjective(x: ArrayLike<number>, p: ArrayLike<number>): number {
    return -this.value(x, p);
  }

  /** φ(x; p). */
  value(x: ArrayLike<number>, p: ArrayLike<number>): number {
    const lse = softmax(this.beta, p, x, new Float64Array(this.n));
    return lse + this.lambda * this.quad(x);
  }

  private quad(x: ArrayLike<number>): number {
    if (this.lambda === 0) return 0;
    const n = this.n;
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += x[i] * this.Q[i * n + j] * x[j];
    return s;
  }

  at(p: Float64Array): SmoothObjective {
    const { n, beta, lambda, Q } = this;
    const s = new Float64Array(n);
    return {
      n,
      value: (x) => this.value(x, p),
      gradient: (x, out) => {
        softmax(beta, p, x, s);
        for (let i = 0; i < n; i++) {
          let qx = 0;
          if (lambda > 0) for (let j = 0; j < n; j++) qx += Q[i * n + j] * x[j];
          out[i] = -beta * p[i] * s[i] + 2 * lambda * qx;
        }
        return out;
      },
      hessian: (x, out: DenseMatrix) => {
        softmax(beta, p, x, s);
        for (let i = 0; i < n; i++) {
          const ci = beta * p[i] * s[i];
          for (let j = 0; j < n; j++) {
            const cj = beta * p[j] * s[j];
            out.data[i * n + j] =
              (i === j ? beta * p[i] * ci : 0) - ci * cj + 2 * lambda * Q[i * n + j];
          }
        }
        return out;
      },
    };
  }

  mixedJvp(x: Float64Array, p: Float64Array, dp: Float64Array): Float64Array {
    const { n, beta } = this;
    const s = new Float64Array(n);
    softmax(beta, p, x, s);
    let xsdp = 0;
    for (let k = 0; k < n; k++) xsdp += x[k] * s[k] * dp[k];
    return Float64Array.from(
      { length: n },
      (_, i) => -beta * s[i] * dp[i] + beta * beta * p[i] * s[i] * (x[i] * dp[i] - xsdp),
    );
  }

  mixedVjp(x: Float64Array, p: Float64Array, v: Float64Array): Float64Array {
    const { n, beta } = this;
    const s = new Float64Array(n);
    softmax(beta, p, x, s);
    let vps = 0;
    for (let i = 0; i < n; i++) vps += v[i] * p[i] * s[i];
    return Float64Array.from(
      { length: n },
      (_, k) => -beta * s[k] * v[k] + beta * beta * x[k] * s[k] * (p[k] * v[k] - vps),
    );
  }
}
