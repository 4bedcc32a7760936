import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../state/store';

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
      (engine.fallbackReason ? `. Fallback: ${engine.fallbackReason}` : '');
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
        <span className="engine-fallback">fallback: {engine.fallbackReason}</span>
      )}
    </div>
  );
}
