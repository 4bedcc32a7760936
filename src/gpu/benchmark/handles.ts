/**
 * What a handle saves (issue 7): one structure (P, A) solved N times with a changing q, as a
 * training loop does, three ways on each engine:
 *  - one-shot, cold: `solveBatch` each time (validate, scale, upload, factor, solve from zero);
 *  - one-shot, warm: the same, warm-started from the previous answers (today's best without handles);
 *  - handle: `setup` once, then `update` + `solve('previous')` (scaling, factorizations and the
 *    device's matrices kept; ρ carried over).
 * Times are wall time per problem, measured here and printed, never asserted. On SwiftShader the
 * GPU figures compare the GPU engine with itself only.
 */
import type { QpProblem, QpResult, QpSettings, WarmStart } from '../../solvers/qp/types';
import type { QpParams } from '../../solvers/qp/prepared';
import type { Engine } from '../../solvers/engine';
import { bpqpRandomQp } from '../random-qp';
import { sizeName, type BenchSize } from './types';

export interface HandleBenchConfig {
  sizes: BenchSize[];
  /** Parameter sets per call (1: one problem per solve). */
  batches: number[];
  /** Calls per variant. */
  solves: number;
  eps: number;
  maxIter: number;
}

export interface HandleBenchRow {
  size: string;
  batch: number;
  engine: string;
  solves: number;
  /** Wall ms per problem. */
  coldMs: number;
  warmMs: number;
  handleMs: number;
  /** Mean ADMM iterations per problem. */
  coldIter: number;
  warmIter: number;
  handleIter: number;
  /** Problems not 'solved' (out of solves × batch) per variant. */
  unsolved: [number, number, number];
}

/** The k-th call's cost vectors: q drifting smoothly, as predictions do between training steps. */
export function driftingParams(p: QpProblem, k: number, batch: number): QpParams[] {
  return Array.from({ length: batch }, (_, b) => ({
    q: p.q.map((v, j) => v + 0.3 * Math.sin(0.2 * k + j + 0.7 * b)),
  }));
}

const mean = (rs: QpResult[]) => rs.reduce((s, r) => s + r.iter, 0) / Math.max(1, rs.length);
const unsolved = (rs: QpResult[]) => rs.filter((r) => r.status !== 'solved').length;

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}

/** One size and batch on one engine. */
export async function benchHandle(
  engine: Engine,
  engineName: string,
  size: BenchSize,
  batch: number,
  solves: number,
  settings: Partial<QpSettings>,
): Promise<HandleBenchRow> {
  const structure = bpqpRandomQp(7, size.d, size.meq);
  const calls = Array.from({ length: solves }, (_, k) => driftingParams(structure, k, batch));
  const oneShot = async (warmStart: boolean) => {
    let prev: QpResult[] | null = null;
    const all: QpResult[] = [];
    let ms = 0;
    for (const params of calls) {
      const warm: (WarmStart | undefined)[] | undefined =
        warmStart && prev ? prev.map((r) => ({ x: r.x, y: r.y })) : undefined;
      const [res, t]: [QpResult[], number] = await timed(() =>
        engine.solveBatch({ kind: 'shared', structure, params }, settings, warm),
      );
      ms += t;
      prev = res;
      all.push(...res);
    }
    return { ms, all };
  };
  const viaHandle = async (list: QpParams[][]) => {
    const h = await engine.setup(structure, settings, list[0]);
    const all: QpResult[] = [];
    for (let k = 0; k < list.length; k++) {
      h.update(list[k]);
      all.push(...(await h.solve(k === 0 ? undefined : 'previous')));
    }
    h.dispose();
    return all;
  };
  // A short untimed round of each variant first, so that no variant pays for the JIT or the
  // pipelines' compilation alone.
  const warmup = calls.slice(0, Math.min(3, calls.length));
  for (const params of warmup)
    await engine.solveBatch({ kind: 'shared', structure, params }, settings);
  await viaHandle(warmup);
  const cold = await oneShot(false);
  const warm = await oneShot(true);
  const handleRun = await timed(() => viaHandle(calls));
  const n = solves * batch;
  return {
    size: sizeName(size),
    batch,
    engine: engineName,
    solves,
    coldMs: cold.ms / n,
    warmMs: warm.ms / n,
    handleMs: handleRun[1] / n,
    coldIter: mean(cold.all),
    warmIter: mean(warm.all),
    handleIter: mean(handleRun[0]),
    unsolved: [unsolved(cold.all), unsolved(warm.all), unsolved(handleRun[0])],
  };
}

/** Every size × batch × engine; `onRow` hears each row as it is measured. */
export async function runHandleBenchmark(
  config: HandleBenchConfig,
  engines: { name: string; engine: Engine; eps?: number }[],
  onRow?: (row: HandleBenchRow) => void,
): Promise<HandleBenchRow[]> {
  const rows: HandleBenchRow[] = [];
  for (const size of config.sizes)
    for (const batch of config.batches)
      for (const { name, engine, eps } of engines) {
        const e = eps ?? config.eps;
        const row = await benchHandle(engine, name, size, batch, config.solves, {
          eps_abs: e,
          eps_rel: e,
          max_iter: config.maxIter,
        });
        rows.push(row);
        onRow?.(row);
      }
  return rows;
}

const f3 = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(3));

/** The rows as a markdown table, with the gain of the handle over each one-shot variant. */
export function handleMarkdown(rows: HandleBenchRow[]): string {
  const head =
    '| size | batch | engine | solves | one-shot cold ms | one-shot warm ms | handle ms | handle gain vs cold | vs warm | iterations cold / warm / handle | not solved |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|\n';
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.size} | ${r.batch} | ${r.engine} | ${r.solves} | ${f3(r.coldMs)} | ${f3(r.warmMs)} | ${f3(r.handleMs)} | ` +
          `${(r.coldMs / r.handleMs).toFixed(2)}× | ${(r.warmMs / r.handleMs).toFixed(2)}× | ` +
          `${r.coldIter.toFixed(0)} / ${r.warmIter.toFixed(0)} / ${r.handleIter.toFixed(0)} | ${r.unsolved.join(' / ')} |`,
      )
      .join('\n') +
    '\n'
  );
}
