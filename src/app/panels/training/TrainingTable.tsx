import type { ExperimentReport } from '../../../solvers/learn/lab/report';
import { METHOD_INFO } from '../../../solvers/learn/lab/methods';
import { methodColor } from './Charts';

const num = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(1) : '—');

/**
 * The run's table: per problem and method, the test regret of the best-on-validation epoch (mean ±
 * std over seeds), the gradient norm's last/first ratio (≪ 1: the collapse of Figure 3b), the share
 * of training samples with a zero gradient in the last epoch, solver time per sample, failures.
 */
export function TrainingTable({ report, final }: { report: ExperimentReport; final: boolean }) {
  const multi = new Set(report.table.map((r) => r.problem)).size > 1;
  if (report.table.length === 0 && report.disabled.length === 0) return null;
  return (
    <section className="training-table" aria-label="Results">
      <h3>{final ? 'Final table' : 'Table so far'}</h3>
      <div className="table-scroll">
        <table data-testid="training-table">
          <thead>
            <tr>
              {multi && <th>Problem</th>}
              <th>Method</th>
              <th title="Test regret of the epoch best on validation (You Shall Pass App. C)">
                Test regret
              </th>
              <th title="Epoch of the lowest validation regret (mean over seeds)">Best epoch</th>
              <th title="Last epoch's gradient norm over the first's">∇ last/first</th>
              <th title="Training samples whose gradient was exactly zero in the last epoch">
                Zero ∇
              </th>
              <th title="Forward solve time per training sample">Fwd ms</th>
              <th title="Backward pass time per training sample">Bwd ms</th>
              <th title="Solves that did not end solved (left out, counted)">Failed</th>
              <th title="Engine of the forward solves / backward passes">Engine</th>
            </tr>
          </thead>
          <tbody>
            {report.table.map((r) => {
              const entry = report.methods[multi ? `${r.problem}/${r.method}` : r.method];
              return (
                <tr
                  key={`${r.problem}/${r.method}`}
                  data-method={r.method}
                  data-problem={r.problem}
                >
                  {multi && <td>{r.problem}</td>}
                  <td>
                    <span className="sw" style={{ background: methodColor(r.method) }} /> {r.label}
                  </td>
                  <td data-testid="regret-cell" data-value={r.regret_test_mean}>
                    {r.regret_test}
                  </td>
                  <td>{num(entry?.final.best_epoch ?? NaN, 1)}</td>
                  <td>{sci(r.grad_norm_ratio)}</td>
                  <td>{num(r.zero_grad_share, 2)}</td>
                  <td>{num(r.forward_ms_per_sample, 3)}</td>
                  <td>{num(r.backward_ms_per_sample, 3)}</td>
                  <td>{r.failures}</td>
                  <td>
                    {entry?.final.forward_engine ?? '—'}/{entry?.final.backward_engine ?? '—'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {report.disabled.length > 0 && (
        <ul className="training-disabled" data-testid="training-disabled">
          {report.disabled.map((d) => (
            <li key={`${d.problem}/${d.method}`}>
              <strong>{METHOD_INFO[d.method].label}</strong>
              {multi ? ` on ${d.problem}` : ''} was not run: {d.reason}.
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
