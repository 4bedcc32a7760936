import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../state/store';

/** Where each kind of solve runs (engineHost.ts); shown in the badge's tooltip. */
const ROUTING =
  'Single interactive solves (Geometry) always run on the CPU engine in Float64, polishing as requested: exact active sets matter there, and one tiny QP is faster on the CPU than a GPU round trip. ' +
  'Batches run on the WebGPU engine (f32) when there is one and their tolerances are within f32 reach (ε ≥ 1e-5, no polishing); tighter batches, and any batch the GPU fails on, are solved on the CPU.';

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
      (engine.fallbackReason ? `. WebGPU unavailable: ${engine.fallbackReason}` : '') +
      `.\n\n${ROUTING}`;
  }
  return (
    <div
      className={`engine-badge engine-${state === 'ready' && engine ? engine.kind : state}`}
      data-testid="engine-badge"
      data-engine={engine?.kind ?? ''}
      title={title}
      role="status"
      aria-live="polite"
    >
      <span className="engine-dot" aria-hidden="true" />
      <span>{text}</span>
      {state === 'ready' && engine?.fallbackReason && (
        <span className="engine-fallback">— WebGPU unavailable: {engine.fallbackReason}</span>
      )}
    </div>
  );
}
