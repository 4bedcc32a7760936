import { useShallow } from 'zustand/react/shallow';
import { setBatchPreference } from '../state/actions';
import { SCHEMA } from '../state/schema';
import { badgeView } from '../../workers/routing';
import { useAppStore } from '../state/store';

const ROUTE_TITLE =
  'Where jobs run, forward solve and backward pass alike.\n' +
  'Auto: batches on WebGPU on a hardware GPU, on the CPU engine on a software adapter (SwiftShader, llvmpipe, WARP: the GPU emulated on the CPU, slower than the CPU engine itself); single interactive problems on the CPU.\n' +
  'WebGPU / CPU: always that engine (WebGPU falls back to the CPU when there is none).\n' +
  'Kept in the URL; each result says which engine computed it.';

/** Which engine computes, as reported by the worker, with the page's route applied (badgeView). */
export function EngineBadge() {
  const { engine, worker, route } = useAppStore(
    useShallow((s) => ({ engine: s.engine, worker: s.worker, route: s.config.batch })),
  );
  const view = badgeView(engine, worker, route);
  const ready = worker.state === 'ready' && engine;
  return (
    <div className="engine-group">
      <div
        className={`engine-badge engine-${view.tone}`}
        data-testid="engine-badge"
        data-engine={engine?.kind ?? ''}
        data-batches={view.batches}
        title={view.title}
        role="status"
        aria-live="polite"
      >
        <span className="engine-dot" aria-hidden="true" />
        <span>{view.text}</span>
        {ready && engine.fallbackReason && (
          <span className="engine-fallback">— WebGPU unavailable: {engine.fallbackReason}</span>
        )}
        {ready && view.note && (
          <span className="engine-fallback" data-testid="engine-batch-note">
            ({view.note})
          </span>
        )}
      </div>
      <RouteSelect />
    </div>
  );
}

/**
 * "Run on: Auto / WebGPU / CPU". The choice lives in the URL (schema field `batch`) and travels with
 * every request to the worker.
 */
function RouteSelect() {
  const batch = useAppStore((s) => s.config.batch);
  const field = SCHEMA.batch;
  return (
    <label className="batch-select" title={ROUTE_TITLE}>
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
