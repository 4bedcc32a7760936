/**
 * Error raised for malformed problem files. Its message is one line naming the
 * offending field (JSON) or line (QPS), so the CLI can print it as is.
 */
export class ProblemFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProblemFormatError';
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
