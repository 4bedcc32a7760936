/**
 * `experiment` from the command line: the JSON report on stdout (issue 9 §3's shape), progress on
 * stderr, --out, and one-line errors with exit 2 for a bad command line, before anything runs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import type { CliIo } from '../../src/cli/console';

async function run(args: string[]) {
  let stdout = '';
  const stderr: string[] = [];
  const io: CliIo = {
    out: async (t) => void (stdout += t),
    err: (l) => void stderr.push(l),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

describe('cli experiment', () => {
  it('prints the documented JSON, progress on stderr, and writes --out', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'argmin-exp-')), 'r.json');
    const r = await run([
      'experiment',
      'portfolio',
      '--quick',
      '--json',
      '--size',
      '6',
      '--samples',
      '40',
      '--epochs',
      '2',
      '--methods',
      'mse,exact,smoothed-qp,true-problem',
      '--lambda',
      '0.5',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(['experiment', 'settings', 'engine', 'methods', 'table']),
    );
    expect(report.experiment).toBe('portfolio');
    expect(report.engine).toMatchObject({ requested: 'cpu', name: 'cpu' });
    expect(Object.keys(report.methods)).toEqual(['mse', 'exact', 'smoothed-qp']);
    const epochs = report.methods.exact.epochs;
    expect(epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2]);
    expect(epochs[0]).toMatchObject({
      regret: { train: expect.any(Number), val: expect.any(Number), test: expect.any(Number) },
      grad_norm: expect.any(Number),
      forward_ms: expect.any(Number),
      backward_ms: expect.any(Number),
    });
    expect(report.methods.exact.final.regret_test.mean).toBeGreaterThanOrEqual(0);
    // SQP is for the LogSumExp problem: not run, with the reason.
    expect(report.disabled).toEqual([
      { problem: 'lambda=0.5', method: 'true-problem', reason: expect.stringMatching(/SQP/) },
    ]);
    expect(r.stderr.some((l) => /epoch 2\/2 test regret/.test(l))).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
  });

  it('refuses a bad command line in one line, exit 2', async () => {
    for (const [args, pattern] of [
      [['experiment'], /which one\?/],
      [['experiment', 'sudoku'], /unknown experiment 'sudoku'/],
      [['experiment', 'linear', '--lambda', '0.1'], /--lambda applies to the portfolio/],
      [['experiment', 'portfolio', '--methods', 'exact,magic'], /unknown method 'magic'/],
      [['experiment', 'portfolio', '--epochs', '0'], /epochs must be an integer from 1/],
      [['experiment', 'portfolio', '--lr', '2'], /learning rate must be in \(0, 1\]/],
      [['experiment', 'portfolio', '--lambda', '0.1,x'], /--lambda: 'x' is not a number/],
      [['experiment', 'linear', '--problems', 'sudoku'], /unknown problem 'sudoku'/],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toHaveLength(1);
      expect(r.stderr[0]).toMatch(pattern);
    }
  });
});
