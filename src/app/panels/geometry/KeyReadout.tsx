import { GRAD_METHOD_NAMES } from '../../../workers/geometryJob';
import { Term } from '../../components/Glossary';
import type { GeometrySolve } from '../../state/store';
import type { PlanarPreset } from './presets';
import { METHOD_INFO, TRUE_GRAD_COLOR } from './gradients';
import type { GeometryGradState } from './useGeometryJob';

const f3 = (v: number) => (Math.abs(v) < 5e-4 ? 0 : v).toFixed(3);
const f3n = (v: number) =>
  !Number.isFinite(v) ? '—' : Math.abs(v) < 5e-9 ? '0' : v.toPrecision(3);

/** A line sample in a method's colour and dash, for legends. */
export function LineSwatch({ color, dash }: { color: string; dash: string }) {
  return (
    <svg className="line-swatch" width="30" height="10" aria-hidden="true">
      <line
        x1="1"
        y1="5"
        x2="29"
        y2="5"
        stroke={color}
        strokeWidth="3"
        strokeDasharray={dash || undefined}
      />
    </svg>
  );
}

/**
 * Presenter mode's readout beside the plot: the few numbers a class reads from the back of the room
 * (ŵ, x*, the active rows with their multipliers, each method's update).
 */
export function KeyReadout({
  preset,
  solve,
  grad,
}: {
  preset: PlanarPreset;
  solve: GeometrySolve | null;
  grad: GeometryGradState;
}) {
  const r = solve?.result;
  const ok = r && (r.status === 'solved' || r.status === 'solved_inaccurate');
  const active = r ? r.active.flatMap((k, i) => (k === 'inactive' ? [] : [i])) : [];
  const g = grad.response;
  return (
    <div className="key-readout" data-testid="key-readout">
      <table className="kv">
        <caption className="visually-hidden">Key numbers of the current solve</caption>
        <tbody>
          <tr>
            <th scope="row">ŵ</th>
            <td>{solve ? `(${solve.what.map(f3).join(', ')})` : '…'}</td>
          </tr>
          <tr>
            <th scope="row">x*</th>
            <td>{r ? (ok ? `(${Array.from(r.x, f3).join(', ')})` : r.status) : '…'}</td>
          </tr>
          <tr>
            <th scope="row">
              <Term id="active-set">active rows</Term>
            </th>
            <td>
              {!r
                ? '…'
                : active.length === 0
                  ? 'none'
                  : active.map((i) => `${i + 1} (y = ${f3n(r.y[i])})`).join(', ')}
            </td>
          </tr>
        </tbody>
      </table>
      <table className="rows key-grads">
        <caption>
          Length of each method’s update ‖Δŵ‖{preset.name === 'simplex' ? ' (plot metric)' : ''}
        </caption>
        <tbody>
          <tr>
            <th scope="row">
              <LineSwatch color={TRUE_GRAD_COLOR} dash="" /> true gradient
            </th>
            <td>{g ? f3n(g.trueGradNorm) : '…'}</td>
          </tr>
          {GRAD_METHOD_NAMES.map((m) => (
            <tr key={m}>
              <th scope="row">
                <LineSwatch color={METHOD_INFO[m].color} dash={METHOD_INFO[m].dash} />{' '}
                {METHOD_INFO[m].label}
              </th>
              <td>{g?.updates[m] ? f3n(g.updates[m]!.norm) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
