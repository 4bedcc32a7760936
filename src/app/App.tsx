import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { SolverClient } from '../workers/client';
import { ErrorBoundary } from './components/ErrorBoundary';
import { EngineBadge } from './components/EngineBadge';
import { GlossaryDialog, openGlossary } from './components/Glossary';
import { CopyLinkButton, PresentButton, PresenterBar } from './components/HeaderTools';
import { Notices } from './components/Notices';
import { PanelNav, PANEL_INFO } from './components/PanelNav';
import { Placeholder } from './components/Placeholder';
import { BenchPanel } from './panels/bench/BenchPanel';
import { EnvelopePanel } from './panels/envelope/EnvelopePanel';
import { GeometryPanel } from './panels/geometry/GeometryPanel';
import { TrainingPanel } from './panels/training/TrainingPanel';
import { SolverContext } from './solverContext';
import { engineEvent, workerCrashed, workerReady } from './state/actions';
import { useAppStore } from './state/store';
import { useHashSync } from './state/useHashSync';

/** Starts the solver worker for the lifetime of the page (and stops it on unmount). */
function useSolverClient(): SolverClient | null {
  const [client, setClient] = useState<SolverClient | null>(null);
  useEffect(() => {
    const c = new SolverClient({
      onReady: workerReady,
      onCrash: workerCrashed,
      onEngineEvent: engineEvent,
      // Said on the page for diagnostics (and the browser test): a restart now works offline.
      onScriptKept: () => (document.documentElement.dataset.solverScript = 'kept'),
    });
    setClient(c);
    // Diagnostics: stopping the worker from the console (or a test) as a browser would.
    const diag = window as unknown as { argminDiagnostics?: { terminateSolverWorker(): void } };
    diag.argminDiagnostics = { terminateSolverWorker: () => c.currentWorker.terminate() };
    return () => {
      c.dispose();
      delete diag.argminDiagnostics;
    };
  }, []);
  return client;
}

export function App() {
  useHashSync();
  const client = useSolverClient();
  const { panel, present } = useAppStore(
    useShallow((s) => ({ panel: s.config.panel, present: s.config.present })),
  );
  const info = PANEL_INFO[panel];
  // Presenter mode restyles the whole page (large type, high contrast): a class on the root.
  useEffect(() => {
    document.documentElement.classList.toggle('presenter', present);
  }, [present]);
  return (
    <SolverContext.Provider value={client}>
      <header className="app-header">
        <div className="brand">
          <h1>Argmin Playground</h1>
          <p className="tagline">
            Batched QP solving and differentiating through the argmin, in your browser
          </p>
        </div>
        <EngineBadge />
        <div className="header-tools">
          {present ? <PresenterBar /> : <PresentButton />}
          <CopyLinkButton />
        </div>
      </header>
      <PanelNav />
      <Notices />
      <main id="panel" className="panel" role="tabpanel" aria-labelledby={`tab-${panel}`}>
        <ErrorBoundary key={panel} what={`the ${info.title} panel`}>
          {panel === 'geometry' ? (
            <GeometryPanel />
          ) : panel === 'envelopes' ? (
            <EnvelopePanel />
          ) : panel === 'benchmarks' ? (
            <BenchPanel />
          ) : panel === 'training' ? (
            <TrainingPanel />
          ) : (
            <Placeholder panel={panel} />
          )}
        </ErrorBoundary>
      </main>
      <footer className="app-footer">
        Solves run in a Web Worker. Share the current view with “Copy link”.{' '}
        <button type="button" className="link-button" onClick={() => openGlossary('all')}>
          Glossary
        </button>
      </footer>
      <GlossaryDialog />
    </SolverContext.Provider>
  );
}
