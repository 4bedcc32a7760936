/**
 * The host loop shared by both ADMM regimes: it splits the iterations into submits of bounded
 * duration, runs the termination check of the whole batch every `check_termination` iterations
 * (one small readback of the info records), and the ρ estimate every 4 checks (as the CPU engine).
 */
import type { QpSettings } from '../solvers/qp/types';
import type { GpuContext } from './device';
import { INFO, INFO_STRIDE, type AdmmBuffers } from './admm-layout';

/** OSQP 1.0's rule also used by src/solvers/qp/solve.ts: ρ is re-estimated every 4 checks. */
const ADAPTIVE_RHO_MULTIPLE_TERMINATION = 4;
const ADAPTIVE_RHO_FIXED = 100;
/** Wall time aimed at per submit: well under a second (browser watchdogs), long enough to amortize. */
const TARGET_SUBMIT_MS = 150;
const MAX_STEPS_PER_SUBMIT = 500;

/** What a regime provides to the driver. */
export interface AdmmRunner {
  readonly batch: number;
  readonly buffers: AdmmBuffers;
  /**
   * Writes the Params for this submit and encodes `steps` iterations, followed by a check pass
   * when `evaluate` (which computes the status unless `ratioOnly`).
   */
  encode(enc: GPUCommandEncoder, steps: number, evaluate: boolean, ratioOnly: boolean): void;
  /** Applies the ρ estimates in `info` to running problems (refactor / rebuild as needed). */
  adapt(info: Float32Array): void;
  /** Sees every info readback (statistics only). */
  observe?(info: Float32Array): void;
}

export interface DriveOutcome {
  /** Info records at the end (INFO_STRIDE floats per problem). */
  info: Float32Array;
  /** The state buffer at the end (scaled x, z, y, δx, δy per problem). */
  state: Float32Array;
  /** Iterations run (the same for every problem still running at the end). */
  iter: number;
  timeLimitHit: boolean;
}

export async function drive(
  ctx: GpuContext,
  r: AdmmRunner,
  s: QpSettings,
  t0: number,
  stateFloats: number,
): Promise<DriveOutcome> {
  const check = s.check_termination;
  const adaptEvery = check > 0 ? ADAPTIVE_RHO_MULTIPLE_TERMINATION * check : ADAPTIVE_RHO_FIXED;
  const deadline = s.time_limit > 0 ? t0 + s.time_limit * 1000 : Infinity;
  const dev = ctx.device;
  let info = await ctx.read(r.buffers.info, 0, r.batch * INFO_STRIDE * 4);
  let iter = 0;
  let budget = Math.min(check > 0 ? check : 25, 10);
  let timeLimitHit = false;
  while (iter < s.max_iter) {
    const next = (every: number): number => (Math.floor(iter / every) + 1) * every;
    const nextCheck = check > 0 ? next(check) : Infinity;
    const nextAdapt = s.adaptive_rho ? next(adaptEvery) : Infinity;
    const event = Math.min(nextCheck, nextAdapt, s.max_iter);
    const steps = Math.min(event - iter, budget);
    const end = iter + steps;
    const isCheck = end === nextCheck;
    const isAdapt = end === nextAdapt;
    const evaluate = isCheck || isAdapt;
    const t = performance.now();
    const enc = dev.createCommandEncoder();
    r.encode(enc, steps, evaluate, !isCheck);
    iter = end;
    if (evaluate) {
      info = await ctx.read(r.buffers.info, 0, r.batch * INFO_STRIDE * 4, enc);
    } else {
      dev.queue.submit([enc.finish()]);
      await dev.queue.onSubmittedWorkDone();
    }
    if (ctx.timingFull()) await ctx.flushTiming();
    const perIter = Math.max(performance.now() - t, 0.01) / steps;
    budget = Math.max(1, Math.min(MAX_STEPS_PER_SUBMIT, Math.floor(TARGET_SUBMIT_MS / perIter)));
    if (evaluate) {
      r.observe?.(info);
      let running = 0;
      for (let b = 0; b < r.batch; b++) if (info[b * INFO_STRIDE + INFO.status] === 0) running++;
      if (running === 0) break;
      if (isAdapt) r.adapt(info);
    }
    if (performance.now() > deadline) {
      timeLimitHit = true;
      break;
    }
  }
  await ctx.flushTiming();
  const state = await ctx.read(r.buffers.state, 0, stateFloats * 4);
  info = await ctx.read(r.buffers.info, 0, r.batch * INFO_STRIDE * 4);
  return { info, state, iter, timeLimitHit };
}
