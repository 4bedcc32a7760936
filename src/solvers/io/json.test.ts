import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cscToDense, toRows } from '../linalg/dense';
import { toDenseProblem } from '../qp/matrix';
import type { CscMatrix } from '../qp/types';
import { ProblemFormatError } from './errors';
import { parseProblemJson, problemToJson } from './json';

/** The parsed (CSC) problem with dense P (full) and A, to compare with arrays of rows. */
const dense = (p: Parameters<typeof toDenseProblem>[0]) => toDenseProblem(p);

import { MM_DIR } from '../qp/testutil';

/** A small valid problem (dense), mutated by the malformed-input cases. */
function base(): Record<string, unknown> {
  return {
    P: [
      [2, 0],
      [0, 1],
    ],
    q: [1, -1],
    A: [
      [1, 1],
      [1, 0],
      [0, 1],
    ],
    l: [1, 0, 0],
    u: [1, 0.7, 0.7],
  };
}

function errorOf(input: unknown): string {
  try {
    parseProblemJson(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemFormatError);
    return (e as Error).message;
  }
  throw new Error('expected a ProblemFormatError');
}

describe('parseProblemJson: valid input', () => {
  it('reads a dense problem and infers n and m', () => {
    const { problems, batch } = parseProblemJson(JSON.stringify(base()));
    expect(batch).toBe(false);
    const [p] = problems;
    expect([p.n, p.m, p.r]).toEqual([2, 3, 0]);
    expect(toRows(dense(p).P)).toEqual([
      [2, 0],
      [0, 1],
    ]);
    expect(toRows(dense(p).A)).toEqual([
      [1, 1],
      [1, 0],
      [0, 1],
    ]);
    expect(Array.from(p.q)).toEqual([1, -1]);
    expect(Array.from(p.l)).toEqual([1, 0, 0]);
    expect(Array.from(p.u)).toEqual([1, 0.7, 0.7]);
    expect(p.meta).toBeUndefined();
  });

  it('reads CSC matrices, summing duplicate entries', () => {
    const P: CscMatrix = { shape: [2, 2], indptr: [0, 2, 3], indices: [0, 1, 0], data: [4, 1, 1] };
    const A: CscMatrix = { shape: [1, 2], indptr: [0, 2, 3], indices: [0, 0, 0], data: [1, 2, 5] };
    const [p] = parseProblemJson({ P, q: [0, 0], A, l: [0], u: [3] }).problems;
    expect(toRows(dense(p).P)).toEqual([
      [4, 1],
      [1, 0],
    ]);
    expect(toRows(dense(p).A)).toEqual([[3, 5]]);
  });

  it('maps null and |v| >= 1e19 bounds to infinities by sign', () => {
    const [p] = parseProblemJson({
      q: [0],
      A: [[1], [1], [1], [1]],
      l: [null, -1e20, -1e19, 2],
      u: [null, 1e20, 1e21, 1e18],
    }).problems;
    expect(Array.from(p.l)).toEqual([-Infinity, -Infinity, -Infinity, 2]);
    expect(Array.from(p.u)).toEqual([Infinity, Infinity, Infinity, 1e18]);
  });

  it('defaults: P = 0, r = 0, missing l/u unbounded, m = 0 without A', () => {
    const [lp] = parseProblemJson({ q: [1, 2], A: [[1, 1]], u: [4] }).problems;
    expect(Array.from(dense(lp).P.data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(lp.l)).toEqual([-Infinity]);
    for (const A of [undefined, [], { shape: [0, 2], indptr: [0, 0, 0], indices: [], data: [] }]) {
      const [p] = parseProblemJson({
        P: [
          [1, 0],
          [0, 1],
        ],
        q: [1, 2],
        A,
      }).problems;
      expect([p.m, p.A.rows, p.A.cols, p.l.length, p.u.length]).toEqual([0, 0, 2, 0, 0]);
    }
  });

  it('symmetrizes an upper-triangular P (OSQP convention) and a lower-triangular one', () => {
    for (const P of [
      [
        [2, 1, -3],
        [0, 4, 5],
        [0, 0, 6],
      ],
      [
        [2, 0, 0],
        [1, 4, 0],
        [-3, 5, 6],
      ],
    ]) {
      const [p] = parseProblemJson({ P, q: [0, 0, 0] }).problems;
      expect(toRows(dense(p).P)).toEqual([
        [2, 1, -3],
        [1, 4, 5],
        [-3, 5, 6],
      ]);
    }
    const csc = { shape: [2, 2], indptr: [0, 1, 3], indices: [0, 0, 1], data: [1, 0.5, 1] };
    expect(toRows(dense(parseProblemJson({ P: csc, q: [0, 0] }).problems[0]).P)).toEqual([
      [1, 0.5],
      [0.5, 1],
    ]);
  });

  it('keeps descriptive fields and the free-form "meta" object as meta, and checks given n, m', () => {
    const [p] = parseProblemJson({
      ...base(),
      n: 2,
      m: 3,
      name: 'toy',
      opt_obj_reference: 1.5,
      meta: { tags: ['a'] },
    }).problems;
    expect(p.meta).toEqual({ name: 'toy', opt_obj_reference: 1.5, tags: ['a'] });
  });

  it('reads a batch, keeping batch-level fields apart', () => {
    const second = { ...base(), q: [3, 3], name: 'second' };
    const parsed = parseProblemJson({ batch: [base(), second], comment: 'two' });
    expect(parsed.batch).toBe(true);
    expect(parsed.batchMeta).toEqual({ comment: 'two' });
    expect(parsed.problems.map((p) => Array.from(p.q))).toEqual([
      [1, -1],
      [3, 3],
    ]);
    expect(parsed.problems[1].meta).toEqual({ name: 'second' });
    expect(parseProblemJson({ batch: [base()] }).batch).toBe(true);
  });

  it('round-trips through problemToJson (CSC out, null for infinities)', () => {
    const original = parseProblemJson({ ...base(), r: 2.5, l: [null, 0, -1e20], name: 'rt' })
      .problems[0];
    const json = problemToJson(original);
    expect(json.l).toEqual([null, 0, null]);
    expect(json.name).toBe('rt');
    const again = parseProblemJson(JSON.stringify(json)).problems[0];
    expect(again).toEqual(original);
  });
});

describe('parseProblemJson: the Maros–Meszaros files', () => {
  const files = readdirSync(MM_DIR).filter((f) => f.endsWith('.json'));

  it('finds the 12 files', () => expect(files.length).toBe(12));

  it.each(files)('%s parses to the same matrices as cscToDense', (file) => {
    const raw = JSON.parse(readFileSync(join(MM_DIR, file), 'utf8'));
    const [p] = parseProblemJson(readFileSync(join(MM_DIR, file), 'utf8')).problems;
    expect([p.n, p.m]).toEqual([raw.n, raw.m]);
    expect(Array.from(dense(p).P.data)).toEqual(Array.from(cscToDense(raw.P).data));
    expect(Array.from(dense(p).A.data)).toEqual(Array.from(cscToDense(raw.A).data));
    const inf = (v: number, s: number) => (Math.abs(v) >= 1e19 ? s * Infinity : v);
    expect(Array.from(p.l)).toEqual(raw.l.map((v: number) => inf(v, Math.sign(v))));
    expect(Array.from(p.u)).toEqual(raw.u.map((v: number) => inf(v, Math.sign(v))));
    expect(p.r).toBe(raw.r);
    expect(p.meta?.name).toBe(raw.name);
    expect(p.meta?.opt_obj_reference).toBe(raw.opt_obj_reference);
    expect(parseProblemJson(problemToJson(p)).problems[0]).toEqual(p);
  });
});

describe('parseProblemJson: malformed input', () => {
  const csc = (over: Record<string, unknown>) => ({
    ...base(),
    A: { shape: [3, 2], indptr: [0, 2, 4], indices: [0, 1, 0, 2], data: [1, 1, 1, 1], ...over },
  });
  const cases: [string, unknown, RegExp][] = [
    ['not JSON', '{"q": [1,', /^invalid JSON: /],
    ['not an object', '[1, 2]', /must hold a JSON object, got an array/],
    ['missing q', { P: [[1]] }, /^q is missing/],
    ['q with a string', { q: [1, 'a'] }, /^q\[1\] must be a finite number, got the string "a"/],
    ['n mismatch', { ...base(), n: 3 }, /^q has length 2 but n is 3$/],
    ['m mismatch', { ...base(), m: 2 }, /^A has 3 rows but m is 2$/],
    ['n not an integer', { ...base(), n: 2.5 }, /^n must be a non-negative integer/],
    ['P wrong size', { ...base(), P: [[1]] }, /^P is 1×1 but q has length 2$/],
    ['P ragged', { ...base(), P: [[1, 0], [0]] }, /^P\[1\] has 1 entries but P\[0\] has 2$/],
    [
      'P not symmetric',
      {
        ...base(),
        P: [
          [1, 2],
          [3, 1],
        ],
      },
      /^P is not symmetric: P\[1\]\[0\] = 3 but P\[0\]\[1\] = 2$/,
    ],
    ['P as a number', { ...base(), P: 3 }, /^P must be an array of rows or a CSC object, got 3$/],
    [
      'A wrong columns',
      { ...base(), A: [[1, 1, 1]], l: [0], u: [1] },
      /^A has 3 columns but q has length 2$/,
    ],
    [
      'A entry not finite',
      {
        ...base(),
        A: [
          [1, null],
          [1, 0],
          [0, 1],
        ],
      },
      /^A\[0\]\[1\] must be a finite number, got null$/,
    ],
    ['l too short', { ...base(), l: [1, 0] }, /^l has length 2 but A has 3 rows$/],
    ['u too long', { ...base(), u: [1, 1, 1, 1] }, /^u has length 4 but A has 3 rows$/],
    ['l above u', { ...base(), l: [1, 0, 2] }, /^l\[2\] = 2 exceeds u\[2\] = 0.7$/],
    ['l = +inf', { ...base(), l: [1, 1e20, 0], u: [1, 1e20, 1] }, /^l\[1\] is \+infinite/],
    [
      'bound a string',
      { ...base(), u: [1, '2', 1] },
      /^u\[1\] must be a number or null, got the string "2"$/,
    ],
    ['r not a number', { ...base(), r: 'x' }, /^r must be a finite number/],
    ['l without A', { q: [1], l: [0] }, /^l has length 1 but A has 0 rows$/],
    [
      'CSC indptr not monotone',
      csc({ indptr: [0, 3, 2] }),
      /^A\.indptr is not monotone: indptr\[2\] = 2 < indptr\[1\] = 3$/,
    ],
    [
      'CSC indptr length',
      csc({ indptr: [0, 4] }),
      /^A\.indptr has length 2 but shape has 2 columns \(expected 3\)$/,
    ],
    ['CSC indptr[0]', csc({ indptr: [1, 2, 4] }), /^A\.indptr\[0\] must be 0, got 1$/],
    [
      'CSC index out of range',
      csc({ indices: [0, 1, 0, 3] }),
      /^A\.indices\[3\] = 3 is out of range for 3 rows$/,
    ],
    [
      'CSC negative index',
      csc({ indices: [0, -1, 0, 2] }),
      /^A\.indices\[1\] = -1 is out of range for 3 rows$/,
    ],
    [
      'CSC indices length',
      csc({ indices: [0, 1, 0] }),
      /^A\.indices has length 3 but indptr\[2\] = 4$/,
    ],
    [
      'CSC data length',
      csc({ data: [1, 1, 1, 1, 1] }),
      /^A\.data has length 5 but indptr\[2\] = 4$/,
    ],
    ['CSC bad shape', csc({ shape: [3] }), /^A\.shape must be \[rows, cols\]/],
    ['CSC unknown key', csc({ idx: [] }), /^A: unknown CSC key "idx"/],
    ['CSC missing data', csc({ data: undefined }), /^A\.data must be an array$/],
    [
      'CSC too large',
      { q: [0], A: { shape: [1e5, 1e5], indptr: [], indices: [], data: [] } },
      /^A has 100000 columns but q has length 1$/,
    ],
    ['batch not an array', { batch: {} }, /^batch must be an array of problems, got an object$/],
    ['batch empty', { batch: [] }, /^batch is empty$/],
    ['batch item not an object', { batch: [base(), 7] }, /^problem 1: expected an object, got 7$/],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    const message = errorOf(input);
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('names the problem index in a batch', () => {
    const bad = { ...base(), q: [1, 2, 3, 4], P: undefined, A: [[1, 1, 1]], l: [0], u: [1] };
    expect(errorOf({ batch: [base(), base(), bad] })).toBe(
      'problem 2: A has 3 columns but q has length 4',
    );
  });

  it('rejects a dimension overflow before allocating; a large n alone is fine (CSC storage)', () => {
    const huge = { shape: [100_000_000, 1], indptr: [0, 0], indices: [], data: [] };
    expect(errorOf({ q: [0], A: huge })).toMatch(/^A has 100000000 rows, too many/);
    const [p] = parseProblemJson({ q: new Array(10_000).fill(0) }).problems;
    expect([p.n, p.P.data.length]).toEqual([10_000, 0]);
  });
});
