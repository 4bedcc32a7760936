import type { QpBatch, QpEngine, QpProblem, QpResult, QpSettings, WarmStart } from './types';
import {
  errorStatus,
  failedResult,
  resolveSettings,
  setupSolver,
  solveQp,
  solveValidated,
} from './solve';
import { validateMatrices, validateSettings, validateVectors } from './validate';
import { withVectors } from './scaling';

/** Factorizations kept per shared batch (distinct ρ vectors met by its problems). */
const SHARED_CACHE_SIZE = 8;

/**
 * Solves a batch one problem after another. A 'shared' batch is scaled once (with the cost scaling
 * taken over all its q, so every problem sees the same P̄, Ā) and reuses factorizations across
 * problems whenever their per-row ρ coincide.
 */
export function solveBatch(
  batch: QpBatch,
  settings?: Partial<QpSettings>,
  warm?: (WarmStart | undefined)[],
): QpResult[] {
  if (batch.kind === 'problems')
    return batch.problems.map((p, i) => solveQp(p, settings, warm?.[i]));
  const t0 = performance.now();
  const s = resolveSettings(settings);
  const problems: QpProblem[] = batch.params.map((v) => withVectors(batch.structure, v));
  const bad = validateSettings(s);
  if (bad) return problems.map((p) => failedResult(p, 'invalid_input', bad, t0));
  // P and A are shared: check them (shapes, symmetry, PSD) once, the vectors per problem.
  const structureIssue = validateMatrices(batch.structure);
  if (structureIssue)
    return problems.map((p) => failedResult(p, structureIssue.status, structureIssue.message, t0));
  const issues = problems.map(validateVectors);
  const ok = problems.filter((_, i) => !issues[i]);
  const setup =
    ok.length > 0
      ? setupSolver(
          ok[0],
          s,
          ok.map((p) => p.q),
          SHARED_CACHE_SIZE,
        )
      : null;
  return problems.map((p, i) => {
    const t = i === 0 ? t0 : performance.now();
    const issue = issues[i];
    if (issue) return failedResult(p, issue.status, issue.message, t);
    if (!setup) throw new Error('unreachable: a valid problem without setup');
    try {
      return solveValidated(p, s, setup, warm?.[i], t);
    } catch (e) {
      return failedResult(p, errorStatus(e), (e as Error).message, t);
    }
  });
}

/** The CPU engine: Float64 ADMM in JavaScript, problems solved in sequence. */
export class CpuEngine implements QpEngine {
  readonly name = 'cpu' as const;
  readonly adapter = 'CPU (Float64, JavaScript)';

  async solveBatch(
    batch: QpBatch,
    settings?: Partial<QpSettings>,
    warm?: (WarmStart | undefined)[],
  ): Promise<QpResult[]> {
    return solveBatch(batch, settings, warm);
  }
}
