import { describe, expect, it } from 'vitest';
import { METHOD_STYLE, RESIDUAL_STYLE, TRUE_GRAD_STYLE } from './palette';

/**
 * Colour-vision deficiency simulation of Machado, Oliveira & Fernandes (2009), severity 1, applied
 * in linear RGB; distances are CIE76 ΔE in CIELAB (D65).
 */
const SIM: Record<string, number[][]> = {
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
};

const linear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const rgb = (hex: string) => [1, 3, 5].map((i) => linear(parseInt(hex.slice(i, i + 2), 16) / 255));

function lab(lin: number[]): number[] {
  const [r, g, b] = lin.map((v) => Math.min(1, Math.max(0, v)));
  const X = 0.4124 * r + 0.3576 * g + 0.1805 * b;
  const Y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const Z = 0.0193 * r + 0.1192 * g + 0.9505 * b;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const [fx, fy, fz] = [f(X / 0.95047), f(Y), f(Z / 1.08883)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

function seen(hex: string, m: number[][]): number[] {
  const c = rgb(hex);
  return lab(m.map((row) => row[0] * c[0] + row[1] * c[1] + row[2] * c[2]));
}

const deltaE = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const luminance = (hex: string) => {
  const [r, g, b] = rgb(hex);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

describe('method palette', () => {
  const colors = [...Object.values(METHOD_STYLE).map((s) => s.color), TRUE_GRAD_STYLE.color];

  for (const [name, m] of Object.entries(SIM)) {
    it(`every two method colours (and the true gradient's) differ by ΔE ≥ 30 with ${name}`, () => {
      for (let i = 0; i < colors.length; i++)
        for (let j = i + 1; j < colors.length; j++) {
          const d = deltaE(seen(colors[i], m), seen(colors[j], m));
          expect(d, `${colors[i]} vs ${colors[j]}`).toBeGreaterThanOrEqual(30);
        }
    });
  }

  it('each colour has 3:1 contrast on white, and each method its own dash pattern', () => {
    for (const c of [...colors, RESIDUAL_STYLE.prim.color, RESIDUAL_STYLE.dual.color])
      expect(1.05 / (luminance(c) + 0.05), c).toBeGreaterThanOrEqual(3);
    const dashes = Object.values(METHOD_STYLE).map((s) => s.dash);
    expect(new Set(dashes).size).toBe(dashes.length);
  });

  it('the two residual curves stay apart under both deficiencies', () => {
    for (const m of Object.values(SIM))
      expect(
        deltaE(seen(RESIDUAL_STYLE.prim.color, m), seen(RESIDUAL_STYLE.dual.color, m)),
      ).toBeGreaterThanOrEqual(30);
  });
});
