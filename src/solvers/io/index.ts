/**
 * Problem file import/export: JSON (dense or CSC, single or batch) and QPS/MPS.
 * Format reference: docs/problem-format.md.
 */
import { parseProblemJson, type ParsedProblems } from './json';
import { parseQps, type QpsOptions } from './qps';

export { ProblemFormatError, INFINITE_BOUND, boundValue } from './errors';
export {
  parseProblemJson,
  problemToJson,
  denseToCsc,
  type ParsedProblems,
  type ProblemJson,
} from './json';
export { parseQps, type QpsOptions } from './qps';

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
  return text.trimStart().startsWith('{') ? 'json' : 'qps';
}

/**
 * Parse a problem file of either format. The format comes from `format`, else from
 * the extension of `filename`, else from the content.
 */
export function parseProblemText(
  text: string,
  options: { format?: ProblemFileFormat; filename?: string; qps?: QpsOptions } = {},
): ParsedProblems & { format: ProblemFileFormat } {
  const format =
    options.format ??
    (options.filename ? formatFromName(options.filename) : undefined) ??
    sniffFormat(text);
  if (format === 'json') return { ...parseProblemJson(text), format };
  return { problems: [parseQps(text, options.qps)], batch: false, format };
}
