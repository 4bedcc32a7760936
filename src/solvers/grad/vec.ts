import type { DenseMatrix } from '../qp/types';
import { zeros } from '../linalg/dense';
import type { QpGradients } from './types';

/** Euclidean norm ‖v‖₂. */
export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** a − b. */
export function sub(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** s · v. */
export function scaled(v: ArrayLike<number>, s: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = s * v[i];
  return out;
}

/** ½(a bᵀ + b aᵀ): the gradient of a scalar w.r.t. a symmetric matrix entering as bᵀPa-like terms. */
export function symOuter(a: ArrayLike<number>, b: ArrayLike<number>): DenseMatrix {
  const n = a.length;
  const M = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) M.data[i * n + j] = 0.5 * (a[i] * b[j] + b[i] * a[j]);
  }
  return M;
}

/** All-zero gradients shaped like a problem with n variables and m rows. */
export function zeroGradients(n: number, m: number): QpGradients {
  return {
    dq: new Float64Array(n),
    dl: new Float64Array(m),
    du: new Float64Array(m),
    dP: zeros(n, n),
    dA: zeros(m, n),
  };
}

/** The gradients flattened in the order dq, dl, du, dP, dA (for comparisons and cosines). */
export function flattenGradients(g: QpGradients): Float64Array {
  const parts = [g.dq, g.dl, g.du, g.dP.data, g.dA.data];
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Cosine similarity aᵀb / (‖a‖‖b‖); 1 when both are zero, 0 when only one is. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  for (let i = 0; i < a.length; i++) ab += a[i] * b[i];
  const na = norm2(a);
  const nb = norm2(b);
  if (na === 0 && nb === 0) return 1;
  if (na === 0 || nb === 0) return 0;
  return ab / (na * nb);
}

/** ‖a − b‖₂ / max(‖b‖₂, floor): relative error of a against the reference b. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  return norm2(sub(a, b)) / Math.max(norm2(b), floor);
}
