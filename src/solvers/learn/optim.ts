/**
 * First-order optimizers over a flat parameter vector θ, in place.
 *
 * Both follow PyTorch's update rules (torch.optim.SGD, torch.optim.Adam / AdamW), so a run can be
 * compared with the papers' PyTorch code: You Shall Pass App. C trains with Adam at default
 * β₁ = 0.9, β₂ = 0.999, ε = 1e-8 and a custom learning rate. Weight decay is applied to every
 * parameter, biases included, as PyTorch does by default.
 */

export interface Optimizer {
  readonly kind: 'sgd' | 'adam';
  /** Steps taken so far. */
  readonly steps: number;
  /** θ ← θ − update(∇θ). `grad` is not modified. */
  step(params: Float64Array, grad: Float64Array): void;
  /** The state (moments, step count) as plain data: keep it with a weight snapshot to resume. */
  snapshot(): OptimizerState;
  restore(state: OptimizerState): void;
  /** Forget moments and the step count. */
  reset(): void;
}

export interface OptimizerState {
  steps: number;
  /** Named moment buffers (copies). */
  buffers: Record<string, Float64Array>;
}

export interface SgdOptions {
  /** Learning rate η. */
  lr: number;
  /** Momentum μ (0 = plain SGD). */
  momentum?: number;
  /** Nesterov momentum. */
  nesterov?: boolean;
  /** L2 weight decay λ_wd added to the gradient: g ← g + λ_wd θ. */
  weightDecay?: number;
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Decoupled weight decay (AdamW: θ ← θ(1 − η λ_wd) before the Adam step); else L2 as in Adam. */
  decoupled?: boolean;
}

function checkLr(lr: number): void {
  if (!(lr > 0 && Number.isFinite(lr))) throw new Error(`learning rate must be > 0, got ${lr}`);
}

function checkSizes(size: number, params: Float64Array, grad: Float64Array): void {
  if (params.length !== size || grad.length !== size)
    throw new Error(
      `optimizer built for ${size} parameters, got θ ${params.length}, ∇ ${grad.length}`,
    );
}

/** SGD with optional (Nesterov) momentum: v ← μv + g, θ ← θ − η(g + μv if Nesterov else v). */
export class Sgd implements Optimizer {
  readonly kind = 'sgd' as const;
  private t = 0;
  /** Momentum buffer v. */
  private readonly v: Float64Array;
  private readonly o: Required<SgdOptions>;

  constructor(size: number, options: SgdOptions) {
    checkLr(options.lr);
    this.o = { momentum: 0, nesterov: false, weightDecay: 0, ...options };
    if (!(this.o.momentum >= 0 && this.o.momentum < 1))
      throw new Error(`momentum must be in [0, 1), got ${this.o.momentum}`);
    this.v = new Float64Array(size);
  }

  get steps(): number {
    return this.t;
  }

  step(params: Float64Array, grad: Float64Array): void {
    checkSizes(this.v.length, params, grad);
    const { lr, momentum: mu, nesterov, weightDecay: wd } = this.o;
    const first = this.t === 0;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i] + wd * params[i];
      if (mu === 0) {
        params[i] -= lr * g;
        continue;
      }
      // PyTorch seeds the buffer with the first gradient rather than decaying a zero.
      const v = first ? g : mu * this.v[i] + g;
      this.v[i] = v;
      params[i] -= lr * (nesterov ? g + mu * v : v);
    }
    this.t++;
  }

  snapshot(): OptimizerState {
    return { steps: this.t, buffers: { v: this.v.slice() } };
  }

  restore(state: OptimizerState): void {
    this.t = state.steps;
    this.v.set(state.buffers.v);
  }

  reset(): void {
    this.t = 0;
    this.v.fill(0);
  }
}

/** Adam (Kingma & Ba) with bias correction; AdamW with `decoupled`. */
export class Adam implements Optimizer {
  readonly kind = 'adam' as const;
  private t = 0;
  /** First moment m (mean of g). */
  private readonly m: Float64Array;
  /** Second moment v (mean of g²). */
  private readonly v: Float64Array;
  private readonly o: Required<AdamOptions>;

  constructor(size: number, options: AdamOptions) {
    checkLr(options.lr);
    this.o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, ...options };
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  get steps(): number {
    return this.t;
  }

  step(params: Float64Array, grad: Float64Array): void {
    checkSizes(this.m.length, params, grad);
    const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, decoupled } = this.o;
    this.t++;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = 1 - Math.pow(b2, this.t);
    for (let i = 0; i < params.length; i++) {
      let g = grad[i];
      if (decoupled) params[i] *= 1 - lr * wd;
      else g += wd * params[i];
      const m = (this.m[i] = b1 * this.m[i] + (1 - b1) * g);
      const v = (this.v[i] = b2 * this.v[i] + (1 - b2) * g * g);
      params[i] -= (lr * (m / c1)) / (Math.sqrt(v / c2) + eps);
    }
  }

  snapshot(): OptimizerState {
    return { steps: this.t, buffers: { m: this.m.slice(), v: this.v.slice() } };
  }

  restore(state: OptimizerState): void {
    this.t = state.steps;
    this.m.set(state.buffers.m);
    this.v.set(state.buffers.v);
  }

  reset(): void {
    this.t = 0;
    this.m.fill(0);
    this.v.fill(0);
  }
}

export type OptimizerSpec = ({ kind: 'sgd' } & SgdOptions) | ({ kind: 'adam' } & AdamOptions);

export function createOptimizer(size: number, spec: OptimizerSpec): Optimizer {
  const { kind, ...options } = spec;
  return kind === 'sgd' ? new Sgd(size, options) : new Adam(size, options);
}
