import { useEffect, useRef, useSyncExternalStore } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Slider } from '../../../components/Slider';
import { Cite } from '../../../components/Cite';
import { Term } from '../../../components/Glossary';
import { setWalkSettings } from '../../../state/classroomActions';
import { SCHEMA } from '../../../state/schema';
import { useAppStore } from '../../../state/store';
import { createResidualPlot, type ResidualPlot } from './residualPlot';
import { SPEEDS, type WalkController } from './walkController';
import './admm.css';

const sci = (v: number) => (v === 0 ? '0' : v.toExponential(2));
const vec = (v: readonly number[]) => `(${v.map((c) => c.toFixed(4)).join(', ')})`;
const fmtParam = (v: number) =>
  v >= 0.01 && v < 1000 ? String(+v.toPrecision(3)) : v.toExponential(1);

/**
 * "Step through ADMM": play, pause and step the solver's own iterations on the current problem,
 * the residuals against k, ρ and where adaptive ρ changed it, and the ρ and σ a student may set.
 */
export function AdmmWalk({
  walk,
  solvedX,
  present,
}: {
  walk: WalkController;
  /** The Geometry solve's x*, to compare the walk's end with. */
  solvedX: readonly number[] | null;
  present: boolean;
}) {
  const snap = useSyncExternalStore(walk.subscribe, walk.getSnapshot);
  const { arho, asigma, aadapt } = useAppStore(
    useShallow((s) => ({ arho: s.config.arho, asigma: s.config.asigma, aadapt: s.config.aadapt })),
  );
  const chartRef = useRef<HTMLDivElement>(null);
  const chart = useRef<ResidualPlot | null>(null);
  useEffect(() => {
    const c = createResidualPlot(chartRef.current!);
    chart.current = c;
    const draw = () => {
      const s = walk.getSnapshot();
      c.update({ steps: walk.steps, k: s.k, rhoChanges: s.rhoChanges, present });
    };
    draw();
    const off = walk.subscribe(draw);
    return () => {
      off();
      c.destroy();
      chart.current = null;
    };
  }, [walk, present]);

  const { step, k, total, result } = snap;
  const done = total !== null && k === total - 1;
  const changesSoFar = snap.rhoChanges.filter((c) => c.k < k);
  const lastChange = changesSoFar[changesSoFar.length - 1];
  const gap =
    done && result && solvedX
      ? Math.max(...solvedX.map((v, i) => Math.abs(v - result.x[i])))
      : null;
  const data: Record<string, string> = {
    'data-k': String(k),
    'data-known': String(snap.known),
    'data-total': total === null ? '' : String(total),
    'data-done': done ? '1' : '0',
    'data-x': step ? step.x.join(',') : '',
    'data-rho': step ? String(step.rho) : '',
    'data-rho-changes': String(changesSoFar.length),
    'data-status': result?.status ?? '',
    'data-result-x': result ? Array.from(result.x).join(',') : '',
  };
  return (
    <section className="admm-walk card" aria-labelledby="admm-walk-title" data-testid="admm-walk">
      <h2 id="admm-walk-title">Step through ADMM</h2>
      <p className="explain">
        The solver’s own iterations on this problem (OSQP’s ADMM,{' '}
        <Cite paper="osqp" at="Algorithm 1" />, run by the CPU engine in Float64, which records
        every iterate): xᵏ (◆) solves a linear system and may leave the set; zᵏ (■, drawn at the
        point whose constraint values best match zᵏ) is always projected into the bounds l ≤ z ≤ u.
        The dashed gap between them is the primal residual; as both residuals fall below their
        tolerances (dotted) the two meet at x*. <Term id="rho">ρ</Term> weighs the constraints;
        adaptive ρ rescales it every 100 iterations when the residuals are out of balance.
      </p>
      <div className="walk-controls" role="group" aria-label="Iterations">
        <button type="button" onClick={() => walk.toStart()} data-testid="walk-start">
          Start
        </button>
        <button
          type="button"
          onClick={() => void walk.stepBy(-1)}
          disabled={k === 0}
          data-testid="walk-back"
        >
          ◀ Back
        </button>
        {snap.playing ? (
          <button type="button" onClick={() => walk.pause()} data-testid="walk-pause">
            ❚❚ Pause
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            onClick={() => walk.play()}
            data-testid="walk-play"
          >
            ▶ Play
          </button>
        )}
        <button
          type="button"
          onClick={() => void walk.stepBy(1)}
          disabled={done}
          data-testid="walk-step"
        >
          Step ▶
        </button>
        <button type="button" onClick={() => void walk.toEnd()} data-testid="walk-end">
          To the end
        </button>
        <label className="walk-speed">
          Speed
          <select
            value={snap.speed}
            onChange={(e) => walk.setSpeed(Number(e.target.value))}
            data-testid="walk-speed"
          >
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s} iterations/s
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="controls walk-settings">
        <Slider
          field={SCHEMA.arho}
          value={arho}
          onChange={(v) => setWalkSettings({ arho: v })}
          format={fmtParam}
        />
        <Slider
          field={SCHEMA.asigma}
          value={asigma}
          onChange={(v) => setWalkSettings({ asigma: v })}
          format={(v) => v.toExponential(0)}
        />
        <label className="inline-toggle">
          <input
            type="checkbox"
            checked={aadapt}
            data-testid="walk-adaptive"
            onChange={(e) => setWalkSettings({ aadapt: e.target.checked })}
          />{' '}
          adaptive ρ
        </label>
      </div>
      <div className="readout walk-readout" data-testid="walk-readout" aria-live="off" {...data}>
        <table className="kv">
          <caption className="visually-hidden">The iterate shown</caption>
          <tbody>
            <tr>
              <th scope="row">iteration k</th>
              <td>
                {k}
                {total !== null ? ` of ${total - 1}` : snap.loading ? ' (fetching…)' : ''}
              </td>
            </tr>
            <tr>
              <th scope="row">xᵏ</th>
              <td>{step ? vec(step.x) : '—'}</td>
            </tr>
            <tr>
              <th scope="row">ρ</th>
              <td data-testid="walk-rho">
                {step ? fmtParam(step.rho) : '—'}
                {changesSoFar.length > 0 && lastChange
                  ? ` (adaptive ρ changed it ${changesSoFar.length}×, last after k = ${lastChange.k})`
                  : ''}
              </td>
            </tr>
            <tr>
              <th scope="row">primal residual ‖Axᵏ − zᵏ‖∞</th>
              <td>{step ? `${sci(step.prim)} (tolerance ${sci(step.epsPrim)})` : '—'}</td>
            </tr>
            <tr>
              <th scope="row">dual residual ‖Pxᵏ + q + Aᵀyᵏ‖∞</th>
              <td>{step ? `${sci(step.dual)} (tolerance ${sci(step.epsDual)})` : '—'}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <div ref={chartRef} className="residual-chart" />
      <ul className="legend" aria-label="Chart legend">
        <li>
          <svg width="28" height="10" aria-hidden="true">
            <line x1="0" y1="5" x2="28" y2="5" className="legend-prim" />
          </svg>{' '}
          primal residual
        </li>
        <li>
          <svg width="28" height="10" aria-hidden="true">
            <line x1="0" y1="5" x2="28" y2="5" className="legend-dual" />
          </svg>{' '}
          dual residual
        </li>
        <li>dotted: their tolerances · grey marks: adaptive ρ changed ρ</li>
      </ul>
      {snap.error && (
        <p className="readout error" role="alert">
          The step-through failed: {snap.error}
        </p>
      )}
      {done && result && (
        <p className="cone-note" data-testid="walk-end-note" role="status">
          ADMM stopped after {total! - 1} iterations: {result.status}
          {result.polish !== 'not_run' ? (
            <>
              , <Term id="polish">polish</Term> {result.polish}
            </>
          ) : null}
          . Its answer is x* = {vec(Array.from(result.x))}
          {gap !== null
            ? gap <= 1e-6
              ? ', the x* of the solve above.'
              : `, ${gap.toExponential(1)} from the solve above (other settings, or not converged).`
            : '.'}
        </p>
      )}
    </section>
  );
}
