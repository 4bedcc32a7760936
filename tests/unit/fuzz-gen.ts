/**
 * A seeded generator of hostile problem files for tests/unit/fuzz.test.ts: mutations of real JSON
 * and QPS files (bytes flipped, cut, sections duplicated, numbers made huge or NaN, keys renamed,
 * shapes inflated, garbage nested thousands deep). Every case is a pure function of its seed, so a
 * failure is replayed from the seed in the test's message. Sizes stay bounded by construction:
 * mutations copy at most what is there, and declared shapes are refused by the memory limit.
 */
import { Rng } from '../../src/solvers/grad/rng';

export interface FuzzCase {
  /** File name (its extension drives the format detection, sometimes against the content). */
  name: string;
  text: string;
  /** What was done, for the failure message. */
  steps: string[];
}

/** Uniform choices on top of the engine's seeded mulberry32. */
export class Dice {
  private readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.rng.uniform() * n);
  }
  chance(p: number): boolean {
    return this.rng.uniform() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

const HOSTILE_NUMBERS = [
  '1e308',
  '-1e308',
  '1e400',
  '-1e400',
  '1e19',
  '-1e19',
  '1e-320',
  '-0',
  '0',
  '9'.repeat(400),
  '4294967296',
  '2147483648',
  '-1',
  '0.5',
  '1e9',
  '50000000',
];
/** Tokens that are not JSON numbers but look like numbers somewhere (QPS, other languages). */
const NUMBER_LOOKALIKES = [
  'NaN',
  'Infinity',
  '-inf',
  'nan',
  '1.2.3',
  '1D+400',
  '0x10',
  '1e',
  '--1',
];
const CONTROL = ['\u001b[2J', '\u001b]0;owned\u0007', '\u009b31m', '\u202e', '\r', '\t', '\u0007'];
const KEYS = [
  'P',
  'q',
  'r',
  'A',
  'l',
  'u',
  'n',
  'm',
  'Q',
  'H',
  'lb',
  'ub',
  'batch',
  'meta',
  'name',
  '__proto__',
  'constructor',
  'shape',
  'indptr',
  'indices',
  'data',
  'nnz',
  'format',
  'x'.repeat(300),
];

/** A random JSON value: numbers at the edges, strings with escapes, nesting up to `depth`. */
export function garbage(d: Dice, depth = 3): unknown {
  switch (d.int(depth > 0 ? 8 : 5)) {
    case 0:
      return Number(d.pick(HOSTILE_NUMBERS));
    case 1:
      return d.pick([...CONTROL, 'a', '', 'x'.repeat(1000), '[1,2]', '{}']);
    case 2:
      return d.pick([true, false, null]);
    case 3:
      return d.int(100) - 50;
    case 4:
      return d.chance(0.5) ? [] : {};
    case 5:
      return Array.from({ length: d.int(6) }, () => garbage(d, depth - 1));
    case 6:
      return Object.fromEntries(
        Array.from({ length: d.int(4) }, () => [d.pick(KEYS), garbage(d, depth - 1)]),
      );
    default: {
      // Deep nesting, built iteratively.
      let v: unknown = 0;
      for (let k = d.int(1000); k > 0; k--) v = [v];
      return v;
    }
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Replaces a random array element, object value or key somewhere in `v` (in place). */
function mutateDeep(d: Dice, v: unknown, steps: string[]): void {
  let node = v;
  for (let hop = 0; hop < 6; hop++) {
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((x, k): [number, unknown] => [k, x])
      : isObject(node)
        ? Object.entries(node)
        : [];
    if (entries.length === 0) return;
    const [key, child] = d.pick(entries);
    const stop = d.chance(0.4) || typeof child !== 'object' || child === null;
    if (!stop) {
      node = child;
      continue;
    }
    const container = node as Json;
    const what = d.int(4);
    if (what === 0 && !Array.isArray(node)) {
      const renamed = d.pick(KEYS);
      container[renamed] = child;
      delete container[key as string];
      steps.push(`rename ${String(key).slice(0, 20)} -> ${renamed.slice(0, 20)}`);
    } else if (what === 1 && Array.isArray(node)) {
      const copies = d.int(4);
      node.splice(Number(key), 0, ...new Array(copies).fill(child));
      steps.push(`duplicate element ${String(key)} x${copies}`);
    } else if (what === 2) {
      if (Array.isArray(node)) node.splice(Number(key), 1);
      else delete container[key as string];
      steps.push(`delete ${String(key).slice(0, 20)}`);
    } else {
      container[key as string] = garbage(d);
      steps.push(`garbage at ${String(key).slice(0, 20)}`);
    }
    return;
  }
}

/** Structural mutations of a parsed JSON problem file. */
function mutateJsonValue(d: Dice, value: Json, steps: string[]): unknown {
  const problem = Array.isArray(value.batch)
    ? (d.pick(value.batch.filter(isObject)) as Json | undefined)
    : value;
  switch (d.int(7)) {
    case 0: {
      // Inflate or corrupt a declared shape.
      const key = d.pick(['P', 'A']);
      const m = problem?.[key];
      if (isObject(m)) {
        m.shape = d.pick([[5e7, 1], [1, 5e7], [1e9, 1e9], [-1, 2], [1.5, 2], [0, 0], 'x', [3]]);
        steps.push(`${key}.shape = ${JSON.stringify(m.shape)}`);
      } else if (problem) {
        problem[key] = {
          shape: [d.int(1e8), d.int(3)],
          indptr: [0, 0, 0, 0],
          indices: [],
          data: [],
        };
        steps.push(`${key} = inflated CSC`);
      }
      return value;
    }
    case 1: {
      // Make the numbers of one vector huge, NaN-like or infinite (1e400 parses as Infinity).
      const key = d.pick(['q', 'l', 'u', 'r']);
      if (problem) {
        const bad = d.pick(HOSTILE_NUMBERS);
        problem[key] = Array.isArray(problem[key])
          ? (problem[key] as unknown[]).map((x) => (d.chance(0.3) ? Number(bad) : x))
          : Number(bad);
        steps.push(`${key} gets ${bad.slice(0, 12)}`);
      }
      return value;
    }
    case 2:
      steps.push('wrapped in a batch with copies and garbage');
      return {
        batch: Array.from({ length: 1 + d.int(8) }, () =>
          d.chance(0.8) ? structuredClone(problem ?? value) : garbage(d),
        ),
      };
    case 3:
      if (problem) {
        const key = d.pick(KEYS);
        problem[key] = garbage(d);
        steps.push(`set ${key.slice(0, 20)} to garbage`);
      }
      return value;
    default:
      mutateDeep(d, value, steps);
      return value;
  }
}

/** Byte-level mutations shared by both formats. */
function mutateText(d: Dice, text: string, steps: string[]): string {
  const at = d.int(text.length + 1);
  switch (d.int(8)) {
    case 0:
      steps.push(`cut at ${at}`);
      return text.slice(0, at);
    case 1: {
      const len = d.int(200);
      steps.push(`duplicate ${len} chars at ${at}`);
      return text.slice(0, at + len) + text.slice(at, at + len) + text.slice(at + len);
    }
    case 2: {
      const len = 1 + d.int(50);
      steps.push(`delete ${len} chars at ${at}`);
      return text.slice(0, at) + text.slice(at + len);
    }
    case 3: {
      const bytes = Array.from({ length: 1 + d.int(4) }, () =>
        String.fromCharCode(d.pick([d.int(32), 32 + d.int(95), 0x80 + d.int(0x780), 0xd800])),
      ).join('');
      steps.push(`insert ${JSON.stringify(bytes)} at ${at}`);
      return text.slice(0, at) + bytes + text.slice(at);
    }
    case 4: {
      // Replace a number with an edge case.
      const numbers = [...text.matchAll(/-?\d+(\.\d+)?([eEdD][+-]?\d+)?/g)];
      if (numbers.length === 0) return text;
      const hit = d.pick(numbers);
      const by = d.pick([...HOSTILE_NUMBERS, ...NUMBER_LOOKALIKES]);
      steps.push(`number ${hit[0]} -> ${by.slice(0, 12)}`);
      return text.slice(0, hit.index) + by + text.slice(hit.index! + hit[0].length);
    }
    case 5: {
      const seq = d.pick(CONTROL);
      steps.push(`insert control ${JSON.stringify(seq)} at ${at}`);
      return text.slice(0, at) + seq + text.slice(at);
    }
    case 6:
      steps.push('byte-order mark');
      return '\ufeff' + text;
    default: {
      const nested = '['.repeat(d.int(5000)) + ']'.repeat(d.int(5000));
      steps.push(`insert ${nested.length} brackets at ${at}`);
      return text.slice(0, at) + nested + text.slice(at);
    }
  }
}

const QPS_LINES = [
  'RANGES',
  'BOUNDS',
  'ENDATA',
  'QUADOBJ',
  'QMATRIX',
  'QCMATRIX',
  'OBJSENSE',
  '    MAX',
  'OBJSENSE MIN',
  ' N  OBJ2',
  ' E  NEWROW',
  "    MARKER   'MARKER'   'INTORG'",
  ' UP BND X1 1e400',
  ' FR BND X1',
  ' BV BND X1',
  ' LO BND NOPE 3',
  '    RHS  C1  NaN',
  '    X1  X1  1e308',
  '    X1  OBJ  Infinity',
  '    RNG  C1  -1e30',
  '\u001b[2JFOO',
  '    ' + 'Y'.repeat(500) + '  C1  1',
  ' N',
  '',
  '*',
];

/** Line and section mutations of a QPS file. */
function mutateQpsLines(d: Dice, text: string, steps: string[]): string {
  const lines = text.split('\n');
  const i = d.int(lines.length);
  switch (d.int(5)) {
    case 0: {
      // Duplicate a whole section: its header and the lines up to the next header.
      let end = i + 1;
      while (end < lines.length && /^\s/.test(lines[end])) end++;
      steps.push(`duplicate lines ${i}..${end}`);
      lines.splice(end, 0, ...lines.slice(i, end));
      break;
    }
    case 1:
      steps.push(`delete line ${i}`);
      lines.splice(i, 1);
      break;
    case 2: {
      const j = d.int(lines.length);
      steps.push(`swap lines ${i}, ${j}`);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      break;
    }
    case 3: {
      const line = d.pick(QPS_LINES);
      steps.push(`insert line ${JSON.stringify(line.slice(0, 30))} at ${i}`);
      lines.splice(i, 0, line);
      break;
    }
    default:
      steps.push(`lower-case line ${i}`);
      lines[i] = lines[i].toLowerCase();
  }
  return lines.join(d.chance(0.1) ? '\r\n' : '\n');
}

/** One hostile case from a seed and a corpus of (name, text) seeds files. */
export function fuzzCase(
  seed: number,
  corpus: readonly { name: string; text: string }[],
): FuzzCase {
  const d = new Dice(seed);
  const source = d.pick(corpus);
  const steps = [`from ${source.name}`];
  const json = source.name.endsWith('.json');
  let text = source.text;
  for (let k = 1 + d.int(3); k > 0; k--) {
    if (json && d.chance(0.65)) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (isObject(value)) {
        try {
          text = JSON.stringify(mutateJsonValue(d, value, steps));
          continue;
        } catch {
          // JSON.stringify recurses: nesting thousands deep overflows its stack (JSON.parse and
          // our readers do not). Mutate the text instead.
        }
      }
    }
    text = !json && d.chance(0.5) ? mutateQpsLines(d, text, steps) : mutateText(d, text, steps);
  }
  // Sometimes the extension lies about the content.
  const ext = d.chance(0.1) ? d.pick(['.json', '.qps', '.txt']) : json ? '.json' : '.qps';
  return { name: `case-${seed}${ext}`, text, steps };
}
