import { describe, expect, it } from 'vitest';
import { Rng } from '../../grad/rng';
import { symmetricEigenvalues } from '../../linalg/eigen';
import { Icnn } from './icnn';

const d = 4;
const spec = { input: d, hidden: [6, 5, 4], strong: 0.05 };

/** An ICNN whose z-path weights have been through a step that made some negative, then clipped. */
function trainedLike(seed: number): Icnn {
  const net = Icnn.init(spec, seed);
  const rng = new Rng(seed + 100);
  for (let k = 0; k < net.params.length; k++) net.params[k] += 0.8 * rng.normal();
  net.project();
  return net;
}

const value = (net: Icnn, v: Float64Array) => net.forward(v, 1).value[0];

describe('ICNN', () => {
  const rng = new Rng(7);
  const V = Float64Array.from({ length: 3 * d }, () => 2 * rng.normal());

  it('tangents are the gradient: ∇π against central differences of π', () => {
    const net = trainedLike(1);
    const tape = net.forward(V, 3);
    const h = 1e-6;
    for (let b = 0; b < 3; b++)
      for (let j = 0; j < d; j++) {
        const vp = V.slice(b * d, (b + 1) * d);
        const vm = vp.slice();
        vp[j] += h;
        vm[j] -= h;
        const fd = (value(net, vp) - value(net, vm)) / (2 * h);
        expect(Math.abs(tape.gradient[b * d + j] - fd)).toBeLessThan(
          1e-7 * Math.max(1, Math.abs(fd)),
        );
      }
  });

  it('∂θ of a loss on π and ∇π against central differences', () => {
    const net = trainedLike(2);
    const wV = Float64Array.from({ length: 3 }, () => rng.normal());
    const wG = Float64Array.from({ length: 3 * d }, () => rng.normal());
    const loss = () => {
      const t = net.forward(V, 3);
      let s = 0;
      for (let b = 0; b < 3; b++) s += 0.5 * wV[b] * t.value[b] ** 2;
      for (let e = 0; e < 3 * d; e++) s += 0.5 * wG[e] * t.gradient[e] ** 2;
      return s;
    };
    const t = net.forward(V, 3);
    const grad = net.backward(
      t,
      t.value.map((v, b) => wV[b] * v),
      t.gradient.map((g, e) => wG[e] * g),
    );
    const h = 1e-6;
    for (let k = 0; k < net.params.length; k++) {
      const save = net.params[k];
      net.params[k] = save + h;
      const lp = loss();
      net.params[k] = save - h;
      const lm = loss();
      net.params[k] = save;
      const fd = (lp - lm) / (2 * h);
      expect(Math.abs(grad[k] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  it('is convex: the Hessian (differences of the exact gradient) is PSD at random points', () => {
    for (const seed of [3, 4, 5]) {
      const net = trainedLike(seed);
      for (let t = 0; t < 5; t++) {
        const v = Float64Array.from({ length: d }, () => 3 * rng.normal());
        const h = 1e-5;
        const H = new Float64Array(d * d);
        for (let k = 0; k < d; k++) {
          const vp = v.slice();
          const vm = v.slice();
          vp[k] += h;
          vm[k] -= h;
          const gp = net.forward(vp, 1).gradient;
          const gm = net.forward(vm, 1).gradient;
          for (let j = 0; j < d; j++) H[j * d + k] = (gp[j] - gm[j]) / (2 * h);
        }
        for (let j = 0; j < d; j++)
          for (let k = 0; k < j; k++)
            H[j * d + k] = H[k * d + j] = (H[j * d + k] + H[k * d + j]) / 2;
        const eig = symmetricEigenvalues({ rows: d, cols: d, data: H });
        // ε = 0.05 of strong convexity, minus the differencing error.
        expect(Math.min(...eig)).toBeGreaterThan(0.05 - 1e-5);
      }
    }
  });

  it('satisfies the midpoint inequality π((a + b)/2) ≤ (π(a) + π(b))/2', () => {
    const net = trainedLike(6);
    for (let t = 0; t < 200; t++) {
      const a = Float64Array.from({ length: d }, () => 4 * rng.normal());
      const b = Float64Array.from({ length: d }, () => 4 * rng.normal());
      const mid = a.map((x, j) => (x + b[j]) / 2);
      expect(value(net, mid)).toBeLessThanOrEqual((value(net, a) + value(net, b)) / 2 + 1e-12);
    }
  });

  it('a negative z-path weight can break convexity; project() restores it', () => {
    const net = Icnn.init({ input: 1, hidden: [2, 1] }, 1);
    // Output wᶻ < 0 on a convex hidden unit makes π concave along it.
    net.params[net.out.wz] = -5;
    const f = (x: number) => value(net, Float64Array.of(x));
    const concaveSomewhere = [-3, -1, 0, 1, 3].some((x) => f(x) > (f(x - 1) + f(x + 1)) / 2 + 1e-9);
    expect(concaveSomewhere).toBe(true);
    net.project();
    expect(net.params[net.out.wz]).toBe(0);
  });
});
