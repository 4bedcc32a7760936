import type { BenchReport, BenchRow } from '../../../gpu/benchmark/types';
import { ENGINE_LABELS } from './options';

/** 3 significant digits, but no exponent for large values (1508, not 1.51e+3). */
const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v)
    ? '–'
    : Math.abs(v) >= 10 ** digits
      ? Math.round(v).toString()
      : v.toPrecision(digits);
const attr = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

/** Forward / backward / total ms per problem, speed-up, solved count and gradient accuracy. */
export function BenchTable({ rows }: { rows: BenchRow[] }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Benchmark results">
      <table className="bench-table" data-testid="bench-table" id="bench-table">
        <thead>
          <tr>
            <th>size d×meq</th>
            <th>batch</th>
            <th>engine</th>
            <th title="Forward solve, milliseconds per problem">forward (ms per problem)</th>
            <th title="Backward pass (exact KKT), milliseconds per problem">
              backward (ms per problem)
            </th>
            <th title="Forward and backward, milliseconds per problem">total (ms per problem)</th>
            <th title="CPU total ÷ GPU total, on the same problems, measured in this run">
              speed-up
            </th>
            <th title="Problems that ended solved or solved_inaccurate">solved</th>
            <th title="Mean cosine of the gradients (q, l, u, P, A) vs the exact Float64 KKT gradient at a tight CPU solution">
              grad cosine
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={`${r.size}-${r.batch}-${r.engine}`}
              data-testid="bench-row"
              data-size={r.size}
              data-batch={r.batch}
              data-engine={r.engine}
              data-forward={attr(r.forward)}
              data-backward={attr(r.backward)}
              data-total={attr(r.total)}
              data-solved={r.solved}
              data-cos={attr(r.cosSim)}
              data-speedup={attr(r.speedup)}
            >
              <td>{r.size.replace('x', '×')}</td>
              <td>{r.batch}</td>
              <td>{ENGINE_LABELS[r.engine] ?? r.engine}</td>
              <td>{fmt(r.forward)}</td>
              <td>{fmt(r.backward)}</td>
              <td>{fmt(r.total)}</td>
              <td>{r.speedup === null ? '–' : `${fmt(r.speedup)}×`}</td>
              <td className={r.solved === r.batch ? 'ok' : 'bad'}>
                {r.solved}/{r.batch}
              </td>
              <td>{fmt(r.cosSim, 6)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Each GPU kernel's achieved GFLOP/s and its fraction of the adapter's measured matmul. */
export function KernelTable({ report }: { report: BenchReport }) {
  const rows = report.rows.flatMap((r) =>
    Object.entries(r.kernels ?? {}).map(([kernel, k]) => ({ r, kernel, k })),
  );
  if (rows.length === 0) return null;
  const m = report.matmul;
  return (
    <details className="bench-kernels" open>
      <summary>
        GPU kernels: achieved GFLOP/s and fraction of the reference matmul ({m.size}³:{' '}
        {fmt(m.gflops)} GFLOP/s,{' '}
        {m.source === 'timestamps'
          ? 'GPU timestamps'
          : 'wall time: this adapter has no timestamp queries'}
        )
      </summary>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="GPU kernels">
        <table className="bench-table" data-testid="kernel-table">
          <thead>
            <tr>
              <th>size</th>
              <th>batch</th>
              <th>engine</th>
              <th>kernel</th>
              <th>GPU time (ms)</th>
              <th>GFLOP/s</th>
              <th>of matmul</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ r, kernel, k }) => (
              <tr key={`${r.size}-${r.batch}-${r.engine}-${kernel}`}>
                <td>{r.size.replace('x', '×')}</td>
                <td>{r.batch}</td>
                <td>{ENGINE_LABELS[r.engine] ?? r.engine}</td>
                <td>{kernel}</td>
                <td>{fmt(k.ms)}</td>
                <td>{fmt(k.gflops)}</td>
                <td>{fmt(k.fractionOfMatmul, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
