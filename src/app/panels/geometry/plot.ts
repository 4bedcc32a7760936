/**
 * The Geometry panel's SVG, owned by d3: React hands over an empty container, calls `update` with
 * each new view and `destroy` on unmount. The SVG fills its container (a ResizeObserver follows
 * it) and draws in pixels, so text and strokes keep their size on any screen.
 *
 * The view fits the feasible set, ŵ, w and x* (and refits only when one of them leaves it, never
 * during a drag), or follows the user's zoom and pan (wheel, pinch, background drag; kept in the
 * URL). A handle outside the view is pinned to the edge with an arrow toward it and stays
 * draggable. Labels are placed so that they avoid each other and the markers (labels.ts).
 */
import { select, type Selection } from 'd3';
import type { ActiveKind } from '../../../solvers/qp/types';
import type { ViewTriple } from '../../state/schema';
import {
  feasiblePolygon,
  fromPlot,
  halfPlanes,
  toPlot,
  type HalfPlane,
  type PolyVertex,
} from './geometry';
import { defineArrowMarkers, drawGradients, type GradientView } from './gradients';
import { drawLabels } from './plotLabels';
import { drawCartesianGrid, drawSimplexGrid } from './plotGrid';
import { attachInteraction, type DrawnHandle, type HandleId } from './plotInteraction';
import { drawCone, drawSet, drawWalk, edgesOf, type WalkOverlay } from './plotLayers';
import type { PlanarPreset, Vec2 } from './presets';
import {
  fitView,
  pinToFrame,
  scalesFor,
  showsAll,
  tripleToView,
  viewToTriple,
  zoomAbout,
  type Frame,
  type Scales,
  type View,
} from './viewport';

export type { WalkOverlay } from './plotLayers';

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
  /** The user's zoom (the URL's `gview`), or null to fit the set, ŵ and w. */
  view: ViewTriple | null;
  /** Presenter mode: larger labels, handles and arrowheads. */
  present: boolean;
}

export interface GeometryPlot {
  update(view: PlotView): void;
  /** ADMM's iterates while "Step through ADMM" is open (null hides them). */
  setWalk(walk: WalkOverlay | null): void;
  /** Zooms about the centre (> 1 zooms in). */
  zoom(factor: number): void;
  destroy(): void;
}

export interface PlotCallbacks {
  /** The user moved ŵ (decision coordinates) by pointer or keyboard. */
  onMove(what: Vec2): void;
  /** The user moved the true parameter w. */
  onMoveW(w: Vec2): void;
  /** The user zoomed or panned (null: back to fitting). */
  onView(view: ViewTriple | null): void;
}

/** Margin inside the frame, pixels; a pinned handle sits this far in from the border. */
const PAD = 16;
const PIN_INSET = 30;
/** Keyboard steps in plot units: arrows, and with Shift. */
const STEP = 0.02;
const BIG_STEP = 0.1;
/** A window far larger than any view: its corners are not vertices of the set. */
const WORLD = 1e4;

type G = Selection<SVGGElement, unknown, null, undefined>;

export function createGeometryPlot(
  container: HTMLElement,
  callbacks: PlotCallbacks,
  describedBy?: string,
): GeometryPlot {
  // Ids must be unique in the document (two plots may coexist, e.g. during StrictMode remounts).
  const uid = Math.random().toString(36).slice(2, 10);
  const clipId = `geometry-clip-${uid}`;
  const arrowId = `geometry-arrow-${uid}`;
  const svg = select(container)
    .append('svg')
    .attr('class', 'geometry-svg')
    .attr('data-testid', 'geometry-svg')
    .attr('role', 'group')
    .attr(
      'aria-label',
      'Plot of the feasible set, the prediction ŵ, the true parameter w and the solution x*. ' +
        'Drag ŵ or w, or focus one and use the arrow keys; drag the background to pan, wheel or pinch to zoom.',
    );
  if (describedBy) svg.attr('aria-describedby', describedBy);
  const node = svg.node()!;
  const defs = svg.append('defs');
  const clipRect = defs.append('clipPath').attr('id', clipId).append('rect');
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

  const root = svg.append('g').attr('clip-path', `url(#${clipId})`);
  const layer = (cls: string): G => root.append('g').attr('class', cls);
  const gGrid = layer('grid');
  const gFan = layer('fan');
  const gSet = layer('feasible');
  const gCone = layer('cone');
  const gEdges = layer('edges');
  const gSeg = layer('segment');
  const gGrad = layer('gradients');
  const gWalk = layer('walk');
  const gPts = layer('points');
  const gLabels = svg.append('g').attr('class', 'labels').attr('aria-hidden', 'true');

  const makeHandle = (id: HandleId) => {
    const g = svg
      .append('g')
      .attr('class', id === 'what' ? 'what-handle' : 'w-handle')
      .attr('data-testid', id === 'what' ? 'what-handle' : 'w-handle')
      .attr('tabindex', 0)
      .attr('role', 'application')
      .attr('aria-roledescription', '2-D draggable point');
    g.append('path').attr('class', 'pin-arrow').attr('d', 'M14,-7L26,0L14,7Z');
    g.append('circle').attr('class', 'what-halo').attr('r', 14);
    if (id === 'what') g.append('circle').attr('class', 'what-dot').attr('r', 6);
    else
      g.append('rect')
        .attr('class', 'w-dot')
        .attr('x', -6)
        .attr('y', -6)
        .attr('width', 12)
        .attr('height', 12);
    return g;
  };
  const handles: Record<HandleId, G> = { what: makeHandle('what'), w: makeHandle('w') };

  let cur: PlotView | null = null;
  let walk: WalkOverlay | null = null;
  let frame: Frame = { width: 0, height: 0, pad: PAD };
  /** The view during a pan or pinch, and the one just committed (until the config catches up). */
  let live: View | null = null;
  let committed: View | null = null;
  let fitted: { key: string; frameKey: string; view: View } | null = null;
  let wasManual = false;
  let draggingId: HandleId | null = null;
  let drawn: DrawnHandle[] = [];
  let scales: Scales | null = null;

  /**
   * Presenter mode's scale of labels, markers and strokes: 1.6 on a 1080p projector, growing to 3
   * in 4K; smaller on a phone, where the plot itself is small.
   */
  const scaleOf = () => {
    if (!cur?.present) return 1;
    if (frame.width < 600) return 1.25;
    return Math.min(3, Math.max(1.6, Math.min(frame.width, 1.6 * frame.height) / 850));
  };
  const setKey = (p: PlanarPreset) =>
    p.name + ':' + p.rows.map((r) => [r.a, r.l, r.u].join(',')).join(';');

  /** The points a fitted view must show: the set's corners, ŵ, w and x*. */
  function fitPoints(v: PlotView, planes: HalfPlane[]): Vec2[] {
    const world = feasiblePolygon(planes, { xmin: -WORLD, xmax: WORLD, ymin: -WORLD, ymax: WORLD });
    const corners = world
      .filter((p, i) => p.edge >= 0 && world[(i - 1 + world.length) % world.length].edge >= 0)
      .map((p) => p.p);
    const pts = [...corners, toPlot(v.preset, v.what), toPlot(v.preset, v.w)];
    if (v.solution) pts.push(toPlot(v.preset, v.solution.x));
    return pts;
  }

  function resolveView(v: PlotView, planes: HalfPlane[]): View {
    if (live) return live;
    if (committed) return committed;
    if (v.view) {
      wasManual = true;
      return tripleToView(v.view);
    }
    const key = setKey(v.preset);
    const frameKey = `${frame.width}x${frame.height}`;
    const pts = fitPoints(v, planes);
    if (
      !fitted ||
      wasManual ||
      fitted.key !== key ||
      fitted.frameKey !== frameKey ||
      (draggingId === null && !showsAll(fitted.view, frame, pts))
    )
      fitted = { key, frameKey, view: fitView(pts, frame) };
    wasManual = false;
    return fitted.view;
  }

  function currentView(): View {
    if (!cur || !scales) return { cx: 0, cy: 0, span: 4 };
    return (
      live ??
      committed ??
      (cur.view ? tripleToView(cur.view) : (fitted?.view ?? { cx: 0, cy: 0, span: 4 }))
    );
  }

  function draw(): void {
    const v = cur;
    if (!v || frame.width <= 0 || frame.height <= 0) return;
    const k = scaleOf();
    const { preset } = v;
    const planes = halfPlanes(preset);
    const s = scalesFor(resolveView(v, planes), frame);
    scales = s;
    svg
      .attr('width', frame.width)
      .attr('height', frame.height)
      .attr('viewBox', `0 0 ${frame.width} ${frame.height}`)
      .attr(
        'data-view',
        viewToTriple(currentView())
          .map((c) => c.toPrecision(6))
          .join(','),
      );
    clipRect.attr('width', frame.width).attr('height', frame.height);

    // The set as far as the frame shows it (and a little beyond, so no edge ends inside it).
    const a = s.fromPx([-40, frame.height + 40]);
    const b = s.fromPx([frame.width + 40, -40]);
    const poly: PolyVertex[] = feasiblePolygon(planes, {
      xmin: a[0],
      xmax: b[0],
      ymin: a[1],
      ymax: b[1],
    });
    gGrid.selectAll('*').remove();
    if (preset.name === 'simplex') drawSimplexGrid(gGrid, s, frame, preset, k);
    else drawCartesianGrid(gGrid, s, frame, preset, k);
    // Presenter mode's strokes scale with k (presenter.css multiplies by --k).
    svg.style('--k', String(k));
    drawSet(gFan, gSet, s, planes, poly);

    const sol = v.solution;
    const activeRows = new Set<number>();
    sol?.active.forEach((kind, i) => kind !== 'inactive' && activeRows.add(i));
    const pw = toPlot(preset, v.what);
    const xs = sol ? toPlot(preset, sol.x) : null;
    if (sol && xs) drawCone(gCone, gSeg, s, planes, sol.active, xs, pw, arrowId, 50 * k);
    else {
      gCone.selectAll('*').remove();
      gSeg.selectAll('*').remove();
    }
    const heads = drawGradients(
      gGrad,
      { px: s.toPx, headPx: 15 * k, ppu: s.ppu },
      v.gradients,
      uid,
    );
    drawWalk(gWalk, s, preset, walk);

    gPts.selectAll('*').remove();
    if (xs) {
      const [x, y] = s.toPx(xs);
      gPts
        .append('g')
        .attr('class', 'xstar')
        .attr('data-testid', 'xstar-point')
        .attr('transform', `translate(${x},${y})`)
        .append('circle')
        .attr('r', 6 * Math.sqrt(k));
    }

    // Handles, pinned to the edge when their point is outside the view.
    drawn = (['what', 'w'] as const).map((id) => {
      const data = toPlot(preset, id === 'what' ? v.what : v.w);
      const pin = pinToFrame(s.toPx(data), frame, PIN_INSET * k);
      const g = handles[id];
      g.attr('transform', `translate(${pin.at[0]},${pin.at[1]}) scale(${k})`)
        .classed('pinned', pin.pinned)
        .attr('data-pinned', pin.pinned ? '1' : '0');
      g.select('.pin-arrow').attr('transform', `rotate(${(pin.angle * 180) / Math.PI})`);
      const value = (id === 'what' ? v.what : v.w).map((c) => c.toFixed(3)).join(', ');
      const name = id === 'what' ? `Prediction ŵ = (${value})` : `True parameter w = (${value})`;
      g.attr(
        'aria-label',
        `${name}${pin.pinned ? ', outside the view (pinned to its edge)' : ''}. Arrow keys move it; Shift moves farther.`,
      );
      return { id, at: pin.at, pinned: pin.pinned, data };
    });

    drawLabels({
      gEdges,
      gLabels,
      s,
      frame,
      preset,
      what: v.what,
      w: v.w,
      edges: edgesOf(planes, poly),
      activeRows,
      xs,
      k,
      heads,
      handles: drawn,
      walk,
    });
  }

  const moveHandle = (id: HandleId, p: Vec2) => {
    if (!cur) return;
    const d = fromPlot(cur.preset, p);
    if (id === 'w') callbacks.onMoveW(d);
    else callbacks.onMove(d);
  };

  const commit = (view: View) => {
    committed = view;
    live = null;
    callbacks.onView(viewToTriple(view));
    draw();
  };

  const detach = attachInteraction(node, {
    scales: () => scales ?? scalesFor({ cx: 0, cy: 0, span: 4 }, frame),
    frame: () => frame,
    view: currentView,
    handles: () => drawn,
    grabRadius: (type) => (type === 'mouse' ? 14 : 24) * scaleOf(),
    moveHandle,
    place: (p) => moveHandle('what', p),
    liveView: (view) => {
      live = view;
      draw();
    },
    commitView: commit,
    dragging: (id) => {
      draggingId = id;
      svg.classed('dragging', id !== null);
      if (id) (handles[id].node() as SVGGElement).focus({ preventScroll: true });
      else draw();
    },
  });

  // Keyboard: arrows move the focused handle in screen directions, Shift for larger steps;
  // + and − zoom, 0 fits the view again.
  const keyMove = (ev: KeyboardEvent, which: HandleId) => {
    if (!cur) return;
    if (ev.key === '+' || ev.key === '=') return void (ev.preventDefault(), zoomBy(1.25));
    if (ev.key === '-' || ev.key === '_') return void (ev.preventDefault(), zoomBy(0.8));
    if (ev.key === '0') return void (ev.preventDefault(), callbacks.onView(null));
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
    const p = toPlot(cur.preset, which === 'w' ? cur.w : cur.what);
    moveHandle(which, [p[0] + step[0], p[1] + step[1]]);
  };
  handles.what.on('keydown', (ev: KeyboardEvent) => keyMove(ev, 'what'));
  handles.w.on('keydown', (ev: KeyboardEvent) => keyMove(ev, 'w'));

  function zoomBy(factor: number) {
    if (!scales) return;
    const v = currentView();
    commit(zoomAbout(v, factor, [v.cx, v.cy]));
  }

  const resize = new ResizeObserver(() => {
    const w = Math.floor(container.clientWidth);
    const h = Math.floor(container.clientHeight) || w;
    if (w === frame.width && h === frame.height) return;
    frame = { width: w, height: h, pad: PAD };
    draw();
  });
  resize.observe(container);

  return {
    update(next) {
      cur = next;
      committed = null;
      draw();
    },
    setWalk(next) {
      walk = next;
      draw();
    },
    zoom: zoomBy,
    destroy() {
      resize.disconnect();
      detach();
      svg.remove();
    },
  };
}
