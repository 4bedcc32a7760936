import { useCallback, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Cite } from '../../components/Cite';
import { IntInput } from '../../components/SchemaControls';
import { ShareQr } from '../../components/ShareQr';
import { Slider } from '../../components/Slider';
import { setEnvelope, setSeed, toggleEnvelopeCurve } from '../../state/actions';
import { ENVELOPE_CURVES, SCHEMA } from '../../state/schema';
import { useAppStore } from '../../state/store';
import { EnvelopePlot } from './EnvelopePlot';
import { EnvelopeExplanation } from './Explanation';
import type { EnvelopeView } from './plot';
import { EnvelopeReadout } from './Readout';
import { useEnvelopeSweep } from './useEnvelopeSweep';
import './envelope.css';

/** t-values per redraw: one shared batch of 3·(SAMPLES + 3) box QPs, plus the LP along the cut. */
export const SAMPLES = 241;

const fmtTau = (v: number) => (v < 0.1 ? v.toPrecision(2) : v.toFixed(2));

export function EnvelopePanel() {
  const { seed, dim, tau, rho, t0, curves, batch, restarts, present } = useAppStore(
    useShallow((s) => ({
      present: s.config.present,
      curves: s.config.curves,
      seed: s.config.seed,
      dim: s.config.dim,
      tau: s.config.tau,
      rho: s.config.rho,
      t0: s.config.t0,
      batch: s.config.batch,
      restarts: s.worker.restarts,
    })),
  );
  const req = useMemo(
    () => ({ seed, n: dim, tau, rho, t0, samples: SAMPLES }),
    [seed, dim, tau, rho, t0],
  );
  const { response, error, roundTripMs } = useEnvelopeSweep(req, restarts, batch);
  const view = useMemo<EnvelopeView | null>(
    () =>
      response && {
        sweep: response.sweep,
        lpgdSlope: response.lpgd.slope,
        show: {
          lower: curves.includes('lower'),
          average: curves.includes('average'),
          upper: curves.includes('upper'),
        },
        rho: response.request.rho,
      },
    [response, curves],
  );
  const onT0 = useCallback((v: number) => setEnvelope({ t0: v }), []);
  const controls = (
    <>
      <h2>
        Lagrange–Moreau envelopes of an LP (<Cite paper="lpgd" at="Figure 1" />)
      </h2>
      <div className="controls">
        <Slider
          field={SCHEMA.tau}
          value={tau}
          onChange={(v) => setEnvelope({ tau: v })}
          format={fmtTau}
        />
        <Slider
          field={SCHEMA.rho}
          value={rho}
          onChange={(v) => setEnvelope({ rho: v })}
          format={(v) => v.toFixed(2)}
        />
        <Slider
          field={SCHEMA.t0}
          value={t0}
          onChange={(v) => setEnvelope({ t0: v })}
          format={(v) => v.toFixed(3)}
        />
        <div className="control">
          <label htmlFor="envelope-dim">{SCHEMA.dim.label}</label>
          <select
            id="envelope-dim"
            value={dim}
            data-testid="control-dim"
            onChange={(e) => setEnvelope({ dim: SCHEMA.dim.decode(e.target.value) })}
          >
            {Array.from(
              { length: SCHEMA.dim.max - SCHEMA.dim.min + 1 },
              (_, k) => SCHEMA.dim.min + k,
            ).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <IntInput field={SCHEMA.seed} value={seed} onChange={setSeed} />
        <div className="control">
          <span className="control-label" aria-hidden="true">
            &nbsp;
          </span>
          <button
            type="button"
            data-testid="new-problem"
            onClick={() => setSeed((seed + 1) % SCHEMA.seed.max)}
          >
            New random problem
          </button>
        </div>
      </div>
    </>
  );
  return (
    <div className={present ? 'envelope presenting' : 'envelope'}>
      <section className="envelope-figure card" aria-label="Plot">
        <EnvelopePlot view={view} onT0={onT0} fill={present} />
        <ul className="legend" aria-label="Legend">
          <li>
            <span className="sw sw-line sw-loss" /> loss ℓ(x*(c(t)))
          </li>
          <li>
            <span className="sw sw-line sw-linearized" /> linearized loss ℓ̃(x*(c(t)))
          </li>
          {rho > 0 && (
            <li>
              <span className="sw sw-line sw-augmented" /> ℓ̃(x_ρ(c(t))), what the envelopes smooth
              when ρ &gt; 0
            </li>
          )}
          {ENVELOPE_CURVES.map((k) => (
            <li key={k}>
              <label>
                <input
                  type="checkbox"
                  data-testid={`toggle-curve-${k}`}
                  checked={curves.includes(k)}
                  onChange={() => toggleEnvelopeCurve(k)}
                />{' '}
                <span className={`sw sw-line sw-${k}`} /> {k} envelope
              </label>
            </li>
          ))}
          <li>
            <span className="sw sw-line sw-tangent" /> at t₀: LPGD update (solid) and the curve’s
            measured slope (dashed)
          </li>
        </ul>
      </section>
      <section className="envelope-side card" aria-label="Controls and readout">
        {present ? (
          <>
            <EnvelopeReadout response={response} error={error} roundTripMs={roundTripMs} />
            <ShareQr size={240} />
            <details className="presenter-more">
              <summary data-testid="presenter-more-summary">Controls and details</summary>
              {controls}
              <EnvelopeExplanation />
            </details>
          </>
        ) : (
          <>
            {controls}
            <EnvelopeReadout response={response} error={error} roundTripMs={roundTripMs} />
            <EnvelopeExplanation />
          </>
        )}
      </section>
    </div>
  );
}
