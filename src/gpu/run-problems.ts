/**
 * Per-problem regime (QpBatch 'problems'): one workgroup per problem. Each problem's
 * K = P̄ + σI + Āᵀdiag(ρ)Ā is formed and LDLᵀ-factored on the GPU (admm-factor.wgsl) and
 * refactored only for the problems whose own ρ changed; `iterate` runs many ADMM iterations per
 * dispatch with the factor in storage and x̃ in workgroup memory (n ≤ 1024).
 */
import type { QpSettings } from '../solvers/qp/types';
import type { GpuContext } from './device';
import {
  admmBindGroup,
  admmLayout,
  clampRho,
  dataStride,
  destroyAll,
  encodePass,
  INFO,
  INFO_STRIDE,
  packData,
  packParams,
  rhoVector,
  stateStride,
  type AdmmBuffers,
} from './admm-layout';
import { drive, type AdmmRunner, type DriveOutcome } from './admm-driver';
import type { PreparedProblem } from './prepare';

/** Workgroup-memory vector length in admm-iterate.wgsl (NMAX). */
export const PER_PROBLEM_NMAX = 1024;
const WG = 64;

export interface RegimeOutcome extends DriveOutcome {
  /** Final scalar ρ and number of ρ changes per problem. */
  rho: Float64Array;
  rhoUpdates: Int32Array;
}

/** Floats of per-problem storage (for chunking under maxStorageBufferBindingSize). */
export function perProblemFloats(n: number, m: number): { mats: number; fac: number; state: number } {
  return { mats: n * n + m * n, fac: n * n, state: stateStride(n, m) };
}

export async function runProblems(ctx: GpuContext, probs: PreparedProblem[], s: QpSettings, t0: number): Promise<RegimeOutcome> {
  const B = probs.length;
  const { n, m } = probs[0];
  if (n > PER_PROBLEM_NMAX) throw new Error(`GPU per-problem regime supports n ≤ ${PER_PROBLEM_NMAX}, got n = ${n}`);
  const sizes = perProblemFloats(n, m);
  const ds = dataStride(n, m);
  const ss = stateStride(n, m);
  const mats = new Float32Array(B * sizes.mats);
  const data = new Float32Array(B * ds);
  const state = new Float32Array(B * ss);
  const info = new Float32Array(B * INFO_STRIDE);
  const rho = new Float64Array(B).fill(clampRho(s.rho));
  const rhoUpdates = new Int32Array(B);
  const rhoVecs = probs.map((p) => rhoVector(p.rowType, rho[0]));
  probs.forEach((p, b) => {
    mats.set(p.P.data, b * sizes.mats);
    mats.set(p.A.data, b * sizes.mats + n * n);
    packData(data, b, n, m, { q: p.q, l: p.l, u: p.u, rhoVec: rhoVecs[b], D: p.scaling.D, E: p.scaling.E });
    state.set(p.x0, b * ss);
    state.set(p.z0, b * ss + n);
    state.set(p.y0, b * ss + n + m);
    info[b * INFO_STRIDE + INFO.cost] = p.scaling.c;
    info[b * INFO_STRIDE + INFO.refactor] = 1;
  });
  const buffers: AdmmBuffers = {
    params: ctx.uniform('admm.params', new ArrayBuffer(64)),
    mats: ctx.storage('admm.mats', mats),
    data: ctx.storage('admm.data', data),
    state: ctx.storage('admm.state', state),
    fac: ctx.storage('admm.fac', B * sizes.fac),
    info: ctx.storage('admm.info', info),
    gy: ctx.storage('admm.gy', 4),
    gv: ctx.storage('admm.gv', 4),
  };
  try {
    const { layout } = admmLayout(ctx);
    const bind = admmBindGroup(ctx, buffers);
    const factor = ctx.pipeline('admmFactor', 'factor', layout, { WG }, 'admm');
    const iterate = ctx.pipeline('admmIterate', 'iterate', layout, { WG }, 'admm');
    const checkP = ctx.pipeline('admmCheck', 'check', layout, { WG }, 'admm');
    let refactorPending = B;
    const runner: AdmmRunner = {
      batch: B,
      buffers,
      encode(enc, steps, evaluate, ratioOnly) {
        ctx.device.queue.writeBuffer(
          buffers.params,
          0,
          packParams({
            n,
            m,
            batch: B,
            iters: steps,
            sigma: s.sigma,
            alpha: s.alpha,
            eps_abs: s.eps_abs,
            eps_rel: s.eps_rel,
            eps_prim_inf: s.eps_prim_inf,
            eps_dual_inf: s.eps_dual_inf,
            matStride: sizes.mats,
            facStride: sizes.fac,
            lastIter: evaluate,
            scaledTermination: s.scaled_termination,
            ratioOnly,
          }),
        );
        if (refactorPending > 0) {
          encodePass(ctx, enc, 'factor', factor, bind, B, 1, refactorPending * (n * n * m + (n * n * n) / 3));
          refactorPending = 0;
        }
        encodePass(ctx, enc, 'iterate', iterate, bind, B, 1, B * steps * (2 * n * n + 4 * n * m));
        if (evaluate) encodePass(ctx, enc, 'check', checkP, bind, B, 1, B * (4 * n * n + 8 * n * m));
      },
      adapt(inf) {
        const tol = s.adaptive_rho_tolerance;
        for (let b = 0; b < B; b++) {
          if (inf[b * INFO_STRIDE + INFO.status] !== 0) continue;
          const est = clampRho(rho[b] * inf[b * INFO_STRIDE + INFO.rhoRatio]);
          if (!(est > rho[b] * tol || est < rho[b] / tol)) continue;
          rho[b] = est;
          rhoUpdates[b]++;
          const rv = new Float32Array(rhoVector(probs[b].rowType, est));
          ctx.device.queue.writeBuffer(buffers.data, (b * ds + n + 2 * m) * 4, rv);
          ctx.device.queue.writeBuffer(buffers.info, (b * INFO_STRIDE + INFO.refactor) * 4, new Float32Array([1]));
          refactorPending++;
        }
      },
    };
    const out = await drive(ctx, runner, s, t0, B * ss);
    return { ...out, rho, rhoUpdates };
  } finally {
    destroyAll(buffers);
  }
}
