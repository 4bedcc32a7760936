/**
 * Hostile input to the parsers (issue 8, "input that cannot hurt"): shapes that would exhaust
 * memory are refused before allocating, misspelt keys are errors that name the intended key, a
 * byte-order mark is accepted, a truncated QPS file is an error unless allowed, and text echoed
 * from the file cannot drive a terminal.
 */
import { describe, expect, it } from 'vitest';
import { ProblemFormatError, echo, escapeControl } from './errors';
import { parseProblemJson, problemToJson } from './json';
import { parseQps } from './qps';
import { parseProblemText } from './index';
import { MemoryBudget, sparseFootprint } from './limits';
import { nearestKey } from './keys';

const MB = 2 ** 20;

function refusal(f: () => unknown): ProblemFormatError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemFormatError);
    expect((e as Error).message).not.toMatch(/\n/);
    return e as ProblemFormatError;
  }
  throw new Error('expected a ProblemFormatError');
}

const tall = (rows: number) =>
  JSON.stringify({ q: [0], A: { shape: [rows, 1], indptr: [0, 0], indices: [], data: [] } });

describe('memory estimated from declared shapes', () => {
  it('refuses a tiny file declaring a 50,000,000-row A before allocating it', () => {
    const text = tall(50_000_000);
    expect(text.length).toBeLessThan(100);
    const before = process.memoryUsage().arrayBuffers;
    const e = refusal(() => parseProblemJson(text, { limits: { maxMemoryBytes: 2048 * MB } }));
    expect(e.code).toBe('memory');
    expect(e.message).toMatch(
      /^n = 1 variables and m = 50000000 rows with 0 stored entries: it needs about [\d.]+ GB before its LDLᵀ factor .* above the memory limit of 2048 MB$/,
    );
    // Nothing of the 400 MB that A alone would take was allocated.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * MB);
  });

  it('counts every problem of a batch: data and output add up, the solver workspace is the largest', () => {
    const one = sparseFootprint(300, 300, 0);
    const limit = 2 * (one.data + one.output) + one.solver + 1;
    const batch = (k: number) => ({
      batch: Array.from({ length: k }, () => ({
        q: new Array(300).fill(0),
        A: { shape: [300, 300], indptr: new Array(301).fill(0), indices: [], data: [] },
      })),
    });
    expect(parseProblemJson(batch(2), { limits: { maxMemoryBytes: limit } }).problems).toHaveLength(
      2,
    );
    const e = refusal(() => parseProblemJson(batch(3), { limits: { maxMemoryBytes: limit } }));
    expect(e.message).toMatch(
      /^problem 2: n = 300 variables and m = 300 rows with 0 stored entries: with the problems before it, the file needs/,
    );
  });

  it('estimates a QPS file by its stored entries, not by its dense size', () => {
    // 3000 columns, each in one row: a few kB of text; dense P and A would take 144 MB, the
    // sparse engine's data a few hundred kB.
    const cols = Array.from({ length: 3000 }, (_, j) => ` x${j} c 1`).join('\n');
    const text = `NAME BIG\nROWS\n N obj\n L c\nCOLUMNS\n${cols}\nRHS\n rhs c 1\nENDATA\n`;
    expect(parseQps(text, { limits: { maxMemoryBytes: 64 * MB } }).m).toBe(3001);
    const e = refusal(() => parseQps(text, { limits: { maxMemoryBytes: 0.5 * MB } }));
    expect(e.code).toBe('memory');
    expect(e.message).toMatch(
      /^n = 3000 variables and m = 3001 rows with 6000 stored entries: it needs about/,
    );
  });

  it('without limits only the dimension cap applies', () => {
    expect(parseProblemJson(tall(1000)).problems[0].m).toBe(1000);
    expect(refusal(() => parseProblemJson(tall(100_000_000))).message).toMatch(
      /A has 100000000 rows, too many \(at most 50000000\)/,
    );
  });

  it('the budget itself: admits up to the limit, refuses past it', () => {
    const f = sparseFootprint(10, 5, 20);
    const exact = f.data + f.output + f.solver;
    new MemoryBudget({ maxMemoryBytes: exact }).admit(10, 5, '', 20);
    expect(() => new MemoryBudget({ maxMemoryBytes: exact - 1 }).admit(10, 5, '', 20)).toThrow(
      ProblemFormatError,
    );
    new MemoryBudget().admit(1e6, 1e6, '', 1e7);
  });
});

describe('top-level keys', () => {
  const base = { P: [[1]], q: [1] };

  it.each([
    ['Q', 'P'],
    ['H', 'P'],
    ['lb', 'l'],
    ['UB', 'u'],
    ['p', 'P'],
    ['sorce', 'source'],
    ['opt_obj_ref', 'opt_obj_reference'],
  ])('"%s" is an error that suggests "%s"', (key, near) => {
    const e = refusal(() => parseProblemJson({ ...base, [key]: 1 }));
    expect(e.message).toBe(
      `unknown top-level key "${key}" (did you mean "${near}"?); free-form fields go inside "meta": {...}`,
    );
  });

  it('suggests nothing for a key close to nothing', () => {
    expect(nearestKey('x', ['P', 'q'])).toBeUndefined();
    expect(nearestKey('zzzzzz', ['P', 'q', 'name'])).toBeUndefined();
    expect(refusal(() => parseProblemJson({ ...base, tags: [] })).message).toBe(
      'unknown top-level key "tags"; free-form fields go inside "meta": {...}',
    );
  });

  it('checks batch files and each batch problem, naming the problem', () => {
    expect(refusal(() => parseProblemJson({ Batch: [base] })).message).toMatch(
      /^unknown top-level key "Batch" \(did you mean "batch"\?\)/,
    );
    expect(refusal(() => parseProblemJson({ batch: [base], note: 1 })).message).toMatch(
      /^unknown top-level key in a batch file "note"/,
    );
    expect(
      refusal(() => parseProblemJson({ batch: [base, { ...base, Q: [[1]] }] })).message,
    ).toMatch(/^problem 1: unknown key "Q" \(did you mean "P"\?\)/);
  });

  it('free-form "meta" is kept, round-trips, and cannot reach a prototype', () => {
    const text = `{"q":[1],"name":"t","meta":{"tags":["a"],"__proto__":{"polluted":true}}}`;
    const [p] = parseProblemJson(text).problems;
    expect(p.meta?.tags).toEqual(['a']);
    expect(Object.getPrototypeOf(p.meta)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const json = problemToJson(p);
    expect(json.name).toBe('t');
    expect(Object.keys(json.meta as object)).toEqual(['tags', '__proto__']);
    expect(parseProblemJson(JSON.parse(JSON.stringify(json))).problems[0]).toEqual(p);
    expect(refusal(() => parseProblemJson({ q: [1], meta: 3 })).message).toBe(
      'meta must be an object, got 3',
    );
  });
});

describe('byte-order mark', () => {
  it('is skipped in JSON and QPS, whichever entry point reads them', () => {
    const json = '\ufeff{"P": [[2]], "q": [1]}';
    expect(parseProblemJson(json).problems[0].n).toBe(1);
    expect(parseProblemText(json).format).toBe('json');
    const qps = '\ufeffNAME B\nROWS\n N obj\nCOLUMNS\n x obj 1\nENDATA\n';
    expect(parseQps(qps).meta?.name).toBe('B');
    expect(parseProblemText(qps).format).toBe('qps');
  });
});

describe('truncated QPS', () => {
  const whole =
    'NAME T\nROWS\n N obj\n L c\nCOLUMNS\n x obj 1 c 1\nRHS\n rhs c 4\nBOUNDS\n UP b x 3\nENDATA\n';
  const cut = whole.slice(0, whole.indexOf('BOUNDS'));

  it('is an error naming where the file ends', () => {
    const e = refusal(() => parseQps(cut));
    expect(e.code).toBe('truncated');
    expect(e.message).toBe('the file ends in RHS at line 8 without ENDATA: it may be truncated');
  });

  it('is read with a warning when allowed, and the warning reaches parseProblemText', () => {
    const p = parseQps(cut, { allowTruncated: true });
    expect(p.meta?.warnings).toEqual([
      'the file ends in RHS at line 8 without ENDATA: it may be truncated; read as it is',
    ]);
    const parsed = parseProblemText(cut, { format: 'qps', qps: { allowTruncated: true } });
    expect(parsed.warnings).toEqual(p.meta?.warnings);
    expect(parseProblemText(whole).warnings).toBeUndefined();
  });
});

describe('echoed input', () => {
  it('escapes control characters and cuts long tokens', () => {
    expect(escapeControl('a\u001b[31mb\u009b\u202e\u0007')).toBe('a\\x1b[31mb\\x9b\\u202e\\x07');
    expect(echo('x'.repeat(100))).toBe('x'.repeat(40) + '…');
    expect(echo('😀'.repeat(30), 5)).toBe('😀😀…');
  });

  it('never puts a raw escape sequence from a QPS or JSON file into a message', () => {
    const messages = [
      refusal(() => parseQps('NAME X\nROWS\n N obj\n\u001b]0;owned\u0007FOO\n')).message,
      refusal(() => parseQps('NAME X\nROWS\n N obj\n \u001b[2J c\n')).message,
      refusal(() => parseProblemJson({ q: [1], '\u001b[2Jx': 1 })).message,
      refusal(() => parseProblemJson({ q: ['\u009b31m'] })).message,
      refusal(() => parseQps(`NAME X\nROWS\n N obj\nCOLUMNS\n x obj ${'9'.repeat(5000)}e\n`))
        .message,
    ];
    for (const m of messages) {
      // eslint-disable-next-line no-control-regex
      expect(m).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(m.length).toBeLessThan(300);
    }
    expect(messages[0]).toContain("'\\x1b]0;owned\\x07FOO'");
  });
});
