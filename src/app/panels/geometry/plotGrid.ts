/** Background grids of the Geometry plot (static per preset). */
import type { ScaleLinear, Selection } from 'd3';
import { toPlot } from './geometry';
import type { PlanarPreset, Vec2 } from './presets';

type G = Selection<SVGGElement, unknown, null, undefined>;
type Scale = ScaleLinear<number, number>;

function line(g: G, cls: string, a: [number, number], b: [number, number]): void {
  g.append('line')
    .attr('class', cls)
    .attr('x1', a[0])
    .attr('y1', a[1])
    .attr('x2', b[0])
    .attr('y2', b[1]);
}

function text(g: G, cls: string, x: number, y: number, label: string | number): void {
  g.append('text').attr('class', cls).attr('x', x).attr('y', y).text(label);
}

/** Grid at 0.5, axes through 0, tick labels along the bottom and left borders (clear of the set). */
export function drawCartesianGrid(g: G, sx: Scale, sy: Scale, preset: PlanarPreset): void {
  const { xmin, xmax, ymin, ymax } = preset.view;
  for (let t = Math.ceil(xmin * 2) / 2; t <= xmax; t += 0.5) {
    line(g, t === 0 ? 'axis' : 'gridline', [sx(t), sy(ymin)], [sx(t), sy(ymax)]);
    if (Number.isInteger(t)) text(g, 'tick', sx(t), sy(ymin) - 6, t);
  }
  for (let t = Math.ceil(ymin * 2) / 2; t <= ymax; t += 0.5) {
    line(g, t === 0 ? 'axis' : 'gridline', [sx(xmin), sy(t)], [sx(xmax), sy(t)]);
    if (Number.isInteger(t) && t !== 0) text(g, 'tick', sx(xmin) + 10, sy(t) + 4, t);
  }
  text(g, 'axis-label', sx(xmax) - 18, sy(0) - 6, preset.vars[0]);
  text(g, 'axis-label', sx(0) + 6, sy(ymax) + 14, preset.vars[1]);
}

/** Lines of constant wᵢ (i = 1, 2, 3) at steps of 0.25, the simplex's own edges stronger, and corner labels. */
export function drawSimplexGrid(g: G, sx: Scale, sy: Scale, preset: PlanarPreset): void {
  const at = (w: Vec2): [number, number] => {
    const p = toPlot(preset, w);
    return [sx(p[0]), sy(p[1])];
  };
  for (let k = -4; k <= 8; k++) {
    const t = k / 4;
    const cls = t === 0 || t === 1 ? 'gridline strong' : 'gridline';
    line(g, cls, at([t, -5]), at([t, 5])); // w₁ = t
    line(g, cls, at([-5, t]), at([5, t])); // w₂ = t
    line(g, cls, at([1 - t + 5, -5]), at([1 - t - 5, 5])); // w₃ = 1 − w₁ − w₂ = t
  }
  const corners: [Vec2, string, number, number][] = [
    [[1, 0], 'w₁ = 1', 8, 16],
    [[0, 1], 'w₂ = 1', 8, -6],
    [[0, 0], 'w₃ = 1', -52, 16],
  ];
  for (const [w, label, dx, dy] of corners) {
    const [x, y] = at(w);
    text(g, 'corner-label', x + dx, y + dy, label);
  }
}
