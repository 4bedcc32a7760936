import { toDenseProblem } from '../qp/matrix';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MM_DIR } from '../qp/testutil';
import { describe, expect, it } from 'vitest';
import { toRows } from '../linalg/dense';
import { solveQp } from '../qp';
import { ProblemFormatError } from './errors';
import { parseProblemJson } from './json';
import { parseQps } from './qps';

const FIXTURES = new URL('../../../tests/fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const mm = (name: string) =>
  parseProblemJson(readFileSync(join(MM_DIR, `${name}.json`), 'utf8')).problems[0];

function errorOf(text: string, layout?: 'free' | 'fixed'): string {
  try {
    parseQps(text, layout ? { layout } : {});
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemFormatError);
    return (e as Error).message;
  }
  throw new Error('expected a ProblemFormatError');
}

/** A free-format file exercising every section; expected matrices are written out below. */
const FULL = `NAME  FULL
* comment line
ROWS
 N  COST
 L  LIM1
 G  LIM2
 E  EQ1
 E  EQ2
 N  FREEROW
COLUMNS
    X  COST  1.5  LIM1  1
    X  LIM2  2    FREEROW  9
    Y  COST  -2   EQ1  1
    Y  EQ2   3
    Z  LIM1  -1   EQ2  1
RHS
    RHS  COST  -4  LIM1  5
    RHS  LIM2  1   EQ1  2
    RHS  EQ2   -1
    OTHER  LIM1  99
RANGES
    RNG  LIM1  2   LIM2  -3
    RNG  EQ1   4   EQ2  -0.5
BOUNDS
 UP BND  X  4
 MI BND  Y
 UP BND  Y  1e30
 FR BND  Z
QUADOBJ
    X  X  2
    Y  X  0.5
    Z  Z  1
ENDATA
`;

describe('parseQps: sections and conventions', () => {
  it('reads every section of a free-format file', () => {
    const p = parseQps(FULL);
    expect([p.n, p.m, p.r]).toEqual([3, 5, 4]);
    expect(Array.from(p.q)).toEqual([1.5, -2, 0]);
    expect(toRows(toDenseProblem(p).P)).toEqual([
      [2, 0.5, 0],
      [0.5, 0, 0],
      [0, 0, 1],
    ]);
    // Four constraint rows (FREEROW dropped), then one identity row for X (Y and Z are free).
    expect(toRows(toDenseProblem(p).A)).toEqual([
      [1, 0, -1],
      [2, 0, 0],
      [0, 1, 0],
      [0, 3, 1],
      [1, 0, 0],
    ]);
    // L: [b − |R|, b]; G: [b, b + |R|]; E with R > 0: [b, b + R]; E with R < 0: [b + R, b].
    expect(Array.from(p.l)).toEqual([3, 1, 2, -1.5, 0]);
    expect(Array.from(p.u)).toEqual([5, 4, 6, -1, 4]);
    expect(p.meta?.name).toBe('FULL');
    expect(p.meta?.variables).toEqual(['X', 'Y', 'Z']);
    expect(p.meta?.constraints).toEqual(['LIM1', 'LIM2', 'EQ1', 'EQ2', 'bound:X']);
    expect(p.meta?.warnings).toEqual([
      "line 20: RHS set 'OTHER' ignored (only the first set, 'RHS', is used)",
    ]);
  });

  it('row types without ranges, default bounds and all bound types', () => {
    const p = parseQps(`NAME T
ROWS
 N obj
 E e
 L le
 G ge
COLUMNS
 a e 1
 b le 1
 c ge 1
 d e 1
 f e 1
 g e 1
RHS
 e 7
BOUNDS
 LO B b -2
 FX B c 3.5
 PL B d
 UP B f -1
 UP B g -1
 LO B g -5
ENDATA`);
    expect(Array.from(p.l)).toEqual([7, -Infinity, 0, 0, -2, 3.5, 0, -Infinity, -5]);
    expect(Array.from(p.u)).toEqual([7, 0, Infinity, Infinity, Infinity, 3.5, Infinity, -1, -1]);
    expect(p.meta?.constraints).toEqual([
      'e',
      'le',
      'ge',
      'bound:a',
      'bound:b',
      'bound:c',
      'bound:d',
      'bound:f',
      'bound:g',
    ]);
    expect(p.meta?.warnings).toEqual([
      "column 'f': negative UP bound without LO, lower bound set to −infinity",
    ]);
  });

  it("boundRows 'all' adds an identity row for free variables too", () => {
    const p = parseQps(FULL, { boundRows: 'all' });
    expect(p.m).toBe(7);
    expect(Array.from(p.l.subarray(4))).toEqual([0, -Infinity, -Infinity]);
    expect(Array.from(p.u.subarray(4))).toEqual([4, Infinity, Infinity]);
  });

  it('QMATRIX and QSECTION give the same P as QUADOBJ', () => {
    const head = `NAME Q\nROWS\n N obj\nCOLUMNS\n x obj 1\n y obj 1\n`;
    const quadobj = parseQps(head + 'QUADOBJ\n x x 2\n y x -1\n y y 3\nENDATA\n');
    const qsection = parseQps(head + 'QSECTION obj\n x y -1\n x x 2\n y y 3\nENDATA\n');
    const qmatrix = parseQps(head + 'QMATRIX\n x x 2\n x y -1\n y x -1\n y y 3\nENDATA\n');
    expect(toRows(toDenseProblem(quadobj).P)).toEqual([
      [2, -1],
      [-1, 3],
    ]);
    expect(qsection.P).toEqual(quadobj.P);
    expect(qmatrix.P).toEqual(quadobj.P);
    expect([quadobj.m, quadobj.A.cols]).toEqual([2, 2]);
  });

  it('OBJSENSE MIN, OBJNAME, Fortran exponents and Infinity words', () => {
    const p = parseQps(`NAME O
OBJSENSE
    MIN
OBJNAME
    second
ROWS
 N first
 N second
 L c
COLUMNS
 x first 5 second 1.5D+1
 x c 1
RHS
 c Infinity
BOUNDS
 LO B x -inf
ENDATA`);
    expect(Array.from(p.q)).toEqual([15]);
    expect([p.m, p.u[0], p.l[0]]).toEqual([1, Infinity, -Infinity]);
  });

  it('reads a fixed-format file whose names contain spaces (fallback from free)', () => {
    const text = [
      'NAME          SPACED',
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
    ].join('\n');
    const p = parseQps(text);
    expect(p.meta?.variables).toEqual(['X ONE']);
    expect(toRows(toDenseProblem(p).A)).toEqual([[2], [1]]);
    expect([Array.from(p.l), Array.from(p.u)]).toEqual([
      [-Infinity, 0],
      [8, 3],
    ]);
    expect(p.meta?.warnings).toEqual(['read as fixed-column MPS']);
    expect(errorOf(text, 'free')).toMatch(/^line 4: too many fields \(3\) in ROWS$/);
  });
});

describe('parseQps: hand-written Maros–Meszaros problems', () => {
  it.each([
    ['HS21', 'hs21.qps'],
    ['HS35', 'hs35.qps'],
  ])('%s.qps gives the same P, q, r, A, l, u as %s.json', (name, file) => {
    const fromQps = parseQps(fixture(file));
    const fromJson = mm(name);
    for (const key of ['n', 'm', 'r'] as const) expect(fromQps[key]).toBe(fromJson[key]);
    for (const key of ['q', 'l', 'u'] as const)
      expect(Array.from(fromQps[key])).toEqual(Array.from(fromJson[key]));
    expect(fromQps.P).toEqual(fromJson.P);
    expect(fromQps.A).toEqual(fromJson.A);
  });

  it('hs35.qps parses identically in fixed and free layout', () => {
    expect(parseQps(fixture('hs35.qps'), { layout: 'fixed' })).toEqual(
      parseQps(fixture('hs35.qps'), { layout: 'free' }),
    );
  });

  it('solving hs35.qps reaches the analytic optimum x = (4/3, 7/9, 4/9), f = 1/9', () => {
    const res = solveQp(parseQps(fixture('hs35.qps')), {
      eps_abs: 1e-8,
      eps_rel: 1e-8,
      polish: true,
    });
    expect(res.status).toBe('solved');
    expect(res.obj).toBeCloseTo(1 / 9, 6);
    [4 / 3, 7 / 9, 4 / 9].forEach((v, i) => expect(res.x[i]).toBeCloseTo(v, 5));
  });

  it('solving hs21.qps reaches the reference objective −99.96 at x = (2, 0)', () => {
    const res = solveQp(parseQps(fixture('hs21.qps')), {
      eps_abs: 1e-8,
      eps_rel: 1e-8,
      polish: true,
    });
    expect(res.status).toBe('solved');
    expect(res.obj).toBeCloseTo(mm('HS21').meta?.opt_obj_reference as number, 6);
    expect(res.x[0]).toBeCloseTo(2, 5);
    expect(res.x[1]).toBeCloseTo(0, 5);
  });
});

describe('parseQps: malformed files', () => {
  const ok = (extra: { rows?: string; columns?: string; tail?: string } = {}) =>
    `NAME M\nROWS\n N obj\n L c\n${extra.rows ?? ''}COLUMNS\n x obj 1 c 1\n${extra.columns ?? ''}RHS\n rhs c 1\n${extra.tail ?? ''}ENDATA\n`;
  const cases: [string, string, RegExp][] = [
    ['unknown section', ok({ tail: 'FOO\n' }), /^line 9: unknown section 'FOO'/],
    [
      'unindented data line',
      'NAME M\nROWS\nN obj\n',
      /^line 3: unknown section 'N' \(data lines must be indented\)$/,
    ],
    [
      'bad number',
      ok({ columns: ' y c 1.2.3\n' }),
      /^line 7: bad number '1.2.3' for row 'c' of column 'y' in COLUMNS$/,
    ],
    [
      'missing value',
      ok({ columns: ' y c\n' }),
      /^line 7: missing row 'c' of column 'y' in COLUMNS$/,
    ],
    [
      'unknown row in COLUMNS',
      ok({ columns: ' y nope 1\n' }),
      /^line 7: unknown row 'nope' in COLUMNS$/,
    ],
    [
      'unknown row in RHS',
      ok({ tail: 'RANGES\n r nope 1\n' }),
      /^line 10: unknown row 'nope' in RANGES$/,
    ],
    [
      'unknown column in BOUNDS',
      ok({ tail: 'BOUNDS\n UP b y 1\n' }),
      /^line 10: unknown column 'y' in BOUNDS$/,
    ],
    [
      'unknown column in QUADOBJ',
      ok({ tail: 'QUADOBJ\n x y 1\n' }),
      /^line 10: unknown column 'y' in QUADOBJ$/,
    ],
    [
      'missing objective row',
      'NAME M\nROWS\n L c\nCOLUMNS\n x c 1\nENDATA\n',
      /^line 2: ROWS has no N row \(the objective\)$/,
    ],
    [
      'OBJNAME not an N row',
      'OBJNAME\n cost\nROWS\n N obj\nCOLUMNS\n',
      /^line 3: OBJNAME row 'cost' is not an N row in ROWS$/,
    ],
    ['unknown row type', ok({ rows: ' X d\n' }), /^line 5: unknown row type 'X'/],
    ['duplicate row', ok({ rows: ' L c\n' }), /^line 5: row 'c' defined twice$/],
    [
      'duplicate matrix entry',
      ok({ columns: ' x c 2\n' }),
      /^line 7: duplicate entry for column 'x', row 'c'$/,
    ],
    [
      'duplicate RHS',
      ok({ tail: 'RANGES\n r c 1 c 2\n' }),
      /^line 10: duplicate RANGES entry for row 'c'$/,
    ],
    [
      'duplicate QUADOBJ pair',
      ok({ tail: 'QUADOBJ\n x x 1\n x x 1\n' }),
      /^line 11: duplicate entry \(x, x\) in QUADOBJ$/,
    ],
    [
      'asymmetric QMATRIX',
      ok({ columns: ' y c 1\n', tail: 'QMATRIX\n x y 1\n' }),
      /^QMATRIX is not symmetric: \(x, y\) = 1 but \(y, x\) = 0/,
    ],
    [
      'integer marker',
      ok({ columns: " M1 'MARKER' 'INTORG'\n" }),
      /^line 7: integer variables \(MARKER INTORG\) are not supported/,
    ],
    [
      'binary bound',
      ok({ tail: 'BOUNDS\n BV b x\n' }),
      /^line 10: bound type BV makes column 'x' integer/,
    ],
    [
      'unknown bound type',
      ok({ tail: 'BOUNDS\n XX b x 1\n' }),
      /^line 10: unknown bound type 'XX'/,
    ],
    [
      'inconsistent bounds',
      ok({ tail: 'BOUNDS\n LO b x 3\n UP b x 2\n' }),
      /^BOUNDS: column 'x' has lower bound 3 above upper bound 2$/,
    ],
    ['maximization', 'OBJSENSE\n MAX\n', /^line 2: OBJSENSE MAX is not supported/],
    [
      'quadratic constraints',
      ok({ tail: 'QCMATRIX c\n' }),
      /^line 9: quadratic constraints \(QCMATRIX\) are not supported$/,
    ],
    ['section twice', ok({ tail: 'RHS\n' }), /^line 9: section RHS appears twice$/],
    [
      'too many fields',
      ok({ columns: ' y c 1 c 2 c\n' }),
      /^line 7: too many fields \(6\) in COLUMNS$/,
    ],
    ['no COLUMNS', 'NAME M\nROWS\n N obj\nENDATA\n', /^missing COLUMNS section$/],
    ['data before any section', '  x obj 1\n', /^line 1: data line before any section header$/],
    [
      'text in fixed-format gaps',
      ok(),
      /^line 3: text outside the fixed MPS fields \(columns 4 to 4\)$/,
    ],
  ];

  it.each(cases)('%s', (name, text, expected) => {
    const message = errorOf(text, name === 'text in fixed-format gaps' ? 'fixed' : undefined);
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('reports the free-format error when the fixed fallback also fails', () => {
    expect(errorOf(fixture('bad-bound.qps'))).toBe("line 10: unknown column 'X9' in BOUNDS");
  });
});
