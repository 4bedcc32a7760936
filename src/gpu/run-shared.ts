/**
 * Shared-structure regime (QpBatch 'shared': one P, A, many q, l, u). K = P̄ + σI + Āᵀdiag(ρ)Ā is
 * the same for the whole batch, so it is inverted once on the CPU in Float64 and the x-update of
 * every problem becomes one GEMM per iteration, [x̃; z̃] = M·[x; ρ∘z − y; q̄] (admm-shared.wgsl).
 * ρ adapts batch-wide (geometric mean of the running problems' estimates): a per-problem ρ would
 * break the sharing. Rows are equality / loose only where they are so in every problem.
 */
import type { QpSettings } from '../solvers/qp/types';
import type { DenseMatrix } from '../solvers/qp/types';
import { choleskyFactor, choleskySolve, isCholeskyFailure } from '../solvers/linalg/cholesky';
import { RowType } from '../solvers/qp/workspace';
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
import { drive, type AdmmRunner } from './admm-driver';
import type { PreparedProblem } from './prepare';
import type { RegimeOutcome } from './run-problems';
import { gemmBindGroup, gemmKernel } from './gemm';

const WG = 64;

/** Row type common to the batch: equality / loose only if so in every problem. */
export function batchRowType(probs: PreparedProblem[]): Int8Array {
  const m = probs[0].m;
  const t = new Int8Array(m);
  for (let i = 0; i < m; i++) {
    const first = probs[0].rowType[i];
    t[i] = probs.every((p) => p.rowType[i] === first) ? first : RowType.Inequality;
  }
  return t;
}

/**
 * M = [[σK⁻¹, K⁻¹Āᵀ, −K⁻¹], [σĀK⁻¹, ĀK⁻¹Āᵀ, −ĀK⁻¹]] ((n+m) × (2n+m), row-major, f32),
 * from a Float64 Cholesky factorization of K.
 */
export function sharedOperator(
  P: DenseMatrix,
  A: DenseMatrix,
  sigma: number,
  rhoVec: Float64Array,
): Float32Array {
  const n = P.rows;
  const m = A.rows;
  const K: DenseMatrix = { rows: n, cols: n, data: Float64Array.from(P.data) };
  for (let i = 0; i < n; i++) K.data[i * n + i] += sigma;
  for (let r = 0; r < m; r++) {
    const ro = r * n;
    for (let i = 0; i < n; i++) {
      const a = rhoVec[r] * A.data[ro + i];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) K.data[i * n + j] += a * A.data[ro + j];
    }
  }
  const f = choleskyFactor(K);
  if (isCholeskyFailure(f))
    throw new Error(
      `shared regime: K is not positive definite (pivot ${f.pivot} at ${f.index}); is P PSD?`,
    );
  // Kinv (symmetric), then ĀK⁻¹ (m×n); K⁻¹Āᵀ is its transpose.
  const Kinv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    choleskySolve(f, col);
    for (let i = 0; i < n; i++) Kinv[i * n + j] = col[i];
  }
  const AKi = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let k = 0; k < n; k++) {
      const a = A.data[r * n + k];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) AKi[r * n + j] += a * Kinv[k * n + j];
    }
  }
  const W = 2 * n + m;
  const M = new Float32Array((n + m) * W);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      M[i * W + j] = sigma * Kinv[i * n + j];
      M[i * W + n + m + j] = -Kinv[i * n + j];
    }
    for (let r = 0; r < m; r++) M[i * W + n + r] = AKi[r * n + i];
  }
  for (let r = 0; r < m; r++) {
    const o = (n + r) * W;
    for (let j = 0; j < n; j++) {
      M[o + j] = sigma * AKi[r * n + j];
      M[o + n + m + j] = -AKi[r * n + j];
    }
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += AKi[r * n + j] * A.data[c * n + j];
      M[o + n + c] = s;
    }
  }
  return M;
}

export async function runShared(
  ctx: GpuContext,
  probs: PreparedProblem[],
  s: QpSettings,
  t0: number,
): Promise<RegimeOutcome> {
  const B = probs.length;
  const { n, m, P, A } = probs[0];
  const ds = dataStride(n, m);
  const ss = stateStride(n, m);
  const rowType = batchRowType(probs);
  let rho = clampRho(s.rho);
  let rhoUpdates = 0;
  const data = new Float32Array(B * ds);
  const state = new Float32Array(B * ss);
  const info = new Float32Array(B * INFO_STRIDE);
  const packAll = () => {
    const rv = rhoVector(rowType, rho);
    probs.forEach((p, b) =>
      packData(data, b, n, m, {
        q: p.q,
        l: p.l,
        u: p.u,
        rhoVec: rv,
        D: p.scaling.D,
        E: p.scaling.E,
      }),
    );
  };
  packAll();
  probs.forEach((p, b) => {
    state.set(p.x0, b * ss);
    state.set(p.z0, b * ss + n);
    state.set(p.y0, b * ss + n + m);
    info[b * INFO_STRIDE + INFO.cost] = p.scaling.c;
  });
  const mats = new Float32Array(n * n + m * n);
  mats.set(P.data);
  mats.set(A.data, n * n);
  const rows = n + m;
  const width = 2 * n + m;
  const buffers: AdmmBuffers = {
    params: ctx.uniform('admm.params', new ArrayBuffer(64)),
    mats: ctx.storage('admm.mats', mats),
    data: ctx.storage('admm.data', data),
    state: ctx.storage('admm.state', state),
    fac: ctx.storage('admm.M', sharedOperator(P, A, s.sigma, rhoVector(rowType, rho))),
    info: ctx.storage('admm.info', info),
    gy: ctx.storage('admm.Y', rows * B),
    gv: ctx.storage('admm.V', width * B),
  };
  const gemmDims = ctx.uniform('gemm.dims', new Uint32Array([rows, B, width, 0]).buffer);
  try {
    const { layout } = admmLayout(ctx);
    const bind = admmBindGroup(ctx, buffers);
    const assemble = ctx.pipeline('admmShared', 'assemble', layout, { WG }, 'admm');
    const update = ctx.pipeline('admmShared', 'update', layout, { WG }, 'admm');
    const count = ctx.pipeline('admmShared', 'count', layout, { WG }, 'admm');
    const checkP = ctx.pipeline('admmCheck', 'check', layout, { WG }, 'admm');
    // Narrow tiles below 16 problems: a 64-column tile would compute 64 columns for B live ones.
    const gemm = gemmKernel(ctx, rows, B);
    const gemmBind = gemmBindGroup(ctx, gemmDims, buffers.fac, buffers.gv, buffers.gy);
    let assemblePending = true;
    const runner: AdmmRunner = {
      batch: B,
      buffers,
      encode(enc, steps, evaluate, ratioOnly) {
        const params = (last: boolean) =>
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
            matStride: 0,
            facStride: 0,
            lastIter: last,
            scaledTermination: s.scaled_termination,
            ratioOnly,
          });
        // One uniform value per submit: δx, δy are recorded on every iteration of an evaluated
        // submit (only the last one's survive), which costs two stores per entry.
        ctx.device.queue.writeBuffer(buffers.params, 0, params(evaluate));
        if (assemblePending) {
          encodePass(ctx, enc, 'assemble', assemble, bind, Math.ceil(width / WG), B);
          assemblePending = false;
        }
        for (let k = 0; k < steps; k++) {
          encodePass(
            ctx,
            enc,
            'gemm',
            gemm.pipeline,
            gemmBind,
            ...gemm.workgroups,
            2 * rows * B * width,
          );
          encodePass(ctx, enc, 'update', update, bind, Math.ceil(rows / WG), B);
        }
        encodePass(ctx, enc, 'count', count, bind, Math.ceil(B / WG));
        if (evaluate)
          encodePass(ctx, enc, 'check', checkP, bind, B, 1, B * (4 * n * n + 8 * n * m));
      },
      adapt(inf) {
        let logSum = 0;
        let k = 0;
        for (let b = 0; b < B; b++) {
          if (inf[b * INFO_STRIDE + INFO.status] !== 0) continue;
          logSum += Math.log(clampRho(rho * inf[b * INFO_STRIDE + INFO.rhoRatio]));
          k++;
        }
        if (k === 0) return;
        const est = clampRho(Math.exp(logSum / k));
        const tol = s.adaptive_rho_tolerance;
        if (!(est > rho * tol || est < rho / tol)) return;
        rho = est;
        rhoUpdates++;
        packAll();
        ctx.device.queue.writeBuffer(buffers.data, 0, data);
        ctx.device.queue.writeBuffer(
          buffers.fac,
          0,
          sharedOperator(P, A, s.sigma, rhoVector(rowType, rho)),
        );
        assemblePending = true;
      },
    };
    const out = await drive(ctx, runner, s, t0, B * ss);
    return {
      ...out,
      rho: new Float64Array(B).fill(rho),
      rhoUpdates: new Int32Array(B).fill(rhoUpdates),
    };
  } finally {
    destroyAll(buffers);
    gemmDims.destroy();
  }
}
