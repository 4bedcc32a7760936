import { describe, expect, it } from 'vitest';
import {
  activeNormals,
  coneContains,
  coneOf,
  conePolygon,
  feasiblePolygon,
  fromPlot,
  halfPlanes,
  toPlot,
} from './geometry';
import { buildQp, metric, PRESETS, type Vec2 } from './presets';

const deg = (d: number): Vec2 => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)];
const dist = (a: Vec2, b: Vec2) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** ½xᵀPx + qᵀx + r of a built QP, evaluated directly. */
function qpObjective(p: ReturnType<typeof buildQp>, x: Vec2): number {
  const P = p.P.data;
  const quad = P[0] * x[0] * x[0] + (P[1] + P[2]) * x[0] * x[1] + P[3] * x[1] * x[1];
  return 0.5 * quad + p.q[0] * x[0] + p.q[1] * x[1] + p.r;
}

describe('feasible polygons', () => {
  it('clips the view to the regular pentagon with vertices at 90° + 72°k', () => {
    const preset = PRESETS.polygon;
    const poly = feasiblePolygon(halfPlanes(preset), preset.view);
    expect(poly).toHaveLength(5);
    for (let k = 0; k < 5; k++) {
      const v = deg(90 + 72 * k);
      expect(Math.min(...poly.map((p) => dist(p.p, v)))).toBeLessThan(1e-12);
    }
    expect(poly.every((v) => v.edge >= 0)).toBe(true);
  });

  it('draws the simplex isometrically: corners √2 apart, metric [[2,1],[1,2]]', () => {
    const preset = PRESETS.simplex;
    const G = metric(preset.M);
    [
      [2, 1],
      [1, 2],
    ].forEach((row, i) => row.forEach((v, j) => expect(G[i][j]).toBeCloseTo(v, 12)));
    const poly = feasiblePolygon(halfPlanes(preset), preset.view);
    expect(poly).toHaveLength(3);
    const corners = (
      [
        [1, 0],
        [0, 1],
        [0, 0],
      ] as Vec2[]
    ).map((w) => toPlot(preset, w));
    for (const c of corners) expect(Math.min(...poly.map((p) => dist(p.p, c)))).toBeLessThan(1e-12);
    expect(dist(corners[0], corners[1])).toBeCloseTo(Math.SQRT2, 12);
    expect(dist(corners[1], corners[2])).toBeCloseTo(Math.SQRT2, 12);
    const x: Vec2 = [0.3, -0.7];
    const back = fromPlot(preset, toPlot(preset, x));
    expect(back[0]).toBeCloseTo(x[0], 12);
    expect(back[1]).toBeCloseTo(x[1], 12);
  });
});

describe('QPs of the presets', () => {
  it('pentagon objective is ‖x − ŵ‖²', () => {
    const w: Vec2 = [1.2, -0.4];
    const p = buildQp(PRESETS.polygon, w);
    for (const x of [
      [0, 0],
      [0.5, 1],
      [-2, 3],
    ] as Vec2[])
      expect(qpObjective(p, x)).toBeCloseTo(dist(x, w) ** 2, 12);
  });

  it('simplex objective is the 3-D ‖w − ŵ‖² with w₃ = 1 − w₁ − w₂, ŵ₃ = 1 − ŵ₁ − ŵ₂', () => {
    const w: Vec2 = [0.8, 0.45];
    const p = buildQp(PRESETS.simplex, w);
    for (const x of [
      [0, 0],
      [0.2, 0.5],
      [1, 0],
      [-1, 2],
    ] as Vec2[]) {
      const d = [x[0] - w[0], x[1] - w[1], 1 - x[0] - x[1] - (1 - w[0] - w[1])];
      expect(qpObjective(p, x)).toBeCloseTo(d[0] ** 2 + d[1] ** 2 + d[2] ** 2, 12);
    }
    expect(Array.from(p.l)).toEqual([0, 0, -Infinity]);
    expect(Array.from(p.u)).toEqual([Infinity, Infinity, 1]);
  });

  it('rejects a non-finite ŵ with a message', () => {
    expect(() => buildQp(PRESETS.polygon, [NaN, 0])).toThrow(/ŵ must be finite/);
  });
});

describe('gradient cones', () => {
  it('at the top pentagon vertex the cone is the 72° wedge between the normals at 54° and 126°', () => {
    const planes = halfPlanes(PRESETS.polygon);
    const normals = activeNormals(planes, ['upper', 'inactive', 'inactive', 'inactive', 'upper']);
    expect(normals.map((n) => n.row)).toEqual([0, 4]);
    const cone = coneOf(normals.map((n) => n.n));
    expect(cone.kind).toBe('arc');
    if (cone.kind !== 'arc') return;
    expect((cone.from * 180) / Math.PI).toBeCloseTo(54, 10);
    expect((cone.span * 180) / Math.PI).toBeCloseTo(72, 10);
    expect(coneContains(cone, deg(90))).toBe(true);
    expect(coneContains(cone, deg(55))).toBe(true);
    expect(coneContains(cone, deg(50))).toBe(false);
    expect(coneContains(cone, deg(-90))).toBe(false);
    // The wedge polygon starts at the apex and its rim stays at radius R.
    const pts = conePolygon([0, 1], cone, 3);
    expect(pts[0]).toEqual([0, 1]);
    for (const q of pts.slice(1)) expect(dist(q, [0, 1])).toBeCloseTo(3, 12);
  });

  it('uses −a for rows active at their lower bound (simplex corner e₂: w₁ ≥ 0 and w₃ ≥ 0)', () => {
    const preset = PRESETS.simplex;
    const normals = activeNormals(halfPlanes(preset), ['lower', 'inactive', 'upper']);
    const cone = coneOf(normals.map((n) => n.n));
    // The corner's cone contains the direction from the centroid through the corner (isometric picture).
    const corner = toPlot(preset, [0, 1]);
    const centroid = toPlot(preset, [1 / 3, 1 / 3]);
    expect(coneContains(cone, [corner[0] - centroid[0], corner[1] - centroid[1]])).toBe(true);
    expect(coneContains(cone, [centroid[0] - corner[0], centroid[1] - corner[1]])).toBe(false);
  });

  it('handles the degenerate cases: none, a ray, a line, a half-plane, the plane', () => {
    expect(coneOf([]).kind).toBe('point');
    const ray = coneOf([deg(30)]);
    expect(ray).toEqual({ kind: 'arc', from: expect.closeTo(Math.PI / 6, 12), span: 0 });
    expect(coneContains(ray, deg(30))).toBe(true);
    expect(coneContains(ray, deg(31))).toBe(false);
    const line = coneOf([deg(0), deg(180)]);
    expect(line.kind).toBe('line');
    expect(coneContains(line, deg(180))).toBe(true);
    expect(coneContains(line, deg(90))).toBe(false);
    const half = coneOf([deg(0), deg(90), deg(180)]);
    expect(half.kind).toBe('arc');
    expect(coneContains(half, deg(45))).toBe(true);
    expect(coneContains(half, deg(-45))).toBe(false);
    expect(coneOf([deg(0), deg(120), deg(240)]).kind).toBe('plane');
    // An equality row contributes both ±a: the whole normal line.
    const eq = activeNormals(
      halfPlanes({ ...PRESETS.polygon, rows: [{ a: [1, 0], l: 0.5, u: 0.5, label: 'x₁ = ½' }] }),
      ['equality'],
    );
    expect(coneOf(eq.map((e) => e.n)).kind).toBe('line');
  });
});
