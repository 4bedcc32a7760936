import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../cpu-engine';
import { solveQp } from '../qp/solve';
import { toDenseProblem, toSparseProblem } from '../qp/matrix';
import { gaussian, rng } from '../qp/testutil';
import type { QpProblem, SparseQpProblem } from '../qp/types';
import { kktBackward } from './kkt';
import { kktBackwardSparse } from './kkt-sparse';

const ACCURATE = { eps_abs: 1e-10, eps_rel: 1e-10, polish: true, max_iter: 20000 };

/** A sparse convex QP with box rows and a few coupling rows; some bounds bind at the optimum. */
function sparseQp(seed: number, n: number, mc: number): SparseQpProblem {
  const rand = rng(seed);
  const g = gaussian(rand);
  const B = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) if (rand() < 0.08) B[k] = g();
  const P = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.1 : 0;
      for (let k = 0; k < n; k++) s += B[k * n + i] * B[k * n + j];
      P[i * n + j] = s;
    }
  const m = mc + n;
  const A = new Float64Array(m * n);
  for (let r = 0; r < mc; r++) for (let j = 0; j < n; j++) if (rand() < 0.2) A[r * n + j] = g();
  for (let j = 0; j < n; j++) A[(mc + j) * n + j] = 1;
  const l = new Float64Array(m);
  const u = new Float64Array(m);
  for (let r = 0; r < mc; r++) [l[r], u[r]] = [-1 - rand(), 1 + rand()];
  for (let j = 0; j < n; j++) [l[mc + j], u[mc + j]] = [-0.3, 0.3];
  const dense: QpProblem = {
    n,
    m,
    P: { rows: n, cols: n, data: P },
    q: Float64Array.from({ length: n }, () => 3 * g()),
    r: 0,
    A: { rows: m, cols: n, data: A },
    l,
    u,
  };
  return toSparseProblem(dense);
}

describe('kktBackwardSparse', () => {
  const p = sparseQp(11, 30, 12);
  const r = solveQp(p, { ...ACCURATE, linsys: 'sparse' });
  const g = Float64Array.from({ length: p.n }, (_, j) => Math.sin(j + 1));

  it('the forward solve is on the sparse path and binds some bounds', () => {
    expect(r.status).toBe('solved');
    expect(r.linsys).toBe('sparse');
    expect(r.active.filter((a) => a !== 'inactive').length).toBeGreaterThan(3);
  });

  it('gives the dense kktBackward gradients (dP and dA on their patterns)', () => {
    const sparse = kktBackwardSparse(p, r, g);
    const dense = kktBackward(toDenseProblem(p), r, g);
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let worst = 0;
      let scale = 1;
      for (let k = 0; k < a.length; k++) {
        worst = Math.max(worst, Math.abs(a[k] - b[k]));
        scale = Math.max(scale, Math.abs(b[k]));
      }
      expect(worst).toBeLessThan(1e-8 * scale);
    };
    close(sparse.dq, dense.dq);
    close(sparse.dl, dense.dl);
    close(sparse.du, dense.du);
    const { n } = p;
    const onPattern = (M: SparseQpProblem['P'], D: Float64Array, cols: number) => {
      const got: number[] = [];
      const want: number[] = [];
      for (let j = 0; j < M.cols; j++)
        for (let k = M.indptr[j]; k < M.indptr[j + 1]; k++) {
          got.push(M.data[k]);
          want.push(D[M.indices[k] * cols + j]);
        }
      close(got, want);
    };
    onPattern(sparse.dP, dense.dP.data, n);
    onPattern(sparse.dA, dense.dA.data, n);
  });

  it('dq matches central finite differences of gᵀx*(q)', () => {
    const { dq } = kktBackwardSparse(p, r, g);
    const dir = Float64Array.from({ length: p.n }, (_, j) => Math.cos(3 * j));
    const h = 1e-5;
    const at = (t: number) => {
      const x = solveQp({ ...p, q: p.q.map((v, j) => v + t * dir[j]) }, ACCURATE).x;
      return x.reduce((s, v, j) => s + g[j] * v, 0);
    };
    const fd = (at(h) - at(-h)) / (2 * h);
    const ad = dq.reduce((s, v, j) => s + v * dir[j], 0);
    expect(Math.abs(fd - ad)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
  });

  it('a sparse handle differentiates through its own KKT structure, as the dense method', async () => {
    const handle = await new CpuEngine().setup(p, { ...ACCURATE, linsys: 'sparse' });
    const [res] = await handle.solve();
    expect(res.linsys).toBe('sparse');
    const [out] = await handle.backward([g], 'kkt');
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const dense = kktBackward(toDenseProblem(p), res, g);
    const err = Math.max(...out.grads.dq.map((v, j) => Math.abs(v - dense.dq[j])));
    expect(err).toBeLessThan(1e-8 * Math.max(1, ...dense.dq.map(Math.abs)));
  });
});
