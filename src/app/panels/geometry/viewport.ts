/**
 * The Geometry plot's view: which part of the plane the frame shows, always isometric (one unit is
 * as long across as up, so projections look orthogonal). Pure functions, unit-tested in Node: fit a
 * set of points, zoom about a point, pan by pixels, and pin a point outside the frame to its edge.
 */
import type { Vec2 } from './presets';

/** Centre (plot coordinates) and the span shown across the frame's shorter side. */
export interface View {
  cx: number;
  cy: number;
  span: number;
}

/** The frame in pixels, and the margin kept clear inside its border. */
export interface Frame {
  width: number;
  height: number;
  pad: number;
}

export interface Scales {
  /** Pixels per plot unit. */
  ppu: number;
  toPx(p: Vec2): Vec2;
  fromPx(q: Vec2): Vec2;
  /** The plot rectangle the frame shows (its inner part, inside the pad). */
  rect: { xmin: number; xmax: number; ymin: number; ymax: number };
}

const inner = (f: Frame) => ({
  w: Math.max(1, f.width - 2 * f.pad),
  h: Math.max(1, f.height - 2 * f.pad),
});

export function scalesFor(view: View, frame: Frame): Scales {
  const { w, h } = inner(frame);
  const ppu = Math.min(w, h) / view.span;
  const ox = frame.width / 2;
  const oy = frame.height / 2;
  return {
    ppu,
    toPx: (p) => [ox + (p[0] - view.cx) * ppu, oy - (p[1] - view.cy) * ppu],
    fromPx: (q) => [view.cx + (q[0] - ox) / ppu, view.cy - (q[1] - oy) / ppu],
    rect: {
      xmin: view.cx - w / 2 / ppu,
      xmax: view.cx + w / 2 / ppu,
      ymin: view.cy - h / 2 / ppu,
      ymax: view.cy + h / 2 / ppu,
    },
  };
}

/** Fraction of room left around the fitted points, on each side. */
export const FIT_MARGIN = 0.14;
/** A fitted view never spans less than this (a set of one point still shows its surroundings). */
export const FIT_MIN_SPAN = 1;

/** The smallest view (with a margin) in which the frame shows every point. */
export function fitView(points: readonly Vec2[], frame: Frame): View {
  const pts = points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  if (pts.length === 0) return { cx: 0, cy: 0, span: 4 };
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const { w, h } = inner(frame);
  const s = Math.min(w, h);
  // The frame shows span·w/s across and span·h/s up: both must hold the box and its margins.
  const grow = 1 / (1 - 2 * FIT_MARGIN);
  const span = Math.max(FIT_MIN_SPAN, ((x1 - x0) * grow * s) / w, ((y1 - y0) * grow * s) / h);
  return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, span };
}

/** True when every point lies inside the frame's inner part, shrunk by `margin` (a fraction). */
export function showsAll(
  view: View,
  frame: Frame,
  points: readonly Vec2[],
  margin = 0.04,
): boolean {
  const { rect } = scalesFor(view, frame);
  const mx = margin * (rect.xmax - rect.xmin);
  const my = margin * (rect.ymax - rect.ymin);
  return points.every(
    (p) =>
      p[0] >= rect.xmin + mx &&
      p[0] <= rect.xmax - mx &&
      p[1] >= rect.ymin + my &&
      p[1] <= rect.ymax - my,
  );
}

/** Zoomed by `factor` (> 1 zooms in) about the plot point `at`, which stays where it is on screen. */
export function zoomAbout(view: View, factor: number, at: Vec2): View {
  const span = view.span / factor;
  return {
    cx: at[0] + (view.cx - at[0]) / factor,
    cy: at[1] + (view.cy - at[1]) / factor,
    span,
  };
}

/** The view moved so that the plane follows the pointer by (dx, dy) pixels. */
export function panByPixels(view: View, frame: Frame, dx: number, dy: number): View {
  const { ppu } = scalesFor(view, frame);
  return { ...view, cx: view.cx - dx / ppu, cy: view.cy + dy / ppu };
}

/** Where a point is drawn: itself when inside the frame, else pinned to the inset border. */
export interface Pinned {
  at: Vec2;
  pinned: boolean;
  /** Direction from the drawn position toward the true one, radians (screen axes, y down). */
  angle: number;
}

/**
 * A pixel position clamped to the frame inset by `inset` pixels, along the line from the frame's
 * centre (so the pin points the way the point lies).
 */
export function pinToFrame(q: Vec2, frame: Frame, inset: number): Pinned {
  const x0 = inset;
  const y0 = inset;
  const x1 = frame.width - inset;
  const y1 = frame.height - inset;
  if (q[0] >= x0 && q[0] <= x1 && q[1] >= y0 && q[1] <= y1)
    return { at: q, pinned: false, angle: 0 };
  const c: Vec2 = [frame.width / 2, frame.height / 2];
  const d: Vec2 = [q[0] - c[0], q[1] - c[1]];
  let t = 1;
  if (d[0] !== 0) t = Math.min(t, (d[0] > 0 ? x1 - c[0] : x0 - c[0]) / d[0]);
  if (d[1] !== 0) t = Math.min(t, (d[1] > 0 ? y1 - c[1] : y0 - c[1]) / d[1]);
  const at: Vec2 = [c[0] + t * d[0], c[1] + t * d[1]];
  return { at, pinned: true, angle: Math.atan2(d[1], d[0]) };
}

/** The view as the URL stores it, and back. */
export const viewToTriple = (v: View): [number, number, number] => [v.cx, v.cy, v.span];
export const tripleToView = (t: readonly [number, number, number]): View => ({
  cx: t[0],
  cy: t[1],
  span: t[2],
});
