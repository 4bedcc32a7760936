/**
 * The Envelopes panel's chart, owned by d3 (React gives it a container, calls `update` with each
 * sweep and `destroy` on unmount): the loss along the cut, its linearization, the three
 * Lagrange–Moreau envelopes, and at t₀ two tangents per envelope: LPGD's update (solid) and the
 * curve's own measured slope (dashed). Pointer and arrow keys move t₀.
 */
import { axisBottom, axisLeft, line, pointer, scaleLinear, select, type Selection } from 'd3';
import type { EnvelopeSweep, Variants } from '../../../solvers/envelope';
import { pointerDrag } from '../../components/pointerDrag';

export interface EnvelopeView {
  sweep: EnvelopeSweep;
  /** LPGD's slopes ⟨update, d⟩ at t₀. */
  lpgdSlope: Variants;
  /** Which curves to draw. */
  show: Record<keyof Variants, boolean>;
  rho: number;
}

export interface EnvelopePlot {
  update(view: EnvelopeView): void;
  destroy(): void;
}

const M = { top: 14, right: 16, bottom: 48, left: 52 };
/**
 * The chart's height: landscape for its width, within bounds; or, when the container has its own
 * height (data-fill, presenter mode), that height.
 */
function heightFor(container: HTMLElement, width: number): number {
  if (container.dataset.fill === '1' && container.clientHeight > 200) return container.clientHeight;
  return Math.round(Math.min(460, Math.max(240, width * 0.62)));
}
/** Half-width (in t) of the drawn tangent segments. */
const TANGENT_HALF = 0.6;
const KEY_STEP = 0.01;

const VARIANT_KEYS: (keyof Variants)[] = ['lower', 'average', 'upper'];

type G = Selection<SVGGElement, unknown, null, undefined>;

export function createEnvelopePlot(
  container: HTMLElement,
  onT0: (t0: number) => void,
): EnvelopePlot {
  let W = 680;
  let H = 420;
  const svg = select(container)
    .append('svg')
    .attr('class', 'envelope-svg')
    .attr('data-testid', 'envelope-svg')
    .attr('tabindex', 0)
    .attr('role', 'application')
    .attr('aria-describedby', 'envelope-readout-text')
    .attr(
      'aria-label',
      'Loss and envelopes along the cut c(t). Click or drag to move t₀; arrow keys nudge it.',
    );
  const clipId = `envelope-clip-${Math.random().toString(36).slice(2, 10)}`;
  const clipRect = svg.append('clipPath').attr('id', clipId).append('rect');
  const gx = svg.append('g').attr('class', 'axis');
  const gy = svg.append('g').attr('class', 'axis').attr('transform', `translate(${M.left},0)`);
  const xTitle = svg
    .append('text')
    .attr('class', 'axis-title')
    .attr('text-anchor', 'end')
    .text('t   (cost c(t) = c₀ + t·d)');
  /** Sizes everything that depends on the frame. */
  function layout() {
    svg.attr('width', W).attr('height', H).attr('viewBox', `0 0 ${W} ${H}`);
    clipRect
      .attr('x', M.left)
      .attr('y', M.top)
      .attr('width', Math.max(1, W - M.left - M.right))
      .attr('height', Math.max(1, H - M.top - M.bottom));
    gx.attr('transform', `translate(0,${H - M.bottom})`);
    xTitle.attr('x', W - M.right).attr('y', H - 4);
    sx.range([M.left, W - M.right]);
    sy.range([H - M.bottom, M.top]);
  }
  const body = svg.append('g').attr('clip-path', `url(#${clipId})`);
  const layer = (cls: string): G => body.append('g').attr('class', cls);
  const gBreaks = layer('breaks');
  const gCurves = layer('curves');
  const gTangents = layer('tangents');
  const gT0 = layer('t0');

  const sx = scaleLinear();
  const sy = scaleLinear();
  let view: EnvelopeView | null = null;
  layout();
  const resize = new ResizeObserver(() => {
    const w = Math.floor(container.clientWidth);
    const h = Math.floor(heightFor(container, w));
    if (w <= 0 || (w === W && h === H)) return;
    W = w;
    H = h;
    layout();
    if (view) update(view);
  });
  resize.observe(container);

  const node = svg.node()!;
  const moveTo = (ev: PointerEvent) => {
    const [mx] = pointer(ev, node);
    const [a, b] = sx.domain();
    onT0(Math.min(b, Math.max(a, sx.invert(mx))));
  };
  pointerDrag(node, { start: () => view !== null, move: moveTo });
  svg.on('keydown', (ev: KeyboardEvent) => {
    if (!view) return;
    const step = (ev.shiftKey ? 10 : 1) * KEY_STEP;
    const d = ev.key === 'ArrowLeft' ? -step : ev.key === 'ArrowRight' ? step : 0;
    if (d === 0) return;
    ev.preventDefault();
    onT0(view.sweep.at.t0 + d);
  });

  function update(next: EnvelopeView) {
    view = next;
    const { sweep, show } = next;
    const t = Array.from(sweep.t);
    sx.domain([t[0], t[t.length - 1]]);
    const shown = [
      sweep.loss,
      sweep.linearized,
      ...VARIANT_KEYS.filter((k) => show[k]).map((k) => sweep[k]),
    ];
    let lo = Math.min(...shown.map((v) => Math.min(...v)));
    let hi = Math.max(...shown.map((v) => Math.max(...v)));
    if (hi - lo < 1e-6) [lo, hi] = [lo - 0.5, hi + 0.5];
    const pad = 0.08 * (hi - lo);
    sy.domain([lo - pad, hi + pad]).nice();
    gx.call(axisBottom(sx).ticks(Math.max(3, Math.floor(W / 85))));
    gy.call(axisLeft(sy).ticks(7));

    gBreaks
      .selectAll('line')
      .data(sweep.breakpoints)
      .join('line')
      .attr('class', 'breakpoint')
      .attr('x1', (b) => sx(b))
      .attr('x2', (b) => sx(b))
      .attr('y1', M.top)
      .attr('y2', H - M.bottom);

    const path = line<number>()
      .x((_, k) => sx(t[k]))
      .y((v) => sy(v));
    const curves: { key: string; values: Float64Array; on: boolean }[] = [
      { key: 'loss', values: sweep.loss, on: true },
      { key: 'linearized', values: sweep.linearized, on: true },
      { key: 'augmented', values: sweep.augmented, on: next.rho > 0 },
      ...VARIANT_KEYS.map((k) => ({ key: k, values: sweep[k], on: show[k] })),
    ];
    gCurves
      .selectAll<SVGPathElement, (typeof curves)[number]>('path')
      .data(
        curves.filter((c) => c.on),
        (c) => c.key,
      )
      .join('path')
      .attr('class', (c) => `curve curve-${c.key}`)
      .attr('data-testid', (c) => `curve-${c.key}`)
      .attr('d', (c) => path(Array.from(c.values)));

    // Tangents at t₀: LPGD's predicted slope (solid) and the curve's measured slope (dashed).
    const { t0, value, slope } = sweep.at;
    const seg = (v: number, s: number) => {
      const a = t0 - TANGENT_HALF;
      const b = t0 + TANGENT_HALF;
      return { x1: sx(a), y1: sy(v + s * (a - t0)), x2: sx(b), y2: sy(v + s * (b - t0)) };
    };
    const tangents = VARIANT_KEYS.filter((k) => show[k]).flatMap((k) => [
      {
        key: `${k}-lpgd`,
        cls: `tangent tangent-lpgd tangent-${k}`,
        ...seg(value[k], next.lpgdSlope[k]),
      },
      { key: `${k}-env`, cls: `tangent tangent-env tangent-${k}`, ...seg(value[k], slope[k]) },
    ]);
    gTangents
      .selectAll<SVGLineElement, (typeof tangents)[number]>('line')
      .data(tangents, (d) => d.key)
      .join('line')
      .attr('class', (d) => d.cls)
      .attr('x1', (d) => d.x1)
      .attr('y1', (d) => d.y1)
      .attr('x2', (d) => d.x2)
      .attr('y2', (d) => d.y2);

    gT0.selectAll('*').remove();
    gT0
      .append('line')
      .attr('class', 't0-line')
      .attr('x1', sx(t0))
      .attr('x2', sx(t0))
      .attr('y1', M.top)
      .attr('y2', H - M.bottom);
    gT0
      .append('text')
      .attr('class', 't0-label')
      .attr('x', sx(t0) + 5)
      .attr('y', M.top + 14)
      .text('t₀');
    for (const k of VARIANT_KEYS.filter((key) => show[key])) {
      gT0
        .append('circle')
        .attr('class', `t0-dot tangent-${k}`)
        .attr('cx', sx(t0))
        .attr('cy', sy(value[k]))
        .attr('r', 3.5);
    }
    // The value goes in the name: role=application has no aria-valuetext.
    svg.attr(
      'aria-label',
      `Loss and envelopes along the cut c(t), t₀ = ${t0.toFixed(3)}. Click or drag to move t₀; arrow keys nudge it.`,
    );
  }

  return {
    update,
    destroy() {
      resize.disconnect();
      svg.remove();
    },
  };
}
