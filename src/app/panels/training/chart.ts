/**
 * A streaming line chart owned by d3 (React gives it a container; Playground's AppendingLineChart):
 * series are declared with a style, points are appended as records arrive, and the redraw is
 * coalesced into one animation frame however many points came. Styles are SVG attributes, not CSS,
 * so that an exported SVG or PNG looks the same as the page.
 */
import { axisBottom, axisLeft, line, scaleLinear, scaleLog, select, type Selection } from 'd3';

export interface SeriesStyle {
  color: string;
  /** stroke-dasharray ('' for solid). */
  dash: string;
  width: number;
  opacity: number;
}

interface Series {
  style: SeriesStyle;
  points: [number, number][];
}

export interface StreamChartOptions {
  title: string;
  yLabel: string;
  xLabel?: string;
  log?: boolean;
  /** Fixed y domain (e.g. [0, 1] for a fraction); else it follows the data. */
  yDomain?: [number, number];
}

export const CHART_W = 460;
export const CHART_H = 250;
const M = { top: 26, right: 14, bottom: 36, left: 58 };
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif';

export class StreamChart {
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly plot: Selection<SVGGElement, unknown, null, undefined>;
  private readonly series = new Map<string, Series>();
  private xMax = 1;
  private frame = 0;
  private count = 0;
  /** The domains the axes were last drawn for (redrawing ticks only when they change). */
  private axesKey = '';

  constructor(
    container: HTMLElement,
    private readonly options: StreamChartOptions,
  ) {
    this.svg = select(container)
      .append('svg')
      .attr('viewBox', `0 0 ${CHART_W} ${CHART_H}`)
      .attr('width', '100%')
      .attr('role', 'img')
      .attr('aria-label', options.title)
      .attr('font-family', FONT)
      .attr('font-size', 11)
      .attr('data-points', 0);
    this.svg.append('rect').attr('width', CHART_W).attr('height', CHART_H).attr('fill', '#ffffff');
    this.svg
      .append('text')
      .attr('x', M.left)
      .attr('y', 15)
      .attr('font-size', 13)
      .attr('font-weight', 600)
      .attr('fill', '#1d2330')
      .text(options.title);
    this.svg
      .append('g')
      .attr('class', 'x-axis')
      .attr('transform', `translate(0,${CHART_H - M.bottom})`);
    this.svg.append('g').attr('class', 'y-axis').attr('transform', `translate(${M.left},0)`);
    this.svg
      .append('text')
      .attr('x', (M.left + CHART_W - M.right) / 2)
      .attr('y', CHART_H - 4)
      .attr('text-anchor', 'middle')
      .attr('fill', '#5b6474')
      .text(options.xLabel ?? 'epoch');
    this.svg
      .append('text')
      .attr('transform', `translate(13,${(M.top + CHART_H - M.bottom) / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle')
      .attr('fill', '#5b6474')
      .text(options.yLabel);
    this.plot = this.svg.append('g').attr('class', 'series');
    this.schedule();
  }

  /** Declares (or restyles) a series. */
  setSeries(key: string, style: SeriesStyle): void {
    const s = this.series.get(key);
    if (s) s.style = style;
    else this.series.set(key, { style, points: [] });
    this.schedule();
  }

  /** Adds a point; non-finite values (and, on a log axis, values ≤ 0) leave a gap. */
  append(key: string, x: number, y: number): void {
    const s = this.series.get(key);
    if (!s) throw new Error(`no series ${key}`);
    s.points.push([x, y]);
    this.xMax = Math.max(this.xMax, x);
    this.count++;
    this.schedule();
  }

  /** The x axis reaches at least `x` (the run's last epoch), so curves grow into a fixed frame. */
  setXMax(x: number): void {
    this.xMax = Math.max(1, x);
    this.schedule();
  }

  clear(): void {
    this.axesKey = '';
    this.series.clear();
    this.xMax = 1;
    this.count = 0;
    this.schedule();
  }

  /** Points drawn so far. */
  get points(): number {
    return this.count;
  }

  /** The chart as standalone SVG markup (for the exports). */
  markup(): string {
    this.redraw();
    const node = this.svg.node()!.cloneNode(true) as SVGSVGElement;
    node.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    node.setAttribute('width', String(CHART_W));
    node.setAttribute('height', String(CHART_H));
    return new XMLSerializer().serializeToString(node);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.redraw();
    });
  }

  private visible(y: number): boolean {
    return Number.isFinite(y) && (!this.options.log || y > 0);
  }

  private redraw(): void {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of this.series.values())
      for (const [, y] of s.points)
        if (this.visible(y)) {
          lo = Math.min(lo, y);
          hi = Math.max(hi, y);
        }
    const log = !!this.options.log;
    let domain: [number, number];
    if (this.options.yDomain) domain = this.options.yDomain;
    else if (!(hi >= lo)) domain = log ? [1e-3, 1] : [0, 1];
    else if (log) domain = hi / lo < 10 ? [lo / 3, hi * 3] : [lo / 1.3, hi * 1.3];
    else {
      const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
      domain = [Math.min(0, lo), hi + pad];
      if (lo > 0 && lo > 0.5 * hi) domain = [lo - pad, hi + pad];
    }
    const x = scaleLinear()
      .domain([1, Math.max(2, this.xMax)])
      .range([M.left, CHART_W - M.right]);
    const y = (log ? scaleLog() : scaleLinear())
      .domain(domain)
      .range([CHART_H - M.bottom, M.top])
      .clamp(true);
    const axesKey = `${x.domain().join()}|${y.domain().join()}`;
    if (axesKey !== this.axesKey) {
      this.axesKey = axesKey;
      // Whole epochs only.
      const last = Math.max(2, Math.floor(this.xMax));
      const step = Math.max(1, Math.ceil((last - 1) / 8));
      const xTicks = Array.from(
        { length: Math.floor((last - 1) / step) + 1 },
        (_, k) => 1 + k * step,
      );
      this.svg
        .select<SVGGElement>('.x-axis')
        .call(axisBottom(x).tickValues(xTicks).tickFormat(String).tickSizeOuter(0));
      this.svg.select<SVGGElement>('.y-axis').call(
        axisLeft(y)
          .ticks(5, log ? '.0e' : undefined)
          .tickSizeOuter(0),
      );
      this.svg.selectAll('.tick text').attr('fill', '#5b6474');
      this.svg.selectAll('.domain, .tick line').attr('stroke', '#9aa3b2');
    }
    const path = line<[number, number]>()
      .defined(([, v]) => this.visible(v))
      .x(([u]) => x(u))
      .y(([, v]) => y(v));
    const data = [...this.series.entries()];
    this.plot
      .selectAll<SVGPathElement, [string, Series]>('path')
      .data(data, (d) => d[0])
      .join('path')
      .attr('fill', 'none')
      .attr('stroke', ([, s]) => s.style.color)
      .attr('stroke-width', ([, s]) => s.style.width)
      .attr('stroke-dasharray', ([, s]) => s.style.dash || null)
      .attr('stroke-opacity', ([, s]) => s.style.opacity)
      .attr('stroke-linejoin', 'round')
      .attr('d', ([, s]) => path(s.points) ?? '');
    // Single points of a series (its first epoch) would not show as a path: mark the last one.
    this.plot
      .selectAll<SVGCircleElement, [string, Series]>('circle')
      .data(
        data.filter(
          ([, s]) => s.points.length > 0 && this.visible(s.points[s.points.length - 1][1]),
        ),
        (d) => d[0],
      )
      .join('circle')
      .attr('r', 2.2)
      .attr('fill', ([, s]) => s.style.color)
      .attr('fill-opacity', ([, s]) => s.style.opacity)
      .attr('cx', ([, s]) => x(s.points[s.points.length - 1][0]))
      .attr('cy', ([, s]) => y(s.points[s.points.length - 1][1]));
    this.svg.attr('data-points', this.count);
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.svg.remove();
  }
}
