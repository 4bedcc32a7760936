/**
 * QPS (quadratic MPS) import. Builds the engine form
 *   minimize ½xᵀQx + cᵀx + r  s.t.  l ≤ Ax ≤ u
 * with A = [constraint rows; identity rows for the variable bounds].
 * Conventions are documented in docs/problem-format.md.
 */
import type { SparseQpProblem } from '../qp/types';
import { cscFromTriplets } from '../linalg/sparse/csc';
import { ProblemFormatError, boundValue, echo, stripBom } from './errors';
import { MemoryBudget, type ParseLimits } from './limits';
import { QpsReader, type MpsLayout, type QpsModel } from './qps-reader';

export interface QpsOptions {
  /** 'auto' (default) reads free MPS and falls back to fixed columns when that fails. */
  layout?: 'auto' | MpsLayout;
  /**
   * Which variables get an identity row in A: 'finite' (default) those with a finite
   * lower or upper bound; 'all' every variable, as the Maros–Meszaros JSON files do.
   */
  boundRows?: 'finite' | 'all';
  /**
   * Accept a file that ends without ENDATA, with a warning. By default such a file is an error:
   * a file cut off before its RHS or BOUNDS section would otherwise be solved as another problem.
   */
  allowTruncated?: boolean;
  /** Refuse a problem that would not fit, before its matrices are allocated. */
  limits?: ParseLimits;
}

/**
 * Parse a QPS/MPS file (a leading UTF-8 byte-order mark is skipped). Throws ProblemFormatError
 * with a line number.
 */
export function parseQps(input: string, options: QpsOptions = {}): SparseQpProblem {
  const text = stripBom(input);
  const layout = options.layout ?? 'auto';
  const allowTruncated = options.allowTruncated ?? false;
  let model: QpsModel;
  if (layout !== 'auto') model = read(text, layout, allowTruncated);
  else {
    try {
      model = read(text, 'free', allowTruncated);
    } catch (freeError) {
      if (!(freeError instanceof ProblemFormatError)) throw freeError;
      try {
        model = read(text, 'fixed', allowTruncated);
        model.warnings.push('read as fixed-column MPS');
      } catch {
        throw freeError;
      }
    }
  }
  return buildProblem(model, options.boundRows ?? 'finite', new MemoryBudget(options.limits));
}

function read(text: string, layout: MpsLayout, allowTruncated: boolean): QpsModel {
  const reader = new QpsReader(layout, allowTruncated);
  for (const line of text.split('\n')) reader.line(line);
  return reader.finish();
}

/** [l, u] of a constraint row from its type, right-hand side b and RANGES value R. */
function rowBounds(type: 'E' | 'L' | 'G', b: number, R: number | undefined): [number, number] {
  const rhs = boundValue(b);
  if (R === undefined) {
    if (type === 'E') return [rhs, rhs];
    return type === 'L' ? [-Infinity, rhs] : [rhs, Infinity];
  }
  const span = boundValue(Math.abs(R));
  if (type === 'L') return [rhs - span, rhs];
  if (type === 'G') return [rhs, rhs + span];
  // E rows: the sign of R says which side the range extends to.
  return R >= 0 ? [rhs, rhs + span] : [rhs - span, rhs];
}

function buildProblem(
  model: QpsModel,
  boundRows: 'finite' | 'all',
  budget: MemoryBudget,
): SparseQpProblem {
  const n = model.colNames.length;
  const mc = model.rowNames.length;
  const warnings = model.warnings;

  const lower = model.lower.slice();
  for (let j = 0; j < n; j++) {
    // An UP bound below zero with no explicit lower bound makes the lower bound −∞
    // (the rule of SAS, HiGHS and Gurobi), since the default lower bound 0 would
    // make the column infeasible.
    if (model.negativeUp[j] && !model.lowerSet[j]) {
      lower[j] = -Infinity;
      warnings.push(
        `column '${echo(model.colNames[j])}': negative UP bound without LO, lower bound set to −infinity`,
      );
    }
    if (lower[j] > model.upper[j]) {
      throw new ProblemFormatError(
        `BOUNDS: column '${echo(model.colNames[j])}' has lower bound ${lower[j]} above upper bound ${model.upper[j]}`,
      );
    }
  }
  const bounded: number[] = [];
  for (let j = 0; j < n; j++) {
    if (boundRows === 'all' || Number.isFinite(lower[j]) || Number.isFinite(model.upper[j]))
      bounded.push(j);
  }

  const m = mc + bounded.length;
  const nnzQ = model.qTriplets.length;
  budget.admit(n, m, '', model.aTriplets.length + bounded.length + nnzQ);
  const aI: number[] = [];
  const aJ: number[] = [];
  const aV: number[] = [];
  for (const [i, j, v] of model.aTriplets) {
    aI.push(i);
    aJ.push(j);
    aV.push(v);
  }
  const l = new Float64Array(m);
  const u = new Float64Array(m);
  for (let i = 0; i < mc; i++) {
    const [li, ui] = rowBounds(model.rowTypes[i], model.rhs[i], model.range[i]);
    if (li > ui)
      throw new ProblemFormatError(
        `row '${echo(model.rowNames[i])}' has empty range [${li}, ${ui}]`,
      );
    l[i] = li;
    u[i] = ui;
  }
  bounded.forEach((j, k) => {
    aI.push(mc + k);
    aJ.push(j);
    aV.push(1);
    l[mc + k] = lower[j];
    u[mc + k] = model.upper[j];
  });
  const A = cscFromTriplets(m, n, aI, aJ, aV);

  // The triplets list Q in full (both (i, j) and (j, i)); the engine keeps its upper triangle.
  const pI: number[] = [];
  const pJ: number[] = [];
  const pV: number[] = [];
  for (const [i, j, v] of model.qTriplets) {
    if (i > j) continue;
    pI.push(i);
    pJ.push(j);
    pV.push(v);
  }
  const P = cscFromTriplets(n, n, pI, pJ, pV);

  const meta: Record<string, unknown> = model.name ? { name: model.name } : {};
  Object.assign(meta, {
    format: 'qps',
    variables: model.colNames,
    constraints: [...model.rowNames, ...bounded.map((j) => `bound:${model.colNames[j]}`)],
  });
  if (warnings.length > 0) meta.warnings = warnings;
  return { n, m, P, q: Float64Array.from(model.c), r: model.r, A, l, u, meta };
}
