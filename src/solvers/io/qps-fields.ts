/**
 * Tokens of (Q)MPS data lines: section names, numbers, and the split of a line into
 * fields 1–6 for the fixed-column and the free layout.
 */
import { echo } from './errors';

export type MpsLayout = 'free' | 'fixed';

/** Reports a defect of the current line and throws; never returns. */
export type LineFail = (message: string) => never;

export const SECTIONS = new Set([
  'NAME',
  'ROWS',
  'COLUMNS',
  'RHS',
  'RANGES',
  'BOUNDS',
  'QUADOBJ',
  'QSECTION',
  'QMATRIX',
  'OBJSENSE',
  'OBJSENS',
  'OBJNAME',
  'ENDATA',
]);
export const UNSUPPORTED = new Map([
  ['QCMATRIX', 'quadratic constraints (QCMATRIX) are not supported'],
  ['CSECTION', 'conic constraints (CSECTION) are not supported'],
  ['SOS', 'special ordered sets (SOS) are not supported'],
  ['INDICATORS', 'indicator constraints are not supported'],
  ['GENCONS', 'general constraints are not supported'],
  ['PWLOBJ', 'piecewise-linear objectives are not supported'],
]);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/;
const INF_WORD = /^([+-]?)inf(inity)?$/i;
/** Column ranges (0-based, end exclusive) of fields 1–6 in fixed MPS. */
const FIXED_FIELDS: [number, number][] = [
  [1, 3],
  [4, 12],
  [14, 22],
  [24, 36],
  [39, 47],
  [49, 61],
];

/** A number field: decimal, Fortran D exponent, or the words Inf/Infinity. */
export function parseMpsNumber(
  token: string | undefined,
  what: string,
  section: string,
  fail: LineFail,
): number {
  if (token === undefined || token === '') return fail(`missing ${what} in ${section}`);
  const inf = INF_WORD.exec(token);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (!NUMBER.test(token)) fail(`bad number '${echo(token)}' for ${what} in ${section}`);
  return Number(token.replace(/[dD]/, 'e'));
}

/** Fields 1–6 of a fixed-column line; text between the fields means it is not fixed MPS. */
export function fixedFields(text: string, fail: LineFail): string[] {
  let prev = 0;
  for (const [a, b] of FIXED_FIELDS) {
    if (text.slice(prev, a).trim() !== '')
      fail(`text outside the fixed MPS fields (columns ${prev + 1} to ${a})`);
    prev = b;
  }
  if (text.slice(prev).trim() !== '') fail(`text beyond column ${prev} in fixed MPS`);
  return FIXED_FIELDS.map(([a, b]) => text.slice(a, b).trim());
}

const MAX_FREE_FIELDS: Record<string, number> = {
  ROWS: 2,
  BOUNDS: 4,
  COLUMNS: 5,
  RHS: 5,
  RANGES: 5,
};

/**
 * Fields 1–6 of a free-layout line, placed where fixed MPS has them. `isColumn`
 * resolves the one ambiguity of BOUNDS: "FR SET COL" versus "UP COL VALUE".
 */
export function freeFields(
  text: string,
  section: string,
  isColumn: (name: string) => boolean,
  fail: LineFail,
): string[] {
  const t = text.trim().split(/\s+/);
  const limit = MAX_FREE_FIELDS[section] ?? 3;
  if (t.length > limit) fail(`too many fields (${t.length}) in ${section}`);
  if (section === 'ROWS') return [t[0], t[1] ?? ''];
  if (section === 'RHS' || section === 'RANGES') {
    // An odd count means the set name (field 2) is present; free MPS may omit it.
    return t.length % 2 === 1 ? ['', ...t] : ['', '', ...t];
  }
  if (section === 'BOUNDS') {
    if (t.length === 4) return t;
    const noValue = ['FR', 'MI', 'PL', 'BV'].includes(t[0].toUpperCase());
    if (t.length === 3 && noValue && isColumn(t[2])) return t;
    return [t[0], '', t[1] ?? '', t[2] ?? ''];
  }
  return ['', ...t];
}
