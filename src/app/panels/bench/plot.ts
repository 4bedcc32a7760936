/**
 * The Benchmark panel's chart, owned by d3 (React gives it a container, calls `update` with the
 * rows measured so far and `destroy` on unmount): total time per problem against batch size, both
 * log scales, one line per engine × problem size. Colour encodes the engine, the dash the size.
 */
import { axisBottom, axisLeft, line, scaleLog, select } from 'd3';
import type { BenchRow } from '../../../gpu/benchmark/types';

export interface BenchPlot {
  update(rows: BenchRow[]): void;
  destroy(): void;
}

const M = { top: 12, right: 16, bottom: 40, left: 60 };

const ENGINE_COLORS: Record<string, string> = {
  cpu: '#2f5d9b',
  'cpu-shared': '#7fa6d6',
  gpu: '#1e7b3c',
  'gpu-shared': '#7cc38f',
};
const DASHES = ['', '6 3', '2 3', '10 3 2 3'];

/** Stroke colour and dash of a series (the legend uses the same). */
export function seriesStyle(engine: string, sizeIndex: number): { color: string; dash: string } {
  return { color: ENGINE_COLORS[engine] ?? '#8a5a00', dash: DASHES[sizeIndex % DASHES.length] };
}

export interface Series {
  key: string;
  engine: string;
  size: string;
  sizeIndex: number;
  points: { batch: number; ms: number }[];
}

/** Rows grouped into series, sorted by batch; sizes numbered in order of appearance. */
export function seriesOf(rows: BenchRow[]): Series[] {
  const sizes = [...new Set(rows.map((r) => r.size))];
  const map = new Map<string, Series>();
  for (const r of rows) {
    if (!(r.total > 0 && Number.isFinite(r.total))) continue;
    const key = `${r.engine} ${r.size}`;
    const s = map.get(key) ?? {
      key,
      engine: r.engine,
      size: r.size,
      sizeIndex: sizes.indexOf(r.size),
      points: [],
    };
    s.points.push({ batch: r.batch, ms: r.total });
    map.set(key, s);
  }
  for (const s of map.values()) s.points.sort((a, b) => a.batch - b.batch);
  return [...map.values()];
}

/** A log domain that shows a single value too (one decade around it). */
function logDomain(values: number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? [lo / 3, hi * 3] : [lo / 1.3, hi * 1.3];
}

export function createBenchPlot(container: HTMLElement): BenchPlot {
  let W = 640;
  let H = 340;
  const svg = select(container)
    .append('svg')
    .attr('class', 'bench-svg')
    .attr('data-testid', 'bench-plot')
    .attr('role', 'img')
    .attr('aria-describedby', 'bench-table')
    .attr(
      'aria-label',
      'Time per problem against batch size, log–log, one line per engine and problem size',
    );
  const gx = svg.append('g');
  const gy = svg.append('g').attr('transform', `translate(${M.left},0)`);
  const xLabel = svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('text-anchor', 'middle')
    .text('batch size (problems solved together)');
  const yLabel = svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('text-anchor', 'middle')
    .text('time per problem, forward + backward (ms)');
  const body = svg.append('g');
  const empty = svg
    .append('text')
    .attr('class', 'bench-empty')
    .attr('text-anchor', 'middle')
    .text('Run the benchmark to plot time per problem.');
  let last: BenchRow[] = [];
  function layout() {
    svg.attr('width', W).attr('height', H).attr('viewBox', `0 0 ${W} ${H}`);
    gx.attr('transform', `translate(0,${H - M.bottom})`);
    xLabel.attr('x', (M.left + W - M.right) / 2).attr('y', H - 6);
    yLabel.attr('transform', `translate(14,${(M.top + H - M.bottom) / 2}) rotate(-90)`);
    empty.attr('x', (M.left + W - M.right) / 2).attr('y', (M.top + H - M.bottom) / 2);
  }
  layout();
  const resize = new ResizeObserver(() => {
    const w = Math.min(760, Math.floor(container.clientWidth));
    if (w <= 0 || w === W) return;
    W = w;
    H = Math.round(Math.max(240, Math.min(360, w * 0.55)));
    layout();
    draw(last);
  });
  resize.observe(container);

  function draw(rows: BenchRow[]) {
    last = rows;
    const series = seriesOf(rows);
    empty.attr('display', series.length ? 'none' : 'inline');
    body.selectAll('*').remove();
    if (!series.length) return;
    const pts = series.flatMap((s) => s.points);
    const x = scaleLog()
      .domain(logDomain(pts.map((p) => p.batch)))
      .range([M.left, W - M.right]);
    const y = scaleLog()
      .domain(logDomain(pts.map((p) => p.ms)))
      .range([H - M.bottom, M.top])
      .nice();
    const batches = [...new Set(pts.map((p) => p.batch))];
    gx.call(
      axisBottom(x)
        .tickValues(batches)
        .tickFormat((v) => String(v)),
    );
    gy.call(axisLeft(y).ticks(6, '~g'));
    const path = line<{ batch: number; ms: number }>()
      .x((p) => x(p.batch))
      .y((p) => y(p.ms));
    for (const s of series) {
      const { color, dash } = seriesStyle(s.engine, s.sizeIndex);
      const g = body.append('g').attr('data-series', s.key);
      g.append('path')
        .attr('d', path(s.points))
        .attr('fill', 'none')
        .attr('stroke', color)
        .attr('stroke-width', 2)
        .attr('stroke-dasharray', dash);
      g.selectAll('circle')
        .data(s.points)
        .join('circle')
        .attr('cx', (p) => x(p.batch))
        .attr('cy', (p) => y(p.ms))
        .attr('r', 3.5)
        .attr('fill', color)
        .append('title')
        .text(
          (p) => `${s.engine}, ${s.size}, batch ${p.batch}: ${p.ms.toPrecision(3)} ms per problem`,
        );
    }
  }

  return {
    update: draw,
    destroy() {
      resize.disconnect();
      svg.remove();
    },
  };
}
