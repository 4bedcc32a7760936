import { useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/store';
import { errorMessage } from '../../../solvers/errors';
import { buildReport, recordsCsv } from '../../../solvers/learn/lab/report';
import { LAB_METHODS } from '../../../solvers/learn/lab/methods';
import type { StreamChart } from './chart';
import { CHARTS, TrainingCharts, type ChartName } from './Charts';
import { TrainingControls } from './Controls';
import { TrainingProgress } from './Progress';
import { TrainingTable } from './TrainingTable';
import { chartsSvg, download, svgToPng } from './exports';
import { trainingSession, useTrainingStore, type TrainingStatus } from './session';
import { settingsFromConfig } from './settings';
import './training.css';

const INTRO: Record<string, string> = {
  portfolio:
    'Predict returns from features, decide a portfolio (You Shall Pass Eq. 7), and learn from the regret of that decision. At small λ the exact Jacobian of the QP is zero at most decisions, so its gradient collapses; smoothed QP keeps learning (Figure 3).',
  'lse-portfolio':
    'The LogSumExp portfolio (Eq. 9): the true problem is not a QP. Differentiating it by SQP is compared with the QP approximation and smoothed QP (Table 1).',
  linear:
    'Linear problems (knapsack, DC optimal power flow, the portfolio at λ = 0 and 0.1): SPO+, perturbed optimizers and identity-with-projection against LPGD, QP and smoothed QP (Figure 4).',
};

const STATUS_TEXT: Record<TrainingStatus, string> = {
  idle: 'Ready.',
  preparing: 'Preparing: generating the data and solving the true problems…',
  running: 'Training…',
  paused: 'Paused.',
  done: 'Done.',
  error: 'Stopped by an error.',
  crashed: 'The worker crashed.',
};

/** The Training panel: settings, play / pause / step / reset, streaming curves, the table, exports. */
export function TrainingPanel() {
  const session = trainingSession();
  const config = useAppStore((s) => s.config);
  const ui = useTrainingStore(
    useShallow((s) => ({
      status: s.status,
      message: s.message,
      crash: s.crash,
      engine: s.engine,
      jobs: s.jobs,
      version: s.version,
      settings: s.settings,
    })),
  );
  const route = config.batch;
  const [exportError, setExportError] = useState<string | null>(null);
  const charts = useRef<Record<ChartName, StreamChart> | null>(null);

  const fromConfig = useMemo(() => {
    try {
      return { settings: settingsFromConfig(config), error: null };
    } catch (e) {
      return { settings: null, error: errorMessage(e) };
    }
  }, [config]);
  const settings = ui.settings ?? fromConfig.settings;
  const locked = ui.status !== 'idle';
  const busy = ui.status === 'preparing' || ui.status === 'running';

  // The table is rebuilt when an epoch ends or the state changes (`version`), not per step.
  const report = useMemo(
    () =>
      settings
        ? buildReport(
            settings,
            {
              requested: route,
              name: ui.engine?.name ?? 'cpu',
              adapter: ui.engine?.adapter ?? '',
              ...(ui.engine?.note ? { reason: ui.engine.note } : {}),
            },
            session.book.jobs,
          )
        : null,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [settings, ui.version, ui.jobs, ui.engine, route, session],
  );

  const request = () => (fromConfig.settings ? { settings: fromConfig.settings, route } : null);
  const play = () => {
    const r = request();
    if (r) void session.play(r);
  };
  const step = () => {
    const r = request();
    if (r) void session.step(r);
  };

  const stamp = () => `argmin-training-${settings?.experiment ?? 'run'}-seed${settings?.seed ?? 0}`;
  const methodsShown = LAB_METHODS.filter((m) => ui.jobs.some((j) => j.methods.includes(m)));
  const exportCharts = async (kind: 'svg' | 'png') => {
    setExportError(null);
    const c = charts.current;
    if (!c) return;
    try {
      const svg = chartsSvg(
        CHARTS.map((x) => c[x.name]),
        methodsShown,
        `${report?.experiment ?? ''}: ${ui.jobs.at(-1)?.problem.label ?? ''}`,
      );
      if (kind === 'svg') download(new Blob([svg], { type: 'image/svg+xml' }), `${stamp()}.svg`);
      else download(await svgToPng(svg), `${stamp()}.png`);
    } catch (e) {
      setExportError(`The ${kind.toUpperCase()} export failed: ${errorMessage(e)}`);
    }
  };
  const hasData = ui.jobs.length > 0;

  return (
    <div className="training" data-testid="training-panel" data-status={ui.status}>
      <section className="card training-side" aria-label="Training settings">
        <h2>Training lab</h2>
        <p className="training-intro">{INTRO[config.texp]}</p>
        <div className="training-actions">
          {ui.status === 'running' ? (
            <button
              type="button"
              className="primary"
              data-testid="training-pause"
              onClick={() => void session.pause()}
            >
              Pause
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              data-testid="training-play"
              disabled={
                !fromConfig.settings && !locked
                  ? true
                  : ui.status === 'preparing' || ui.status === 'done' || ui.status === 'crashed'
              }
              onClick={play}
            >
              Play
            </button>
          )}
          <button
            type="button"
            data-testid="training-step"
            disabled={
              busy ||
              ui.status === 'done' ||
              ui.status === 'crashed' ||
              (!locked && !fromConfig.settings)
            }
            onClick={step}
            title="One mini-batch for every method"
          >
            Step
          </button>
          <button
            type="button"
            data-testid="training-reset"
            disabled={ui.status === 'idle'}
            onClick={() => void session.reset()}
          >
            Reset
          </button>
          <span className="training-status" data-testid="training-status">
            {STATUS_TEXT[ui.status]}
          </span>
        </div>
        <TrainingProgress session={session} epochs={settings?.epochs ?? 0} />
        <p
          className="training-engine"
          data-testid="training-engine"
          data-engine={ui.engine?.name ?? ''}
        >
          {ui.engine ? (
            <>
              QP layer on <strong>{ui.engine.label}</strong>
              {ui.engine.note ? ` — ${ui.engine.note}` : ''}. Methods the engine lacks run their
              backward pass on the CPU (table, last column).
            </>
          ) : (
            <>
              The engine is chosen when the run starts (“Run on” in the header: {route}); WebGPU
              shared-structure batches on a hardware GPU, the CPU otherwise.
            </>
          )}
        </p>
        {ui.message && (
          <div className="notice warn" role="alert" data-testid="training-message">
            <p>{ui.message}</p>
          </div>
        )}
        {ui.crash && (
          <div className="notice error" role="alert" data-testid="training-crash">
            <p>
              {ui.crash.message}{' '}
              {ui.crash.canResume &&
                (ui.crash.epoch > 0
                  ? `Resume continues after epoch ${ui.crash.epoch}.`
                  : 'No epoch had completed: Resume starts the run again.')}
            </p>
            {ui.crash.canResume && (
              <button
                type="button"
                data-testid="training-resume"
                onClick={() => void session.resume()}
              >
                Resume
              </button>
            )}
          </div>
        )}
        <TrainingControls locked={locked} />
        {locked && <p className="training-hint">Reset to change the settings of this run.</p>}
        {!locked && fromConfig.error && (
          <p className="notice error" role="alert" data-testid="training-settings-error">
            {fromConfig.error}
          </p>
        )}
      </section>
      <section className="card training-main" aria-label="Training results">
        <TrainingCharts
          session={session}
          jobs={ui.jobs}
          epochs={settings?.epochs ?? 1}
          chartsRef={charts}
        />
        {!hasData && (
          <p className="training-empty">
            Press Play to train every chosen method on the same data, from the same initial network,
            on the same mini-batches; the curves grow as epochs end.
          </p>
        )}
        <div className="training-actions">
          <button
            type="button"
            data-testid="training-export-csv"
            disabled={!hasData}
            onClick={() =>
              download(
                new Blob([recordsCsv(session.book.jobs)], { type: 'text/csv' }),
                `${stamp()}.csv`,
              )
            }
          >
            CSV
          </button>
          <button
            type="button"
            data-testid="training-export-json"
            disabled={!hasData || !report}
            onClick={() =>
              download(
                new Blob(
                  [
                    JSON.stringify(
                      report,
                      (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
                      2,
                    ),
                  ],
                  {
                    type: 'application/json',
                  },
                ),
                `${stamp()}.json`,
              )
            }
          >
            JSON
          </button>
          <button
            type="button"
            data-testid="training-export-svg"
            disabled={!hasData}
            onClick={() => void exportCharts('svg')}
          >
            SVG
          </button>
          <button
            type="button"
            data-testid="training-export-png"
            disabled={!hasData}
            onClick={() => void exportCharts('png')}
          >
            PNG
          </button>
          {exportError && (
            <span className="field-error" role="alert">
              {exportError}
            </span>
          )}
        </div>
        {report && <TrainingTable report={report} final={ui.status === 'done'} />}
      </section>
    </div>
  );
}
