/**
 * The projection layer (the tutorial's feasibility restoration (i)): Π(ŷ; x) = argmin ½‖y − ŷ‖²
 * s.t. Ay = x, Gy ≤ h, solved by the QP engine through one handle (setup once: P = I and the rows
 * [A; G] are shared, only q = −ŷ and the equality bounds change) and differentiated by the handle's
 * backward pass: ∂ℓ/∂ŷ = −dq of the exact KKT adjoint. Solves are tight (eps 1e-9, polished), so a
 * projected point is feasible to the solver's tolerance.
 */
import type { Engine, QpHandle, QpParams } from '../../engine';
import type { QpProblem, QpSettings } from '../../qp/types';
import type { L2oProblem } from './problem';

export const PROJECTION_SETTINGS: Partial<QpSettings> = Object.freeze({
  eps_abs: 1e-9,
  eps_rel: 1e-9,
  polish: true,
  max_iter: 20_000,
});

export class ProjectionLayer {
  private constructor(
    readonly pr: L2oProblem,
    private readonly handle: QpHandle,
  ) {}

  static async create(
    engine: Engine,
    pr: L2oProblem,
    settings: Partial<QpSettings> = PROJECTION_SETTINGS,
  ): Promise<ProjectionLayer> {
    const { n, neq, nineq } = pr;
    const m = neq + nineq;
    const P = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) P.data[i * n + i] = 1;
    const A = { rows: m, cols: n, data: new Float64Array(m * n) };
    A.data.set(pr.A);
    A.data.set(pr.G, neq * n);
    const l = new Float64Array(m).fill(-Infinity);
    const u = new Float64Array(m);
    l.fill(0, 0, neq);
    u.set(pr.h, neq);
    const structure: QpProblem = { n, m, P, q: new Float64Array(n), r: 0, A, l, u };
    return new ProjectionLayer(pr, await engine.setup(structure, settings));
  }

  get engine(): 'cpu' | 'gpu' {
    return this.handle.engine;
  }

  /** Π(ŷ_b; x_b) for each row; `ok[b]` is false where the solve did not end 'solved'. */
  async project(
    Yhat: Float64Array,
    X: Float64Array,
    B: number,
  ): Promise<{ Y: Float64Array; ok: boolean[]; iters: number[] }> {
    const { n, neq, nineq } = this.pr;
    const m = neq + nineq;
    const params: QpParams[] = [];
    const warm = [];
    for (let b = 0; b < B; b++) {
      const yh = Yhat.subarray(b * n, (b + 1) * n);
      const l = new Float64Array(m).fill(-Infinity);
      const u = new Float64Array(m);
      for (let i = 0; i < neq; i++) l[i] = u[i] = X[b * neq + i];
      u.set(this.pr.h, neq);
      params.push({ q: yh.map((v) => -v), l, u });
      warm.push({ x: Float64Array.from(yh) });
    }
    this.handle.update(params);
    const results = await this.handle.solve(warm);
    const Y = new Float64Array(B * n);
    results.forEach((r, b) => Y.set(r.x, b * n));
    return {
      Y,
      ok: results.map((r) => r.status === 'solved'),
      iters: results.map((r) => r.iter),
    };
  }

  /** ∂ℓ/∂ŷ from ∂ℓ/∂y of the last projection (zero rows where the backward pass failed). */
  async backward(dY: Float64Array, B: number): Promise<{ dYhat: Float64Array; failed: number }> {
    const n = this.pr.n;
    const out = await this.handle.backward(
      Array.from({ length: B }, (_, b) => dY.subarray(b * n, (b + 1) * n)),
      'kkt',
    );
    const dYhat = new Float64Array(B * n);
    let failed = 0;
    out.forEach((o, b) => {
      if (!o.ok) {
        failed++;
        return;
      }
      for (let j = 0; j < n; j++) dYhat[b * n + j] = -o.grads.dq[j];
    });
    return { dYhat, failed };
  }

  dispose(): void {
    this.handle.dispose();
  }
}
