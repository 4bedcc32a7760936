import type { Variants } from '../../../solvers/envelope';
import type { BatchRun, EnvelopeReply } from '../../../workers/protocol';

const KEYS: (keyof Variants)[] = ['lower', 'average', 'upper'];
/** The readout describes the plot in words (the plot's aria-describedby). */
export const ENVELOPE_READOUT_ID = 'envelope-readout-text';
/** Below 10⁻⁹ is solver round-off around an exact 0 (the envelope is flat there). */
const f4 = (v: number) => (Math.abs(v) < 1e-9 ? '0' : v.toPrecision(4));
const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;

const ENGINE_NAME: Record<BatchRun['engine'], string> = {
  gpu: 'WebGPU',
  cpu: 'the CPU',
  'gpu+cpu': 'WebGPU + CPU',
};

/** "976 box QPs on WebGPU (f32 ADMM + Float64 polish)": the engine that computed this redraw. */
function engineText(run: BatchRun): string {
  const detail = [run.method, run.resolved ? `${run.resolved} re-solved on the CPU` : '']
    .filter((s) => s)
    .join('; ');
  return `${run.problems} box QPs on ${ENGINE_NAME[run.engine]} (${detail})`;
}

/**
 * The numbers behind the plot at t₀, with data-* attributes the browser test reads: each
 * envelope's value, its measured slope, LPGD's slope, and a mean of each plotted curve.
 */
export function EnvelopeReadout({
  response,
  error,
  roundTripMs,
}: {
  response: EnvelopeReply | null;
  error: string | null;
  roundTripMs: number;
}) {
  if (error) {
    return (
      <div
        className="readout error"
        role="alert"
        data-testid="envelope-error"
        id={ENVELOPE_READOUT_ID}
      >
        Envelope computation failed: {error}
      </div>
    );
  }
  if (!response)
    return (
      <div className="readout pending" id={ENVELOPE_READOUT_ID}>
        Computing envelopes…
      </div>
    );
  const { sweep, lpgd, request, run } = response;
  const { at } = sweep;
  const data: Record<string, string> = {
    'data-tau': String(request.tau),
    'data-rho': String(request.rho),
    'data-t0': String(request.t0),
    'data-seed': String(request.seed),
    'data-n': String(request.n),
    'data-samples': String(sweep.t.length),
    'data-loss-mean': String(mean(sweep.loss)),
    'data-engine': run.engine,
    'data-engine-method': run.method,
    'data-batched': String(run.problems),
    'data-resolved': String(run.resolved),
  };
  for (const k of KEYS) {
    data[`data-${k}-value`] = String(at.value[k]);
    data[`data-${k}-slope-env`] = String(at.slope[k]);
    data[`data-${k}-slope-lpgd`] = String(lpgd.slope[k]);
    data[`data-${k}-mean`] = String(mean(sweep[k]));
  }
  const worst = Math.max(...KEYS.map((k) => Math.abs(at.slope[k] - lpgd.slope[k])));
  return (
    <div
      className="readout"
      id={ENVELOPE_READOUT_ID}
      data-testid="envelope-readout"
      {...data}
      aria-live="polite"
    >
      <table className="kv">
        <tbody>
          <tr>
            <th scope="row">x̂ = x*(c(t₀))</th>
            <td data-testid="xhat">({Array.from(at.xHat, (v) => v.toFixed(3)).join(', ')})</td>
          </tr>
          <tr>
            <th scope="row">∇ℓ(x̂) = x̂ − x_target</th>
            <td>({Array.from(at.g, (v) => v.toFixed(3)).join(', ')})</td>
          </tr>
          <tr>
            <th scope="row">ℓ(x̂)</th>
            <td>{f4(at.loss)}</td>
          </tr>
          <tr>
            <th scope="row">redraw</th>
            <td
              data-testid="envelope-engine"
              title="The batches of this redraw and the engine that solved them (Run on, in the header); LPGD’s solves at t₀ always run on the CPU; worker time; main-thread round trip"
            >
              {engineText(run)}, LPGD’s {response.solves - run.problems} on the CPU;{' '}
              {response.ms.toFixed(0)} ms in the worker (round trip {roundTripMs.toFixed(0)} ms)
              {run.engine !== 'gpu' && run.reason && (
                <div className="engine-why" data-testid="envelope-engine-why">
                  ({run.reason})
                </div>
              )}
            </td>
          </tr>
        </tbody>
      </table>
      <table className="rows" aria-label="Envelopes at t₀">
        <caption>
          At t₀: each envelope’s value, the slope of the plotted curve (central difference, h ={' '}
          {at.h.toExponential(0)}) and LPGD’s ⟨update, d⟩ from the gradient code
        </caption>
        <thead>
          <tr>
            <th scope="col">envelope</th>
            <th scope="col">value</th>
            <th scope="col">curve slope</th>
            <th scope="col">LPGD slope</th>
          </tr>
        </thead>
        <tbody>
          {KEYS.map((k) => (
            <tr key={k} data-testid={`envelope-row-${k}`}>
              <td>
                <span className={`sw sw-line sw-${k}`} /> {k}
              </td>
              <td>{f4(at.value[k])}</td>
              <td>{f4(at.slope[k])}</td>
              <td>{f4(lpgd.slope[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="cone-note" data-testid="envelope-note">
        {worst <= 1e-5 * (1 + Math.max(...KEYS.map((k) => Math.abs(lpgd.slope[k]))))
          ? `LPGD’s update and the envelopes’ slopes agree (largest difference ${worst.toExponential(1)}).`
          : `LPGD’s update and the measured slope differ by ${worst.toExponential(1)}: t₀ sits within h of a kink of the envelope.`}{' '}
        {Math.abs(lpgd.slope.lower) + Math.abs(lpgd.slope.upper) < 1e-12
          ? 'Here both are 0: no step of the loss is within reach of c(t₀) ± τ∇ℓ. Move t₀ next to a step (dotted lines) or raise τ.'
          : ''}
      </p>
    </div>
  );
}
