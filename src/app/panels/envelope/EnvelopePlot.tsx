import { useEffect, useRef } from 'react';
import { createEnvelopePlot, type EnvelopePlot as Plot, type EnvelopeView } from './plot';

/** React owns this container; d3 owns everything inside it (see plot.ts). */
export function EnvelopePlot({
  view,
  onT0,
  fill = false,
}: {
  view: EnvelopeView | null;
  onT0(t0: number): void;
  /** Take the container's height (presenter mode) rather than one derived from the width. */
  fill?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<Plot | null>(null);
  // The callback is read through a ref so the chart is built once, not on every render.
  const onT0Ref = useRef(onT0);
  useEffect(() => {
    onT0Ref.current = onT0;
  }, [onT0]);
  useEffect(() => {
    const p = createEnvelopePlot(ref.current!, (t0) => onT0Ref.current(t0));
    plot.current = p;
    return () => {
      p.destroy();
      plot.current = null;
    };
  }, []);
  useEffect(() => {
    if (view) plot.current?.update(view);
  }, [view]);
  return <div ref={ref} className="envelope-plot" data-fill={fill ? '1' : '0'} />;
}
