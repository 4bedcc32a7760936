/**
 * The URL hash codec over the config schema: a config to hash text and back.
 *
 * A link is input from anywhere: typed by hand, mangled by a chat client, cut short, or made
 * to break the page. So decoding never throws, does bounded work on any text, applies every
 * field it can read, and reports the rest in a bounded list of notices. The rules:
 * - keys and values are percent-decoded one by one; a malformed escape costs only its own field;
 * - `+` is a literal plus ("what=+0.5,1e+2"), as `encodeURIComponent` writes it; spaces come as
 *   %20 and are trimmed from keys and values;
 * - a key given more than once: the last one wins, and a notice says so;
 * - text past MAX_HASH_CHARS is not read, and a value past MAX_VALUE_CHARS not decoded.
 */
import {
  CONFIG_KEYS,
  defaultConfig,
  SCHEMA,
  type Config,
  type ConfigKey,
  type FieldBase,
} from './schema';
import { errorMessage } from '../../solvers/errors';

/** Hash text read at most; the rest is ignored with a notice (a full canonical hash is ~500). */
export const MAX_HASH_CHARS = 16_384;
/** Longest raw value decoded (12 half-planes take ~300 characters, ~900 if fully %-escaped). */
export const MAX_VALUE_CHARS = 1_024;
/** A longer raw key cannot spell a field name, even %-escaped. */
const MAX_KEY_CHARS = 64;
/** Notices listed one by one; any beyond are counted in one last line. */
export const MAX_NOTICES = 6;
/** Longest excerpt of the link quoted in a notice, in code points. */
const MAX_QUOTE_CHARS = 40;

/** Hash text (without the leading '#') for a config; every field is written, in schema order. */
export function encodeHash(config: Config): string {
  return CONFIG_KEYS.map((k) => {
    const field = SCHEMA[k] as FieldBase<Config[typeof k]>;
    return `${k}=${encodeURIComponent(field.encode(config[k])).replace(/%2C/g, ',').replace(/%3B/g, ';')}`;
  }).join('&');
}

/** Field-wise equality, used to skip redundant hash writes. */
export function configEquals(a: Config, b: Config): boolean {
  return encodeHash(a) === encodeHash(b);
}

export interface DecodeResult {
  /** Every field: read from the hash where it could be, else its default. */
  config: Config;
  /**
   * What was ignored and why: about the fields the link sets first, then about names that set
   * nothing, each in link order; at most MAX_NOTICES + 1 lines.
   */
  errors: string[];
}

/** Parses a hash ('#a=1&b=2' or 'a=1&b=2'); missing fields take their defaults. Never throws. */
export function decodeHash(hash: string): DecodeResult {
  const config = defaultConfig();
  let text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text.trim() === '') return { config, errors: [] };
  // Notices about fields the link sets come first: a bad ŵ must not hide behind 2,000 junk names.
  const aboutFields: string[] = [];
  const aboutNames: string[] = [];
  if (text.length > MAX_HASH_CHARS) {
    aboutFields.push(
      `This link's settings are ${count(text.length)} characters long; only the first ` +
        `${count(MAX_HASH_CHARS)} were read.`,
    );
    // Up to the last whole parameter: a value cut in two could still parse ("what=0.5,0.25" → "what=0.5,0.2").
    const cut = text.lastIndexOf('&', MAX_HASH_CHARS);
    text = cut < 0 ? '' : text.slice(0, cut);
  }
  const pairs = text.split('&').map(readPair);
  const lastIndex = new Map<ConfigKey, number>();
  const times = new Map<ConfigKey, number>();
  pairs.forEach((p, i) => {
    if (p.key === null) return;
    lastIndex.set(p.key, i);
    times.set(p.key, (times.get(p.key) ?? 0) + 1);
  });
  pairs.forEach((p, i) => {
    if (p.problem) aboutNames.push(p.problem);
    if (p.key === null || lastIndex.get(p.key) !== i) return;
    const n = times.get(p.key) ?? 1;
    if (n > 1)
      aboutFields.push(`URL parameter ${p.key} was given ${n} times; the last one is used.`);
    const problem = applyField(config, p.key, p.rawValue);
    if (problem) aboutFields.push(problem);
  });
  return { config, errors: bounded([...aboutFields, ...aboutNames]) };
}

/** One `key=value` of the hash: the field it names, or why it names none. */
interface Pair {
  key: ConfigKey | null;
  /** Text after the first '=', still %-escaped; null when there is no '='. */
  rawValue: string | null;
  /** Why the pair is ignored, when it is. */
  problem?: string;
}

function readPair(pair: string): Pair {
  const eq = pair.indexOf('=');
  const rawKey = eq < 0 ? pair : pair.slice(0, eq);
  const rawValue = eq < 0 ? null : pair.slice(eq + 1);
  if (pair === '') return { key: null, rawValue }; // "a=1&&b=2"
  if (rawKey.trim() === '')
    return { key: null, rawValue, problem: `Ignored "${quote(pair)}": it has no parameter name.` };
  const name = rawKey.length > MAX_KEY_CHARS ? rawKey : percentDecode(rawKey)?.trim();
  if (name === undefined)
    return {
      key: null,
      rawValue,
      problem: `Ignored URL parameter "${quote(rawKey)}": its name is not valid %-encoding.`,
    };
  // An array lookup, never an object's: "__proto__" and "constructor" are just unknown names.
  const key = CONFIG_KEYS.find((k) => k === name) ?? null;
  if (key === null)
    return { key, rawValue, problem: `Ignored unknown URL parameter "${quote(name)}".` };
  return { key, rawValue };
}

/** Sets `config[key]` from the raw value; returns why not when it cannot. */
function applyField(config: Config, key: ConfigKey, rawValue: string | null): string | null {
  if (rawValue === null) return `Ignored URL parameter ${key}: it has no value (${key}=…).`;
  if (rawValue.length > MAX_VALUE_CHARS)
    return (
      `Ignored URL parameter ${key}: its value is ${count(rawValue.length)} characters long ` +
      `(at most ${count(MAX_VALUE_CHARS)}).`
    );
  const value = percentDecode(rawValue)?.trim();
  if (value === undefined)
    return `Ignored URL parameter ${key}=${quote(rawValue)}: the value is not valid %-encoding.`;
  try {
    setField(config, key, value);
    return null;
  } catch (e) {
    const why = errorMessage(e);
    return `Ignored URL parameter ${key}=${quote(value)}: ${quote(why, 160)}.`;
  }
}

function setField<K extends ConfigKey>(config: Config, key: K, text: string): void {
  const field = SCHEMA[key] as unknown as FieldBase<Config[K]>;
  config[key] = field.decode(text);
}

/** `decodeURIComponent`, or undefined where it would throw (a malformed or non-UTF-8 escape). */
function percentDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Link text as a notice quotes it: at most `max` code points, and control, format (bidirectional
 * overrides, zero-width) and lone surrogate characters shown as �, so a quote cannot reorder or
 * hide the words around it.
 */
function quote(s: string, max = MAX_QUOTE_CHARS): string {
  // Slicing first keeps the work bounded on a long value; 4·max UTF-16 units hold > max code points.
  const chars = Array.from(s.slice(0, 4 * max));
  const shown = chars
    .slice(0, max)
    .join('')
    .replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, '\ufffd');
  return chars.length > max ? `${shown}…` : shown;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The notices in order, each once, at most MAX_NOTICES of them and a count of the rest. */
function bounded(notices: string[]): string[] {
  const unique = [...new Set(notices)];
  const more = unique.length - MAX_NOTICES;
  if (more <= 0) return unique;
  const tail =
    more === 1
      ? '1 more problem in this link was ignored.'
      : `${count(more)} more problems in this link were ignored.`;
  return [...unique.slice(0, MAX_NOTICES), tail];
}
