import { useEffect, useRef, useState } from 'react';
import { LAB_METHODS, METHOD_INFO, type LabMethod } from '../../../solvers/learn/lab/methods';
import type { EpochRecord } from '../../../solvers/learn/lab/records';
import type { JobInfo } from '../../../solvers/learn/lab/runner';
import type { ChannelEvent } from './channel';
import { StreamChart, type SeriesStyle } from './chart';
import type { TrainingSession } from './session';

/** One colour per method (Tableau 10, then three more), the same in every chart and export. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#1b6b8f',
  '#8c564b',
  '#2ca02c',
];
export const methodColor = (m: LabMethod): string =>
  PALETTE[LAB_METHODS.indexOf(m) % PALETTE.length];

export const SPLIT_DASH = { train: '2 3', val: '7 4', test: '' } as const;

export type ChartName = 'regret' | 'grad' | 'time' | 'lost';

/**
 * A chart of the run: its frame, and the lines one epoch record adds to it (a suffix of the series
 * key, the value, the dash). An experiment with other records (issue 10) lists other charts.
 */
export interface ChartSpec {
  name: ChartName;
  title: string;
  yLabel: string;
  log?: boolean;
  yDomain?: [number, number];
  lines(r: EpochRecord): { suffix: string; value: number; dash: string }[];
}

export const CHARTS: ChartSpec[] = [
  {
    name: 'regret',
    title: 'Normalized regret (train ··· val - - test —)',
    yLabel: 'regret',
    lines: (r) =>
      (['train', 'val', 'test'] as const).map((split) => ({
        suffix: split,
        value: r.regret[split],
        dash: SPLIT_DASH[split],
      })),
  },
  {
    name: 'grad',
    title: 'Gradient norm ‖∂ℓ/∂θ‖ (log)',
    yLabel: 'mean over steps',
    log: true,
    lines: (r) => [{ suffix: '', value: r.grad_norm, dash: '' }],
  },
  {
    name: 'time',
    title: 'Time per epoch (forward —, backward - -)',
    yLabel: 'ms',
    lines: (r) => [
      { suffix: 'f', value: r.forward_ms, dash: '' },
      { suffix: 'b', value: r.backward_ms, dash: '5 3' },
    ],
  },
  {
    name: 'lost',
    title: 'Tracked test sample: gradient lost in N(x̂)',
    yLabel: 'lost fraction',
    yDomain: [0, 1],
    lines: (r) => [{ suffix: '', value: r.lost_fraction ?? NaN, dash: '' }],
  },
];

type Charts = Record<ChartName, StreamChart>;

const style = (m: LabMethod, dash: string, current: boolean): SeriesStyle => ({
  color: methodColor(m),
  dash,
  width: current ? 1.8 : 1.2,
  opacity: current ? 1 : 0.35,
});

/** Draws one epoch record of one method into every chart. */
function draw(charts: Charts, job: number, m: LabMethod, r: EpochRecord, current: boolean): void {
  for (const spec of CHARTS) {
    for (const line of spec.lines(r)) {
      const key = `${job}|${m}|${line.suffix}`;
      charts[spec.name].setSeries(key, style(m, line.dash, current));
      charts[spec.name].append(key, r.epoch, line.value);
    }
  }
}

/**
 * The four streaming charts of a run, for one problem at a time (a run may have several: the λ
 * sweep, the linear experiment). React owns the containers and the legend; d3 the charts, fed from
 * the session's channel, never through React state.
 */
export function TrainingCharts({
  session,
  jobs,
  epochs,
  chartsRef,
}: {
  session: TrainingSession;
  jobs: JobInfo[];
  epochs: number;
  /** Filled with the live charts (for the exports). */
  chartsRef: React.MutableRefObject<Charts | null>;
}) {
  const boxes = useRef<Partial<Record<ChartName, HTMLDivElement | null>>>({});
  const problems = [...new Map(jobs.map((j) => [j.problem.key, j.problem])).values()];
  const [chosen, setChosen] = useState<string | null>(null);
  // Follow the running job's problem unless the user picked one.
  const shown = chosen ?? jobs[jobs.length - 1]?.problem.key ?? null;

  useEffect(() => {
    const charts = Object.fromEntries(
      CHARTS.map((c) => [c.name, new StreamChart(boxes.current[c.name]!, c)]),
    ) as Charts;
    chartsRef.current = charts;
    const all = Object.values(charts);
    const jobOf = (j: number) => session.book.jobs[j]?.info;
    /** The last job of the shown problem is drawn in full, earlier seeds faded. */
    const lastJob = () => {
      let last = -1;
      session.book.jobs.forEach((j, k) => j.info.problem.key === shown && (last = k));
      return last;
    };
    const replay = () => {
      all.forEach((c) => {
        c.clear();
        c.setXMax(epochs);
      });
      const last = lastJob();
      session.book.jobs.forEach((j, k) => {
        if (j.info.problem.key !== shown) return;
        for (const [m, recs] of Object.entries(j.epochs))
          for (const r of recs ?? []) draw(charts, k, m as LabMethod, r, k === last);
      });
    };
    replay();
    const onEvent = (e: ChannelEvent) => {
      if (e.type === 'clear') replay();
      else if (e.type === 'job' && e.info.problem.key === shown) replay();
      else if (e.type === 'epoch' && jobOf(e.job)?.problem.key === shown)
        draw(charts, e.job, e.method, e.record, e.job === lastJob());
    };
    const unsubscribe = session.channel.subscribe(onEvent);
    return () => {
      unsubscribe();
      all.forEach((c) => c.destroy());
      chartsRef.current = null;
    };
  }, [session, shown, epochs, chartsRef]);

  const shownJobs = jobs.filter((j) => j.problem.key === shown);
  const methods = LAB_METHODS.filter((m) => shownJobs.some((j) => j.methods.includes(m)));
  return (
    <section className="training-charts" aria-label="Training curves">
      {problems.length > 1 && (
        <div className="control training-problem">
          <label htmlFor="training-problem">Curves of</label>
          <select
            id="training-problem"
            data-testid="training-problem"
            value={shown ?? ''}
            onChange={(e) => setChosen(e.target.value)}
          >
            {problems.map((p) => (
              <option key={p.key} value={p.key}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
      )}
      <ul className="legend training-legend" aria-label="Legend" data-testid="training-legend">
        {methods.map((m) => (
          <li key={m}>
            <svg width="22" height="10" aria-hidden="true">
              <line x1="0" y1="5" x2="22" y2="5" stroke={methodColor(m)} strokeWidth="2.5" />
            </svg>{' '}
            {METHOD_INFO[m].label}
          </li>
        ))}
        {shownJobs.length > 1 && <li>(earlier seeds faded)</li>}
      </ul>
      <div className="training-chart-grid">
        {CHARTS.map((c) => (
          <div
            key={c.name}
            className="training-chart"
            data-testid={`training-chart-${c.name}`}
            ref={(el) => {
              boxes.current[c.name] = el;
            }}
          />
        ))}
      </div>
    </section>
  );
}
