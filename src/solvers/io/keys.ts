/**
 * The top-level keys a JSON problem file may hold, and the nearest one to a key that is not among
 * them: a misspelt field ("Q" for "P") must be an error, not silently dropped into `meta`, or the
 * file is solved as a different problem.
 */

/** Fields with a meaning in the engine form. */
export const PROBLEM_KEYS: readonly string[] = ['P', 'q', 'r', 'A', 'l', 'u', 'n', 'm'];

/**
 * Descriptive fields, kept in `QpProblem.meta`: those of the Maros–Meszaros files and of QPS
 * imports (format, variables, constraints, warnings). Anything else goes inside `"meta": {...}`.
 */
export const META_KEYS: readonly string[] = [
  'name',
  'comment',
  'description',
  'source',
  'form',
  'opt_obj_reference',
  'opt_obj_source',
  'format',
  'variables',
  'constraints',
  'warnings',
];

/** The free-form object whose entries are merged into `meta`. */
export const FREE_META_KEY = 'meta';

/** Names other solvers and papers use for our fields (OSQP's Q in QPS, CVXOPT, quadprog, MATLAB). */
const SYNONYMS = new Map<string, string>([
  ['Q', 'P'],
  ['H', 'P'],
  ['hessian', 'P'],
  ['c', 'q'],
  ['f', 'q'],
  ['G', 'A'],
  ['C', 'A'],
  ['lb', 'l'],
  ['ub', 'u'],
  ['lower', 'l'],
  ['upper', 'u'],
  ['constant', 'r'],
  ['problems', 'batch'],
]);

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The known key `key` was most likely meant to be: a synonym from another solver's vocabulary,
 * else the same key in another case, else a known key it begins, else the closest by edit
 * distance (at most a third of its length, at least 1). Undefined when nothing is close.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const synonym = SYNONYMS.get(key) ?? SYNONYMS.get(key.toLowerCase());
  if (synonym !== undefined && known.includes(synonym)) return synonym;
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  // One- and two-letter keys are one edit from every field name: only a synonym counts for them.
  if (key.length <= 2 || key.length > 40) return undefined;
  const prefix = known.find((k) => k.length > 2 && k.toLowerCase().startsWith(lower));
  if (prefix !== undefined) return prefix;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}
