/** Background grids of the Geometry plot, for whatever part of the plane the view shows. */
import { tickStep, type Selection } from 'd3';
import { fromPlot, toPlot } from './geometry';
import type { PlanarPreset, Vec2 } from './presets';
import type { Scales } from './viewport';

type G = Selection<SVGGElement, unknown, null, undefined>;

function line(g: G, cls: string, a: Vec2, b: Vec2): void {
  g.append('line')
    .attr('class', cls)
    .attr('x1', a[0])
    .attr('y1', a[1])
    .attr('x2', b[0])
    .attr('y2', b[1]);
}

function text(
  g: G,
  cls: string,
  x: number,
  y: number,
  label: string | number,
  fontPx: number,
): void {
  g.append('text')
    .attr('class', cls)
    .attr('x', x)
    .attr('y', y)
    .style('font-size', `${fontPx}px`)
    .text(label);
}

/** Tick values of [a, b] at `step`, at most `max` of them. */
function ticks(a: number, b: number, step: number, max = 400): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(a / step) * step; t <= b && out.length < max; t += step)
    out.push(Math.abs(t) < step * 1e-9 ? 0 : +t.toPrecision(12));
  return out;
}

const label = (t: number) => String(+t.toPrecision(6)).replace('-', '−');

/**
 * Grid lines at a round step for the zoom (about one per 70 px, times the label scale k), labelled
 * along the bottom and left borders, axes through 0, and the variables' names at the axes' ends.
 */
export function drawCartesianGrid(
  g: G,
  s: Scales,
  frame: { width: number; height: number },
  preset: PlanarPreset,
  k = 1,
): void {
  const font = 12 * k;
  const { xmin, xmax, ymin, ymax } = s.rect;
  // The grid covers the whole frame, pad included.
  const x0 = s.fromPx([0, 0])[0];
  const x1 = s.fromPx([frame.width, 0])[0];
  const y0 = s.fromPx([0, frame.height])[1];
  const y1 = s.fromPx([0, 0])[1];
  const step = tickStep(
    0,
    Math.max(xmax - xmin, ymax - ymin),
    Math.max(3, (s.ppu * (xmax - xmin)) / (70 * k)),
  );
  // Labels keep clear of the corner where the two rows of labels would meet.
  for (const t of ticks(x0, x1, step)) {
    const [px] = s.toPx([t, 0]);
    line(g, t === 0 ? 'axis' : 'gridline', [px, 0], [px, frame.height]);
    if (t !== 0 && px > 4 * font && px < frame.width - 1.5 * font)
      text(g, 'tick', px, frame.height - font / 2, label(t), font);
  }
  for (const t of ticks(y0, y1, step)) {
    const [, py] = s.toPx([0, t]);
    line(g, t === 0 ? 'axis' : 'gridline', [0, py], [frame.width, py]);
    if (t !== 0 && py > font && py < frame.height - 2.2 * font)
      text(g, 'tick tick-y', 4, py + font / 3, label(t), font);
  }
  const origin = s.toPx([0, 0]);
  if (origin[1] > font && origin[1] < frame.height - font)
    text(g, 'axis-label', frame.width - 2 * font, origin[1] - font / 2, preset.vars[0], font);
  if (origin[0] > font && origin[0] < frame.width - 2.5 * font)
    text(g, 'axis-label', origin[0] + font / 2, 1.3 * font, preset.vars[1], font);
}

/**
 * Lines of constant wᵢ (i = 1, 2, 3) at a round step, the simplex's own edges (wᵢ = 0) and wᵢ = 1
 * stronger, and the corners labelled.
 */
export function drawSimplexGrid(
  g: G,
  s: Scales,
  frame: { width: number; height: number },
  preset: PlanarPreset,
  k = 1,
): void {
  const font = 12 * k;
  const at = (w: Vec2): Vec2 => s.toPx(toPlot(preset, w));
  // The range of each wᵢ over the frame's corners (w₃ = 1 − w₁ − w₂).
  const corners = [
    [0, 0],
    [frame.width, 0],
    [0, frame.height],
    [frame.width, frame.height],
  ].map((q) => fromPlot(preset, s.fromPx(q as Vec2)));
  const ranges = [
    corners.map((c) => c[0]),
    corners.map((c) => c[1]),
    corners.map((c) => 1 - c[0] - c[1]),
  ].map((v) => [Math.min(...v), Math.max(...v)] as Vec2);
  const span = Math.max(...ranges.map(([a, b]) => b - a));
  const step = tickStep(0, span, Math.max(3, (s.ppu * span) / (90 * k)));
  // Each family's lines run far past the frame; the clip path trims them.
  const far = 4 * span + 10;
  ranges.forEach(([a, b], i) => {
    for (const t of ticks(a, b, step)) {
      const cls = t === 0 || t === 1 ? 'gridline strong' : 'gridline';
      const c = corners[0];
      if (i === 0) line(g, cls, at([t, c[1] - far]), at([t, c[1] + far]));
      else if (i === 1) line(g, cls, at([c[0] - far, t]), at([c[0] + far, t]));
      else line(g, cls, at([1 - t - c[1] + far, c[1] - far]), at([1 - t - c[1] - far, c[1] + far]));
    }
  });
  const cornerLabels: [Vec2, string, number, number][] = [
    [[1, 0], 'w₁ = 1', 0.7, 1.3],
    [[0, 1], 'w₂ = 1', 0.7, -0.5],
    [[0, 0], 'w₃ = 1', -4.3, 1.3],
  ];
  for (const [w, name, dx, dy] of cornerLabels) {
    const [x, y] = at(w);
    text(g, 'corner-label', x + dx * font, y + dy * font, name, font);
  }
}
