/**
 * Optimizers against closed forms: the first Adam step is −η·g/(|g| + ε); full-batch training of a
 * linear model converges to the least-squares (ridge, with weight decay) solution of the normal
 * equations, solved by Cholesky, an independent computation.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../grad/rng';
import { relError } from '../grad/vec';
import { choleskyFactor, choleskySolve, isCholeskyFailure } from '../linalg/cholesky';
import { Mlp } from './mlp';
import { mseLoss } from './loss';
import { Adam, Sgd, createOptimizer, type Optimizer } from './optim';
import { BatchSampler, gatherRows, splitIndices } from './batches';

/** Linear regression data y = Xa·θ* + noise with Xa = [X, 1]. */
function regression(N: number, p: number, seed: number): { X: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: N * p }, () => rng.normal());
  const theta = Float64Array.from({ length: p + 1 }, () => rng.normal());
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = theta[p];
    for (let j = 0; j < p; j++) s += X[i * p + j] * theta[j];
    y[i] = s + 0.1 * rng.normal();
  }
  return { X, y };
}

/** Minimizer of (1/N)‖Xaθ − y‖² + (wd/2)‖θ‖²: ((2/N)XaᵀXa + wd·I)θ = (2/N)Xaᵀy. */
function ridge(X: Float64Array, y: Float64Array, N: number, p: number, wd: number): Float64Array {
  const n = p + 1;
  const xa = (i: number, j: number): number => (j < p ? X[i * p + j] : 1);
  const M = { rows: n, cols: n, data: new Float64Array(n * n) };
  const rhs = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    for (let i = 0; i < N; i++) rhs[a] += (2 / N) * xa(i, a) * y[i];
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += xa(i, a) * xa(i, b);
      M.data[a * n + b] = (2 / N) * s + (a === b ? wd : 0);
    }
  }
  const f = choleskyFactor(M);
  if (isCholeskyFailure(f)) throw new Error('normal equations not positive definite');
  return choleskySolve(f, rhs);
}

function train(
  opt: Optimizer,
  net: Mlp,
  X: Float64Array,
  y: Float64Array,
  N: number,
  steps: number,
): void {
  for (let s = 0; s < steps; s++) {
    const tape = net.forward(X, N);
    const { grad } = net.backward(tape, { dY: mseLoss(tape.output, y).grad });
    opt.step(net.params, grad);
  }
}

describe('optimizers', () => {
  const N = 40;
  const p = 3;
  const { X, y } = regression(N, p, 1);
  const spec = { input: p, layers: [{ kind: 'dense' as const, units: 1 }] };

  it('Adam: the first step is −η·g/(|g| + ε) per coordinate (bias-corrected moments equal g, g²)', () => {
    const opt = new Adam(3, { lr: 0.1 });
    const theta = Float64Array.of(1, 2, 3);
    const g = Float64Array.of(0.5, -2, 1e-9);
    opt.step(theta, g);
    const expected = [1, 2, 3].map((t, i) => t - (0.1 * g[i]) / (Math.abs(g[i]) + 1e-8));
    expect(relError(theta, expected)).toBeLessThan(1e-14);
    expect(opt.steps).toBe(1);
  });

  it('AdamW: decoupled decay shrinks θ by (1 − η·wd) before the Adam step', () => {
    const opt = new Adam(2, { lr: 0.1, weightDecay: 0.5, decoupled: true });
    const theta = Float64Array.of(2, -4);
    opt.step(theta, Float64Array.of(1, 1));
    const expected = [2 * 0.95 - 0.1 / (1 + 1e-8), -4 * 0.95 - 0.1 / (1 + 1e-8)];
    expect(relError(theta, expected)).toBeLessThan(1e-14);
  });

  it('SGD with Nesterov momentum follows PyTorch: v₁ = g₁, v₂ = μv₁ + g₂, step η(g + μv)', () => {
    const opt = new Sgd(1, { lr: 0.1, momentum: 0.9, nesterov: true });
    const theta = Float64Array.of(0);
    opt.step(theta, Float64Array.of(1)); // v = 1, step 0.1·(1 + 0.9)
    opt.step(theta, Float64Array.of(2)); // v = 2.9, step 0.1·(2 + 2.61)
    expect(theta[0]).toBeCloseTo(-0.19 - 0.461, 14);
  });

  it('SGD with momentum reaches the least-squares solution (relative error < 1e-8)', () => {
    const net = Mlp.init(spec, 2);
    train(new Sgd(net.paramCount, { lr: 0.1, momentum: 0.9 }), net, X, y, N, 600);
    expect(relError(net.params, ridge(X, y, N, p, 0))).toBeLessThan(1e-8);
  });

  it('SGD with weight decay reaches the ridge solution (relative error < 1e-8)', () => {
    const net = Mlp.init(spec, 2);
    train(new Sgd(net.paramCount, { lr: 0.1, momentum: 0.5, weightDecay: 0.3 }), net, X, y, N, 600);
    const r = ridge(X, y, N, p, 0.3);
    expect(relError(net.params, r)).toBeLessThan(1e-8);
    expect(relError(net.params, ridge(X, y, N, p, 0))).toBeGreaterThan(1e-2);
  });

  it('Adam reaches the least-squares solution to its step-size noise (relative error < 1e-4)', () => {
    const net = Mlp.init(spec, 3);
    const opt = createOptimizer(net.paramCount, { kind: 'adam', lr: 0.05 });
    train(opt, net, X, y, N, 1500);
    const fine = new Adam(net.paramCount, { lr: 1e-3 });
    train(fine, net, X, y, N, 1500);
    expect(relError(net.params, ridge(X, y, N, p, 0))).toBeLessThan(1e-4);
  });

  it('snapshot and restore resume a run exactly', () => {
    const run = (kind: 'adam' | 'sgd'): void => {
      const net = Mlp.init(spec, 4);
      const opt = createOptimizer(net.paramCount, { kind, lr: 0.01, momentum: 0.9 });
      train(opt, net, X, y, N, 5);
      const weights = net.params.slice();
      const state = opt.snapshot();
      train(opt, net, X, y, N, 5);
      const straight = net.params.slice();
      net.params.set(weights);
      const resumed = createOptimizer(net.paramCount, { kind, lr: 0.01, momentum: 0.9 });
      resumed.restore(state);
      train(resumed, net, X, y, N, 5);
      expect(net.params).toEqual(straight);
      expect(resumed.steps).toBe(10);
    };
    run('adam');
    run('sgd');
  });

  it('rejects a bad learning rate, momentum and mismatched sizes', () => {
    expect(() => new Adam(2, { lr: 0 })).toThrow(/learning rate/);
    expect(() => new Sgd(2, { lr: 1, momentum: 1 })).toThrow(/momentum/);
    expect(() => new Adam(2, { lr: 1 }).step(new Float64Array(3), new Float64Array(3))).toThrow(
      /built for 2/,
    );
  });
});

describe('splits and mini-batches', () => {
  it('splits 70/20/10, disjoint and covering, reproducibly by seed', () => {
    const s = splitIndices(500, 3);
    expect([s.train.length, s.val.length, s.test.length]).toEqual([350, 100, 50]);
    const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(splitIndices(500, 3)).toEqual(s);
    expect(splitIndices(500, 4).test).not.toEqual(s.test);
  });

  it('each epoch visits every index once, in a new seeded order', () => {
    const idx = Int32Array.from({ length: 23 }, (_, i) => 2 * i);
    const sampler = new BatchSampler(idx, 5, 9);
    const e1 = sampler.epoch();
    const e2 = sampler.epoch();
    expect(e1.map((b) => b.length)).toEqual([5, 5, 5, 5, 3]);
    for (const e of [e1, e2])
      expect(e.flatMap((b) => [...b]).sort((a, b) => a - b)).toEqual([...idx]);
    expect(e1.flatMap((b) => [...b])).not.toEqual(e2.flatMap((b) => [...b]));
    expect(new BatchSampler(idx, 5, 9).epoch()).toEqual(e1);
    expect(new BatchSampler(idx, 5, 9, true).epoch().length).toBe(4);
  });

  it('gathers rows', () => {
    const src = Float64Array.of(0, 1, 10, 11, 20, 21);
    expect(Array.from(gatherRows(src, 2, [2, 0]))).toEqual([20, 21, 0, 1]);
  });
});
