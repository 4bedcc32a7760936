/**
 * Shared-structure regime (one P, A, many q, l, u), as a driver backend. K = P̄ + σI + Āᵀdiag(ρ)Ā
 * is the same for the whole batch, so it is inverted once on the CPU in Float64 (by the handle,
 * which keeps it across solves) and the x-update of every problem becomes one GEMM per iteration,
 * [x̃; z̃] = M·[x; ρ∘z − y; q̄] (admm-shared.wgsl). ρ is batch-wide (the driver takes the geometric
 * mean of the running problems' estimates): a per-problem ρ would break the sharing. Rows are
 * equality / loose only where they are so in every problem.
 */
import type { DenseMatrix, QpSettings } from '../solvers/qp/types';
import type { PreparedProblem } from '../solvers/qp/prepared';
import { rhoVector } from '../solvers/qp/admm';
import { RowType } from '../solvers/qp/workspace';
import { choleskyFactor, choleskySolve, isCholeskyFailure } from '../solvers/linalg/cholesky';
import { FactorizationError } from '../solvers/linalg/linsys';
import type { GpuContext } from './device';
import {
  dataStride,
  encodePass,
  INFO,
  INFO_STRIDE,
  packData,
  packStart,
  PARAMS_BYTES,
  stateStride,
  type AdmmBuffers,
} from './admm-layout';
import { gemmBindGroup, gemmKernel } from './gemm';
import { GpuAdmmBackend } from './backend';

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
    throw new FactorizationError(
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

/** What the shared backend borrows from its handle: the structure's buffers on the device. */
export interface SharedStructureOnDevice {
  /** P̄ then Ā (f32), uploaded once per structure. */
  mats: GPUBuffer;
  /** The GEMM operator M; `useOperator` makes it hold the one for a row type and ρ. */
  operator: GPUBuffer;
  useOperator(rowType: Int8Array, rho: number): void;
}

export class SharedBackend extends GpuAdmmBackend {
  readonly rhoScope = 'batch' as const;
  private readonly rowType: Int8Array;
  /** The batch's ρ now (where the next solve of the handle starts). */
  rho: number;
  private assemblePending = true;
  private readonly data: Float32Array;
  private readonly gemmDims: GPUBuffer;
  private readonly gemm: { pipeline: GPUComputePipeline; workgroups: [number, number] };
  private readonly gemmBind: GPUBindGroup;
  private readonly assemble: GPUComputePipeline;
  private readonly update: GPUComputePipeline;
  private readonly count: GPUComputePipeline;

  constructor(
    ctx: GpuContext,
    private readonly device: SharedStructureOnDevice,
    private readonly probs: PreparedProblem<DenseMatrix>[],
    s: QpSettings,
    rho: number,
  ) {
    const B = probs.length;
    const { n, m } = probs[0];
    const rowType = batchRowType(probs);
    device.useOperator(rowType, rho);
    const data = new Float32Array(B * dataStride(n, m));
    const ss = stateStride(n, m);
    const state = new Float32Array(B * ss);
    const info = new Float32Array(B * INFO_STRIDE);
    probs.forEach((p, b) => {
      packStart(state, b, n, m, p);
      info[b * INFO_STRIDE + INFO.cost] = p.scaling.c;
      info[b * INFO_STRIDE + INFO.primScaled] = -1;
    });
    const rows = n + m;
    const width = 2 * n + m;
    const buffers: AdmmBuffers = {
      params: ctx.uniform('admm.params', new ArrayBuffer(PARAMS_BYTES)),
      mats: device.mats,
      data: ctx.storage('admm.data', data.length),
      state: ctx.storage('admm.state', state),
      solver: device.operator,
      info: ctx.storage('admm.info', info),
      work: ctx.storage('admm.gemm_out', rows * B),
      work2: ctx.storage('admm.gemm_in', width * B),
    };
    super(ctx, B, n, m, buffers, {
      sigma: s.sigma,
      alpha: s.alpha,
      matStride: 0,
      scaledTermination: s.scaled_termination,
    });
    this.rowType = rowType;
    this.rho = rho;
    this.data = data;
    this.packData();
    this.gemmDims = ctx.uniform('gemm.dims', new Uint32Array([rows, B, width, 0]).buffer);
    // Narrow tiles below 16 problems: a 64-column tile would compute 64 columns for B live ones.
    this.gemm = gemmKernel(ctx, rows, B);
    this.gemmBind = gemmBindGroup(ctx, this.gemmDims, device.operator, buffers.work2, buffers.work);
    this.assemble = ctx.pipeline('admmShared', 'assemble', this.layout, { WG }, 'admm');
    this.update = ctx.pipeline('admmShared', 'update', this.layout, { WG }, 'admm');
    this.count = ctx.pipeline('admmShared', 'count', this.layout, { WG }, 'admm');
  }

  /** The per-problem vectors with the batch's per-row ρ. */
  private packData(): void {
    const { n, m } = this;
    const rv = rhoVector(this.rowType, this.rho);
    this.probs.forEach((p, b) =>
      packData(this.data, b, n, m, {
        q: p.q,
        l: p.l,
        u: p.u,
        rhoVec: rv,
        D: p.scaling.D,
        E: p.scaling.E,
      }),
    );
    this.ctx.device.queue.writeBuffer(this.buffers.data, 0, this.data);
  }

  protected encodeSteps(enc: GPUCommandEncoder, steps: number): void {
    const { n, m, size: B, ctx } = this;
    const rows = n + m;
    const width = 2 * n + m;
    if (this.assemblePending) {
      encodePass(ctx, enc, 'assemble', this.assemble, this.bind, Math.ceil(width / WG), B);
      this.assemblePending = false;
    }
    for (let k = 0; k < steps; k++) {
      const [x, y] = this.gemm.workgroups;
      encodePass(ctx, enc, 'gemm', this.gemm.pipeline, this.gemmBind, x, y, 2 * rows * B * width);
      encodePass(ctx, enc, 'update', this.update, this.bind, Math.ceil(rows / WG), B);
    }
    encodePass(ctx, enc, 'count', this.count, this.bind, Math.ceil(B / WG));
  }

  setRho(rho: Float64Array): void {
    const r = rho[0];
    if (r === this.rho) return;
    this.rho = r;
    this.device.useOperator(this.rowType, r);
    this.packData();
    this.assemblePending = true;
  }

  /** Releases this solve's buffers; the structure's (matrices, operator) stay with the handle. */
  dispose(): void {
    const b = this.buffers;
    for (const buf of [b.params, b.data, b.state, b.info, b.work, b.work2, this.gemmDims])
      buf.destroy();
  }
}
