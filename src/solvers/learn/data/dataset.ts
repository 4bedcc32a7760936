/**
 * A predict-and-optimize dataset: one problem family in the engine's QP form
 *
 *   minimize ½xᵀPx + q_iᵀx  subject to  l_i ≤ Ax ≤ u_i,
 *
 * with a fixed structure (P, A, and l, u unless they vary per sample) and, per sample i, the
 * features o_i the model sees and the true cost q_i it should have predicted. Papers write these
 * problems as maximize f(x, w); we store the minimization form, so q_i = −w_i for the linear
 * objectives and regret (Eq. 8 of You Shall Pass, sign flipped) is f(x̂) − f(x*) ≥ 0.
 */
import type { QpBatch, QpProblem } from '../../qp/types';
import { splitIndices, type Splits } from '../batches';

export type DatasetName = 'portfolio' | 'lse-portfolio' | 'knapsack' | 'dc-opf';

export interface PoDataset {
  name: DatasetName;
  /** P, A and the default l, u of the family; its q is zero (the cost is per sample). */
  structure: QpProblem;
  /** Number of samples N. */
  size: number;
  /** Width of a feature vector. */
  featureSize: number;
  /** Features o_i, N × featureSize, row-major. */
  features: Float64Array;
  /** True linear costs q_i (minimization form), N × n, row-major. */
  costs: Float64Array;
  /** Per-sample lower bounds l_i, N × m, when they vary (DC-OPF); else structure.l. */
  lower?: Float64Array;
  /** Per-sample upper bounds u_i, N × m, when they vary; else structure.u. */
  upper?: Float64Array;
  /** Seeded 70/20/10 split. */
  splits: Splits;
  /** The generator's resolved options (seed included), for the experiment's JSON output. */
  settings: Record<string, number | string>;
}

/** q_i, l_i, u_i of sample i as views (no copies). */
export function sampleVectors(
  ds: PoDataset,
  i: number,
): { q: Float64Array; l: Float64Array; u: Float64Array } {
  const { n, m } = ds.structure;
  if (!(i >= 0 && i < ds.size)) throw new Error(`sample ${i} out of range [0, ${ds.size})`);
  return {
    q: ds.costs.subarray(i * n, (i + 1) * n),
    l: ds.lower ? ds.lower.subarray(i * m, (i + 1) * m) : ds.structure.l,
    u: ds.upper ? ds.upper.subarray(i * m, (i + 1) * m) : ds.structure.u,
  };
}

/** Sample i's features o_i (a view). */
export function sampleFeatures(ds: PoDataset, i: number): Float64Array {
  return ds.features.subarray(i * ds.featureSize, (i + 1) * ds.featureSize);
}

/** Sample i's QP with its true cost, or with the cost `q` (a prediction) when given. */
export function sampleProblem(ds: PoDataset, i: number, q?: Float64Array): QpProblem {
  const v = sampleVectors(ds, i);
  return { ...ds.structure, q: q ?? v.q, l: v.l, u: v.u };
}

/**
 * A shared-structure batch of samples `idx`, with their true costs or with `qs` (B × n, one
 * predicted cost per row) in their place.
 */
export function sharedBatch(ds: PoDataset, idx: ArrayLike<number>, qs?: Float64Array): QpBatch {
  const { n } = ds.structure;
  const params = Array.from(idx, (i, r) => {
    const v = sampleVectors(ds, i);
    const q = qs ? qs.subarray(r * n, (r + 1) * n) : v.q;
    return { q, ...(ds.lower ? { l: v.l } : {}), ...(ds.upper ? { u: v.u } : {}) };
  });
  return { kind: 'shared', structure: ds.structure, params };
}

/** Assembles a dataset and its seeded split (the split seed is derived from the data seed). */
export function makeDataset(parts: Omit<PoDataset, 'splits'>, seed: number): PoDataset {
  return { ...parts, splits: splitIndices(parts.size, seed ^ 0x5eed) };
}

/** A dense matrix from a row-major array. */
export function dense(rows: number, cols: number, data?: Float64Array) {
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/** Uniform in [lo, hi). */
export function uniform(rng: { uniform(): number }, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}
