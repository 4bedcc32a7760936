/**
 * Times the Training lab II experiments on the CPU engine and prints their tables:
 *
 *   npx tsx scripts/lab2-time.ts [--quick] [--json FILE] [sobolev] [l2o] [sudoku]
 *
 * (no names: all three). Each line gives the wall time of one `run` with its defaults; the machine's
 * load average is printed first, since the budget (60 s per default run) is for this 2-core machine.
 */
import { loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { LAB2, LAB2_EXPERIMENTS, type Lab2Experiment } from '../src/solvers/learn/lab2';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const names = args.filter((a, i) => !a.startsWith('--') && i !== jsonAt + 1) as Lab2Experiment[];
const which = names.length > 0 ? names : LAB2_EXPERIMENTS;
const fmt = (v: unknown): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : String(v);

console.log(
  `load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}; ${quick ? 'quick' : 'default'} runs`,
);
const reports: Record<string, unknown> = {};
for (const name of which) {
  if (!LAB2_EXPERIMENTS.includes(name)) throw new Error(`unknown experiment '${name}'`);
  const t0 = performance.now();
  const report = await LAB2[name].run({ quick }, {});
  const s = (performance.now() - t0) / 1000;
  reports[name] = report;
  console.log(`\n${name}: ${s.toFixed(1)} s (engine: ${report.engine.adapter})`);
  for (const row of report.table as object[]) {
    const cells = Object.entries(row)
      .filter(([, v]) => typeof v !== 'object')
      .map(([k, v]) => `${k}=${fmt(v)}`);
    console.log('  ' + cells.join(' '));
  }
  if ('findings' in report) console.log('  findings: ' + JSON.stringify(report.findings));
  if ('delta' in report)
    for (const d of report.delta)
      console.log(
        `  δ study ${d.family}: slopes mse ${fmt(d.slopes.mse.slope)} (points ${d.slopes.mse.used}), ` +
          `sobolev ${fmt(d.slopes.sobolev.slope)} (points ${d.slopes.sobolev.used}); ` +
          d.points
            .map(
              (p) =>
                `δ=${fmt(p.delta)}: ${p.mse.sup.toExponential(2)} / ${p.sobolev.sup.toExponential(2)}`,
            )
            .join(', '),
      );
}
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(reports, null, 1));
console.log(
  `\nload average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
