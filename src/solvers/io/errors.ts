/**
 * Error raised for malformed problem files. Its message is one line naming the
 * offending field (JSON) or line (QPS), so the CLI can print it as is.
 */
export class ProblemFormatError extends Error {
  /**
   * Why the file was refused when a caller can change that: 'memory' (the estimated memory is
   * above `ParseLimits.maxMemoryBytes`), 'truncated' (a QPS file without ENDATA, accepted with
   * `allowTruncated`). The CLI names the flag that changes it.
   */
  readonly code?: 'memory' | 'truncated';

  constructor(message: string, code?: 'memory' | 'truncated') {
    super(message);
    this.name = 'ProblemFormatError';
    if (code) this.code = code;
  }
}

/** Magnitude from which a bound counts as infinite (the Maros–Meszaros files store ±1e20). */
export const INFINITE_BOUND = 1e19;

/** ±Infinity for |v| ≥ 1e19 (sign kept), v otherwise. */
export function boundValue(v: number): number {
  if (v >= INFINITE_BOUND) return Infinity;
  if (v <= -INFINITE_BOUND) return -Infinity;
  return v;
}

/**
 * Characters a terminal acts on rather than prints: C0 controls (ESC starts escape sequences), DEL,
 * C1 controls (U+009B is a one-character CSI) and the bidirectional overrides that reorder text.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every control character written as an escape (\x1b, \u202e), so it prints inertly. */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A piece of the input quoted in a message: control characters escaped and cut to `max`
 * characters, so a hostile file can neither drive the terminal nor flood it.
 */
export function echo(s: string, max = 40): string {
  let cut = s.length > max ? s.slice(0, max) : s;
  // Do not leave half of a surrogate pair at the cut.
  if (cut.length < s.length && /[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return escapeControl(cut) + (cut.length < s.length ? '…' : '');
}

/** Strips a leading UTF-8 byte-order mark (U+FEFF), which editors on Windows write. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
