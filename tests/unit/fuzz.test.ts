/**
 * Fuzz test of every input path (issue 8): a few thousand mutated JSON and QPS files, from the
 * Maros–Meszaros set and small hand-made files (tests/unit/fuzz-gen.ts), go through the parser
 * and through the CLI's entry point `runCli` with small limits. Asserted for every case:
 *   - the parser returns or throws a ProblemFormatError with a one-line message, nothing else;
 *   - runCli never throws, exits 0 with JSON on stdout or exits 1 with exactly one inert
 *     `error:` line on stderr (never 3, an internal error);
 *   - nothing hangs: by construction, through --max-iter 200, --max-memory-mb 2 (n ≲ 130 in the
 *     dense engine, so setup and polish cost milliseconds) and --max-input-mb 1.
 * A failure names its seed; FUZZ_SEED and FUZZ_CASES replay or widen the run.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import type { CliIo } from '../../src/cli/console';
import { ProblemFormatError, parseProblemText } from '../../src/solvers/io';
import { MM_DIR } from '../../src/solvers/qp/testutil';
import { Dice, fuzzCase } from './fuzz-gen';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_801);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Small hand-made files that reach the sections and conventions the big files do not. */
const HAND_MADE = [
  {
    name: 'ranges.qps',
    text: `NAME R\nROWS\n N obj\n L c1\n G c2\n E c3\nCOLUMNS\n x obj 1 c1 1\n x c2 2 c3 1\n y obj -1 c3 1\nRHS\n rhs c1 4 c2 1\n rhs c3 2\nRANGES\n rng c1 2 c3 -1\nBOUNDS\n UP bnd x 3\n MI bnd y\nQUADOBJ\n x x 2\n y x 0.5\n y y 1\nENDATA\n`,
  },
  {
    name: 'qmatrix.qps',
    text: `NAME QM\nOBJSENSE\n MIN\nROWS\n N obj\n E e\nCOLUMNS\n a obj 1 e 1\n b e 1\nRHS\n e 1\nBOUNDS\n FR b a\n LO b b -2\nQMATRIX\n a a 2\n a b 1\n b a 1\n b b 2\nENDATA\n`,
  },
  {
    name: 'fixed.qps',
    text: [
      'NAME          FIX',
      'ROWS',
      ' N  COST',
      ' L  ROW 1',
      'COLUMNS',
      '    X ONE     COST               1.0   ROW 1              2.0',
      'RHS',
      '    RHS       ROW 1              8.0',
      'BOUNDS',
      ' UP BND       X ONE              3.0',
      'ENDATA',
    ].join('\n'),
  },
  {
    name: 'dense.json',
    text: JSON.stringify({
      name: 'dense',
      P: [
        [4, 1],
        [1, 2],
      ],
      q: [1, 1],
      r: 3,
      A: [
        [1, 1],
        [1, 0],
        [0, 1],
      ],
      l: [1, 0, null],
      u: [1, 0.7, 1e20],
    }),
  },
  { name: 'lp.json', text: JSON.stringify({ q: [1, -1], A: [[1, 1]], l: [0], u: [2] }) },
];

function corpus(): { name: string; text: string }[] {
  const fromDir = (folder: string, ext: RegExp) =>
    readdirSync(folder)
      .filter((f) => ext.test(f))
      .map((f) => ({ name: f, text: readFileSync(join(folder, f), 'utf8') }));
  return [
    ...fromDir(MM_DIR, /\.json$/),
    ...fromDir(join(ROOT, 'tests/fixtures'), /\.(json|qps)$/),
    ...HAND_MADE,
  ];
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

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const LIMITS = ['--max-iter', '200', '--max-memory-mb', '2', '--max-input-mb', '1'];

/** Outcomes of the run, for the record: exit codes and solver statuses. */
const tally = new Map<string, number>();
const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);

/** What is wrong with one case's outcome, or null. */
async function check(
  seed: number,
  files: { name: string; text: string }[],
): Promise<string | null> {
  const c = fuzzCase(seed, files);
  const d = new Dice(seed ^ 0x9e3779b9);
  const allowTruncated = d.chance(0.5);

  // The parser alone: a result, or a ProblemFormatError with a one-line message.
  try {
    parseProblemText(c.text, {
      filename: c.name,
      qps: { allowTruncated },
      limits: { maxMemoryBytes: 2 * 2 ** 20 },
    });
  } catch (e) {
    if (!(e instanceof ProblemFormatError)) return `parser threw ${String(e).slice(0, 200)}`;
    if (/[\r\n]/.test(e.message)) return `parser message spans lines: ${e.message.slice(0, 200)}`;
  }

  // The CLI entry point, on the file written to disk.
  const path = join(dir, c.name.replace(/^case-\d+/, 'case'));
  writeFileSync(path, c.text);
  const flags = [...LIMITS];
  if (allowTruncated) flags.push('--allow-truncated');
  if (d.chance(0.3)) flags.push('--no-polish');
  if (d.chance(0.1)) flags.push('--no-scaling');
  if (d.chance(0.1)) flags.push('--format', d.pick(['json', 'qps']));
  const io = bufferIo();
  let code: number;
  try {
    code = await runCli(['solve', path, ...flags], io);
  } catch (e) {
    return `runCli threw ${String(e).slice(0, 200)}`;
  }
  count(`exit ${code}`);
  if (code === 0) {
    try {
      const out = JSON.parse(io.stdout);
      for (const r of out.results ?? [out]) count(r.status);
    } catch {
      return `exit 0 without JSON on stdout: ${io.stdout.slice(0, 200)}`;
    }
    if (io.stderr.some((l) => !l.startsWith('warning: ') || RAW_CONTROL.test(l)))
      return `exit 0 with stderr ${JSON.stringify(io.stderr).slice(0, 300)}`;
    return null;
  }
  if (code !== 1) return `exit ${code}: ${JSON.stringify(io.stderr).slice(0, 300)}`;
  if (io.stdout !== '') return `exit 1 with stdout ${io.stdout.slice(0, 200)}`;
  const errors = io.stderr.filter((l) => !l.startsWith('warning: '));
  if (errors.length !== 1 || !errors[0].startsWith('error: '))
    return `rejection is not one error line: ${JSON.stringify(io.stderr).slice(0, 300)}`;
  if (RAW_CONTROL.test(errors[0])) return `raw control character in ${JSON.stringify(errors[0])}`;
  return null;
}

describe('fuzz: mutated JSON and QPS files', () => {
  it(`${CASES} cases from seed ${SEED}: a result or one error line, never a throw or a hang`, async () => {
    const files = corpus();
    expect(files.length).toBeGreaterThan(15);
    const failures: string[] = [];
    let slowest = { ms: 0, seed: 0 };
    const t0 = performance.now();
    for (let k = 0; k < CASES && failures.length < 5; k++) {
      const seed = SEED + k;
      const t = performance.now();
      const problem = await check(seed, files);
      const ms = performance.now() - t;
      if (ms > slowest.ms) slowest = { ms, seed };
      if (problem) {
        const c = fuzzCase(seed, files);
        failures.push(`seed ${seed} (${c.steps.join('; ')}): ${problem}`);
      }
    }
    // Figures for the record, not assertions.
    console.log(
      `fuzz: ${CASES} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s; slowest ${slowest.ms.toFixed(0)} ms (seed ${slowest.seed}); ${[...tally].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
    expect(failures).toEqual([]);
  });
});
