/**
 * Worker side of the Geometry panel's gradients ("You Shall Pass", Sec. 3; LPGD Eq. 22).
 *
 * The panel's problem is the QP approximation x̂ = x*(ŵ) = argmin ½xᵀPx + qᵀx over the polygon with
 * P = 2G, q = −2Gŵ (G the plot metric, see presets.ts). The task loss is ℓ(x̂) = ½(x̂ − w)ᵀG(x̂ − w)
 * for the true parameter w, so g = ∂ℓ/∂x̂ = G(x̂ − w) and the true gradient ∇ₓf(x̂, w) = w − x̂ for the
 * objective f = −ℓ the paper maximizes. Each method gives ∂ℓ/∂q; by the chain rule through q = −2Gŵ,
 * ∂ℓ/∂ŵ = −2G·∂ℓ/∂q, and the update drawn is the steepest descent step in the plot's metric,
 * Δŵ = −G⁻¹∂ℓ/∂ŵ = 2·∂ℓ/∂q. Where x̂ = ŵ (interior) every exact method gives Δŵ = w − x̂.
 */
import type { QpProblem, QpSettings } from '../solvers/qp/types';
import { solveQp } from '../solvers/qp';
import {
  backward,
  identityWithProjection,
  zeroGradientReport,
  type ZeroGradientReport,
} from '../solvers/grad';
import { errorMessage } from '../solvers/errors';

export const GRAD_METHOD_NAMES = ['kkt', 'smoothed-qp', 'lpgd', 'identity'] as const;
export type GeometryGradMethod = (typeof GRAD_METHOD_NAMES)[number];

export interface GeometryGradRequest {
  /** The panel's QP for the current ŵ (buildQp). */
  problem: QpProblem;
  /** ŵ, echoed back so the page can match the answer to the state. */
  what: [number, number];
  /** The true parameter w (decision coordinates). */
  w: [number, number];
  /** Plot metric G = MᵀM, row-major [G₀₀, G₀₁, G₁₀, G₁₁]. */
  metric: [number, number, number, number];
  /** LPGD's temperature τ. */
  tau: number;
  methods: GeometryGradMethod[];
}

export interface MethodUpdate {
  /** Δŵ, decision coordinates (null when the method failed; see `error`). */
  dw: [number, number] | null;
  /** ‖Δŵ‖ in the plot metric, √(ΔŵᵀGΔŵ). */
  norm: number;
  error?: string;
}

export interface GeometryGradResponse {
  what: [number, number];
  w: [number, number];
  tau: number;
  status: string;
  x: [number, number];
  /** g = ∂ℓ/∂x̂ = G(x̂ − w). */
  g: [number, number];
  /** ∇ₓf(x̂, w) = w − x̂ (ascent direction of the true objective). */
  trueGrad: [number, number];
  /** Its norm in the plot metric. */
  trueGradNorm: number;
  updates: Partial<Record<GeometryGradMethod, MethodUpdate>>;
  /** How much of g lies in N(x̂) and is lost to implicit differentiation (Theorem 3.8). */
  zero: ZeroGradientReport;
}

/** Tight solve with polishing: the gradients read the active set off x̂. */
const SETTINGS: Partial<QpSettings> = { eps_abs: 1e-9, eps_rel: 1e-9, polish: true };

type V2 = [number, number];
const mulG = (G: GeometryGradRequest['metric'], v: ArrayLike<number>): V2 => [
  G[0] * v[0] + G[1] * v[1],
  G[2] * v[0] + G[3] * v[1],
];
const solveG = (G: GeometryGradRequest['metric'], v: ArrayLike<number>): V2 => {
  const det = G[0] * G[3] - G[1] * G[2];
  return [(G[3] * v[0] - G[1] * v[1]) / det, (-G[2] * v[0] + G[0] * v[1]) / det];
};
const gNorm = (G: GeometryGradRequest['metric'], v: ArrayLike<number>) => {
  const Gv = mulG(G, v);
  return Math.sqrt(Math.max(0, v[0] * Gv[0] + v[1] * Gv[1]));
};

export function runGeometryGradients(req: GeometryGradRequest): GeometryGradResponse {
  const { problem, w, metric: G, tau } = req;
  if (problem.n !== 2) throw new Error(`the geometry gradients need n = 2, got ${problem.n}`);
  if (!w.every(Number.isFinite)) throw new Error(`w must be finite, got (${w.join(', ')})`);
  if (!(tau > 0)) throw new Error(`LPGD τ must be positive, got ${tau}`);
  if (Math.abs(G[0] * G[3] - G[1] * G[2]) < 1e-12) throw new Error('the plot metric G is singular');
  const result = solveQp(problem, SETTINGS);
  if (result.status !== 'solved')
    throw new Error(`the forward solve ended with status '${result.status}'`);
  const x: V2 = [result.x[0], result.x[1]];
  const diff: V2 = [x[0] - w[0], x[1] - w[1]];
  const g = mulG(G, diff);
  const updates: GeometryGradResponse['updates'] = {};
  for (const method of req.methods) {
    try {
      let dw: V2;
      if (method === 'identity') {
        // Straight-through on ŵ (Sahoo et al.): ∂x̂/∂ŵ ≈ I. ŵ acts as a negated cost, so ∂ℓ/∂ŵ is
        // minus the cost gradient identityWithProjection returns (−g), i.e. g itself.
        const dlDw = identityWithProjection(g).map((v) => -v);
        const step = solveG(G, dlDw);
        dw = [-step[0], -step[1]];
      } else {
        const dq = backward(problem, result, g, method, method === 'lpgd' ? { tau } : {}).dq;
        dw = [2 * dq[0], 2 * dq[1]];
      }
      updates[method] = { dw, norm: gNorm(G, dw) };
    } catch (e) {
      updates[method] = { dw: null, norm: NaN, error: errorMessage(e) };
    }
  }
  const trueGrad: V2 = [-diff[0], -diff[1]];
  return {
    what: req.what,
    w,
    tau,
    status: result.status,
    x,
    g,
    trueGrad,
    trueGradNorm: gNorm(G, trueGrad),
    updates,
    zero: zeroGradientReport(problem, result, g),
  };
}
