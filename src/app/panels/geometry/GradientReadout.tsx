import type { GeometryGradMethod } from '../../../workers/geometryJob';
import { GRAD_METHOD_NAMES } from '../../../workers/geometryJob';
import { Tex } from '../../components/Tex';
import { Cite } from '../../components/Cite';
import { Term } from '../../components/Glossary';
import type { GeometryGradState } from './useGeometryJob';
import { METHOD_INFO, TRUE_GRAD_COLOR } from './gradients';
import { LineSwatch } from './KeyReadout';
import './gradients.css';

const f4 = (v: number) => (!Number.isFinite(v) ? '—' : Math.abs(v) < 5e-9 ? '0' : v.toPrecision(4));

/**
 * Gradient norms of each method and the zero-gradient detector, with data-* attributes for the
 * browser test. Norms are of the update Δŵ in the plot's metric.
 */
export function GradientReadout({
  state,
  methods,
  onToggle,
  ball,
  onBall,
}: {
  state: GeometryGradState;
  methods: readonly GeometryGradMethod[];
  onToggle(m: GeometryGradMethod): void;
  ball: boolean;
  onBall(on: boolean): void;
}) {
  const { response: r, error } = state;
  const data: Record<string, string> = {};
  if (r) {
    data['data-what'] = r.what.join(',');
    data['data-w'] = r.w.join(',');
    data['data-xhat'] = r.x.join(',');
    data['data-true-norm'] = String(r.trueGradNorm);
    data['data-lost-fraction'] = String(r.zero.lostFraction);
    data['data-dimn'] = String(r.zero.dimN);
    for (const m of GRAD_METHOD_NAMES) {
      const u = r.updates[m];
      if (u) data[`data-norm-${m}`] = String(u.norm);
    }
  }
  return (
    <div className="readout grad-readout" data-testid="gradient-readout" {...data}>
      <h3>Gradients through the argmin</h3>
      {error && (
        <p className="error" role="alert" data-testid="gradient-error">
          Gradient computation failed: {error}
        </p>
      )}
      <table className="rows" aria-label="Gradient of each method">
        <thead>
          <tr>
            <th scope="col">show</th>
            <th scope="col">method</th>
            <th scope="col">‖Δŵ‖</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <LineSwatch color={TRUE_GRAD_COLOR} dash="" />
            </td>
            <td>true gradient ∇ₓf(x̂, w) = w − x̂ (from x̂)</td>
            <td data-testid="norm-true">{r ? f4(r.trueGradNorm) : '…'}</td>
          </tr>
          {GRAD_METHOD_NAMES.map((m) => {
            const u = r?.updates[m];
            return (
              <tr key={m} data-testid={`grad-row-${m}`}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`show ${METHOD_INFO[m].label}`}
                    data-testid={`toggle-${m}`}
                    checked={methods.includes(m)}
                    onChange={() => onToggle(m)}
                  />
                </td>
                <td>
                  <LineSwatch color={METHOD_INFO[m].color} dash={METHOD_INFO[m].dash} />{' '}
                  {METHOD_INFO[m].label}
                </td>
                <td data-testid={`norm-${m}`} title={u?.error}>
                  {u ? (u.error ? 'failed' : f4(u.norm)) : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <label className="inline-toggle">
        <input
          type="checkbox"
          data-testid="toggle-ball"
          checked={ball}
          onChange={(e) => onBall(e.target.checked)}
        />{' '}
        draw the local smoothing ball (<Cite paper="ysp" at="Definition 3.10" />)
      </label>
      {r && (
        <p
          className={r.zero.zeroGradient ? 'cone-note zero' : 'cone-note'}
          data-testid="zero-gradient-note"
        >
          Zero-gradient detector: {(100 * r.zero.lostFraction).toFixed(1)}% of ‖∇ₓℓ‖ lies in{' '}
          <Term id="normal-cone">N(x̂)</Term>, the span of the {r.zero.dimN} active normal
          {r.zero.dimN === 1 ? '' : 's'}, and is lost to implicit differentiation.{' '}
          {r.zero.zeroGradient ? (
            <>
              All of it: the exact gradient is zero although x̂ ≠ w (
              <Cite paper="ysp" at="Theorem 3.8" />
              ). The smoothed QP keeps a one-dimensional null space (
              <Cite paper="ysp" at="Property 3.11" />) and still moves ŵ.
            </>
          ) : r.zero.dimN === 0 ? (
            'x̂ is interior: every method passes the whole gradient.'
          ) : (
            'The tangential part passes.'
          )}
        </p>
      )}
      <div className="explain tex-explain">
        <Tex
          block
        >{String.raw`\ell(\hat x) = \tfrac12\|\hat x - w\|^2,\qquad \Delta\hat w = -\nabla_{\hat w}\,\ell\big(x^*(\hat w)\big) = -\tfrac{\partial x^*}{\partial \hat w}^{\!\top}\nabla_x\ell(\hat x).`}</Tex>
        <p>
          Exact: the <Term id="kkt">KKT</Term> Jacobian, zero on <Tex>{String.raw`N(\hat x)`}</Tex>{' '}
          (<Cite paper="ysp" at="Lemma 3.7" />
          ). Smoothed QP: the active rows replaced by the tangent ball of{' '}
          <Cite paper="ysp" at="Definition 3.10" />, whose Jacobian is{' '}
          <Tex>{String.raw`I - \hat n\hat n^\top`}</Tex>,{' '}
          <Tex>{String.raw`\hat n \parallel \hat w - \hat x`}</Tex> (
          <Cite paper="ysp" at="Property 3.11" />
          ). LPGD: <Tex>{String.raw`\tfrac{1}{2\tau}[x^*(q+\tau g) - x^*(q-\tau g)]`}</Tex> (
          <Cite paper="lpgd" at="Eq. 22" />
          ). Identity: <Tex>{String.raw`\partial x^*/\partial\hat w \approx I`}</Tex>.
        </p>
      </div>
    </div>
  );
}
