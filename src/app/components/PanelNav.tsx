import type { KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { setPanel } from '../state/actions';
import { PANELS, type PanelName } from '../state/schema';
import { useAppStore } from '../state/store';

export const PANEL_INFO: Record<PanelName, { title: string; ready: boolean; blurb: string }> = {
  geometry: {
    title: 'Geometry',
    ready: true,
    blurb: 'Drag a prediction and watch the argmin, its active constraints and gradient cone.',
  },
  envelopes: {
    title: 'Envelopes',
    ready: true,
    blurb: 'The Lagrange–Moreau envelopes of an LP’s loss, and LPGD’s update as their slope.',
  },
  training: {
    title: 'Training',
    ready: true,
    blurb: 'Predict-and-optimize training through the QP layer, live.',
  },
  benchmarks: {
    title: 'Benchmarks',
    ready: true,
    blurb: 'Batched solves on the CPU and WebGPU engines, side by side.',
  },
  lessons: {
    title: 'Lessons',
    ready: false,
    blurb: 'Guided tours of the ideas behind differentiable optimization.',
  },
};

/** Tabs (WAI-ARIA tabs pattern: arrow keys move between tabs). */
export function PanelNav() {
  const { panel } = useAppStore(useShallow((s) => ({ panel: s.config.panel })));
  const onKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = PANELS.indexOf(panel);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const p = PANELS[(next + PANELS.length) % PANELS.length];
    setPanel(p);
    document.getElementById(`tab-${p}`)?.focus();
  };
  return (
    <nav className="panel-nav" aria-label="Panels">
      <div role="tablist" aria-label="Panels">
        {PANELS.map((p) => (
          <button
            key={p}
            id={`tab-${p}`}
            type="button"
            role="tab"
            aria-selected={p === panel}
            aria-controls="panel"
            tabIndex={p === panel ? 0 : -1}
            className={p === panel ? 'tab active' : 'tab'}
            onClick={() => setPanel(p)}
            onKeyDown={onKey}
          >
            {PANEL_INFO[p].title}
            {!PANEL_INFO[p].ready && <span className="soon">soon</span>}
          </button>
        ))}
      </div>
    </nav>
  );
}
