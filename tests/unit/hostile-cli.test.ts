/**
 * Issue 8, "input that cannot hurt": each hostile input that once hurt the machine, run through the
 * real CLI in a child process. Each ends in the documented exit status with one clear line (or a
 * result), within a bounded time (the spawn's timeout kills a run that would go on; the test then
 * fails on the signal) and a bounded peak memory (maxRSS, reported by tests/unit/maxrss.mjs).
 * No wall-clock speed is asserted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hostile-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the CLI process, MB. */
  maxRssMb: number;
}

/** Runs `node src/cli/main.ts ARGS` as `npm run cli` does, killed after `timeoutMs`. */
function cli(args: string[], options: { input?: string; timeoutMs?: number } = {}): Run {
  const rssFile = join(dir, `rss-${files++}`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './tests/unit/maxrss.mjs', 'src/cli/main.ts', ...args],
    {
      cwd: ROOT,
      input: options.input ?? '',
      encoding: 'utf8',
      env: { ...process.env, ARGMIN_DEBUG: '', MAXRSS_FILE: rssFile },
      timeout: options.timeoutMs ?? 30_000,
      maxBuffer: 64 * 2 ** 20,
    },
  );
  const maxRssMb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : NaN;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, maxRssMb };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, `${files++}-${name}`);
  writeFileSync(path, content);
  return path;
}

/** Exit `code`, nothing on stdout, exactly one stderr line matching `pattern`, no stack trace. */
function expectOneLineError(r: Run, code: number, pattern: RegExp): void {
  expect(r.signal, 'killed by the timeout').toBeNull();
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

/** The n-variable box-constrained problem with P = 0 (an LP): -1 ≤ x ≤ 1, A = I in CSC. */
function boxLp(n: number): Record<string, unknown> {
  return {
    q: Array.from({ length: n }, (_, i) => (i % 7) - 3),
    A: {
      shape: [n, n],
      indptr: Array.from({ length: n + 1 }, (_, j) => j),
      indices: Array.from({ length: n }, (_, j) => j),
      data: new Array(n).fill(1),
    },
    l: new Array(n).fill(-1),
    u: new Array(n).fill(1),
  };
}

const SMALL = { P: [[2]], q: [-2], A: [[1]], l: [0], u: [0.5] };

describe('memory is estimated from declared shapes before anything is allocated', () => {
  it('a 115-byte file declaring A of shape [50000000, 1]: one line, exit 1, ~100 MB', () => {
    const text =
      '{"name":"tall","q":[0],"A":{"shape":[50000000,1],"indptr":[0,0],"indices":[],"data":[]},"comment":"a one-column A"}';
    expect(text.length).toBe(115);
    const r = cli(['solve', file('tall.json', text)], { timeoutMs: 20_000 });
    expectOneLineError(
      r,
      1,
      /tall\.json: n = 1 variables and m = 50000000 rows with 0 stored entries: it needs about [\d.]+ GB before its LDLᵀ factor \(data .*\), above the memory limit of 2048 MB \(raise it with --max-memory-mb\)$/,
    );
    // It once grew to 10.9 GB; now it is the size of Node itself.
    expect(r.maxRssMb).toBeLessThan(250);
  });

  it('n = 7000 with an empty P and --time-limit 2: the sparse engine solves it within the limit', () => {
    // Once a dense setup that ran for minutes; now P and A are stored as CSC and factored by LDLᵀ.
    const r = cli(['solve', file('n7000.json', JSON.stringify(boxLp(7000))), '--time-limit', '2']);
    expect(r.signal, 'killed by the timeout').toBeNull();
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(['solved', 'time_limit_reached']).toContain(out.status);
    expect(out.linsys).toBe('sparse');
    expect(r.maxRssMb).toBeLessThan(400);
  });

  it('--max-memory-mb lowers the limit, and its value is checked', () => {
    const path = file('box300.json', JSON.stringify(boxLp(300)));
    expectOneLineError(
      cli(['solve', path, '--max-memory-mb', '0.1']),
      1,
      /above the memory limit of 0\.1 MB \(raise it with --max-memory-mb\)$/,
    );
    expectOneLineError(
      cli(['solve', path, '--max-memory-mb', '0']),
      2,
      /^error: --max-memory-mb must be > 0, got 0$/,
    );
  });
});

describe('the bytes read are capped', () => {
  it('solve /dev/zero: one line, exit 1, at the first chunk', () => {
    const r = cli(['solve', '/dev/zero'], { timeoutMs: 20_000 });
    expectOneLineError(
      r,
      1,
      /^error: \/dev\/zero: binary data \(a NUL byte at offset 0\), not a JSON or QPS text file$/,
    );
    expect(r.maxRssMb).toBeLessThan(250);
  });

  it('an endless text stream on stdin stops at --max-input-mb', () => {
    const r = cli(['solve', '-', '--max-input-mb', '1'], { input: '{"q": ['.padEnd(3e6, '0,') });
    expectOneLineError(
      r,
      1,
      /^error: stdin: larger than the input limit of 1 MB \(raise it with --max-input-mb\)$/,
    );
    expect(r.maxRssMb).toBeLessThan(250);
  });

  it('a large regular file is refused by its size, before reading', () => {
    const big = file('big.qps', '* comment\n'.repeat(200_000));
    expectOneLineError(
      cli(['solve', big, '--max-input-mb', '0.5']),
      1,
      /big\.qps: larger than the input limit of 0\.5 MB \(raise it with --max-input-mb\)$/,
    );
  });

  it('UTF-16 is named as such rather than reported as garbage', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"q":[1]}', 'utf16le')]);
    expectOneLineError(cli(['solve', file('w.json', utf16)]), 1, /UTF-16 text is not supported/);
  });
});

describe('--time-limit covers setup', () => {
  it('n = 3000 on the dense path (a setup of about a minute) stops near the limit with time_limit_reached', () => {
    const path = file('n3000.json', JSON.stringify(boxLp(3000)));
    const r = cli(['solve', path, '--time-limit', '1', '--linsys', 'dense'], {
      timeoutMs: 30_000,
    });
    expect(r.signal, 'killed by the timeout').toBeNull();
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('time_limit_reached');
    expect(out.iter).toBe(0);
    expect(out.x).toHaveLength(3000);
    expect(out.x[0]).toBeNull();
    expect(out.message).toMatch(/^the time limit ran out during .* \(setup\), before any iterate$/);
    expect(r.maxRssMb).toBeLessThan(1500);
  });

  it('in a batch, problems done before the deadline keep their results', () => {
    const batch = { batch: [SMALL, boxLp(3000), SMALL] };
    const r = cli([
      'solve',
      file('mixed.json', JSON.stringify(batch)),
      '--time-limit',
      '1',
      '--linsys',
      'dense',
    ]);
    expect(r.code).toBe(0);
    const { results } = JSON.parse(r.stdout);
    expect(results.map((x: { status: string }) => x.status)).toEqual([
      'solved',
      'time_limit_reached',
      'time_limit_reached',
    ]);
    expect(results[0].x[0]).toBeCloseTo(0.5, 6);
    expect(results[2].message).toBe('the time limit ran out before this problem was started');
  });

  it('when ADMM itself runs out of time the iterate is still returned', () => {
    // eps 1e-300 is never met: only the solver's own time check ends the iteration. The limit
    // counts from the command's start, so it must leave room for Node, the worker thread and the
    // setup of this small LP even on a loaded machine (0.5 s did not, once): then the deadline
    // always falls inside ADMM, whose first chunk runs before the clock is read.
    const r = cli([
      'solve',
      file('box50.json', JSON.stringify(boxLp(50))),
      '--time-limit',
      '4',
      '--eps-abs',
      '0',
      '--eps-rel',
      '1e-300',
      '--max-iter',
      '100000000',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('time_limit_reached');
    expect(out.iter).toBeGreaterThan(0);
    expect(out.x.every(Number.isFinite)).toBe(true);
  });
});

describe('parser warnings and truncated QPS', () => {
  const hs21 = readFileSync(join(ROOT, 'tests/fixtures/hs21.qps'), 'utf8');
  const cut = hs21.slice(0, hs21.indexOf('BOUNDS'));

  it('a QPS file cut off before BOUNDS is an error naming the flag that accepts it', () => {
    expectOneLineError(
      cli(['solve', file('cut.qps', cut)]),
      1,
      /cut\.qps: the file ends in RHS at line 15 without ENDATA: it may be truncated \(--allow-truncated accepts it\)$/,
    );
  });

  it('with --allow-truncated it is solved, and the warning is on stderr and in the JSON', () => {
    const path = file('cut.qps', cut);
    const r = cli(['solve', path, '--allow-truncated']);
    expect(r.code).toBe(0);
    const warning = `${path}: the file ends in RHS at line 15 without ENDATA: it may be truncated; read as it is`;
    expect(r.stderr).toBe(`warning: ${warning}\n`);
    expect(JSON.parse(r.stdout).warnings).toEqual([warning]);
  });
});

describe('keys, byte-order marks and escape sequences', () => {
  it('"Q" instead of "P" is an error, not an LP', () => {
    const r = cli(['solve', file('q.json', JSON.stringify({ Q: [[1]], q: [1] }))]);
    expectOneLineError(r, 1, /q\.json: unknown top-level key "Q" \(did you mean "P"\?\)/);
  });

  it('a UTF-8 byte-order mark is accepted in JSON and QPS', () => {
    const json = cli(['solve', file('bom.json', '\ufeff' + JSON.stringify(SMALL))]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).x[0]).toBeCloseTo(0.5, 6);
    const hs21 = readFileSync(join(ROOT, 'tests/fixtures/hs21.qps'), 'utf8');
    const qps = cli(['solve', file('bom.qps', '\ufeff' + hs21)]);
    expect(qps.code).toBe(0);
    expect(JSON.parse(qps.stdout).obj).toBeCloseTo(-99.96, 6);
  });

  it('no raw escape sequence from the input reaches the terminal', () => {
    const qps = 'NAME X\nROWS\n N obj\n\u001b]0;owned\u0007\u001b[2JFOO\n';
    const r = cli(['solve', '-', '--format', 'qps'], { input: qps });
    expectOneLineError(r, 1, /unknown section '\\x1b]0;owned\\x07\\x1b\[2JFOO'/);
    const named = cli([
      'solve',
      file('n.json', JSON.stringify({ ...SMALL, name: 'a\u001b[31m\u009bb' })),
    ]);
    expect(named.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(named.stdout.trimEnd()).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(JSON.parse(named.stdout).name).toBe('a\u001b[31m\u009bb');
  });
});

describe('grad checks every option before solving', () => {
  // A file that does not exist: the option must be refused before the file is even read.
  const missing = join(dir, 'does-not-exist.json');
  it.each([
    [['--delta', '0'], /^error: --delta must be a positive number, got 0$/],
    [['--tau', '-1'], /^error: --tau must be a positive number, got -1$/],
    [
      ['--method', 'smoothed-qp', '--tau', '-1'],
      /^error: --tau must be a positive number, got -1$/,
    ],
    [['--method', 'lpgd', '--rho', '-1'], /^error: --rho must be a non-negative number, got -1$/],
    [
      ['--method', 'fd', '--engine', 'gpu'],
      /^error: --method fd is not implemented on --engine gpu/,
    ],
    [['--max-input-mb', '-3'], /^error: --max-input-mb must be > 0, got -3$/],
  ])('%j → exit 2', (flags, pattern) => {
    expectOneLineError(cli(['grad', missing, '--dl-dx', '[1]', ...flags]), 2, pattern);
  });
});

describe('a reader that closes the pipe early', () => {
  it('solve FILE | head: the CLI ends quietly, without an EPIPE stack trace', async () => {
    const path = file('box600.json', JSON.stringify(boxLp(600)));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'solve', path, '--max-iter', '5', '--no-polish'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
