/**
 * The two planar problems of the Geometry panel, and their QPs.
 *
 * Both are projections: x*(ŵ) = argmin ‖T(x) − T(ŵ)‖² over a polygon, where T(x) = Mx + c
 * maps the decision x ∈ ℝ² to the plot. T is chosen so that distance in the plot is the
 * problem's own distance, hence the projection looks orthogonal on screen.
 * In decision coordinates the QP is ½xᵀPx + qᵀx + r with
 *   P = 2MᵀM,  q = −2MᵀMŵ,  r = ŵᵀMᵀMŵ,
 * and the constraints are the rows l ≤ aᵢᵀx ≤ u (OSQP form).
 */
import type { QpProblem } from '../../../solvers/qp/types';
import type { Config, GeometryPresetName, HalfPlaneSpec } from '../../state/schema';

export type Vec2 = [number, number];
/** 2×2 matrix, row-major: [[m00, m01], [m10, m11]]. */
export type Mat2 = [Vec2, Vec2];

/** One constraint row lᵢ ≤ aᵢᵀx ≤ uᵢ (decision coordinates); ±Infinity for a missing side. */
export interface PlanarRow {
  a: Vec2;
  l: number;
  u: number;
  /** The constraint as the user should read it, e.g. "w₃ = 1 − w₁ − w₂ ≥ 0". */
  label: string;
}

export interface PlanarPreset {
  name: GeometryPresetName;
  title: string;
  rows: PlanarRow[];
  /** Linear part of T: p = Mx + c. */
  M: Mat2;
  /** Offset of T. */
  c: Vec2;
  defaultWhat: Vec2;
  /** Where the true parameter w starts: inside the set, apart from ŵ, so its arrow reads clearly. */
  defaultW: Vec2;
  /** Visible window in plot coordinates. */
  view: { xmin: number; xmax: number; ymin: number; ymax: number };
  /** Names of the two decision variables. */
  vars: [string, string];
}

const I2: Mat2 = [
  [1, 0],
  [0, 1],
];

/** Regular pentagon of circumradius 1: edge k has outward normal at angle 126° + 72°k, apothem cos 36°. */
function pentagonRows(): PlanarRow[] {
  const h = Math.cos(Math.PI / 5);
  const rows: PlanarRow[] = [];
  for (let k = 0; k < 5; k++) {
    const t = ((126 + 72 * k) * Math.PI) / 180;
    const a: Vec2 = [Math.cos(t), Math.sin(t)];
    rows.push({
      a,
      l: -Infinity,
      u: h,
      label: `${fmt(a[0])}·x₁ ${sign(a[1])} ${fmt(Math.abs(a[1]))}·x₂ ≤ ${fmt(h)}`,
    });
  }
  return rows;
}

function fmt(v: number): string {
  return (Math.abs(v) < 5e-4 ? 0 : v).toFixed(3);
}
function sign(v: number): string {
  return v < 0 ? '−' : '+';
}

/**
 * The probability simplex {w ∈ ℝ³ : w ≥ 0, Σw = 1}, parametrized by (w₁, w₂) with w₃ = 1 − w₁ − w₂.
 * T sends the three corners e₁, e₂, e₃ to an equilateral triangle of side √2 = ‖eᵢ − eⱼ‖, so the plot
 * is an isometric picture of the plane Σw = 1 and MᵀM = [[2, 1], [1, 2]] is the 3-D metric
 * ‖w − ŵ‖² = (w₁−ŵ₁)² + (w₂−ŵ₂)² + (w₁+w₂−ŵ₁−ŵ₂)² written in (w₁, w₂).
 */
function simplexMap(): { M: Mat2; c: Vec2 } {
  const s = Math.SQRT2;
  const h = (s * Math.sqrt(3)) / 2;
  // Corners (centroid at the origin): e₃ bottom-left, e₁ bottom-right, e₂ top.
  const V3: Vec2 = [-s / 2, -h / 3];
  const V1: Vec2 = [s / 2, -h / 3];
  const V2: Vec2 = [0, (2 * h) / 3];
  return {
    M: [
      [V1[0] - V3[0], V2[0] - V3[0]],
      [V1[1] - V3[1], V2[1] - V3[1]],
    ],
    c: V3,
  };
}

/** The user's own polygon: rows a₁x₁ + a₂x₂ ≤ h in plain (x₁, x₂) coordinates. */
export function customPreset(cons: readonly HalfPlaneSpec[]): PlanarPreset {
  return {
    name: 'custom',
    title: 'Custom half-planes',
    rows: cons.map(([a1, a2, h]) => ({
      a: [a1, a2],
      l: -Infinity,
      u: h,
      label: `${fmt(a1)}·x₁ ${sign(a2)} ${fmt(Math.abs(a2))}·x₂ ≤ ${fmt(h)}`,
    })),
    M: I2,
    c: [0, 0],
    defaultWhat: [1.4, 1.2],
    defaultW: [-0.5, -0.4],
    view: { xmin: -2.2, xmax: 2.2, ymin: -2.2, ymax: 2.2 },
    vars: ['x₁', 'x₂'],
  };
}

/** The preset a configuration shows (the custom one is built from its half-planes). */
export function presetFor(config: Pick<Config, 'preset' | 'cons'>): PlanarPreset {
  return config.preset === 'custom' ? customPreset(config.cons) : PRESETS[config.preset];
}

export const PRESETS: Record<Exclude<GeometryPresetName, 'custom'>, PlanarPreset> = {
  polygon: {
    name: 'polygon',
    title: 'Pentagon',
    rows: pentagonRows(),
    M: I2,
    c: [0, 0],
    defaultWhat: [1.2, 0.4],
    defaultW: [-0.4, -0.3],
    view: { xmin: -2.2, xmax: 2.2, ymin: -2.2, ymax: 2.2 },
    vars: ['x₁', 'x₂'],
  },
  simplex: {
    name: 'simplex',
    title: '3-asset portfolio (probability simplex)',
    rows: [
      { a: [1, 0], l: 0, u: Infinity, label: 'w₁ ≥ 0' },
      { a: [0, 1], l: 0, u: Infinity, label: 'w₂ ≥ 0' },
      { a: [1, 1], l: -Infinity, u: 1, label: 'w₃ = 1 − w₁ − w₂ ≥ 0' },
    ],
    ...simplexMap(),
    defaultWhat: [0.8, 0.45],
    defaultW: [0.2, 0.3],
    view: { xmin: -1.5, xmax: 1.5, ymin: -1.3, ymax: 1.7 },
    vars: ['w₁', 'w₂'],
  },
};

/** G = MᵀM, the metric of the decision coordinates. */
export function metric(M: Mat2): Mat2 {
  const g = (i: number, j: number) => M[0][i] * M[0][j] + M[1][i] * M[1][j];
  return [
    [g(0, 0), g(0, 1)],
    [g(1, 0), g(1, 1)],
  ];
}

/** The QP whose solution is x*(ŵ) for this preset (see the module comment). */
export function buildQp(preset: PlanarPreset, what: Vec2): QpProblem {
  if (!what.every(Number.isFinite)) throw new Error(`ŵ must be finite, got (${what.join(', ')})`);
  const G = metric(preset.M);
  const Gw: Vec2 = [G[0][0] * what[0] + G[0][1] * what[1], G[1][0] * what[0] + G[1][1] * what[1]];
  const m = preset.rows.length;
  const A = new Float64Array(2 * m);
  preset.rows.forEach((row, i) => A.set(row.a, 2 * i));
  return {
    n: 2,
    m,
    P: {
      rows: 2,
      cols: 2,
      data: Float64Array.from([2 * G[0][0], 2 * G[0][1], 2 * G[1][0], 2 * G[1][1]]),
    },
    q: Float64Array.from([-2 * Gw[0], -2 * Gw[1]]),
    r: what[0] * Gw[0] + what[1] * Gw[1],
    A: { rows: m, cols: 2, data: A },
    l: Float64Array.from(preset.rows, (row) => row.l),
    u: Float64Array.from(preset.rows, (row) => row.u),
    meta: { name: `geometry-${preset.name}` },
  };
}
