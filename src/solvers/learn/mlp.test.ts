/**
 * Gradient checks of the network against central finite differences, which share no code with
 * the reverse and forward passes (they only call `predict`).
 *
 * FD step h = 1e-5 on smooth functions: truncation O(h²·f''') ≈ 1e-10 and round-off ≈ 1e-16/h ≈
 * 1e-11 relative, so a relative error (‖a − b‖₂/‖b‖₂) below 1e-7 for first derivatives and 1e-6
 * for derivatives of tangents (an FD of a JVP) leaves room and still catches any wrong term: a
 * missing σ'' or bias term gives errors of order 1e-1.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../grad/rng';
import { relError } from '../grad/vec';
import { Mlp, mlpSpec, unitDirections, type MlpSpec } from './mlp';
import { mseLoss, sobolevLoss } from './loss';
import type { LayerSpec } from './layers';

const H = 1e-5;
const TOL = 1e-7;
const TOL_TANGENT = 1e-6;

function randn(rng: Rng, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => scale * rng.normal());
}

/** Central difference of a scalar function along each coordinate of z (z is restored). */
function fdGradient(z: Float64Array, f: () => number): Float64Array {
  const g = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const z0 = z[i];
    z[i] = z0 + H;
    const fp = f();
    z[i] = z0 - H;
    const fm = f();
    z[i] = z0;
    g[i] = (fp - fm) / (2 * H);
  }
  return g;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The smallest |pre-activation| entering a leaky-ReLU, so FD never straddles its kink. */
function minKinkDistance(net: Mlp, X: Float64Array, batch: number): number {
  const tape = net.forward(X, batch);
  let d = Infinity;
  net.layers.forEach((l, i) => {
    if (l.kind === 'leaky-relu') for (const z of tape.acts[i]) d = Math.min(d, Math.abs(z));
  });
  return d;
}

interface Case {
  name: string;
  spec: MlpSpec;
}

const single = (layer: LayerSpec): MlpSpec => ({
  input: 3,
  layers: [{ kind: 'dense', units: 4 }, layer],
});

const CASES: Case[] = [
  { name: 'dense', spec: { input: 3, layers: [{ kind: 'dense', units: 4 }] } },
  { name: 'tanh', spec: single({ kind: 'tanh' }) },
  { name: 'softplus', spec: single({ kind: 'softplus' }) },
  { name: 'leaky-relu', spec: single({ kind: 'leaky-relu', slope: 0.1 }) },
  { name: 'affine', spec: single({ kind: 'affine', scale: 0.5, shift: 0.1 }) },
  {
    name: '3 hidden layers (tanh, softplus, leaky-relu) + scaled output',
    spec: {
      input: 4,
      layers: [
        { kind: 'dense', units: 6 },
        { kind: 'tanh' },
        { kind: 'dense', units: 5 },
        { kind: 'softplus' },
        { kind: 'dense', units: 5 },
        { kind: 'leaky-relu', slope: 0.05 },
        { kind: 'dense', units: 3 },
        { kind: 'affine', scale: 1.5, shift: 0.1 },
      ],
    },
  },
];

describe.each(CASES)('gradient checks: $name', ({ spec }) => {
  const batch = 3;
  const k = 2;
  const net = Mlp.init(spec, 7);
  const rng = new Rng(11);
  const X = randn(rng, batch * net.inputSize);
  const V = randn(rng, batch * k * net.inputSize);
  const C = randn(rng, batch * net.outputSize); // ℓ = Σ C ⊙ ŷ
  const T = randn(rng, batch * k * net.outputSize, 0.3); // tangent targets
  const M = Float64Array.from(T, (_, i) => (i % 3 === 1 ? 0 : 1)); // a mask with holes

  it('keeps finite differences away from the leaky-ReLU kink', () => {
    expect(minKinkDistance(net, X, batch)).toBeGreaterThan(1e-3);
  });

  it('reverse mode: ∂ℓ/∂θ and ∂ℓ/∂x of a linear functional of the output', () => {
    const tape = net.forward(X, batch);
    const { grad, dX } = net.backward(tape, { dY: C });
    const value = (): number => dot(C, net.predict(X, batch));
    expect(relError(grad, fdGradient(net.params, value))).toBeLessThan(TOL);
    expect(relError(dX, fdGradient(X, value))).toBeLessThan(TOL);
  });

  it('forward mode: the tangents equal central differences of ĝ along each direction', () => {
    const tape = net.forward(X, batch, { V, k });
    const n = net.inputSize;
    for (let b = 0; b < batch; b++) {
      for (let d = 0; d < k; d++) {
        const v = V.subarray((b * k + d) * n, (b * k + d + 1) * n);
        const x = X.slice(b * n, (b + 1) * n);
        const shifted = (s: number): Float64Array =>
          net.predict(
            Float64Array.from(x, (xi, i) => xi + s * v[i]),
            1,
          );
        const fd = Float64Array.from(shifted(H), (p, o) => (p - shifted(-H)[o]) / (2 * H));
        const row = (b * k + d) * net.outputSize;
        expect(relError(tape.tangent.subarray(row, row + net.outputSize), fd)).toBeLessThan(TOL);
      }
    }
  });

  it('reverse through the tangent path: ∂/∂θ and ∂/∂x of a masked Sobolev loss plus an MSE', () => {
    const Y = randn(rng, batch * net.outputSize);
    const loss = (): number => {
      const t = net.forward(X, batch, { V, k });
      return mseLoss(t.output, Y).loss + sobolevLoss(t.tangent, T, batch, M).loss;
    };
    const tape = net.forward(X, batch, { V, k });
    const dY = mseLoss(tape.output, Y).grad;
    const dT = sobolevLoss(tape.tangent, T, batch, M).grad;
    const { grad, dX } = net.backward(tape, { dY, dT });
    expect(relError(grad, fdGradient(net.params, loss))).toBeLessThan(TOL_TANGENT);
    expect(relError(dX, fdGradient(X, loss))).toBeLessThan(TOL_TANGENT);
  });

  it('the tangent-only adjoint (no dY) is the gradient of the Sobolev term alone', () => {
    const loss = (): number => sobolevLoss(net.forward(X, batch, { V, k }).tangent, T, batch).loss;
    const tape = net.forward(X, batch, { V, k });
    const { grad } = net.backward(tape, { dT: sobolevLoss(tape.tangent, T, batch).grad });
    expect(relError(grad, fdGradient(net.params, loss))).toBeLessThan(TOL_TANGENT);
  });
});

describe('network structure', () => {
  it('lays θ out as W then b per dense layer, with views that alias params', () => {
    const net = Mlp.init(mlpSpec(3, [5], 2, 'tanh'), 1);
    expect(net.paramCount).toBe(3 * 5 + 5 + 5 * 2 + 2);
    const { W, b } = net.layerView(2);
    expect(W.length).toBe(10);
    expect(b.length).toBe(2);
    W[0] = 42;
    expect(net.params[20]).toBe(42);
  });

  it('computes a dense layer as W x + b, checked by hand', () => {
    const net = new Mlp({ input: 2, layers: [{ kind: 'dense', units: 2 }] }, [1, 2, 3, 4, 0.5, -1]);
    expect(Array.from(net.predict(Float64Array.of(1, -1, 2, 0), 2))).toEqual([-0.5, -2, 2.5, 5]);
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const spec = mlpSpec(4, [8, 8], 3);
    expect(Mlp.init(spec, 3).params).toEqual(Mlp.init(spec, 3).params);
    expect(Mlp.init(spec, 3).params).not.toEqual(Mlp.init(spec, 4).params);
  });

  it("fan-in initialization stays within PyTorch's ±1/√fan_in bound", () => {
    const net = Mlp.init(mlpSpec(16, [32], 4), 5);
    const { W } = net.layerView(0);
    expect(Math.max(...W.map(Math.abs))).toBeLessThanOrEqual(1 / 4);
  });

  it('unit directions give the Jacobian columns: dense layer tangents are columns of W', () => {
    const net = Mlp.init({ input: 3, layers: [{ kind: 'dense', units: 2 }] }, 9);
    const dirs = unitDirections(3, [[2, 0]]);
    const t = net.forward(Float64Array.of(0.1, 0.2, 0.3), 1, dirs).tangent;
    const { W } = net.layerView(0);
    expect(Array.from(t)).toEqual([W[2], W[5], W[0], W[3]]);
  });

  it('rejects malformed specs and wrong buffer sizes', () => {
    expect(() => new Mlp({ input: 0, layers: [] })).toThrow(/input width/);
    expect(() => new Mlp({ input: 2, layers: [{ kind: 'dense', units: 1.5 }] })).toThrow(/units/);
    expect(() => new Mlp({ input: 2, layers: [{ kind: 'leaky-relu', slope: 2 }] })).toThrow(
      /slope/,
    );
    expect(() => new Mlp(mlpSpec(2, [], 1), [1])).toThrow(/expected 3 parameters/);
    expect(() => Mlp.init(mlpSpec(2, [], 1), 0).forward(new Float64Array(3), 2)).toThrow(
      /need 2×2/,
    );
  });
});
