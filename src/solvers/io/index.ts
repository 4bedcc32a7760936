/**
 * Problem file import/export: JSON (dense or CSC, single or batch) and QPS/MPS.
 * Format reference: docs/problem-format.md.
 */
import { stripBom } from './errors';
import { parseProblemJson, type ParsedProblems } from './json';
import type { ParseLimits } from './limits';
import { parseQps, type QpsOptions } from './qps';

export {
  ProblemFormatError,
  INFINITE_BOUND,
  boundValue,
  echo,
  escapeControl,
  stripBom,
} from './errors';
export {
  parseProblemJson,
  problemToJson,
  denseToCsc,
  type JsonOptions,
  type ParsedProblems,
  type ProblemJson,
} from './json';
export { parseQps, type QpsOptions } from './qps';
export {
  MemoryBudget,
  sparseFootprint,
  factorFootprint,
  formatBytes,
  type Footprint,
  type ParseLimits,
} from './limits';
export { META_KEYS, PROBLEM_KEYS, nearestKey } from './keys';

export type ProblemFileFormat = 'json' | 'qps';

/** Format from a file name's extension, undefined when it says nothing. */
export function formatFromName(filename: string): ProblemFileFormat | undefined {
  const ext = /\.([^./\\]+)$/.exec(filename)?.[1]?.toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'qps' || ext === 'mps' || ext === 'sif') return 'qps';
  return undefined;
}

/** Format from the content: a JSON file starts with '{'; anything else is read as QPS. */
export function sniffFormat(text: string): ProblemFileFormat {
  return stripBom(text).trimStart().startsWith('{') ? 'json' : 'qps';
}

/**
 * Parse a problem file of either format. The format comes from `format`, else from
 * the extension of `filename`, else from the content. `limits` applies to both formats; the
 * parser's warnings (QPS: `meta.warnings`) are also returned in `warnings`.
 */
export function parseProblemText(
  text: string,
  options: {
    format?: ProblemFileFormat;
    filename?: string;
    qps?: QpsOptions;
    limits?: ParseLimits;
  } = {},
): ParsedProblems & { format: ProblemFileFormat } {
  const format =
    options.format ??
    (options.filename ? formatFromName(options.filename) : undefined) ??
    sniffFormat(text);
  if (format === 'json') return { ...parseProblemJson(text, { limits: options.limits }), format };
  const problem = parseQps(text, { ...options.qps, limits: options.limits ?? options.qps?.limits });
  const warnings = problem.meta?.warnings as string[] | undefined;
  return {
    problems: [problem],
    batch: false,
    format,
    ...(warnings && warnings.length > 0 ? { warnings: [...warnings] } : {}),
  };
}
