/** The benchmark report as markdown tables (the CLI's output and the panel's "Copy as markdown"). */
import type { BenchReport } from './types';

const f = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toPrecision(digits);

/** Text for a table cell: one line, no pipe that would split the cell. */
const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|');

export function reportMarkdown(r: BenchReport): string {
  const m = r.matmul;
  const lines = [
    `### Time per problem (ms), adapter: ${r.adapter ?? 'none'}`,
    '',
    `eps ${r.config.eps}, max_iter ${r.config.maxIter}${r.config.polish ? ', polished in Float64' : ''}; ${r.host}; ${r.startedAt}. Speed-up = CPU total / GPU total on the same problems in this run.`,
    '',
    '| size | batch | engine | forward | backward | total | speed-up | solved | cos sim (grad) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (w) =>
        `| ${w.size} | ${w.batch} | ${w.engine} | ${f(w.forward)} | ${f(w.backward)} | ${f(w.total)} | ${w.speedup === null ? '–' : `${f(w.speedup)}×`} | ${w.solved}/${w.batch} | ${f(w.cosSim, 6)} |`,
    ),
  ];
  const kernelRows = r.rows.flatMap((w) =>
    Object.entries(w.kernels ?? {}).map(
      ([k, v]) =>
        `| ${w.size} | ${w.batch} | ${w.engine} | ${k} | ${f(v.ms)} | ${f(v.gflops)} | ${f(v.fractionOfMatmul, 2)} |`,
    ),
  );
  if (kernelRows.length > 0) {
    lines.push(
      '',
      `### GPU kernels: achieved GFLOP/s and fraction of the reference matmul (${m.size}³: ${f(m.gflops)} GFLOP/s, ${m.source})`,
      '',
      '| size | batch | engine | kernel | GPU ms | GFLOP/s | of matmul |',
      '|---|---|---|---|---|---|---|',
      ...kernelRows,
    );
  }
  const errors = r.rows.filter((w) => w.error);
  if (errors.length > 0) {
    lines.push(
      '',
      '### Errors',
      '',
      '| size | batch | engine | error |',
      '|---|---|---|---|',
      ...errors.map((w) => `| ${w.size} | ${w.batch} | ${w.engine} | ${cell(w.error ?? '')} |`),
    );
  }
  if (r.error) lines.push('', `**The run stopped early:** ${cell(r.error)}`);
  return lines.join('\n') + '\n';
}
