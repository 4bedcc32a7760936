import { useEffect, useRef } from 'react';
import type { BenchRow } from '../../../gpu/benchmark/types';
import { createBenchPlot, seriesOf, seriesStyle, type BenchPlot as Plot } from './plot';

/** Time per problem vs batch size; React owns the container and the legend, d3 the chart. */
export function BenchPlot({ rows }: { rows: BenchRow[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<Plot | null>(null);
  useEffect(() => {
    const p = createBenchPlot(ref.current!);
    plot.current = p;
    return () => {
      p.destroy();
      plot.current = null;
    };
  }, []);
  useEffect(() => plot.current?.update(rows), [rows]);
  const series = seriesOf(rows);
  return (
    <figure className="bench-figure">
      <div ref={ref} className="bench-plot" />
      {series.length > 0 && (
        <ul className="legend bench-legend" aria-label="Legend">
          {series.map((s) => {
            const { color, dash } = seriesStyle(s.engine, s.sizeIndex);
            return (
              <li key={s.key}>
                <svg width="28" height="10" aria-hidden="true">
                  <line
                    x1="0"
                    y1="5"
                    x2="28"
                    y2="5"
                    stroke={color}
                    strokeWidth="2"
                    strokeDasharray={dash}
                  />
                </svg>{' '}
                {s.engine}, {s.size}
              </li>
            );
          })}
        </ul>
      )}
    </figure>
  );
}
