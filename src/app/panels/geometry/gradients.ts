/**
 * The gradient overlay of the Geometry panel, drawn by d3 into a layer of the plot: the true
 * gradient ∇ₓf(x̂, w) = w − x̂ as an arrow from x̂, each method's update Δŵ as an arrow from ŵ, and
 * optionally the local smoothing ball of Definition 3.10 ("You Shall Pass").
 */
import type { Selection } from 'd3';
import type { GeometryGradMethod, GeometryGradResponse } from '../../../workers/geometryJob';
import type { PlanarPreset, Vec2 } from './presets';
import { toPlot } from './geometry';
import { METHOD_STYLE, TRUE_GRAD_STYLE } from '../../palette';

type G = Selection<SVGGElement, unknown, null, undefined>;

export const METHOD_INFO: Record<
  GeometryGradMethod,
  { label: string; color: string; dash: string }
> = {
  kkt: { label: 'exact (KKT)', ...METHOD_STYLE.kkt },
  'smoothed-qp': { label: 'smoothed QP', ...METHOD_STYLE['smoothed-qp'] },
  lpgd: { label: 'LPGD', ...METHOD_STYLE.lpgd },
  identity: { label: 'identity', ...METHOD_STYLE.identity },
};
export const TRUE_GRAD_COLOR = TRUE_GRAD_STYLE.color;

/** Radius of the drawn smoothing ball, plot units (the Jacobian does not depend on it, Property 3.11). */
export const BALL_RADIUS = 0.45;

export interface GradientView {
  preset: PlanarPreset;
  what: Vec2;
  response: GeometryGradResponse;
  methods: readonly GeometryGradMethod[];
  ball: boolean;
}

/** Arrowhead markers, one per colour (SVG markers cannot inherit the line's stroke in every browser). */
export function defineArrowMarkers(
  defs: Selection<SVGDefsElement, unknown, null, undefined>,
  uid: string,
) {
  const colors = [TRUE_GRAD_COLOR, ...Object.values(METHOD_INFO).map((m) => m.color)];
  for (const color of colors) {
    defs
      .append('marker')
      .attr('id', markerId(uid, color))
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 8)
      .attr('refY', 5)
      .attr('markerWidth', 6)
      .attr('markerHeight', 6)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M0,0L10,5L0,10Z')
      .attr('fill', color);
  }
}

function markerId(uid: string, color: string): string {
  return `grad-arrow-${uid}-${color.slice(1)}`;
}

/** Below this length (plot units) an update is drawn as a "0" ring: the gradient vanished. */
const ZERO = 1e-6;

/** How the arrows are drawn at the plot's current zoom. */
export interface ArrowScale {
  /** Plot coordinates to pixels. */
  px: (p: Vec2) => Vec2;
  /** Length of an arrowhead in pixels: a shorter arrow is drawn as a dot with a tooltip. */
  headPx: number;
  /** Pixels per plot unit (for the smoothing ball's radius). */
  ppu: number;
}

const fmt = (v: Vec2) =>
  `(${v.map((c) => (Math.abs(c) < 5e-7 ? '0' : c.toPrecision(3))).join(', ')})`;

/**
 * Draws the arrows; returns where their heads are (pixels, and the unit direction they point), so
 * that labels can keep clear of them.
 */
export function drawGradients(
  layer: G,
  scale: ArrowScale,
  view: GradientView | null,
  uid: string,
): { tip: Vec2; dir: Vec2 }[] {
  layer.selectAll('*').remove();
  const heads: { tip: Vec2; dir: Vec2 }[] = [];
  if (!view) return heads;
  const { px } = scale;
  const { preset, response } = view;
  const xs = toPlot(preset, response.x);
  const wp = toPlot(preset, response.w);
  const ws = toPlot(preset, view.what);
  /** An arrow, or a dot with a tooltip when it would be shorter than its own head. */
  const arrow = (
    from: Vec2,
    to: Vec2,
    style: { color: string; dash: string },
    cls: string,
    testid: string,
    what: string,
  ) => {
    const [x1, y1] = px(from);
    const [x2, y2] = px(to);
    const len = Math.hypot(x2 - x1, y2 - y1);
    if (len < scale.headPx) {
      layer
        .append('circle')
        .attr('class', `grad-dot ${cls}`)
        .attr('data-testid', testid)
        .attr('data-short', '1')
        .attr('fill', style.color)
        .attr('cx', x1)
        .attr('cy', y1)
        .attr('r', 4.5)
        .append('title')
        .text(`${what}: shorter than its arrowhead at this zoom (zoom in to see it)`);
      return;
    }
    heads.push({ tip: [x2, y2], dir: [(x2 - x1) / len, (y2 - y1) / len] });
    layer
      .append('line')
      .attr('class', `grad-arrow ${cls}`)
      .attr('data-testid', testid)
      .attr('stroke', style.color)
      .attr('stroke-dasharray', style.dash || null)
      .attr('x1', x1)
      .attr('y1', y1)
      .attr('x2', x2)
      .attr('y2', y2)
      .attr('marker-end', `url(#${markerId(uid, style.color)})`)
      .append('title')
      .text(what);
  };

  if (view.ball) {
    // Definition 3.10: centre x̂ − r·∇ₓf_QP/‖∇ₓf_QP‖, where ∇ₓf_QP(x̂, ŵ) points from x̂ to ŵ.
    const d: Vec2 = [ws[0] - xs[0], ws[1] - xs[1]];
    const len = Math.hypot(d[0], d[1]);
    if (len > 1e-9) {
      const c: Vec2 = [xs[0] - (BALL_RADIUS * d[0]) / len, xs[1] - (BALL_RADIUS * d[1]) / len];
      const [cx, cy] = px(c);
      layer
        .append('circle')
        .attr('class', 'smoothing-ball')
        .attr('data-testid', 'smoothing-ball')
        .attr('cx', cx)
        .attr('cy', cy)
        .attr('r', BALL_RADIUS * scale.ppu);
    }
  }

  // True gradient: from x̂ to w (ascent of f = −ℓ).
  if (Math.hypot(wp[0] - xs[0], wp[1] - xs[1]) > ZERO)
    arrow(
      xs,
      wp,
      TRUE_GRAD_STYLE,
      'true-grad',
      'true-grad-arrow',
      `true gradient w − x̂ = ${fmt([wp[0] - xs[0], wp[1] - xs[1]])}`,
    );

  for (const m of view.methods) {
    const u = response.updates[m];
    if (!u?.dw) continue;
    const info = METHOD_INFO[m];
    const tip = toPlot(preset, [view.what[0] + u.dw[0], view.what[1] + u.dw[1]]);
    if (Math.hypot(tip[0] - ws[0], tip[1] - ws[1]) > ZERO) {
      arrow(ws, tip, info, `update update-${m}`, `update-${m}`, `${info.label}: Δŵ = ${fmt(u.dw)}`);
    } else {
      const [cx, cy] = px(ws);
      layer
        .append('circle')
        .attr('class', 'zero-update')
        .attr('data-testid', `update-${m}-zero`)
        .attr('stroke', info.color)
        .attr('stroke-dasharray', info.dash || null)
        .attr('cx', cx)
        .attr('cy', cy)
        .attr('r', 18 + 5 * view.methods.indexOf(m))
        .append('title')
        .text(`${info.label}: Δŵ = 0 (the gradient vanished)`);
    }
  }
  return heads;
}
