import { useEffect, useRef } from 'react';
import { setW, setWhat } from '../../state/actions';
import { createGeometryPlot, type GeometryPlot as Plot, type PlotView } from './plot';

/** React owns this container; d3 owns everything inside it (see plot.ts). */
export function GeometryPlot({ view }: { view: PlotView }) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<Plot | null>(null);
  useEffect(() => {
    const p = createGeometryPlot(ref.current!, { onMove: setWhat, onMoveW: setW });
    plot.current = p;
    return () => {
      p.destroy();
      plot.current = null;
    };
  }, []);
  useEffect(() => {
    plot.current?.update(view);
  }, [view]);
  return <div ref={ref} className="geometry-plot" />;
}
