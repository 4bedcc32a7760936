/**
 * Random QPs of the BPQP benchmark (Pan et al., §5.1 and Appendix A.5): with d variables,
 * `meq` equalities and `meq` inequalities ("d×meq" in their Table 1),
 *   P = P′ᵀP′ + 10⁻⁶I,  q ~ N(0, 1),  A z = b with b = A z′,  G z ≤ c with c = G z′,
 * every other entry i.i.d. N(0, 1). In OSQP form the rows are [A; G] with l = [b; −∞], u = [b; c].
 * Pure math (no GPU); it lives here because the GPU benchmark and tests are its users.
 */
import type { QpProblem } from '../solvers/qp/types';
import { Rng } from '../solvers/grad/rng';

export function bpqpRandomQp(seed: number, d: number, meq: number): QpProblem {
  if (!(Number.isInteger(d) && d > 0 && Number.isInteger(meq) && meq >= 0))
    throw new Error(`bpqpRandomQp: need integer d > 0, meq ≥ 0, got ${d}, ${meq}`);
  const rng = new Rng(seed);
  const Pp = rng.normals(d * d);
  const P = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += Pp[k * d + i] * Pp[k * d + j];
      P[i * d + j] = s + (i === j ? 1e-6 : 0);
    }
  }
  const q = rng.normals(d);
  const m = 2 * meq;
  const A = rng.normals(m * d);
  const zp = rng.normals(d);
  const l = new Float64Array(m);
  const u = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += A[i * d + j] * zp[j];
    u[i] = s;
    l[i] = i < meq ? s : -Infinity;
  }
  return {
    n: d,
    m,
    P: { rows: d, cols: d, data: P },
    q,
    r: 0,
    A: { rows: m, cols: d, data: A },
    l,
    u,
    meta: { source: `bpqp-random seed=${seed} ${d}x${meq}` },
  };
}
