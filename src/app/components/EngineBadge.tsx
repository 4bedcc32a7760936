import { useShallow } from 'zustand/react/shallow';
import { setBatchPreference } from '../state/actions';
import { SCHEMA } from '../state/schema';
import { useAppStore } from '../state/store';

/** Where each kind of solve runs (engineHost.ts); shown in the badge's tooltip. */
const ROUTING =
  'Single interactive solves (Geometry) always run on the CPU engine in Float64, polishing as requested: exact active sets matter there, and one tiny QP is faster on the CPU than a GPU round trip. ' +
  'Batches (the Envelopes redraws) follow the "Batches" choice. On WebGPU they run ADMM in f32; a batch that asks for polishing is polished on the CPU in Float64 and any problem whose polish fails is solved again on the CPU. Tight tolerances without polishing, and any batch the GPU fails on, are solved on the CPU.';

const BATCH_TITLE =
  'Where batched solves (the Envelopes panel’s redraws) run.\n' +
  'Auto: WebGPU on a hardware GPU; the CPU engine on a software adapter (SwiftShader, llvmpipe, WARP), which emulates the GPU on the CPU and is slower than the CPU engine itself.\n' +
  'WebGPU / CPU: always that engine (WebGPU falls back to the CPU when there is none).\n' +
  'Kept in the URL; each result says which engine computed it.';

/** Which engine computes, as reported by the worker; never guessed on the main thread. */
export function EngineBadge() {
  const { engine, state } = useAppStore(
    useShallow((s) => ({ engine: s.engine, state: s.worker.state })),
  );
  let text: string;
  let title: string;
  if (state === 'crashed') {
    text = 'Engine: stopped';
    title = 'The solver worker crashed repeatedly and was not restarted.';
  } else if (!engine || state === 'starting') {
    text = 'Engine: starting…';
    title = 'The solver worker is starting.';
  } else {
    text = `Engine: ${engine.label}`;
    title =
      `Computed by the ${engine.kind === 'gpu' ? 'WebGPU' : 'CPU'} engine on ${engine.adapter}` +
      (engine.software ? ' (a software adapter: the GPU emulated on the CPU)' : '') +
      (engine.fallbackReason ? `. WebGPU unavailable: ${engine.fallbackReason}` : '') +
      `. Batches run on ${engine.batches === 'gpu' ? 'WebGPU' : 'the CPU'}` +
      (engine.batchNote ? ` (${engine.batchNote})` : '') +
      `.\n\n${ROUTING}`;
  }
  const ready = state === 'ready' && engine;
  return (
    <div className="engine-group">
      <div
        className={`engine-badge engine-${ready ? engine.kind : state}`}
        data-testid="engine-badge"
        data-engine={engine?.kind ?? ''}
        data-batches={ready ? engine.batches : ''}
        title={title}
        role="status"
        aria-live="polite"
      >
        <span className="engine-dot" aria-hidden="true" />
        <span>{text}</span>
        {ready && engine.fallbackReason && (
          <span className="engine-fallback">— WebGPU unavailable: {engine.fallbackReason}</span>
        )}
        {ready && engine.batchNote && (
          <span className="engine-fallback" data-testid="engine-batch-note">
            ({engine.batchNote})
          </span>
        )}
      </div>
      <BatchSelect />
    </div>
  );
}

/**
 * "Batches: Auto / WebGPU / CPU". The choice lives in the URL (schema field `batch`); App sends it
 * to the worker, which cannot read the URL (useBatchPreference).
 */
function BatchSelect() {
  const batch = useAppStore((s) => s.config.batch);
  const field = SCHEMA.batch;
  return (
    <label className="batch-select" title={BATCH_TITLE}>
      {field.label}:
      <select
        value={batch}
        data-testid="control-batch"
        onChange={(e) => setBatchPreference(field.decode(e.target.value))}
      >
        {field.values.map((v) => (
          <option key={v} value={v}>
            {field.valueLabels[v]}
          </option>
        ))}
      </select>
    </label>
  );
}
