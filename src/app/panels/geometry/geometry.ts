/**
 * Plane geometry for drawing the Geometry panel, all in plot coordinates p = Mx + c:
 * the feasible polygon, outward normals, and gradient cones (Definition 3.4 of
 * "You Shall Pass": G(x) = {Σ αᵢnᵢ : αᵢ ≥ 0} over the active constraints).
 */
import type { ActiveKind } from '../../../solvers/qp/types';
import type { Mat2, PlanarPreset, Vec2 } from './presets';

export function toPlot(preset: PlanarPreset, x: ArrayLike<number>): Vec2 {
  const { M, c } = preset;
  return [M[0][0] * x[0] + M[0][1] * x[1] + c[0], M[1][0] * x[0] + M[1][1] * x[1] + c[1]];
}

function inverse(M: Mat2): Mat2 {
  const det = M[0][0] * M[1][1] - M[0][1] * M[1][0];
  if (Math.abs(det) < 1e-12) throw new Error('plot map is singular');
  return [
    [M[1][1] / det, -M[0][1] / det],
    [-M[1][0] / det, M[0][0] / det],
  ];
}

export function fromPlot(preset: PlanarPreset, p: Vec2): Vec2 {
  const Mi = inverse(preset.M);
  const d: Vec2 = [p[0] - preset.c[0], p[1] - preset.c[1]];
  return [Mi[0][0] * d[0] + Mi[0][1] * d[1], Mi[1][0] * d[0] + Mi[1][1] * d[1]];
}

/** Half-plane nᵀp ≤ b in plot coordinates, with ‖n‖ = 1; `row` is the QP row, `side` which bound. */
export interface HalfPlane {
  n: Vec2;
  b: number;
  row: number;
  side: 'upper' | 'lower';
}

/**
 * Each finite bound of each row as a plot half-plane. aᵀx ≤ u with x = M⁻¹(p − c) is
 * (M⁻ᵀa)ᵀp ≤ u + (M⁻ᵀa)ᵀc; the lower bound is the same with the sign flipped.
 */
export function halfPlanes(preset: PlanarPreset): HalfPlane[] {
  const Mi = inverse(preset.M);
  const out: HalfPlane[] = [];
  preset.rows.forEach((row, i) => {
    const n: Vec2 = [
      Mi[0][0] * row.a[0] + Mi[1][0] * row.a[1],
      Mi[0][1] * row.a[0] + Mi[1][1] * row.a[1],
    ];
    const len = Math.hypot(n[0], n[1]);
    const nc = n[0] * preset.c[0] + n[1] * preset.c[1];
    if (Number.isFinite(row.u))
      out.push({ n: [n[0] / len, n[1] / len], b: (row.u + nc) / len, row: i, side: 'upper' });
    if (Number.isFinite(row.l))
      out.push({ n: [-n[0] / len, -n[1] / len], b: -(row.l + nc) / len, row: i, side: 'lower' });
  });
  return out;
}

/** A polygon vertex; `edge` is the half-plane index whose boundary runs from this vertex to the next (−1: window). */
export interface PolyVertex {
  p: Vec2;
  edge: number;
}

/** Sutherland–Hodgman: the counter-clockwise rectangle `view` clipped by every half-plane. */
export function feasiblePolygon(planes: HalfPlane[], view: PlanarPreset['view']): PolyVertex[] {
  let poly: PolyVertex[] = [
    { p: [view.xmin, view.ymin], edge: -1 },
    { p: [view.xmax, view.ymin], edge: -1 },
    { p: [view.xmax, view.ymax], edge: -1 },
    { p: [view.xmin, view.ymax], edge: -1 },
  ];
  planes.forEach((hp, k) => {
    const out: PolyVertex[] = [];
    const slack = (p: Vec2) => hp.b - (hp.n[0] * p[0] + hp.n[1] * p[1]);
    for (let i = 0; i < poly.length; i++) {
      const cur = poly[i];
      const next = poly[(i + 1) % poly.length];
      const sc = slack(cur.p);
      const sn = slack(next.p);
      if (sc >= 0) out.push(cur);
      if (sc >= 0 !== sn >= 0) {
        const t = sc / (sc - sn);
        const p: Vec2 = [
          cur.p[0] + t * (next.p[0] - cur.p[0]),
          cur.p[1] + t * (next.p[1] - cur.p[1]),
        ];
        // Leaving the half-plane, hp's boundary runs from the new vertex; entering it, the old edge resumes.
        out.push({ p, edge: sc >= 0 ? k : cur.edge });
      }
    }
    poly = out;
  });
  return poly;
}

/** Outward unit normals (plot coordinates) of the rows the solver reports active at x*. */
export function activeNormals(
  planes: HalfPlane[],
  active: readonly ActiveKind[],
): { row: number; n: Vec2 }[] {
  const out: { row: number; n: Vec2 }[] = [];
  for (const hp of planes) {
    const kind = active[hp.row];
    // An equality row is active from both sides: its cone contribution is the whole normal line.
    if (kind === 'equality' || kind === hp.side) out.push({ row: hp.row, n: hp.n });
  }
  return out;
}

/** A cone in the plane, as the counter-clockwise arc of directions [from, from + span]. */
export type Cone =
  | { kind: 'point' }
  | { kind: 'arc'; from: number; span: number }
  /** {t·(cos from, sin from) : t ∈ ℝ}: two opposite generators and nothing between them. */
  | { kind: 'line'; from: number }
  | { kind: 'plane' };

/**
 * The cone spanned by nonnegative combinations of `normals`. The directions' angles, sorted,
 * leave gaps; if one gap exceeds π the cone is the arc outside it, otherwise it is the whole plane.
 * (A gap of exactly π is a half-plane, reported as an arc of span π.)
 */
export function coneOf(normals: Vec2[]): Cone {
  if (normals.length === 0) return { kind: 'point' };
  const angles = normals.map((n) => Math.atan2(n[1], n[0])).sort((a, b) => a - b);
  if (angles.length === 1) return { kind: 'arc', from: angles[0], span: 0 };
  let bestGap = -1;
  let bestEnd = 0;
  for (let i = 0; i < angles.length; i++) {
    const a = angles[i];
    const b = i + 1 < angles.length ? angles[i + 1] : angles[0] + 2 * Math.PI;
    if (b - a > bestGap) {
      bestGap = b - a;
      bestEnd = i + 1 < angles.length ? b : angles[0];
    }
  }
  const span = 2 * Math.PI - bestGap;
  const eps = 1e-9;
  if (span > Math.PI + eps) return { kind: 'plane' };
  if (span > Math.PI - eps) {
    // Generators at both ends of a half-turn: a half-plane only if one lies strictly between them.
    const inside = angles.some((a) => {
      const t = (((a - bestEnd) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
      return t > eps && t < Math.PI - eps;
    });
    if (!inside) return { kind: 'line', from: bestEnd };
  }
  return { kind: 'arc', from: bestEnd, span };
}

/** Polygon approximating apex + cone, truncated at radius R (a ray is returned as two points). */
export function conePolygon(apex: Vec2, cone: Cone, R: number): Vec2[] {
  if (cone.kind === 'point') return [];
  if (cone.kind === 'plane') {
    return [0, 1, 2, 3].map((k) => [
      apex[0] + R * Math.cos((k * Math.PI) / 2 + Math.PI / 4) * 1.5,
      apex[1] + R * Math.sin((k * Math.PI) / 2 + Math.PI / 4) * 1.5,
    ]);
  }
  if (cone.kind === 'line') {
    const u: Vec2 = [R * Math.cos(cone.from), R * Math.sin(cone.from)];
    return [
      [apex[0] - u[0], apex[1] - u[1]],
      [apex[0] + u[0], apex[1] + u[1]],
    ];
  }
  if (cone.span === 0)
    return [apex, [apex[0] + R * Math.cos(cone.from), apex[1] + R * Math.sin(cone.from)]];
  const steps = Math.max(2, Math.ceil(cone.span / 0.1));
  const pts: Vec2[] = [apex];
  for (let s = 0; s <= steps; s++) {
    const t = cone.from + (cone.span * s) / steps;
    pts.push([apex[0] + R * Math.cos(t), apex[1] + R * Math.sin(t)]);
  }
  return pts;
}

/** True when direction d lies in the cone (used to check the picture against Property 3.5). */
export function coneContains(cone: Cone, d: Vec2, tol = 1e-6): boolean {
  const len = Math.hypot(d[0], d[1]);
  if (len <= tol) return true;
  if (cone.kind === 'plane') return true;
  if (cone.kind === 'point') return false;
  if (cone.kind === 'line')
    return Math.abs(Math.cos(cone.from) * d[1] - Math.sin(cone.from) * d[0]) <= tol;
  let t = Math.atan2(d[1], d[0]) - cone.from;
  t = ((t % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  const angTol = tol / len + 1e-9;
  return t <= cone.span + angTol || t >= 2 * Math.PI - angTol;
}

/**
 * The point whose constraint values best match z (least squares, min ‖Ax − z‖ over the rows'
 * normals aᵢ): how the step-through draws ADMM's zᵏ, which lives in constraint space. With fewer
 * than two independent rows, the shortest such point.
 */
export function leastSquaresPoint(rows: readonly { a: Vec2 }[], z: readonly number[]): Vec2 {
  let a00 = 0;
  let a01 = 0;
  let a11 = 0;
  let b0 = 0;
  let b1 = 0;
  rows.forEach((r, i) => {
    a00 += r.a[0] * r.a[0];
    a01 += r.a[0] * r.a[1];
    a11 += r.a[1] * r.a[1];
    b0 += r.a[0] * z[i];
    b1 += r.a[1] * z[i];
  });
  const tr = a00 + a11;
  if (!(tr > 0)) return [0, 0];
  const det = a00 * a11 - a01 * a01;
  if (det > 1e-10 * tr * tr) return [(a11 * b0 - a01 * b1) / det, (a00 * b1 - a01 * b0) / det];
  // Rank one: AᵀA = tr·vvᵀ, and the shortest solution is v(vᵀAᵀz)/tr.
  const [c0, c1] = a00 >= a11 ? [a00, a01] : [a01, a11];
  const len = Math.hypot(c0, c1);
  const v: Vec2 = [c0 / len, c1 / len];
  const t = (v[0] * b0 + v[1] * b1) / tr;
  return [v[0] * t, v[1] * t];
}
