import { useEffect, useRef } from 'react';
import { setW, setWhat } from '../../state/actions';
import { setGeometryView } from '../../state/classroomActions';
import type { WalkController } from './admm/walkController';
import { leastSquaresPoint } from './geometry';
import { createGeometryPlot, type GeometryPlot as Plot, type PlotView } from './plot';
import type { Vec2 } from './presets';

/**
 * React owns this container and the zoom buttons; d3 owns everything inside the plot (plot.ts).
 * `describedBy` names the readout that is the plot's text alternative. The step-through's iterates
 * reach the plot through the walk's listeners, not through React renders.
 */
export function GeometryPlot({
  view,
  describedBy,
  walk,
}: {
  view: PlotView;
  describedBy: string;
  walk: WalkController | null;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<Plot | null>(null);
  useEffect(() => {
    const p = createGeometryPlot(
      ref.current!,
      { onMove: setWhat, onMoveW: setW, onView: setGeometryView },
      describedBy,
    );
    plot.current = p;
    return () => {
      p.destroy();
      plot.current = null;
    };
  }, [describedBy]);
  useEffect(() => {
    plot.current?.update(view);
  }, [view]);
  const rows = view.preset.rows;
  useEffect(() => {
    const p = plot.current;
    if (!p) return;
    if (!walk) {
      p.setWalk(null);
      return;
    }
    const draw = () => {
      const { k, step } = walk.getSnapshot();
      p.setWalk(
        step
          ? {
              trail: walk.steps.slice(0, k + 1).map((s) => [s.x[0], s.x[1]] as Vec2),
              z: leastSquaresPoint(rows, step.z),
              k,
            }
          : null,
      );
    };
    draw();
    return walk.subscribe(draw);
  }, [walk, rows]);
  const fitting = view.view === null;
  return (
    <div className="geometry-plot-wrap">
      <div ref={ref} className="geometry-plot" />
      <div className="plot-tools" role="toolbar" aria-label="Zoom">
        <button
          type="button"
          aria-label="Zoom in"
          data-testid="zoom-in"
          onClick={() => plot.current?.zoom(1.25)}
        >
          +
        </button>
        <button
          type="button"
          aria-label="Zoom out"
          data-testid="zoom-out"
          onClick={() => plot.current?.zoom(0.8)}
        >
          −
        </button>
        <button
          type="button"
          data-testid="zoom-fit"
          aria-pressed={fitting}
          title="Show the whole feasible set, ŵ and w (the view then follows them)"
          onClick={() => setGeometryView(null)}
        >
          Fit
        </button>
      </div>
    </div>
  );
}
