import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MM_DIR } from '../../src/solvers/qp/testutil';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HS21_REFERENCE = JSON.parse(
  readFileSync(join(MM_DIR, 'HS21.json'), 'utf8'),
).opt_obj_reference;

/** Runs the real CLI (node + tsx, as `npm run cli` does) and returns its exit code and output. */
function cli(
  args: string[],
  input?: string,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, ARGMIN_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Invalid input: a non-zero exit and exactly one stderr line, without a stack trace. */
function expectOneLineError(r: ReturnType<typeof cli>, code: number, pattern: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('cli solve', () => {
  it('solves a QPS file to the Maros–Meszaros reference objective', () => {
    const r = cli(['solve', 'tests/fixtures/hs21.qps']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ name: 'HS21', status: 'solved', engine: 'cpu', polish: 'success' });
    expect(out.obj).toBeCloseTo(HS21_REFERENCE, 6);
    expect(out.x[0]).toBeCloseTo(2, 6);
    expect(out.x[1]).toBeCloseTo(0, 6);
    expect(out.active).toEqual(['inactive', 'lower', 'inactive']);
  });

  it('prints {"results": [...]} for a batch, with the hand-derived optima', () => {
    const r = cli(['solve', 'tests/fixtures/batch.json', '--eps-abs', '1e-6', '--eps-rel', '1e-6']);
    expect(r.code).toBe(0);
    const { results } = JSON.parse(r.stdout);
    expect(results.map((x: { name: string }) => x.name)).toEqual([
      'clipped-projection',
      'equality-csc',
    ]);
    expect(results[0].obj).toBeCloseTo(-2.625, 6);
    [1, 0.5].forEach((v, i) => expect(results[0].x[i]).toBeCloseTo(v, 6));
    [2, 0].forEach((v, i) => expect(results[0].y[i]).toBeCloseTo(v, 6));
    expect(results[1].obj).toBeCloseTo(0.25, 6);
    expect(results[1].active[0]).toBe('equality');
  });

  it('reads QPS from stdin and honours solver flags', () => {
    const text = readFileSync(`${ROOT}tests/fixtures/hs35.qps`, 'utf8');
    const r = cli(
      ['solve', '-', '--no-polish', '--max-iter', '2000', '--eps-abs', '1e-7', '--eps-rel', '1e-7'],
      text,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('solved');
    expect(out.polish).toBe('not_run');
    expect(out.obj).toBeCloseTo(1 / 9, 5);
  });

  it('says which linear system ran; --linsys forces one, and its value is checked', () => {
    const file = join(MM_DIR, 'QAFIRO.json');
    const auto = JSON.parse(cli(['solve', file]).stdout);
    expect(auto.linsys).toBe('sparse');
    const dense = JSON.parse(cli(['solve', file, '--linsys', 'dense']).stdout);
    expect(dense.linsys).toBe('dense');
    expect(dense.obj).toBeCloseTo(auto.obj, 5);
    expectOneLineError(
      cli(['solve', file, '--linsys', 'lu']),
      2,
      /^error: --linsys must be one of auto, dense, sparse, got 'lu'$/,
    );
  });

  it('exits 0 on an infeasible problem and prints NaN as null', () => {
    const r = cli(['solve', 'tests/fixtures/infeasible.json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('primal_infeasible');
    expect(out.obj).toBeNull();
  });

  it('rejects malformed files and bad command lines with one line on stderr', () => {
    expectOneLineError(
      cli(['solve', 'tests/fixtures/bad-columns.json']),
      1,
      /^error: tests\/fixtures\/bad-columns.json: A has 3 columns but q has length 2$/,
    );
    expectOneLineError(
      cli(['solve', 'tests/fixtures/bad-bound.qps']),
      1,
      /^error: tests\/fixtures\/bad-bound.qps: line 10: unknown column 'X9' in BOUNDS$/,
    );
    expectOneLineError(
      cli(['solve', 'tests/fixtures/hs21.qps', '--eps-abs', 'tiny']),
      2,
      /^error: --eps-abs needs a number, got 'tiny'$/,
    );
  });
});
