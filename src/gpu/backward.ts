/**
 * GpuBackwardEngine: batched backward passes on the GPU (f32).
 *  - 'kkt': the adjoint [x̃; ỹ] of each problem's reduced KKT system on its active set, by LDLᵀ of
 *    the δ-regularized system + iterative refinement (kkt.wgsl), one workgroup per problem;
 *  - 'bpqp': the backward QP of BPQP Eq. 13 solved by the GPU ADMM engine, refined by kkt.wgsl
 *    from the ADMM adjoint;
 *  - 'lpgd', 'lpgd-lower', 'lpgd-upper': the perturbed forward solves of LPGD batched on the GPU
 *    ADMM engine, warm-started from (x*, y*).
 * Active sets, input checks and the final gradient formulas (BPQP Eq. 12) are the CPU ones
 * (src/solvers/grad), in Float64, so the GPU output means exactly what the CPU exact method's does.
 */
import type { QpProblem, QpSettings } from '../solvers/qp/types';
import type {
  BackwardEngine,
  BackwardItem,
  GradMethod,
  GradOptions,
  QpGradients,
} from '../solvers/grad/types';
import {
  activeSetOf,
  checkBackwardInput,
  DEFAULT_DELTA,
  DEFAULT_REFINE_ITER,
  gradientsFromAdjoint,
  type ActiveSet,
} from '../solvers/grad/kkt';
import { backwardQp, DEFAULT_BPQP_REFINE } from '../solvers/grad/bpqp';
import { lagrangianGradient } from '../solvers/grad/lpgd';
import type { GpuContext } from './device';
import type { GpuEngine } from './engine';

const WG = 64;
const KKT_NMAX = 1024;
/**
 * Forward accuracy reliably reachable by f32 ADMM; the CPU's TIGHT_SETTINGS (1e-9) are not, and at
 * 1e-5 the f32 residuals sit at their rounding floor, so the ρ estimate chases noise (it drove the
 * backward QP's equality ρ to ~10⁵ and the f32 factor of K lost P). Inner solves (BPQP, LPGD) use
 * these unless options.settings says otherwise.
 */
export const GPU_INNER_SETTINGS: Partial<QpSettings> = Object.freeze({
  eps_abs: 1e-4,
  eps_rel: 1e-4,
  max_iter: 20_000,
  polish: false,
});
/** LPGD's default τ (1e-4) is below f32 resolution of the perturbed solutions; f32 needs a larger step. */
export const GPU_LPGD_TAU = 1e-2;

/** One adjoint request for kkt.wgsl. */
interface AdjointJob {
  problem: QpProblem;
  active: ActiveSet;
  g: ArrayLike<number>;
  /** Starting adjoint (BPQP), else the factorization's solution. */
  start?: Float64Array;
}

export class GpuBackwardEngine implements BackwardEngine {
  readonly name = 'gpu' as const;

  constructor(
    private readonly ctx: GpuContext,
    private readonly forward: GpuEngine,
  ) {}

  async backwardBatch(
    items: BackwardItem[],
    method: GradMethod,
    options: GradOptions = {},
  ): Promise<QpGradients[]> {
    for (const it of items) checkBackwardInput(it.problem, it.result, it.dl_dx);
    if (method === 'kkt') return this.kkt(items, options);
    if (method === 'bpqp') return this.bpqp(items, options);
    if (method === 'lpgd' || method === 'lpgd-lower' || method === 'lpgd-upper')
      return this.lpgd(items, method, options);
    throw new Error(
      `the GPU backward engine does not implement '${method}'; use the CPU engine for it`,
    );
  }

  private async kkt(items: BackwardItem[], options: GradOptions): Promise<QpGradients[]> {
    const actives = items.map((it) => activeSetOf(it.problem, it.result, options.active));
    const jobs = items.map((it, k) => ({ problem: it.problem, active: actives[k], g: it.dl_dx }));
    const adj = await this.adjoints(
      jobs,
      options.delta ?? DEFAULT_DELTA,
      options.refineIter ?? DEFAULT_REFINE_ITER,
    );
    return items.map((it, k) =>
      gradientsFromAdjoint(it.problem, it.result.x, it.result.y, actives[k], adj[k].xt, adj[k].yt),
    );
  }

  private async bpqp(items: BackwardItem[], options: GradOptions): Promise<QpGradients[]> {
    const delta = options.delta ?? DEFAULT_DELTA;
    const actives = items.map((it) => activeSetOf(it.problem, it.result, options.active));
    const back = items.map((it, k) => backwardQp(it.problem, actives[k], it.dl_dx, delta));
    const sols = await this.forward.solveBatch(
      { kind: 'problems', problems: back },
      { ...GPU_INNER_SETTINGS, ...options.settings },
    );
    sols.forEach((r, k) => {
      if (r.status !== 'solved' && r.status !== 'solved_inaccurate')
        throw new Error(`BPQP (GPU): backward QP ${k} ended with status '${r.status}'`);
    });
    const refine = options.refineIter ?? DEFAULT_BPQP_REFINE;
    const starts = sols.map((r) => Float64Array.from([...r.x, ...r.y]));
    const adj =
      refine > 0
        ? await this.adjoints(
            items.map((it, k) => ({
              problem: it.problem,
              active: actives[k],
              g: it.dl_dx,
              start: starts[k],
            })),
            delta,
            refine,
          )
        : sols.map((r) => ({ xt: r.x, yt: r.y }));
    return items.map((it, k) =>
      gradientsFromAdjoint(it.problem, it.result.x, it.result.y, actives[k], adj[k].xt, adj[k].yt),
    );
  }

  private async lpgd(
    items: BackwardItem[],
    method: GradMethod,
    options: GradOptions,
  ): Promise<QpGradients[]> {
    const tau = options.tau ?? GPU_LPGD_TAU;
    const rho = options.rho ?? 0;
    if (!(tau > 0) || !Number.isFinite(tau))
      throw new Error(`tau must be a positive number, got ${tau}`);
    if (!(rho >= 0) || !Number.isFinite(rho))
      throw new Error(`rho must be a non-negative number, got ${rho}`);
    // Offsets s·τ per item: lower = (+τ, 0), upper = (0, −τ), average ('lpgd') = (+τ, −τ).
    const offsets: [number, number] =
      method === 'lpgd-lower' ? [1, 0] : method === 'lpgd-upper' ? [0, -1] : [1, -1];
    const problems: QpProblem[] = [];
    const warm: { x: Float64Array; y: Float64Array }[] = [];
    for (const it of items) {
      const { problem: p, result: r } = it;
      const n = p.n;
      const P = { ...p.P, data: Float64Array.from(p.P.data) };
      for (let i = 0; i < n; i++) P.data[i * n + i] += rho;
      for (const s of offsets) {
        problems.push({ ...p, P, q: p.q.map((v, j) => v + s * tau * it.dl_dx[j] - rho * r.x[j]) });
        warm.push({ x: r.x, y: r.y });
      }
    }
    const sols = await this.forward.solveBatch(
      { kind: 'problems', problems },
      { ...GPU_INNER_SETTINGS, ...options.settings },
      warm,
    );
    return items.map((it, k) => {
      const [a, b] = [sols[2 * k], sols[2 * k + 1]];
      for (const r of [a, b])
        if (r.status !== 'solved')
          throw new Error(`LPGD (GPU): a perturbed solve ended with status '${r.status}'`);
      const ga = lagrangianGradient(it.problem, a.x, a.y);
      const gb = lagrangianGradient(it.problem, b.x, b.y);
      const scale = (offsets[0] - offsets[1]) * tau;
      const d = (u: Float64Array, v: Float64Array) => u.map((ui, i) => (ui - v[i]) / scale);
      return {
        dq: d(ga.dq, gb.dq),
        dl: d(ga.dl, gb.dl),
        du: d(ga.du, gb.du),
        dP: { ...ga.dP, data: d(ga.dP.data, gb.dP.data) },
        dA: { ...ga.dA, data: d(ga.dA.data, gb.dA.data) },
      };
    });
  }

  /** Runs kkt.wgsl over the jobs (grouped by n, m; chunked under the binding limit). */
  async adjoints(
    jobs: AdjointJob[],
    delta: number,
    refine: number,
  ): Promise<{ xt: Float64Array; yt: Float64Array }[]> {
    if (!(delta > 0)) throw new Error(`delta must be > 0, got ${delta}`);
    const out = new Array<{ xt: Float64Array; yt: Float64Array }>(jobs.length);
    const groups = new Map<string, number[]>();
    jobs.forEach((j, k) => {
      const key = `${j.problem.n}x${j.problem.m}`;
      groups.set(key, [...(groups.get(key) ?? []), k]);
    });
    for (const idx of groups.values()) {
      const { n, m } = jobs[idx[0]].problem;
      if (n + m > KKT_NMAX)
        throw new Error(`GPU KKT backward supports n + m ≤ ${KKT_NMAX}, got ${n + m}`);
      const perProblem = 4 * Math.max((n + m) * (n + m), n * n + m * n);
      const limit = this.ctx.limits.maxStorageBufferBindingSize;
      const size = Math.max(1, Math.min(65535, Math.floor(limit / perProblem)));
      for (let i = 0; i < idx.length; i += size) {
        const chunk = idx.slice(i, i + size);
        const res = await this.runKkt(
          chunk.map((k) => jobs[k]),
          n,
          m,
          delta,
          refine,
        );
        chunk.forEach((k, c) => (out[k] = res[c]));
      }
    }
    return out;
  }

  private async runKkt(jobs: AdjointJob[], n: number, m: number, delta: number, refine: number) {
    const B = jobs.length;
    const ctx = this.ctx;
    const matStride = n * n + m * n;
    const vecStride = 2 + 2 * n + 2 * m;
    const outStride = n + m + 1;
    const mats = new Float32Array(B * matStride);
    const vecs = new Float32Array(B * vecStride);
    jobs.forEach((j, b) => {
      mats.set(j.problem.P.data, b * matStride);
      mats.set(j.problem.A.data, b * matStride + n * n);
      const o = b * vecStride;
      vecs[o] = j.active.rows.length; //      @0 k
      vecs[o + 1] = j.start ? 1 : 0; //       @1 has_start
      vecs.set(Float64Array.from(j.g), o + 2); // @2 g[n]
      vecs.set(j.active.rows, o + 2 + n); //  @2+n active rows
      if (j.start) vecs.set(j.start, o + 2 + n + m); // @2+n+m start[n+k]
    });
    const params = new ArrayBuffer(32);
    const pu = new Uint32Array(params);
    pu.set([n, m, B, refine]); // @0 n, @4 m, @8 batch, @12 refine
    new Float32Array(params)[4] = delta; // @16 δ
    pu[5] = matStride; // @20
    pu[6] = (n + m) * (n + m); // @24 fac_stride; @28 padding
    const bufs = [
      ctx.uniform('kkt.params', params),
      ctx.storage('kkt.mats', mats),
      ctx.storage('kkt.vecs', vecs),
      ctx.storage('kkt.fac', B * (n + m) * (n + m)),
      ctx.storage('kkt.out', B * outStride),
    ];
    try {
      const pipe = ctx.pipeline('kkt', 'kkt', 'auto', { WG });
      const bind = ctx.device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: bufs.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const enc = ctx.device.createCommandEncoder();
      const N = n + m;
      const pass = enc.beginComputePass(
        ctx.passDescriptor('kkt', B * (N * N * m + (N * N * N) / 3 + (refine + 1) * 4 * N * N)),
      );
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(B);
      pass.end();
      const raw = await ctx.read(bufs[4], 0, B * outStride * 4, enc);
      return jobs.map((j, b) => {
        const o = b * outStride;
        const k = j.active.rows.length;
        return {
          xt: Float64Array.from(raw.subarray(o, o + n)),
          yt: Float64Array.from(raw.subarray(o + n, o + n + k)),
        };
      });
    } finally {
      for (const b of bufs) b.destroy();
    }
  }
}
