import type { QpBatch, QpResult, QpSettings, WarmStart } from './types';
import { resolveSettings, solveQp, solveQpAsync } from './solve';
import { CpuSolver, QpSetupError } from './handle';
import { failedResult, withParams } from './prepared';
import { validateSettings } from './validate';
import { Turns } from '../turns';

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
  const solver = sharedSolver(batch, settings);
  return Array.isArray(solver) ? solver : solver.solveSync(warm);
}

/**
 * As solveBatch, giving the event loop a turn every few tens of ms (CpuSolver.solve,
 * solveQpAsync): a worker solving a large batch on the CPU keeps answering the page's pings.
 */
export async function solveBatchAsync(
  batch: QpBatch,
  settings?: Partial<QpSettings>,
  warm?: (WarmStart | undefined)[],
): Promise<QpResult[]> {
  if (batch.kind === 'problems') {
    const turns = new Turns();
    const out: QpResult[] = [];
    for (let i = 0; i < batch.problems.length; i++)
      out.push(await solveQpAsync(batch.problems[i], settings, warm?.[i], turns));
    return out;
  }
  const solver = sharedSolver(batch, settings);
  return Array.isArray(solver) ? solver : solver.solve(warm);
}

/** The handle of a shared batch, or every problem's refusal when its structure cannot be set up. */
function sharedSolver(
  batch: Extract<QpBatch, { kind: 'shared' }>,
  settings: Partial<QpSettings> | undefined,
): CpuSolver | QpResult[] {
  const t0 = performance.now();
  const problems = batch.params.map((v) => withParams(batch.structure, v));
  const bad = validateSettings(resolveSettings(settings));
  if (bad) return problems.map((p) => failedResult(p, 'invalid_input', bad, t0));
  try {
    return new CpuSolver(batch.structure, settings, batch.params);
  } catch (e) {
    if (!(e instanceof QpSetupError)) throw e;
    return problems.map((p) => failedResult(p, e.status, e.message, t0));
  }
}
