/**
 * The CPU engine's choice between its two linear systems, by size and density: the dense reduced
 * Cholesky of P + σI + AᵀρA (fast on small or dense problems: contiguous loops, no ordering) and
 * the sparse LDLᵀ of the KKT matrix under AMD (what makes large sparse problems possible at all).
 * The estimate counts multiply-adds of a typical solve, a few factorizations and a few hundred
 * iterations, on each path; the sparse path's AMD and symbolic analysis, when computed to decide,
 * are kept for the solve.
 */
import type { AnyQpProblem, LinSysPath, QpSettings } from './types';
import { isSparseProblem } from './types';
import { nonzeros, storedEntries, toSparseProblem } from './matrix';
import { SparseKktLinSys, type KktAnalysis } from '../linalg/sparse/kkt';
import type { Deadline } from '../deadline';

/** The path, and the sparse analysis when one was made to decide. */
export interface PathChoice {
  path: LinSysPath;
  analysis?: KktAnalysis;
  /** Estimated multiply-adds of each path, when both were estimated. */
  cost?: { dense: number; sparse: number };
}

/** Above this n the dense path is never chosen automatically (n² storage, n³ factorization). */
export const DENSE_MAX_N = 3000;
/** Problems with n·(n + m) up to this take the dense path (both are instant; dense allocates less). */
const TINY = 256;
/** At or above this fill of K's upper triangle the dense path is taken without analysis. */
const DENSE_FILL = 0.3;
/** A typical solve: factorizations (setup and ρ updates) and iterations. */
const FACTORIZATIONS = 3;
const ITERATIONS = 200;
/**
 * Cost of a sparse multiply-add relative to a dense one (indirect indexing, scattered memory),
 * fitted on the Maros–Meszaros problems with n ≤ 1500 solved on both paths (between 0.6 and 2.2,
 * 1.5 in the middle; the choice is right wherever the two paths differ by more than ~1.4×).
 */
const SPARSE_PENALTY = 1.5;

/** Bytes the dense path allocates for n variables and m rows (P̄, Ā, the reduced matrix, L, Lᵀ). */
export function densePathBytes(n: number, m: number): number {
  return 8 * (4 * n * n + 2 * m * n);
}

/** Multiply-adds of a typical dense solve. */
function denseCost(n: number, m: number): number {
  const factor = (n * n * n) / 3 + m * n * n;
  const iteration = 2 * n * n + 2 * m * n;
  return FACTORIZATIONS * factor + ITERATIONS * iteration;
}

/** Multiply-adds of a typical sparse solve, from the symbolic analysis. */
function sparseCost(a: KktAnalysis): number {
  const iteration = 4 * a.nnzL + 6 * (a.n + a.m);
  return SPARSE_PENALTY * (FACTORIZATIONS * a.factorFlops + ITERATIONS * iteration);
}

/**
 * Chooses the linear system for a validated problem under `s.linsys` ('auto': by the estimate;
 * 'dense' or 'sparse': as told). The automatic choice stays off a dense path whose storage would
 * exceed the two factors s.max_factor_bytes allows. May throw FactorTooLargeError (from the
 * analysis, past s.max_factor_bytes) and DeadlineError.
 */
export function chooseLinSys(p: AnyQpProblem, s: QpSettings, deadline?: Deadline): PathChoice {
  const maxDenseBytes = s.max_factor_bytes > 0 ? 2 * s.max_factor_bytes : Infinity;
  const { n, m } = p;
  const maxFactorBytes = s.max_factor_bytes > 0 ? s.max_factor_bytes : undefined;
  const analyze = (): KktAnalysis => {
    deadline?.check('the ordering of the KKT matrix');
    const sp = toSparseProblem(p);
    return SparseKktLinSys.analyze(sp.P, sp.A, { maxFactorBytes, amd: { deadline } });
  };
  if (s.linsys === 'dense') return { path: 'dense' };
  if (s.linsys === 'sparse') return { path: 'sparse', analysis: analyze() };
  const denseFits = n <= DENSE_MAX_N && densePathBytes(n, m) <= maxDenseBytes;
  if (!denseFits) return { path: 'sparse', analysis: analyze() };
  if (n * (n + m) <= TINY) return { path: 'dense' };
  // Entries of K's upper triangle (P's upper triangle, A, the diagonal) against a full triangle.
  const sparse = isSparseProblem(p);
  const entries =
    (sparse ? storedEntries(p.P) : nonzeros(p.P, true)) +
    (sparse ? storedEntries(p.A) : nonzeros(p.A)) +
    n +
    m;
  if (entries >= DENSE_FILL * (((n + m) * (n + m + 1)) / 2)) return { path: 'dense' };
  const analysis = analyze();
  const cost = { dense: denseCost(n, m), sparse: sparseCost(analysis) };
  return cost.sparse < cost.dense ? { path: 'sparse', analysis, cost } : { path: 'dense', cost };
}
