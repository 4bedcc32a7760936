import type { QpBatch, QpResult, QpSettings, WarmStart } from './types';
import { resolveSettings, solveQp } from './solve';
import { CpuSolver, QpSetupError } from './handle';
import { failedResult, withParams } from './prepared';
import { validateSettings } from './validate';

/**
 * Solves a batch one problem after another. A 'shared' batch goes through one handle (CpuSolver):
 * scaled once (with the cost scaling taken over all its q, so every problem sees the same P̄, Ā),
 * factorizations reused across problems whenever their per-row ρ coincide.
 */
export function solveBatch(
  batch: QpBatch,
  settings?: Partial<QpSettings>,
  warm?: (WarmStart | undefined)[],
): QpResult[] {
  if (batch.kind === 'problems')
    return batch.problems.map((p, i) => solveQp(p, settings, warm?.[i]));
  const t0 = performance.now();
  const problems = batch.params.map((v) => withParams(batch.structure, v));
  const bad = validateSettings(resolveSettings(settings));
  if (bad) return problems.map((p) => failedResult(p, 'invalid_input', bad, t0));
  let solver: CpuSolver;
  try {
    solver = new CpuSolver(batch.structure, settings, batch.params);
  } catch (e) {
    if (!(e instanceof QpSetupError)) throw e;
    return problems.map((p) => failedResult(p, e.status, e.message, t0));
  }
  return solver.solveSync(warm);
}
