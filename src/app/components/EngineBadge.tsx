import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { setBatchPreference } from '../state/actions';
import { SCHEMA } from '../state/schema';
import { badgeView, ROUTING_TEXT } from '../../workers/routing';
import { useAppStore } from '../state/store';

const ROUTE_TITLE =
  'Where jobs run, forward solve and backward pass alike.\n' +
  'Auto: batches on WebGPU on a hardware GPU, on the CPU engine on a software adapter (SwiftShader, llvmpipe, WARP: the GPU emulated on the CPU, slower than the CPU engine itself); single interactive problems on the CPU.\n' +
  'WebGPU / CPU: always that engine (WebGPU falls back to the CPU when there is none).\n' +
  'Kept in the URL; each result says which engine computed it.';

/**
 * Where solving happens, in one plain sentence (badgeView), with the details on demand: the
 * engine, its hardware, why WebGPU is not used, and how routes apply.
 */
export function EngineBadge() {
  const { engine, worker, route } = useAppStore(
    useShallow((s) => ({ engine: s.engine, worker: s.worker, route: s.config.batch })),
  );
  const [open, setOpen] = useState(false);
  const id = useId();
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
      >
        <span className="engine-dot" aria-hidden="true" />
        <span role="status" aria-live="polite" data-testid="engine-status">
          {view.text}
        </span>
        <button
          type="button"
          className="engine-more"
          aria-expanded={open}
          aria-controls={`${id}-details`}
          data-testid="engine-details-toggle"
          onClick={() => setOpen((o) => !o)}
        >
          {open ? 'Hide details' : 'Details'}
        </button>
        <div
          id={`${id}-details`}
          className="engine-details"
          data-testid="engine-details"
          hidden={!open}
        >
          {view.details.map((d) => (
            <p key={d}>{d}</p>
          ))}
          {ready && view.note && (
            <p className="engine-fallback" data-testid="engine-batch-note">
              ({view.note})
            </p>
          )}
          <p className="engine-routing">{ROUTING_TEXT}</p>
        </div>
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
