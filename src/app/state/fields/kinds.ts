/**
 * The kinds of field a configuration schema is made of: each knows its label, default and URL
 * encoding, and decodes text with a human-readable error. Pure TypeScript (no DOM).
 */
import { errorMessage } from '../../../solvers/errors';

/** A field of the schema. `T` is the in-memory value type. */
export interface FieldBase<T> {
  /** Key in the state object and in the URL hash. */
  name: string;
  /** Label for the generated control. */
  label: string;
  default: T;
  /** Text written after `name=` in the hash. */
  encode(value: T): string;
  /** Inverse of `encode`; throws an Error with a human-readable reason on bad input. */
  decode(text: string): T;
}

export interface EnumField<V extends string> extends FieldBase<V> {
  type: 'enum';
  values: readonly V[];
  /** Display names of the values (the URL stores the value itself). */
  valueLabels: Record<V, string>;
}
export interface IntField extends FieldBase<number> {
  type: 'int';
  min: number;
  max: number;
}
export interface VecField extends FieldBase<[number, number]> {
  type: 'vec2';
  /** Values are rounded to this many decimals, so hash → state → hash is exact. */
  decimals: number;
}

export interface FloatField extends FieldBase<number> {
  type: 'float';
  min: number;
  max: number;
  /** Values are rounded to this many decimals, so hash → state → hash is exact. */
  decimals: number;
  /** Controls show it on a logarithmic scale (then min > 0). */
  log: boolean;
}
export interface BoolField extends FieldBase<boolean> {
  type: 'bool';
}
/** A subset of named values (e.g. which methods to draw), stored as a comma list in `values` order. */
export interface FlagsField<V extends string> extends FieldBase<V[]> {
  type: 'flags';
  values: readonly V[];
}

/** One half-plane a₁x₁ + a₂x₂ ≤ h, stored as [a₁, a₂, h]. */
export type HalfPlaneSpec = [number, number, number];

export interface HalfPlanesField extends FieldBase<HalfPlaneSpec[]> {
  type: 'halfplanes';
  decimals: number;
  /** Largest |coefficient| accepted. */
  bound: number;
  maxRows: number;
}

/** A decimal number as a link may write it ("-1.5", ".5", "2e-3"); hex, "Infinity" and the like are not. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** The number `text` spells in decimal, else NaN (also for "", which `Number` reads as 0). */
export function parseDecimal(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : NaN;
}

/** Rounds to `decimals` places; `+0` turns −0 into 0 so it encodes as "0". */
export function roundTo(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f + 0;
}

export function enumField<V extends string>(
  name: string,
  label: string,
  values: readonly V[],
  def: V,
  valueLabels: Record<V, string>,
): EnumField<V> {
  return {
    type: 'enum',
    name,
    label,
    values,
    valueLabels,
    default: def,
    encode: (v) => v,
    decode: (text) => {
      const hit = values.find((v) => v === text);
      if (hit === undefined) throw new Error(`expected one of ${values.join(', ')}, got "${text}"`);
      return hit;
    },
  };
}

export function intField(
  name: string,
  label: string,
  def: number,
  min: number,
  max: number,
): IntField {
  return {
    type: 'int',
    name,
    label,
    default: def,
    min,
    max,
    encode: (v) => String(v),
    decode: (text) => {
      if (!/^-?\d+$/.test(text)) throw new Error(`expected an integer, got "${text}"`);
      const v = Number(text);
      if (v < min || v > max) throw new Error(`expected an integer in [${min}, ${max}], got ${v}`);
      return v;
    },
  };
}

export function floatField(
  name: string,
  label: string,
  def: number,
  min: number,
  max: number,
  decimals: number,
  log = false,
): FloatField {
  if (log && !(min > 0)) throw new Error(`log field ${name} needs min > 0`);
  return {
    type: 'float',
    name,
    label,
    default: def,
    min,
    max,
    decimals,
    log,
    encode: (v) => String(roundTo(v, decimals)),
    decode: (text) => {
      const v = parseDecimal(text);
      if (!Number.isFinite(v)) throw new Error(`expected a number, got "${text}"`);
      const r = roundTo(v, decimals);
      if (r < min || r > max) throw new Error(`expected a number in [${min}, ${max}], got ${v}`);
      return r;
    },
  };
}

export function boolField(name: string, label: string, def: boolean): BoolField {
  return {
    type: 'bool',
    name,
    label,
    default: def,
    encode: (v) => (v ? '1' : '0'),
    decode: (text) => {
      if (text !== '0' && text !== '1') throw new Error(`expected 0 or 1, got "${text}"`);
      return text === '1';
    },
  };
}

/** `list` with `v` removed if present, else added; the result in `order` (a flags field's values). */
export function toggled<T>(list: readonly T[], v: T, order: readonly T[]): T[] {
  return list.includes(v)
    ? list.filter((x) => x !== v)
    : order.filter((x) => x === v || list.includes(x));
}

export function flagsField<V extends string>(
  name: string,
  label: string,
  values: readonly V[],
  def: V[],
): FlagsField<V> {
  return {
    type: 'flags',
    name,
    label,
    values,
    default: def,
    encode: (v) => values.filter((x) => v.includes(x)).join(','),
    decode: (text) => {
      if (text === '') return [];
      const parts = text.split(',');
      const bad = parts.filter((p) => !values.includes(p as V));
      if (bad.length)
        throw new Error(`unknown value "${bad[0]}"; expected some of ${values.join(', ')}`);
      return values.filter((x) => parts.includes(x));
    },
  };
}

export function vec2Field(
  name: string,
  label: string,
  def: [number, number],
  decimals: number,
  bound: number,
): VecField {
  return {
    type: 'vec2',
    name,
    label,
    default: def,
    decimals,
    encode: (v) => v.map((c) => String(roundTo(c, decimals))).join(','),
    decode: (text) => {
      const parts = text.split(',');
      const nums = parts.map(parseDecimal);
      if (nums.length !== 2 || nums.some((c) => !Number.isFinite(c))) {
        throw new Error(`expected two comma-separated numbers, got "${text}"`);
      }
      if (nums.some((c) => Math.abs(c) > bound))
        throw new Error(`coordinates must lie in [−${bound}, ${bound}], got "${text}"`);
      return [roundTo(nums[0], decimals), roundTo(nums[1], decimals)];
    },
  };
}

/** Parses "a₁,a₂,h"; throws with the reason when it is not a usable half-plane. */
export function decodeHalfPlane(text: string, decimals: number, bound: number): HalfPlaneSpec {
  const nums = text.split(',').map(parseDecimal);
  if (nums.length !== 3 || nums.some((c) => !Number.isFinite(c))) {
    throw new Error(`expected three numbers a₁,a₂,h, got "${text}"`);
  }
  if (nums.some((c) => Math.abs(c) > bound))
    throw new Error(`coefficients must lie in [−${bound}, ${bound}], got "${text}"`);
  const row = nums.map((c) => roundTo(c, decimals)) as HalfPlaneSpec;
  if (row[0] === 0 && row[1] === 0)
    throw new Error(`the normal (a₁, a₂) must be nonzero, got "${text}"`);
  return row;
}

export function halfPlanesField(
  name: string,
  label: string,
  def: HalfPlaneSpec[],
  decimals: number,
  bound: number,
  maxRows: number,
): HalfPlanesField {
  return {
    type: 'halfplanes',
    name,
    label,
    default: def,
    decimals,
    bound,
    maxRows,
    encode: (rows) =>
      rows.map((r) => r.map((c) => String(roundTo(c, decimals))).join(',')).join(';'),
    decode: (text) => {
      const parts = text.split(';');
      if (parts.length > maxRows)
        throw new Error(`at most ${maxRows} half-planes, got ${parts.length}`);
      return parts.map((p, i) => {
        try {
          return decodeHalfPlane(p, decimals, bound);
        } catch (e) {
          throw new Error(`half-plane ${i + 1}: ${errorMessage(e)}`);
        }
      });
    },
  };
}
