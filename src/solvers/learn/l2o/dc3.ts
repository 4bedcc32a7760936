/**
 * DC3's feasibility restoration (Donti et al. 2021, §3; the tutorial's mechanism (iii), "algebraic
 * completion", followed by their gradient-step correction):
 *
 *  - completion: the network predicts the partial variables z = y_N; the others follow from the
 *    equalities, y_B = B⁻¹(x − A_N z), with B = A[:, basis] (a well-conditioned square block chosen
 *    by Gaussian elimination with complete pivoting), so Ay = x holds exactly;
 *  - correction: T gradient steps on the inequality penalty in the partial variables,
 *    z ← z − γ ∇_z ‖(G y(z) − h)₊‖²,  ∇_z = 2 J_cᵀ Gᵀ (Gy − h)₊,  J_c = ∂y/∂z = [I; −B⁻¹A_N]
 *    (in the basis/partial arrangement), γ = 1 / (2‖GJ_c‖²_F) so each step is stable.
 *
 * Both are differentiated exactly for training (the correction's step Jacobian is
 * I − 2γ J_cᵀ Gᵀ D G J_c, D = diag(1[(Gy − h)_i > 0])), as DC3 trains through them.
 */
import type { L2oProblem } from './problem';

export interface Dc3 {
  /** Variables solved from the equalities (length neq). */
  basis: number[];
  /** Variables the network predicts (length n − neq). */
  partial: number[];
  /** J_c = ∂y/∂z, n × (n − neq), row-major. */
  Jc: Float64Array;
  /** ∂y/∂x, n × neq (the completion's dependence on the parameter). */
  Jx: Float64Array;
  /** G J_c, nineq × (n − neq). */
  GJ: Float64Array;
  gamma: number;
  steps: number;
}

/** Columns of A by complete pivoting, then the completion's linear maps. */
export function makeDc3(pr: L2oProblem, steps: number): Dc3 {
  const { n, neq, nineq } = pr;
  const M = Float64Array.from(pr.A);
  const basis: number[] = [];
  const rowsLeft = Array.from({ length: neq }, (_, i) => i);
  for (let k = 0; k < neq; k++) {
    let best = -1;
    let bi = -1;
    let bj = -1;
    for (const i of rowsLeft)
      for (let j = 0; j < n; j++)
        if (!basis.includes(j) && Math.abs(M[i * n + j]) > best) {
          best = Math.abs(M[i * n + j]);
          bi = i;
          bj = j;
        }
    basis.push(bj);
    rowsLeft.splice(rowsLeft.indexOf(bi), 1);
    for (const i of rowsLeft) {
      const f = M[i * n + bj] / M[bi * n + bj];
      for (let j = 0; j < n; j++) M[i * n + j] -= f * M[bi * n + j];
    }
  }
  const partial = Array.from({ length: n }, (_, j) => j).filter((j) => !basis.includes(j));
  // B⁻¹ by Gauss–Jordan on [B | I].
  const W = new Float64Array(neq * 2 * neq);
  for (let i = 0; i < neq; i++) {
    basis.forEach((j, c) => (W[i * 2 * neq + c] = pr.A[i * n + j]));
    W[i * 2 * neq + neq + i] = 1;
  }
  for (let c = 0; c < neq; c++) {
    let piv = c;
    for (let r = c + 1; r < neq; r++)
      if (Math.abs(W[r * 2 * neq + c]) > Math.abs(W[piv * 2 * neq + c])) piv = r;
    for (let k = 0; k < 2 * neq; k++) {
      const t = W[c * 2 * neq + k];
      W[c * 2 * neq + k] = W[piv * 2 * neq + k];
      W[piv * 2 * neq + k] = t;
    }
    const d = W[c * 2 * neq + c];
    for (let k = 0; k < 2 * neq; k++) W[c * 2 * neq + k] /= d;
    for (let r = 0; r < neq; r++) {
      if (r === c) continue;
      const f = W[r * 2 * neq + c];
      for (let k = 0; k < 2 * neq; k++) W[r * 2 * neq + k] -= f * W[c * 2 * neq + k];
    }
  }
  const Binv = (i: number, k: number) => W[i * 2 * neq + neq + k];
  const np = n - neq;
  const Jc = new Float64Array(n * np);
  const Jx = new Float64Array(n * neq);
  partial.forEach((j, c) => (Jc[j * np + c] = 1));
  basis.forEach((jb, r) => {
    for (let c = 0; c < np; c++) {
      let s = 0;
      for (let k = 0; k < neq; k++) s -= Binv(r, k) * pr.A[k * n + partial[c]];
      Jc[jb * np + c] = s;
    }
    for (let k = 0; k < neq; k++) Jx[jb * neq + k] = Binv(r, k);
  });
  const GJ = new Float64Array(nineq * np);
  let fro = 0;
  for (let i = 0; i < nineq; i++)
    for (let c = 0; c < np; c++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += pr.G[i * n + j] * Jc[j * np + c];
      GJ[i * np + c] = s;
      fro += s * s;
    }
  return { basis, partial, Jc, Jx, GJ, gamma: 1 / (2 * fro), steps };
}

/** y = J_c z + J_x x. */
export function complete(dc: Dc3, z: ArrayLike<number>, x: ArrayLike<number>, out: Float64Array) {
  const n = out.length;
  const np = z.length;
  const neq = x.length;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let c = 0; c < np; c++) s += dc.Jc[j * np + c] * z[c];
    for (let k = 0; k < neq; k++) s += dc.Jx[j * neq + k] * x[k];
    out[j] = s;
  }
}

/** Forward record of one instance's correction, for the reverse pass. */
export interface Dc3Trace {
  /** Violation masks D of each step. */
  masks: Uint8Array[];
}

/** Completion and T correction steps: y from the network's z. */
export function completeAndCorrect(
  dc: Dc3,
  pr: L2oProblem,
  z0: ArrayLike<number>,
  x: ArrayLike<number>,
  out: Float64Array,
): Dc3Trace {
  const np = z0.length;
  const z = Float64Array.from(z0);
  const masks: Uint8Array[] = [];
  for (let t = 0; t < dc.steps; t++) {
    complete(dc, z, x, out);
    const mask = new Uint8Array(pr.nineq);
    const viol = new Float64Array(pr.nineq);
    for (let i = 0; i < pr.nineq; i++) {
      let s = -pr.h[i];
      for (let j = 0; j < pr.n; j++) s += pr.G[i * pr.n + j] * out[j];
      if (s > 0) {
        mask[i] = 1;
        viol[i] = s;
      }
    }
    masks.push(mask);
    for (let c = 0; c < np; c++) {
      let g = 0;
      for (let i = 0; i < pr.nineq; i++) g += dc.GJ[i * np + c] * viol[i];
      z[c] -= 2 * dc.gamma * g;
    }
  }
  complete(dc, z, x, out);
  return { masks };
}

/** ∂ℓ/∂z₀ from ∂ℓ/∂y through the corrections and the completion. */
export function completeAndCorrectBackward(
  dc: Dc3,
  pr: L2oProblem,
  trace: Dc3Trace,
  dy: ArrayLike<number>,
): Float64Array {
  const np = dc.partial.length;
  const zb = new Float64Array(np);
  for (let c = 0; c < np; c++) {
    let s = 0;
    for (let j = 0; j < pr.n; j++) s += dc.Jc[j * np + c] * dy[j];
    zb[c] = s;
  }
  const u = new Float64Array(pr.nineq);
  for (let t = trace.masks.length - 1; t >= 0; t--) {
    const mask = trace.masks[t];
    // z̄ ← z̄ − 2γ (GJ)ᵀ D (GJ) z̄.
    for (let i = 0; i < pr.nineq; i++) {
      let s = 0;
      if (mask[i]) for (let c = 0; c < np; c++) s += dc.GJ[i * np + c] * zb[c];
      u[i] = s;
    }
    for (let c = 0; c < np; c++) {
      let s = 0;
      for (let i = 0; i < pr.nineq; i++) s += dc.GJ[i * np + c] * u[i];
      zb[c] -= 2 * dc.gamma * s;
    }
  }
  return zb;
}
