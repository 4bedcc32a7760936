import type { ReactNode } from 'react';
import { Cite } from '../../components/Cite';
import { Term } from '../../components/Glossary';
import type { GeometrySolve } from '../../state/store';
import type { PlanarPreset } from './presets';

const f3 = (v: number) => (Math.abs(v) < 5e-4 ? 0 : v).toFixed(3);
/** Multipliers span many magnitudes (0 when inactive); show them in 4 significant digits. */
const fy = (v: number) => (Math.abs(v) < 1e-9 ? '0' : v.toPrecision(4));

/** Numbers of the latest solve, with data-* attributes the browser test reads. */
export function Readout({
  preset,
  solve,
  error,
  tableId,
}: {
  preset: PlanarPreset;
  solve: GeometrySolve | null;
  error: string | null;
  /** Id of the element that describes the plot in words (the plot's aria-describedby). */
  tableId: string;
}) {
  if (error) {
    return (
      <div className="readout error" role="alert" data-testid="geometry-error" id={tableId}>
        Solve failed: {error}
      </div>
    );
  }
  if (!solve)
    return (
      <div className="readout pending" id={tableId}>
        Solving…
      </div>
    );
  const { result, what } = solve;
  const x = [result.x[0], result.x[1]];
  const ok = result.status === 'solved' || result.status === 'solved_inaccurate';
  const activeRows = result.active.flatMap((k, i) => (k === 'inactive' ? [] : [i]));
  const simplex = preset.name === 'simplex';
  const vars = simplex ? ['w₁', 'w₂', 'w₃'] : ['x₁', 'x₂'];
  // For the simplex the third weight is implied: w₃ = 1 − w₁ − w₂.
  const withThird = (v: number[]) => (simplex ? [...v, 1 - v[0] - v[1]] : v);
  return (
    <div
      className="readout"
      id={tableId}
      data-testid="geometry-readout"
      data-status={result.status}
      data-xstar={x.join(',')}
      data-what={what.join(',')}
      data-active={activeRows.join(',')}
      aria-live="polite"
    >
      <table className="kv">
        <tbody>
          <tr>
            <th scope="row">ŵ</th>
            <td>({withThird(what).map(f3).join(', ')})</td>
          </tr>
          <tr>
            <th scope="row">x*</th>
            <td data-testid="xstar">
              {ok ? `(${withThird(x).map(f3).join(', ')})` : '— (no solution)'}
            </td>
          </tr>
          <tr>
            <th scope="row">‖x* − ŵ‖²</th>
            <td>{ok && Number.isFinite(result.obj) ? result.obj.toPrecision(4) : '—'}</td>
          </tr>
          <tr>
            <th scope="row">status</th>
            <td data-testid="status" className={result.status === 'solved' ? 'ok' : 'bad'}>
              {result.status}
              {result.message ? ` (${result.message})` : ''}
            </td>
          </tr>
          <tr>
            <th scope="row">iterations</th>
            <td>
              {result.iter}
              {result.polish !== 'not_run' ? (
                <>
                  , <Term id="polish">polish</Term> {result.polish}
                </>
              ) : (
                ''
              )}
            </td>
          </tr>
          <tr>
            <th scope="row">solve time</th>
            <td title="Engine time in the worker; round trip includes messaging.">
              {result.time_ms.toFixed(2)} ms (round trip {solve.roundTripMs.toFixed(1)} ms)
            </td>
          </tr>
          <tr>
            <th scope="row">engine</th>
            <td
              data-testid="geometry-engine"
              data-engine={solve.run.engine}
              title="Where this job's solve and its gradients ran (Run on, in the header)"
            >
              {solve.run.engine === 'cpu' ? 'CPU' : 'WebGPU'}, {solve.run.method}
              {solve.run.reason ? ` (${solve.run.reason})` : ''}
            </td>
          </tr>
        </tbody>
      </table>
      <table className="rows" aria-label="Constraints and multipliers">
        <caption>
          Constraints l ≤ aᵀx ≤ u and multipliers y (<Term id="multiplier-sign">sign</Term>: y &gt;
          0 at an upper bound, y &lt; 0 at a lower bound)
        </caption>
        <thead>
          <tr>
            <th scope="col">row</th>
            <th scope="col">constraint</th>
            <th scope="col">
              <Term id="active-set">active</Term>
            </th>
            <th scope="col">y</th>
          </tr>
        </thead>
        <tbody>
          {preset.rows.map((row, i) => (
            <tr
              key={i}
              className={result.active[i] !== 'inactive' ? 'active' : ''}
              data-testid={`row-${i}`}
              data-active-kind={result.active[i]}
            >
              <td>{i + 1}</td>
              <td>{row.label}</td>
              <td>{result.active[i]}</td>
              <td>{fy(result.y[i])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="cone-note" data-testid="cone-note">
        {result.status === 'primal_infeasible'
          ? 'The half-planes have no point in common: the feasible set is empty, so there is no x* and no cone. Remove or loosen a half-plane.'
          : result.status !== 'solved' && result.status !== 'solved_inaccurate'
            ? `The solver did not converge (${result.status}); the numbers above are its last iterate.`
            : coneNote(activeRows.length, vars.slice(0, 2))}
      </p>
    </div>
  );
}

function coneNote(nActive: number, vars: string[]): ReactNode {
  if (nActive === 0) {
    return `ŵ is feasible, so x* = ŵ: no constraint is active, the gradient cone is {0}, and x* follows every move of ŵ (∂x*/∂ŵ = I).`;
  }
  if (nActive === 1) {
    return (
      <>
        One constraint is active: the gradient cone is the ray along its outward normal. x* slides
        along that edge; moving ŵ along the normal does not move x* (the normal is in the left null
        space of ∂x*/∂ŵ, <Cite paper="ysp" at="Lemma 3.7" />
        ).
      </>
    );
  }
  return (
    <>
      x* sits at a vertex: ŵ lies in the gradient cone spanned by the {nActive} active normals.
      Small moves of ŵ leave x* where it is, so ∂x*/∂ŵ = 0 for both {vars.join(' and ')}: any
      gradient through this argmin is zero (the zero-gradient theorem,{' '}
      <Cite paper="ysp" at="Theorem 3.8" />
      ).
    </>
  );
}
