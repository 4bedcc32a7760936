/**
 * `npm run bench` as a new user meets it (issue 8): --help runs nothing, bad flags are one line and
 * exit 2, absurd sizes are refused, a reference solver that throws (HiGHS at batch 1024) becomes
 * that row's error, and the JSON and markdown reports are written even when the run stops.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { benchCommand, parseBenchArgs } from '../../src/cli/bench';
import type { CliIo } from '../../src/cli/console';
import type { GpuEngines } from '../../src/gpu/browser';
import type { BenchReport } from '../../src/gpu/benchmark/types';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run bench -- ARGS` in a child process, killed after 60 s. */
function bench(args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'scripts/bench.ts', ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 2 ** 20 },
  );
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function bufferIo(): CliIo & { stdout: string; stderr: string[] } {
  const io = {
    stdout: '',
    stderr: [] as string[],
    out: async (text: string) => void (io.stdout += text),
    err: (line: string) => void io.stderr.push(line),
  };
  return io;
}

function reports(out: string): { json: BenchReport; md: string } {
  const names = readdirSync(out);
  const json = names.find((n) => n.endsWith('.json'));
  const md = names.find((n) => n.endsWith('.md'));
  expect(json && md, names.join(', ')).toBeTruthy();
  return {
    json: JSON.parse(readFileSync(join(out, json!), 'utf8')) as BenchReport,
    md: readFileSync(join(out, md!), 'utf8'),
  };
}

describe('bench command line', () => {
  it('--help prints the usage, exits 0 and runs nothing', () => {
    const out = join(dir, 'help');
    const r = bench(['--help', '--out', out]);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run bench -- \[options\]/);
    expect(r.stdout).toContain('--max-memory-mb');
    expect(r.stderr).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['--sizes'], '--sizes needs a value'],
    [['--sizes', '10'], "--sizes: bad size '10', expected d x meq like 10x5"],
    [['--sizes', '10x5,'], "--sizes: empty item in '10x5,'"],
    [['--sizes', '0x0'], "--sizes: d = 0 in '0x0' is not in 1..2000"],
    [['--sizes', '100000x5'], "--sizes: d = 100000 in '100000x5' is not in 1..2000"],
    [
      ['--sizes', '10x50'],
      "--sizes: meq = 50 in '10x50' exceeds d = 10 (more equalities than variables)",
    ],
    [['--batches', '0'], '--batches: 0 is not in 1..16384'],
    [['--batches', '1e9'], "--batches: bad batch size '1e9'"],
    [['--batches', '-1'], "--batches: bad batch size '-1'"],
    [
      ['--engines', 'tpu'],
      "--engines: unknown engine 'tpu' (engines: cpu,cpu-shared,gpu,gpu-shared,quadprog,highs)",
    ],
    [['--engines', 'cpu,cpu'], "--engines: 'cpu' is listed twice"],
    [['--eps', '2'], '--eps must lie in (0, 1), got 2'],
    [['--eps', 'abc'], "--eps needs a number, got 'abc'"],
    [['--max-iter', '0'], '--max-iter must lie in 1..1000000, got 0'],
    [['--matmul', '99999'], '--matmul must lie in 1..2048, got 99999'],
    [['--max-memory-mb', '-1'], '--max-memory-mb must be > 0, got -1'],
    [['--polish=yes'], '--polish takes no value'],
    [['extra'], "bench takes no positional arguments, got 'extra'"],
    [['--set', 'netlib'], "--set must be one of maros-meszaros, bpqp, got 'netlib'"],
    [['--problems', 'HS21'], '--problems needs --set'],
    [['--osqp', 'off'], '--osqp needs --set'],
    [
      ['--set', 'maros-meszaros', '--handles', '3'],
      '--set and --handles are two different benchmarks: choose one',
    ],
    [
      ['--sizes', '2000x1000', '--batches', '16384', '--max-memory-mb', '8192'],
      'size 2000x1000 at batch 16384 needs about 4503375 MB, above the memory limit of 8192 MB (raise it with --max-memory-mb)',
    ],
  ])('%j → one line, exit 2', async (argv, message) => {
    const io = bufferIo();
    expect(await benchCommand(argv, io)).toBe(2);
    expect(io.stdout).toBe('');
    expect(io.stderr).toEqual([`error: ${message}`]);
  });

  it('a bad flag in the real script is one stderr line, no stack trace', () => {
    const r = bench(['--sizes', 'huge']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("error: --sizes: bad size 'huge', expected d x meq like 10x5\n");
  });

  it('the defaults are the README table (sizes, batches 1, 64, 1024, every engine)', () => {
    const args = parseBenchArgs(['--max-memory-mb', '100000']);
    if (args === 'help') throw new Error('unexpected help');
    expect(args.config.sizes.map((s) => `${s.d}x${s.meq}`)).toEqual([
      '10x5',
      '50x10',
      '100x20',
      '500x100',
    ]);
    expect(args.config.batches).toEqual([1, 64, 1024]);
    expect(args.out).toBe('bench-out');
  });
});

describe('bench --set maros-meszaros', () => {
  it('without OSQP: the README reference times, said so; the summary counts what it says', async () => {
    const io = bufferIo();
    const out = join(dir, 'set');
    const argv = ['--set', 'maros-meszaros', '--problems', 'TAME,HS21', '--osqp', 'off'];
    expect(await benchCommand([...argv, '--out', out], io)).toBe(0);
    expect(io.stderr).toEqual([]);
    const md = readdirSync(out).find((f) => f.endsWith('.md')) as string;
    const json = JSON.parse(readFileSync(join(out, md.replace(/\.md$/, '.json')), 'utf8')) as {
      config: { eps: number; polish: boolean };
      summary: { problems: number; within1e6: number; wrongSolved: string[]; osqpSource: string };
      rows: { name: string; ours: { status: string }; relErr: number; osqpMs?: number }[];
    };
    expect(json.config).toMatchObject({ eps: 1e-6, polish: true });
    expect(json.rows.map((r) => [r.name, r.ours.status])).toEqual([
      ['HS21', 'solved'],
      ['TAME', 'solved'],
    ]);
    expect(json.summary).toMatchObject({ problems: 2, within1e6: 2, wrongSolved: [] });
    expect(json.summary.osqpSource).toMatch(
      /^osqp not importable \(off \(--osqp off\)\); OSQP 1\.1\.3's reference times from .*README\.md/,
    );
    // TAME is in the README's list (0.03 ms), HS21 is not.
    expect(json.rows.find((r) => r.name === 'TAME')?.osqpMs).toBe(0.03);
    expect(json.rows.find((r) => r.name === 'HS21')?.osqpMs).toBeUndefined();
    expect(readFileSync(join(out, md), 'utf8')).toMatch(/\| TAME \| 2 \| 3 \| 7 \| solved \|/);
  });
});

describe('bench failures are recorded, not fatal', () => {
  it('HiGHS throwing at batch 1024 is that row error; both reports are written', () => {
    const out = join(dir, 'highs');
    const r = bench(['--sizes', '10x5', '--batches', '1024', '--engines', 'highs', '--out', out]);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // It once dumped 260 KB of minified HiGHS code to the terminal.
    expect(r.stdout.length).toBeLessThan(4000);
    const { json, md } = reports(out);
    expect(json.rows).toHaveLength(1);
    const [row] = json.rows;
    expect(row.error).toMatch(
      /^highs threw on \d+ of 1024 problems \(counted unsolved\); first: problem \d+: Unable to solve the problem\. HiGHS error -1$/,
    );
    expect(row.solved).toBeLessThan(1024);
    expect(md).toContain('### Errors');
    expect(md).toContain(row.error);
  });

  it('a reference throwing a huge message gets a one-line, bounded row error', async () => {
    const out = join(dir, 'huge');
    const io = bufferIo();
    let calls = 0;
    const code = await benchCommand(
      ['--sizes', '4x1', '--batches', '3', '--engines', 'highs', '--out', out],
      io,
      {
        gpu: null,
        references: {
          highs: () => {
            if (calls++ === 1) throw new Error('function Module(){' + 'x'.repeat(260_000) + '\n}');
            return true;
          },
        },
      },
    );
    expect(code).toBe(0);
    const { json } = reports(out);
    expect(json.rows[0].solved).toBe(2);
    expect(json.rows[0].error).toMatch(
      /^highs threw on 1 of 3 problems .*first: problem 1: function Module/,
    );
    expect(json.rows[0].error!.length).toBeLessThan(500);
    expect(json.rows[0].error).not.toContain('\n');
  });

  it('a run that stops still writes what it measured, and says so in one line (exit 3)', async () => {
    const out = join(dir, 'stopped');
    const io = bufferIo();
    const brokenGpu = { ctx: {}, engine: {}, backward: {} } as unknown as GpuEngines;
    const code = await benchCommand(
      ['--sizes', '4x1', '--batches', '1', '--engines', 'cpu,gpu', '--out', out],
      io,
      { gpu: brokenGpu, references: {} },
    );
    expect(code).toBe(3);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(
      /^error: the benchmark stopped: .*; the 0 rows measured are in .*\.json and .*\.md$/,
    );
    const { json, md } = reports(out);
    expect(json.error).toBeTruthy();
    expect(md).toContain('**The run stopped early:**');
  });
});
