/**
 * The Geometry plot's layers, drawn in pixels at the current view: the feasible set with its
 * normal fan, the edges, the gradient cone at x*, the projection segment, x*, and the ADMM walk.
 * Each function empties its layer and draws it again (a few dozen elements per frame).
 */
import type { Selection } from 'd3';
import type { ActiveKind } from '../../../solvers/qp/types';
import {
  activeNormals,
  coneOf,
  conePolygon,
  toPlot,
  type HalfPlane,
  type PolyVertex,
} from './geometry';
import type { PlanarPreset, Vec2 } from './presets';
import type { Scales } from './viewport';

type G = Selection<SVGGElement, unknown, null, undefined>;

/** A visible edge of the set: from a to b (plot coordinates) on half-plane hp. */
export interface Edge {
  a: Vec2;
  b: Vec2;
  hp: HalfPlane;
}

const path = (s: Scales, pts: Vec2[], close = true) =>
  pts.length ? 'M' + pts.map((p) => s.toPx(p).join(',')).join('L') + (close ? 'Z' : '') : '';

/** A radius that reaches past every corner of the frame from any visible point. */
export function farRadius(s: Scales): number {
  const { xmin, xmax, ymin, ymax } = s.rect;
  return 3 * Math.hypot(xmax - xmin, ymax - ymin);
}

/** The set, its vertices, and each vertex's normal cone (where ŵ must be for x* to sit there). */
export function drawSet(
  gFan: G,
  gSet: G,
  s: Scales,
  planes: HalfPlane[],
  poly: PolyVertex[],
): void {
  gFan.selectAll('*').remove();
  gSet.selectAll('*').remove();
  gSet
    .append('path')
    .attr('class', 'feasible-set')
    .attr('data-testid', 'feasible-set')
    .attr(
      'd',
      path(
        s,
        poly.map((v) => v.p),
      ),
    );
  const R = farRadius(s);
  poly.forEach((v, i) => {
    const prev = poly[(i - 1 + poly.length) % poly.length];
    if (v.edge < 0 || prev.edge < 0) return;
    const cone = coneOf([planes[prev.edge].n, planes[v.edge].n]);
    gFan
      .append('path')
      .attr('class', 'fan-cone')
      .attr('d', path(s, conePolygon(v.p, cone, R)));
    const [cx, cy] = s.toPx(v.p);
    gSet
      .append('circle')
      .attr('class', 'vertex')
      .attr('data-testid', 'feasible-vertex')
      .attr('data-plot', v.p.join(','))
      .attr('cx', cx)
      .attr('cy', cy)
      .attr('r', 3);
  });
}

/** The polygon's edges on a constraint (not on the clipping window). */
export function edgesOf(planes: HalfPlane[], poly: PolyVertex[]): Edge[] {
  return poly
    .map((v, i) => ({
      a: v.p,
      b: poly[(i + 1) % poly.length].p,
      hp: v.edge >= 0 ? planes[v.edge] : null,
    }))
    .filter((e): e is Edge => e.hp !== null);
}

/** Edge lines, the active ones highlighted; each edge's row badge sits at `badges[i]` (pixels). */
export function drawEdges(
  g: G,
  s: Scales,
  edges: Edge[],
  activeRows: Set<number>,
  badges: Vec2[],
  fontPx: number,
): void {
  g.selectAll('*').remove();
  edges.forEach((e, i) => {
    const grp = g
      .append('g')
      .attr('class', activeRows.has(e.hp.row) ? 'edge active' : 'edge')
      .attr('data-row', e.hp.row);
    const [x1, y1] = s.toPx(e.a);
    const [x2, y2] = s.toPx(e.b);
    grp.append('line').attr('x1', x1).attr('y1', y1).attr('x2', x2).attr('y2', y2);
    const [bx, by] = badges[i];
    grp
      .append('circle')
      .attr('class', 'edge-badge')
      .attr('cx', bx)
      .attr('cy', by)
      .attr('r', fontPx * 0.72);
    grp
      .append('text')
      .attr('x', bx)
      .attr('y', by + fontPx * 0.36)
      .style('font-size', `${fontPx}px`)
      .text(e.hp.row + 1);
  });
}

/**
 * The gradient cone x* + G(x*) (Definition 3.4 of "You Shall Pass": nonnegative combinations of the
 * active outward normals), the normals as arrows, and the projection segment ŵ → x*.
 */
export function drawCone(
  gCone: G,
  gSeg: G,
  s: Scales,
  planes: HalfPlane[],
  active: readonly ActiveKind[],
  xs: Vec2,
  pw: Vec2,
  arrowId: string,
  normalPx: number,
): void {
  gCone.selectAll('*').remove();
  gSeg.selectAll('*').remove();
  const normals = activeNormals(planes, active);
  const cone = coneOf(normals.map((a) => a.n));
  const conePts = conePolygon(xs, cone, farRadius(s));
  if (cone.kind === 'line' || (cone.kind === 'arc' && cone.span === 0)) {
    gCone
      .append('path')
      .attr('class', 'cone-ray')
      .attr('data-testid', 'gradient-cone')
      .attr('data-cone', cone.kind === 'line' ? 'line' : 'ray')
      .attr('d', path(s, conePts, false));
  } else if (conePts.length) {
    gCone
      .append('path')
      .attr('class', 'cone-wedge')
      .attr('data-testid', 'gradient-cone')
      .attr('data-cone', cone.kind === 'plane' ? 'plane' : 'wedge')
      .attr('d', path(s, conePts));
  }
  const [ax, ay] = s.toPx(xs);
  for (const { n } of normals) {
    gCone
      .append('line')
      .attr('class', 'normal-arrow')
      .attr('x1', ax)
      .attr('y1', ay)
      .attr('x2', ax + normalPx * n[0])
      .attr('y2', ay - normalPx * n[1])
      .attr('marker-end', `url(#${arrowId})`);
  }
  // The vector x* → ŵ is −½∇f(x*), which Property 3.5 puts inside the cone.
  const [wx, wy] = s.toPx(pw);
  gSeg
    .append('line')
    .attr('class', 'projection')
    .attr('data-testid', 'projection-segment')
    .attr('x1', wx)
    .attr('y1', wy)
    .attr('x2', ax)
    .attr('y2', ay);
}

/** ADMM's iterates on the plot: the path of xᵏ so far, xᵏ itself, and zᵏ drawn as the point A⁺zᵏ. */
export interface WalkOverlay {
  /** x⁰ … xᵏ, decision coordinates. */
  trail: Vec2[];
  /** The point whose constraint values best match zᵏ (least squares), decision coordinates. */
  z: Vec2 | null;
  k: number;
}

export function drawWalk(g: G, s: Scales, preset: PlanarPreset, walk: WalkOverlay | null): void {
  g.selectAll('*').remove();
  if (!walk || walk.trail.length === 0) return;
  const pts = walk.trail.map((x) => s.toPx(toPlot(preset, x)));
  g.append('path')
    .attr('class', 'walk-trail')
    .attr('data-testid', 'walk-trail')
    .attr('d', 'M' + pts.map((p) => p.join(',')).join('L'));
  if (pts.length <= 400)
    g.selectAll('circle.walk-dot')
      .data(pts)
      .join('circle')
      .attr('class', 'walk-dot')
      .attr('cx', (p) => p[0])
      .attr('cy', (p) => p[1])
      .attr('r', 2);
  const x = pts[pts.length - 1];
  if (walk.z) {
    const z = s.toPx(toPlot(preset, walk.z));
    g.append('line')
      .attr('class', 'walk-gap')
      .attr('x1', x[0])
      .attr('y1', x[1])
      .attr('x2', z[0])
      .attr('y2', z[1]);
    g.append('rect')
      .attr('class', 'walk-z')
      .attr('data-testid', 'walk-z')
      .attr('x', z[0] - 5)
      .attr('y', z[1] - 5)
      .attr('width', 10)
      .attr('height', 10);
  }
  g.append('path')
    .attr('class', 'walk-x')
    .attr('data-testid', 'walk-x')
    .attr('data-k', walk.k)
    .attr('d', `M${x[0]},${x[1] - 7}L${x[0] + 7},${x[1]}L${x[0]},${x[1] + 7}L${x[0] - 7},${x[1]}Z`);
}
