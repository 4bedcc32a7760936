/**
 * Per-problem regime (QpBatch 'problems'): one workgroup per problem, each with its own
 * K = P̄ + σI + Āᵀdiag(ρ)Ā, solved directly (LDLᵀ factor and K⁻¹ in storage, x̃ = x + K⁻¹(rhs − Kx)
 * in workgroup memory, n ≤ 1024) or indirectly (PCG warm-started from the last x̃) — see admm-linsys.ts. Only the
 * problems whose own ρ changed are refactored / get a new preconditioner; `iterate` runs many
 * ADMM iterations per dispatch.
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
import {
  CG_MAX_ITER,
  CG_TOL_FRACTION,
  facFloats,
  initFac,
  linsysPasses,
  PER_PROBLEM_NMAX,
  startResiduals,
  type GpuEngineOptions,
  type Linsys,
} from './admm-linsys';
import type { PreparedProblem } from './prepare';

const WG = 64;

export interface RegimeOutcome extends DriveOutcome {
  /** Final scalar ρ and number of ρ changes per problem. */
  rho: Float64Array;
  rhoUpdates: Int32Array;
  /** The x̃ solver used (per-problem regime only; INFO.cgIter counts PCG iterations when indirect). */
  linsys?: Linsys;
}

/** Floats of per-problem storage (for chunking under maxStorageBufferBindingSize). */
export function perProblemFloats(
  n: number,
  m: number,
  linsys: Linsys,
): { mats: number; fac: number; state: number } {
  return { mats: n * n + m * n, fac: facFloats(linsys, n, m), state: stateStride(n, m) };
}

export async function runProblems(
  ctx: GpuContext,
  probs: PreparedProblem[],
  s: QpSettings,
  t0: number,
  linsys: Linsys,
  opts: GpuEngineOptions = {},
): Promise<RegimeOutcome> {
  const B = probs.length;
  const { n, m } = probs[0];
  if (linsys === 'direct' && n > PER_PROBLEM_NMAX)
    throw new Error(
      `GPU per-problem direct solver supports n ≤ ${PER_PROBLEM_NMAX}, got n = ${n} (use linsys 'indirect' or 'auto')`,
    );
  const sizes = perProblemFloats(n, m, linsys);
  const ds = dataStride(n, m);
  const ss = stateStride(n, m);
  const mats = new Float32Array(B * sizes.mats);
  const data = new Float32Array(B * ds);
  const state = new Float32Array(B * ss);
  const info = new Float32Array(B * INFO_STRIDE);
  const fac = new Float32Array(B * sizes.fac);
  const rho = new Float64Array(B).fill(clampRho(s.rho));
  const rhoUpdates = new Int32Array(B);
  const rhoVecs = probs.map((p) => rhoVector(p.rowType, rho[0]));
  probs.forEach((p, b) => {
    mats.set(p.P.data, b * sizes.mats);
    mats.set(p.A.data, b * sizes.mats + n * n);
    packData(data, b, n, m, {
      q: p.q,
      l: p.l,
      u: p.u,
      rhoVec: rhoVecs[b],
      D: p.scaling.D,
      E: p.scaling.E,
    });
    state.set(p.x0, b * ss);
    state.set(p.z0, b * ss + n);
    state.set(p.y0, b * ss + n + m);
    info[b * INFO_STRIDE + INFO.cost] = p.scaling.c;
    info[b * INFO_STRIDE + INFO.refactor] = 1;
    const r0 = linsys === 'indirect' ? startResiduals(p) : null;
    info[b * INFO_STRIDE + INFO.primScaled] = r0 ? r0[0] : -1;
    info[b * INFO_STRIDE + INFO.dualScaled] = r0 ? r0[1] : 0;
    info[b * INFO_STRIDE + INFO.cgEps] = -1;
    info[b * INFO_STRIDE + INFO.cgFraction] = opts.cgTolFraction ?? CG_TOL_FRACTION;
    initFac(linsys, fac, b, n, m, p.x0);
  });
  const buffers: AdmmBuffers = {
    params: ctx.uniform('admm.params', new ArrayBuffer(64)),
    mats: ctx.storage('admm.mats', mats),
    data: ctx.storage('admm.data', data),
    state: ctx.storage('admm.state', state),
    fac: ctx.storage('admm.fac', fac),
    info: ctx.storage('admm.info', info),
    gy: ctx.storage('admm.gy', 4),
    gv: ctx.storage('admm.gv', 4),
  };
  try {
    const { layout } = admmLayout(ctx);
    const bind = admmBindGroup(ctx, buffers);
    const passes = linsysPasses(ctx, linsys, layout, bind, B, n, m);
    const checkP = ctx.pipeline('admmCheck', 'check', layout, { WG }, 'admm');
    let refactorPending = B;
    /** Mean PCG iterations per x̃ solve so far (for the declared flop counts only). */
    let cgPerSolve = 1;
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
            cgMaxIter: opts.cgMaxIter ?? CG_MAX_ITER,
            cgColdStart: opts.cgColdStart ?? false,
          }),
        );
        if (refactorPending > 0) {
          passes.encodeRhoUpdate(enc, refactorPending);
          refactorPending = 0;
        }
        passes.encodeIterate(enc, steps, cgPerSolve);
        if (evaluate)
          encodePass(ctx, enc, 'check', checkP, bind, B, 1, B * (4 * n * n + 8 * n * m));
      },
      observe(inf) {
        let cg = 0;
        let solves = 0;
        for (let b = 0; b < B; b++) {
          cg += inf[b * INFO_STRIDE + INFO.cgIter];
          solves += inf[b * INFO_STRIDE + INFO.iter];
        }
        if (solves > 0) cgPerSolve = cg / solves;
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
          ctx.device.queue.writeBuffer(
            buffers.info,
            (b * INFO_STRIDE + INFO.refactor) * 4,
            new Float32Array([1]),
          );
          refactorPending++;
        }
      },
    };
    const out = await drive(ctx, runner, s, t0, B * ss);
    return { ...out, rho, rhoUpdates, linsys };
  } finally {
    destroyAll(buffers);
  }
}
