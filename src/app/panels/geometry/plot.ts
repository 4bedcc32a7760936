/**
 * The Geometry panel's SVG, owned by d3: React hands over an empty container, calls `update`
 * with each new view and `destroy` on unmount. All drawing is in plot coordinates (see presets.ts).
 */
import { pointer, scaleLinear, select, type Selection } from 'd3';
import type { ActiveKind } from '../../../solvers/qp/types';
import {
  activeNormals,
  coneOf,
  conePolygon,
  feasiblePolygon,
  fromPlot,
  halfPlanes,
  toPlot,
  type HalfPlane,
  type PolyVertex,
} from './geometry';
import { defineArrowMarkers, drawGradients, type GradientView } from './gradients';
import { drawCartesianGrid, drawSimplexGrid } from './plotGrid';
import type { PlanarPreset, Vec2 } from './presets';
import { pointerDrag } from '../../components/pointerDrag';

export interface PlotView {
  preset: PlanarPreset;
  /** The prediction ŵ, decision coordinates. */
  what: Vec2;
  /** The solver's x* and active set for this ŵ, when available. */
  solution: { x: Vec2; active: ActiveKind[] } | null;
  /** The true parameter w of the loss, decision coordinates. */
  w: Vec2;
  /** Gradient arrows for this ŵ, when computed. */
  gradients: GradientView | null;
}

export interface GeometryPlot {
  update(view: PlotView): void;
  destroy(): void;
}

export interface PlotCallbacks {
  /** The user moved ŵ (decision coordinates) by pointer or keyboard. */
  onMove(what: Vec2): void;
  /** The user moved the true parameter w. */
  onMoveW(w: Vec2): void;
}

const SIZE = 560;
const PAD = 16;
/** Keyboard steps in plot units: arrows, and with Shift. */
const STEP = 0.02;
const BIG_STEP = 0.1;

type G = Selection<SVGGElement, unknown, null, undefined>;

export function createGeometryPlot(container: HTMLElement, callbacks: PlotCallbacks): GeometryPlot {
  // Ids must be unique in the document (two plots may coexist, e.g. during StrictMode remounts).
  const uid = Math.random().toString(36).slice(2, 10);
  const clipId = `geometry-clip-${uid}`;
  const arrowId = `geometry-arrow-${uid}`;
  const svg = select(container)
    .append('svg')
    .attr('viewBox', `0 0 ${SIZE} ${SIZE}`)
    .attr('class', 'geometry-svg')
    .attr('data-testid', 'geometry-svg')
    .attr('aria-label', 'Feasible set, prediction ŵ and solution x*. Click or drag to move ŵ.');
  svg
    .append('clipPath')
    .attr('id', clipId)
    .append('rect')
    .attr('x', PAD)
    .attr('y', PAD)
    .attr('width', SIZE - 2 * PAD)
    .attr('height', SIZE - 2 * PAD);
  const root = svg.append('g').attr('clip-path', `url(#${clipId})`);
  const layer = (cls: string): G => root.append('g').attr('class', cls);
  const gGrid = layer('grid');
  const gFan = layer('fan');
  const gSet = layer('feasible');
  const gCone = layer('cone');
  const gEdges = layer('edges');
  const gSeg = layer('segment');
  const gGrad = layer('gradients');
  const gPts = layer('points');
  const handle = svg
    .append('g')
    .attr('class', 'what-handle')
    .attr('data-testid', 'what-handle')
    .attr('tabindex', 0)
    .attr('role', 'application')
    .attr('aria-roledescription', '2-D draggable point');
  handle.append('circle').attr('class', 'what-halo').attr('r', 14);
  handle.append('circle').attr('class', 'what-dot').attr('r', 6);
  handle.append('text').attr('class', 'pt-label').attr('x', 10).attr('y', -10).text('ŵ');
  // The true parameter w: a second draggable point (a square, to tell it from ŵ).
  const wHandle = svg
    .append('g')
    .attr('class', 'w-handle')
    .attr('data-testid', 'w-handle')
    .attr('tabindex', 0)
    .attr('role', 'application')
    .attr('aria-roledescription', '2-D draggable point');
  wHandle.append('circle').attr('class', 'what-halo').attr('r', 14);
  wHandle
    .append('rect')
    .attr('class', 'w-dot')
    .attr('x', -6)
    .attr('y', -6)
    .attr('width', 12)
    .attr('height', 12);
  wHandle.append('text').attr('class', 'pt-label').attr('x', 10).attr('y', -10).text('w');

  let view: PlotView | null = null;
  let staticKey = '';
  const sx = scaleLinear().range([PAD, SIZE - PAD]);
  const sy = scaleLinear().range([SIZE - PAD, PAD]);
  const px = (p: Vec2): [number, number] => [sx(p[0]), sy(p[1])];
  const path = (pts: Vec2[], close = true) =>
    pts.length ? 'M' + pts.map((p) => px(p).join(',')).join('L') + (close ? 'Z' : '') : '';

  // Pointer: press on w to drag w; anywhere else puts ŵ there, then drags it. Capture keeps the drag
  // going outside the SVG.
  const node = svg.node()!;
  let dragging: 'what' | 'w' = 'what';
  const moveTo = (ev: PointerEvent) => {
    if (!view) return;
    const [mx, my] = pointer(ev, node);
    const p = fromPlot(view.preset, [sx.invert(mx), sy.invert(my)]);
    if (dragging === 'w') callbacks.onMoveW(p);
    else callbacks.onMove(p);
  };
  const W_GRAB_RADIUS = 14;
  pointerDrag(node, {
    start: (ev) => {
      let onW = false;
      if (view) {
        const [mx, my] = pointer(ev, node);
        const [wx, wy] = px(toPlot(view.preset, view.w));
        onW = Math.hypot(mx - wx, my - wy) <= W_GRAB_RADIUS;
      }
      dragging = onW ? 'w' : 'what';
      ((onW ? wHandle : handle).node() as SVGGElement).focus({ preventScroll: true });
      svg.classed('dragging', true);
      return true;
    },
    move: moveTo,
    end: () => svg.classed('dragging', false),
  });

  // Keyboard: arrows move ŵ (or w) in screen directions (plot coordinates), Shift for larger steps.
  const keyMove = (ev: KeyboardEvent, which: 'what' | 'w') => {
    if (!view) return;
    const d = ev.shiftKey ? BIG_STEP : STEP;
    const dir: Record<string, Vec2> = {
      ArrowLeft: [-d, 0],
      ArrowRight: [d, 0],
      ArrowUp: [0, d],
      ArrowDown: [0, -d],
    };
    const step = dir[ev.key];
    if (!step) return;
    ev.preventDefault();
    const p = toPlot(view.preset, which === 'w' ? view.w : view.what);
    const next = fromPlot(view.preset, [p[0] + step[0], p[1] + step[1]]);
    if (which === 'w') callbacks.onMoveW(next);
    else callbacks.onMove(next);
  };
  handle.on('keydown', (ev: KeyboardEvent) => keyMove(ev, 'what'));
  wHandle.on('keydown', (ev: KeyboardEvent) => keyMove(ev, 'w'));

  function drawStatic(preset: PlanarPreset, planes: HalfPlane[], poly: PolyVertex[]) {
    const { xmin, xmax, ymin, ymax } = preset.view;
    sx.domain([xmin, xmax]);
    sy.domain([ymin, ymax]);
    gGrid.selectAll('*').remove();
    gFan.selectAll('*').remove();
    gSet.selectAll('*').remove();
    if (preset.name === 'simplex') drawSimplexGrid(gGrid, sx, sy, preset);
    else drawCartesianGrid(gGrid, sx, sy, preset);
    gSet
      .append('path')
      .attr('class', 'feasible-set')
      .attr('data-testid', 'feasible-set')
      .attr('d', path(poly.map((v) => v.p)));
    // Normal fan: at each vertex, the cone where ŵ must lie for x* to sit at that vertex.
    const R = Math.hypot(xmax - xmin, ymax - ymin);
    poly.forEach((v, i) => {
      const prev = poly[(i - 1 + poly.length) % poly.length];
      if (v.edge < 0 || prev.edge < 0) return;
      const cone = coneOf([planes[prev.edge].n, planes[v.edge].n]);
      gFan
        .append('path')
        .attr('class', 'fan-cone')
        .attr('d', path(conePolygon(v.p, cone, R)));
      gSet
        .append('circle')
        .attr('class', 'vertex')
        .attr('data-testid', 'feasible-vertex')
        .attr('data-plot', v.p.join(','))
        .attr('cx', sx(v.p[0]))
        .attr('cy', sy(v.p[1]))
        .attr('r', 3);
    });
  }

  function update(next: PlotView) {
    view = next;
    const { preset } = next;
    const planes = halfPlanes(preset);
    const poly = feasiblePolygon(planes, preset.view);
    // The set, grid and fan change only with the preset or (custom) its rows.
    const key = preset.name + ':' + preset.rows.map((r) => [r.a, r.l, r.u].join(',')).join(';');
    if (staticKey !== key) {
      staticKey = key;
      drawStatic(preset, planes, poly);
    }
    const pw = toPlot(preset, next.what);
    handle.attr('transform', `translate(${px(pw).join(',')})`);
    handle.attr(
      'aria-label',
      `Prediction ŵ = (${next.what.map((v) => v.toFixed(3)).join(', ')}). Arrow keys move it; Shift moves farther.`,
    );
    handle.attr('aria-valuetext', `ŵ = (${next.what.map((v) => v.toFixed(3)).join(', ')})`);
    wHandle.attr('transform', `translate(${px(toPlot(preset, next.w)).join(',')})`);
    wHandle.attr(
      'aria-label',
      `True parameter w = (${next.w.map((v) => v.toFixed(3)).join(', ')}). Arrow keys move it.`,
    );
    drawGradients(gGrad, px, next.gradients, uid);

    const sol = next.solution;
    const activeRows = new Set<number>();
    sol?.active.forEach((k, i) => k !== 'inactive' && activeRows.add(i));

    // Edges of the polygon, the active ones highlighted, each labelled with its row number.
    const edges = poly
      .map((v, i) => ({
        a: v.p,
        b: poly[(i + 1) % poly.length].p,
        hp: v.edge >= 0 ? planes[v.edge] : null,
      }))
      .filter((e): e is { a: Vec2; b: Vec2; hp: HalfPlane } => e.hp !== null);
    gEdges
      .selectAll<SVGGElement, (typeof edges)[number]>('g.edge')
      .data(edges)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'edge');
        g.append('line');
        g.append('circle').attr('r', 9);
        g.append('text');
        return g;
      })
      .classed('active', (e) => activeRows.has(e.hp.row))
      .call((g) =>
        g
          .select('line')
          .attr('x1', (e) => sx(e.a[0]))
          .attr('y1', (e) => sy(e.a[1]))
          .attr('x2', (e) => sx(e.b[0]))
          .attr('y2', (e) => sy(e.b[1])),
      )
      .call((g) => {
        // Labels sit just inside the set: ŵ, the segment and the cone are always outside it.
        const inset = 0.05 * (preset.view.xmax - preset.view.xmin);
        const at = 0.3; // off the midpoint, where x* often lands
        const mid = (e: (typeof edges)[number]): [number, number] => [
          e.a[0] + at * (e.b[0] - e.a[0]) - inset * e.hp.n[0],
          e.a[1] + at * (e.b[1] - e.a[1]) - inset * e.hp.n[1],
        ];
        g.select('circle')
          .attr('cx', (e) => sx(mid(e)[0]))
          .attr('cy', (e) => sy(mid(e)[1]));
        g.select('text')
          .attr('x', (e) => sx(mid(e)[0]))
          .attr('y', (e) => sy(mid(e)[1]) + 4)
          .text((e) => e.hp.row + 1);
      });

    gCone.selectAll('*').remove();
    gSeg.selectAll('*').remove();
    gPts.selectAll('*').remove();
    if (!sol) return;
    const xs = toPlot(preset, sol.x);
    // Gradient cone x* + G(x*) (Definition 3.4): nonnegative combinations of the active outward normals.
    const normals = activeNormals(planes, sol.active);
    const cone = coneOf(normals.map((a) => a.n));
    const R = Math.hypot(preset.view.xmax - preset.view.xmin, preset.view.ymax - preset.view.ymin);
    const conePts = conePolygon(xs, cone, R);
    if (cone.kind === 'line' || (cone.kind === 'arc' && cone.span === 0)) {
      const kind = cone.kind === 'line' ? 'line' : 'ray';
      gCone
        .append('path')
        .attr('class', 'cone-ray')
        .attr('data-testid', 'gradient-cone')
        .attr('data-cone', kind)
        .attr('d', path(conePts, false));
    } else if (conePts.length) {
      gCone
        .append('path')
        .attr('class', 'cone-wedge')
        .attr('data-testid', 'gradient-cone')
        .attr('data-cone', cone.kind === 'plane' ? 'plane' : 'wedge')
        .attr('d', path(conePts));
    }
    for (const { n } of normals) {
      const tip: Vec2 = [xs[0] + 0.35 * n[0], xs[1] + 0.35 * n[1]];
      gCone
        .append('path')
        .attr('class', 'normal-arrow')
        .attr('d', path([xs, tip], false))
        .attr('marker-end', `url(#${arrowId})`);
    }
    // Projection segment ŵ → x*; the vector x* → ŵ is −½∇f(x*), which Property 3.5 puts inside the cone.
    gSeg
      .append('line')
      .attr('class', 'projection')
      .attr('data-testid', 'projection-segment')
      .attr('x1', sx(pw[0]))
      .attr('y1', sy(pw[1]))
      .attr('x2', sx(xs[0]))
      .attr('y2', sy(xs[1]));
    const g = gPts
      .append('g')
      .attr('class', 'xstar')
      .attr('data-testid', 'xstar-point')
      .attr('transform', `translate(${px(xs).join(',')})`);
    g.append('circle').attr('r', 6);
    // Label x* on the far side from ŵ (into the set), clear of the segment and the cone.
    const d: Vec2 = [xs[0] - pw[0], xs[1] - pw[1]];
    const len = Math.hypot(d[0], d[1]);
    const off: Vec2 = len > 1e-9 ? [(18 * d[0]) / len, (-18 * d[1]) / len] : [-16, 16];
    g.append('text')
      .attr('class', 'pt-label')
      .attr('text-anchor', 'middle')
      .attr('x', off[0])
      .attr('y', off[1] + 5)
      .text('x*');
  }

  // Arrowhead markers for the normals and the gradient arrows.
  const defs = svg.insert('defs', ':first-child');
  defineArrowMarkers(defs, uid);
  defs
    .append('marker')
    .attr('id', arrowId)
    .attr('viewBox', '0 0 10 10')
    .attr('refX', 8)
    .attr('refY', 5)
    .attr('markerWidth', 7)
    .attr('markerHeight', 7)
    .attr('orient', 'auto-start-reverse')
    .append('path')
    .attr('d', 'M0,0L10,5L0,10Z')
    .attr('class', 'arrowhead');

  return {
    update,
    destroy() {
      svg.remove();
    },
  };
}
