import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { setBenchSelection } from '../../state/actions';
import { toggled } from '../../state/schema';
import { useAppStore } from '../../state/store';
import { reportMarkdown } from '../../../gpu/benchmark/format';
import {
  DEFAULT_BENCH,
  sizeName,
  type BenchConfig,
  type CoreEngine,
} from '../../../gpu/benchmark/types';
import { Cite } from '../../components/Cite';
import { BenchPlot } from './BenchPlot';
import { BenchTable, KernelTable } from './BenchTable';
import {
  BATCH_OPTIONS,
  ENGINE_HELP,
  ENGINE_LABELS,
  ENGINE_OPTIONS,
  SIZE_OPTIONS,
  sizeOf,
  SOFTWARE_SELECTION,
  type BenchSelection,
} from './options';
import { useBenchRunner } from './useBenchRunner';
import './bench.css';
import { errorMessage } from '../../../solvers/errors';

const PHASES = {
  matmul: 'measuring the reference matmul',
  warmup: 'warm-up (untimed: shader compilation)',
  forward: 'forward solves',
  backward: 'backward pass',
  reference: 'exact reference gradients',
} as const;

const sameSelection = (a: BenchSelection, b: BenchSelection) =>
  a.sizes.join() === b.sizes.join() &&
  a.batches.join() === b.batches.join() &&
  a.engines.join() === b.engines.join();

/** Whether a selection would take more than seconds on a software adapter (the default does). */
function isLong(sel: BenchSelection): boolean {
  const sizes = sel.sizes.filter((s) => s !== '10x5').length;
  const batches = sel.batches.filter((b) => b > 4).length;
  return sel.engines.some((e) => e.startsWith('gpu')) && (sizes > 0 || batches > 0);
}

/** Runs src/gpu/benchmark in a dedicated worker on this machine and shows the figures. */
export function BenchPanel() {
  const runner = useBenchRunner();
  const { info, state, progress, rows, report, error } = runner;
  const { bsizes, bbatches, bengines } = useAppStore(
    useShallow((s) => ({
      bsizes: s.config.bsizes,
      bbatches: s.config.bbatches,
      bengines: s.config.bengines,
    })),
  );
  const sel: BenchSelection = useMemo(
    () => ({ sizes: bsizes, batches: bbatches.map(Number), engines: bengines }),
    [bsizes, bbatches, bengines],
  );
  const [copied, setCopied] = useState<string | null>(null);
  const software = !!info?.software;
  const gpuOk = !!info?.gpu;
  // On an emulated adapter a large selection runs for minutes. The selection (perhaps from a shared
  // link) is never changed behind the user's back: a notice offers the short run instead.
  const offerShortRun = software && !sameSelection(sel, SOFTWARE_SELECTION) && isLong(sel);

  const change = (f: (s: BenchSelection) => BenchSelection) => setBenchSelection(f(sel));
  const busy = state === 'running' || state === 'cancelling';
  const engines = sel.engines.filter((e) => gpuOk || !e.startsWith('gpu'));
  const steps = sel.sizes.length * sel.batches.length * engines.length;
  const canRun = !!info && !busy && steps > 0;

  const start = () => {
    const config: BenchConfig = {
      ...DEFAULT_BENCH,
      sizes: SIZE_OPTIONS.filter((s) => sel.sizes.includes(sizeName(s))).map((s) =>
        sizeOf(sizeName(s)),
      ),
      batches: BATCH_OPTIONS.filter((b) => sel.batches.includes(b)),
      engines: ENGINE_OPTIONS.filter((e) => engines.includes(e)),
      // A big enough matmul to measure a real GPU's throughput; a small one where it is emulated.
      matmulSize: software ? 128 : 1024,
    };
    setCopied(null);
    runner.run(config);
  };

  const markdown = report ? reportMarkdown(report) : '';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(markdown);
      setCopied('Copied the tables as markdown.');
    } catch (e) {
      setCopied(
        `Copying failed (${errorMessage(e)}); the markdown is shown below to copy by hand.`,
      );
    }
  };
  const download = () => {
    const url = URL.createObjectURL(
      new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }),
    );
    const a = document.createElement('a');
    a.href = url;
    a.download = `argmin-bench-${report!.startedAt.replace(/[:.]/g, '-')}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <div className="bench" data-testid="bench-panel" data-state={state}>
      <section className="bench-side card" aria-label="Benchmark settings">
        <h2>Benchmark on this machine</h2>
        <p className="bench-intro">
          Random QPs of the sizes in <Cite paper="bpqp" at="Table 1" /> (d variables, meq equalities
          and meq inequalities), solved in batches on the CPU and WebGPU engines, then
          differentiated (exact KKT backward, loss 1ᵀx*). Runs in its own worker, so the other
          panels stay responsive.
        </p>
        <p className="bench-adapter" data-testid="bench-adapter">
          {!info ? (
            'Looking for a WebGPU adapter…'
          ) : gpuOk ? (
            <>
              WebGPU adapter: <strong>{info.adapter}</strong>
              {info.hasTimestamps
                ? ', with GPU timestamps'
                : ', no timestamp queries (kernel times unavailable)'}
            </>
          ) : (
            <>WebGPU unavailable: {info.reason}. Only the CPU engines can run.</>
          )}
        </p>
        <p className={`notice ${software ? 'warn' : ''} bench-caveat`} data-testid="bench-caveat">
          Absolute GPU times only mean something on a real GPU.{' '}
          {software
            ? 'This adapter is SwiftShader, a CPU emulation of a GPU: its WebGPU times measure the emulator, and the speed-up column is not a GPU figure.'
            : 'A software adapter (SwiftShader) is a CPU emulation: its times say nothing about GPUs.'}{' '}
          Each kernel’s fraction of the same adapter’s matmul is comparable everywhere.
        </p>
        {offerShortRun && (
          <div className="notice warn bench-offer" data-testid="bench-short-offer">
            <p>
              This selection runs for minutes on a software adapter. The link’s selection is kept;
              to try the benchmark quickly, use a short run (10×5, batches 1 and 4, CPU and WebGPU).
            </p>
            <button
              type="button"
              data-testid="bench-use-short"
              onClick={() => setBenchSelection(SOFTWARE_SELECTION)}
            >
              Use a short run
            </button>
          </div>
        )}
        <fieldset disabled={busy}>
          <legend>Problem sizes d×meq</legend>
          {SIZE_OPTIONS.map((s) => (
            <label key={sizeName(s)}>
              <input
                type="checkbox"
                data-testid={`bench-size-${sizeName(s)}`}
                checked={sel.sizes.includes(sizeName(s))}
                onChange={() =>
                  change((x) => ({
                    ...x,
                    sizes: toggled(x.sizes, sizeName(s), SIZE_OPTIONS.map(sizeName)),
                  }))
                }
              />{' '}
              {s.d}×{s.meq}
            </label>
          ))}
        </fieldset>
        <fieldset disabled={busy}>
          <legend>Batch sizes</legend>
          {BATCH_OPTIONS.map((b) => (
            <label key={b}>
              <input
                type="checkbox"
                data-testid={`bench-batch-${b}`}
                checked={sel.batches.includes(b)}
                onChange={() =>
                  change((x) => ({ ...x, batches: toggled(x.batches, b, BATCH_OPTIONS) }))
                }
              />{' '}
              {b}
            </label>
          ))}
        </fieldset>
        <fieldset disabled={busy}>
          <legend>Engines</legend>
          {ENGINE_OPTIONS.map((e: CoreEngine) => (
            <label key={e} title={ENGINE_HELP[e]}>
              <input
                type="checkbox"
                data-testid={`bench-engine-${e}`}
                disabled={e.startsWith('gpu') && !gpuOk}
                checked={engines.includes(e)}
                onChange={() =>
                  change((x) => ({ ...x, engines: toggled(x.engines, e, ENGINE_OPTIONS) }))
                }
              />{' '}
              {ENGINE_LABELS[e]}
            </label>
          ))}
        </fieldset>
        <div className="bench-actions">
          <button
            type="button"
            className="primary"
            data-testid="bench-run"
            disabled={!canRun}
            onClick={start}
          >
            Run {steps > 0 ? `(${steps} step${steps > 1 ? 's' : ''})` : ''}
          </button>
          <button
            type="button"
            data-testid="bench-cancel"
            disabled={state !== 'running'}
            onClick={runner.cancel}
          >
            Cancel
          </button>
        </div>
        <div className="bench-progress" aria-live="polite" data-testid="bench-progress">
          {busy && (
            <>
              <progress max={progress?.total ?? 1} value={progress?.step ?? 0} />
              <span>
                {state === 'cancelling'
                  ? 'Cancelling…'
                  : !progress
                    ? 'Starting…'
                    : progress.phase === 'matmul'
                      ? `Step 0 of ${progress.total}: ${PHASES.matmul}`
                      : `Step ${progress.step + 1} of ${progress.total}: ${progress.size.replace('x', '×')}, batch ${progress.batch}, ${ENGINE_LABELS[progress.engine] ?? progress.engine} — ${PHASES[progress.phase]}`}
              </span>
            </>
          )}
          {state === 'done' && <span>Done: {rows.length} rows.</span>}
          {state === 'cancelled' && <span>Cancelled after {rows.length} rows.</span>}
        </div>
        {error && (
          <div className="notice error" role="alert" data-testid="bench-error">
            <p>The benchmark failed: {error}</p>
          </div>
        )}
      </section>
      <section className="bench-results card" aria-label="Results">
        {report && (
          <p className="bench-matmul" data-testid="bench-matmul" data-gflops={report.matmul.gflops}>
            Reference matmul ({report.matmul.size}³, f32) on this adapter:{' '}
            <strong>
              {Number.isFinite(report.matmul.gflops) ? report.matmul.gflops.toPrecision(3) : '–'}{' '}
              GFLOP/s
            </strong>{' '}
            (
            {report.matmul.source === 'n/a'
              ? 'not measured: no GPU engine in this run'
              : report.matmul.source === 'timestamps'
                ? 'GPU timestamps'
                : 'wall time'}
            )
          </p>
        )}
        <BenchTable rows={rows} />
        <BenchPlot rows={rows} />
        {report && <KernelTable report={report} />}
        {report && (
          <div className="bench-actions">
            <button type="button" data-testid="bench-copy" onClick={copy}>
              Copy as markdown
            </button>
            <button type="button" data-testid="bench-download" onClick={download}>
              Download JSON
            </button>
            {copied && <span className="bench-copied">{copied}</span>}
          </div>
        )}
        {report && (
          <details className="bench-markdown">
            <summary>Markdown</summary>
            <pre data-testid="bench-markdown">{markdown}</pre>
          </details>
        )}
      </section>
    </div>
  );
}
