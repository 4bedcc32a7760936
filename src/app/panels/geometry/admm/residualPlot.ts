/**
 * The step-through's chart, owned by d3: the primal and dual residuals against the iteration k on
 * a log scale, their tolerances (dotted), a mark wherever adaptive ρ changed ρ, and the iteration
 * shown. It fills its container's width (a ResizeObserver follows it) and redraws on `update`.
 */
import { axisBottom, axisLeft, line, scaleLinear, scaleLog, select } from 'd3';
import type { WalkStep } from '../../../../workers/admmWalkJob';
import type { RhoChange } from '../../../../solvers/qp/trace';
import { RESIDUAL_STYLE } from '../../../palette';

export interface ResidualView {
  steps: readonly WalkStep[];
  /** The iteration shown; the curves run up to it. */
  k: number;
  rhoChanges: readonly RhoChange[];
  /** Larger type and strokes (presenter mode). */
  present: boolean;
}

export interface ResidualPlot {
  update(view: ResidualView): void;
  destroy(): void;
}

/** Residuals below this are drawn at it (a log scale has no 0). */
const FLOOR = 1e-16;
const M = { top: 22, right: 14, bottom: 38, left: 58 };

export function createResidualPlot(container: HTMLElement): ResidualPlot {
  const svg = select(container)
    .append('svg')
    .attr('class', 'residual-svg')
    .attr('data-testid', 'residual-plot')
    .attr('role', 'img');
  const gx = svg.append('g').attr('class', 'axis');
  const gy = svg.append('g').attr('class', 'axis');
  const xTitle = svg.append('text').attr('class', 'axis-title').attr('text-anchor', 'end');
  const yTitle = svg.append('text').attr('class', 'axis-title').attr('text-anchor', 'middle');
  const gRho = svg.append('g').attr('class', 'rho-marks');
  const gCurves = svg.append('g').attr('class', 'curves');
  const cursor = svg.append('line').attr('class', 'k-cursor');
  let view: ResidualView | null = null;
  let width = 0;
  const height = () => (view?.present ? 300 : 200);

  function draw() {
    if (!view || width <= 0) return;
    const H = height();
    const { steps, k, rhoChanges } = view;
    svg.attr('width', width).attr('height', H).attr('viewBox', `0 0 ${width} ${H}`);
    const shown = steps.slice(0, k + 1);
    const x = scaleLinear()
      .domain([0, Math.max(20, k)])
      .range([M.left, width - M.right]);
    const vals = shown.flatMap((s) => [s.prim, s.dual, s.epsPrim, s.epsDual]).filter((v) => v > 0);
    const lo = Math.max(FLOOR, Math.min(1e-3, ...vals));
    const hi = Math.max(1, ...vals);
    const y = scaleLog()
      .domain([lo / 3, hi * 3])
      .range([H - M.bottom, M.top])
      .clamp(true);
    gx.attr('transform', `translate(0,${H - M.bottom})`).call(
      axisBottom(x).ticks(Math.max(3, Math.floor(width / 90))),
    );
    gy.attr('transform', `translate(${M.left},0)`).call(axisLeft(y).ticks(5, '.0e'));
    xTitle
      .attr('x', width - M.right)
      .attr('y', H - 4)
      .text('iteration k');
    yTitle
      .attr('transform', `translate(14,${(M.top + H - M.bottom) / 2}) rotate(-90)`)
      .text('residual (log scale)');
    const curve = (f: (s: WalkStep) => number) =>
      line<WalkStep>()
        .x((s) => x(s.k))
        .y((s) => y(Math.max(FLOOR, f(s))))(shown) ?? '';
    const series = [
      { key: 'prim', d: curve((s) => s.prim), style: RESIDUAL_STYLE.prim, cls: 'residual' },
      { key: 'dual', d: curve((s) => s.dual), style: RESIDUAL_STYLE.dual, cls: 'residual' },
      { key: 'eps-prim', d: curve((s) => s.epsPrim), style: RESIDUAL_STYLE.prim, cls: 'tolerance' },
      { key: 'eps-dual', d: curve((s) => s.epsDual), style: RESIDUAL_STYLE.dual, cls: 'tolerance' },
    ];
    gCurves
      .selectAll<SVGPathElement, (typeof series)[number]>('path')
      .data(series, (d) => d.key)
      .join('path')
      .attr('class', (d) => d.cls)
      .attr('data-testid', (d) => `residual-${d.key}`)
      .attr('d', (d) => d.d)
      .attr('stroke', (d) => d.style.color)
      .attr('stroke-dasharray', (d) => (d.cls === 'tolerance' ? '1 4' : d.style.dash || null));
    // Where adaptive ρ changed ρ (after iteration c.k), among the iterations shown.
    const marks = rhoChanges.filter((c) => c.k < k);
    const g = gRho
      .selectAll<SVGGElement, RhoChange>('g')
      .data(marks, (c) => String(c.k))
      .join((enter) => {
        const e = enter.append('g').attr('class', 'rho-mark').attr('data-testid', 'rho-mark');
        e.append('line');
        e.append('text');
        return e;
      });
    g.select('line')
      .attr('x1', (c) => x(c.k + 0.5))
      .attr('x2', (c) => x(c.k + 0.5))
      .attr('y1', M.top)
      .attr('y2', H - M.bottom);
    g.select('text')
      .attr('x', (c) => x(c.k + 0.5) + 3)
      .attr('y', M.top - 6)
      .text((c) => `ρ ${c.to > c.from ? '↑' : '↓'} ${c.to.toPrecision(2)}`);
    cursor
      .attr('x1', x(k))
      .attr('x2', x(k))
      .attr('y1', M.top)
      .attr('y2', H - M.bottom);
    const last = shown[shown.length - 1];
    svg.attr(
      'aria-label',
      last
        ? `Residuals against the iteration: at k = ${k}, primal ${last.prim.toExponential(2)}, dual ${last.dual.toExponential(2)}; ρ changed ${marks.length} times so far.`
        : 'Residuals against the iteration (none yet).',
    );
  }

  const resize = new ResizeObserver(() => {
    const w = Math.floor(container.clientWidth);
    if (w === width) return;
    width = w;
    draw();
  });
  resize.observe(container);

  return {
    update(next) {
      view = next;
      draw();
    },
    destroy() {
      resize.disconnect();
      svg.remove();
    },
  };
}
