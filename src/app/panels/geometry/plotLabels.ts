/**
 * The Geometry plot's labels: each edge's row badge (sliding along its edge), and the labels of x*,
 * ŵ, w and the step-through's xᵏ, placed by labels.ts clear of each other, of the markers and of
 * the arrowheads.
 */
import type { Selection } from 'd3';
import { toPlot } from './geometry';
import { around, placeLabels, textBox, type Box, type LabelRequest } from './labels';
import type { DrawnHandle } from './plotInteraction';
import { drawEdges, type Edge, type WalkOverlay } from './plotLayers';
import type { PlanarPreset, Vec2 } from './presets';
import type { Scales } from './viewport';

type G = Selection<SVGGElement, unknown, null, undefined>;

export interface LabelInput {
  gEdges: G;
  gLabels: G;
  s: Scales;
  frame: { width: number; height: number };
  preset: PlanarPreset;
  what: Vec2;
  w: Vec2;
  edges: Edge[];
  activeRows: Set<number>;
  /** x*, plot coordinates. */
  xs: Vec2 | null;
  /** Presenter mode's scale of labels and markers. */
  k: number;
  /** Arrowheads: tip (pixels) and unit direction. */
  heads: { tip: Vec2; dir: Vec2 }[];
  handles: DrawnHandle[];
  walk: WalkOverlay | null;
}

/** Row badges on the edges (drawn with the edges), then the point labels. */
export function drawLabels(a: LabelInput): void {
  const { s, k, preset, xs, walk } = a;
  const font = 14 * k;
  const badgeFont = 11 * k;
  const marker = (p: Vec2, r: number): Box => ({ x: p[0] - r, y: p[1] - r, w: 2 * r, h: 2 * r });
  const obstacles: Box[] = a.handles.map((h) => marker(h.at, 12 * k));
  if (xs) obstacles.push(marker(s.toPx(xs), 8 * k));
  // Arrowheads: a box just behind each tip.
  for (const { tip, dir } of a.heads)
    obstacles.push(marker([tip[0] - dir[0] * 8 * k, tip[1] - dir[1] * 8 * k], 8 * k));
  const walkX = walk?.trail[walk.trail.length - 1];
  if (walkX) obstacles.push(marker(s.toPx(toPlot(preset, walkX)), 8));
  // Badges slide along their edge (just inside the set); point labels go around their point.
  const badgeReqs: LabelRequest[] = a.edges.map((e) => {
    const [ax, ay] = s.toPx(e.a);
    const [bx, by] = s.toPx(e.b);
    const inset = 14 * k;
    const n: Vec2 = [-e.hp.n[0] * inset, e.hp.n[1] * inset];
    const at = (t: number): Vec2 => [ax + t * (bx - ax) + n[0], ay + t * (by - ay) + n[1]];
    return {
      id: `row-${e.hp.row}`,
      w: badgeFont * 1.5,
      h: badgeFont * 1.5,
      candidates: [0.3, 0.5, 0.7, 0.2, 0.8, 0.4, 0.6, 0.12, 0.88].map(at),
    };
  });
  const pointReq = (id: string, text: string, p: Vec2, r: number): LabelRequest => {
    const box = textBox(text, font);
    return { id, ...box, candidates: around(p, r, box.w, box.h) };
  };
  const pointReqs: LabelRequest[] = [];
  const texts: string[] = [];
  if (xs) {
    // x* first, on the far side from ŵ when that side is free.
    const req = pointReq('xstar', 'x*', s.toPx(xs), 7 * k);
    const [px, py] = s.toPx(xs);
    const [wx, wy] = s.toPx(toPlot(preset, a.what));
    const d = Math.hypot(px - wx, py - wy);
    if (d > 1)
      req.candidates.unshift([px + ((px - wx) / d) * 20 * k, py + ((py - wy) / d) * 20 * k]);
    pointReqs.push(req);
    texts.push('x*');
  }
  for (const h of a.handles) {
    const name = h.id === 'what' ? 'ŵ' : 'w';
    const src = h.id === 'what' ? a.what : a.w;
    const text = h.pinned ? `${name} (${src.map((c) => c.toFixed(2)).join(', ')})` : name;
    pointReqs.push(pointReq(h.id, text, h.at, 12 * k));
    texts.push(text);
  }
  if (walkX && walk) {
    const text = `x${superscript(walk.k)}`;
    pointReqs.push(pointReq('walk-x', text, s.toPx(toPlot(preset, walkX)), 8));
    texts.push(text);
  }
  const placed = placeLabels([...pointReqs, ...badgeReqs], obstacles, a.frame);
  const badgeBoxes = placed.slice(pointReqs.length);
  drawEdges(
    a.gEdges,
    s,
    a.edges,
    a.activeRows,
    badgeBoxes.map((b) => [b.x + b.w / 2, b.y + b.h / 2]),
    badgeFont,
  );
  a.gLabels.selectAll('*').remove();
  pointReqs.forEach((r, i) => {
    const b = placed[i];
    a.gLabels
      .append('text')
      .attr('class', `pt-label label-${r.id}`)
      .attr('data-testid', `label-${r.id}`)
      .attr('text-anchor', 'middle')
      .attr('x', b.x + b.w / 2)
      .attr('y', b.y + b.h / 2 + font * 0.35)
      .style('font-size', `${font}px`)
      .text(texts[i]);
  });
}

const SUP: Record<string, string> = {
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};
/** k as superscript digits (x¹², not x^12). */
export function superscript(k: number): string {
  return String(k)
    .split('')
    .map((c) => SUP[c] ?? c)
    .join('');
}
