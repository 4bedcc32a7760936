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
import type { QpProblem, QpResult, QpSettings, WarmStart } from '../solvers/qp/types';
import {
  identityWithProjection,
  smoothedQpBackward,
  zeroGradientReport,
  type ZeroGradientReport,
} from '../solvers/grad';
import type { BackwardItem, GradOptions, QpGradients } from '../solvers/grad/types';
import type { BatchRun } from './protocol';
import { errorMessage } from '../solvers/errors';

export const GRAD_METHOD_NAMES = ['kkt', 'smoothed-qp', 'lpgd', 'identity'] as const;
export type GeometryGradMethod = (typeof GRAD_METHOD_NAMES)[number];

export interface GeometryRequest {
  /** The panel's QP for the current ŵ (buildQp). */
  problem: QpProblem;
  /** The previous solution of the same feasible set (a drag moves on from it). */
  warm?: WarmStart;
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
  /** The engine that differentiated (the route's; the CPU for methods without a GPU version). */
  engine?: 'cpu' | 'gpu';
  /** Why it ran on the CPU when the route said WebGPU (a method without a GPU version, a failure). */
  note?: string;
  error?: string;
}

/** One Geometry job: the forward solve, the engine that solved it, and the gradients at x̂. */
export interface GeometryResponse {
  what: [number, number];
  w: [number, number];
  tau: number;
  result: QpResult;
  run: BatchRun;
  /** Null when the forward solve has no solution to differentiate (its status says why). */
  grads: GeometryGradResponse | null;
  /** Worker time for the job, milliseconds. */
  ms: number;
}

/** The gradients of one Geometry job, and the ŵ, w, τ they belong to. */
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

/** Tight solve with polishing: the readout and the gradients read the active set off x̂. */
export const GEOMETRY_SETTINGS: Partial<QpSettings> = {
  eps_abs: 1e-9,
  eps_rel: 1e-9,
  polish: true,
};

type V2 = [number, number];
const mulG = (G: GeometryRequest['metric'], v: ArrayLike<number>): V2 => [
  G[0] * v[0] + G[1] * v[1],
  G[2] * v[0] + G[3] * v[1],
];
const solveG = (G: GeometryRequest['metric'], v: ArrayLike<number>): V2 => {
  const det = G[0] * G[3] - G[1] * G[2];
  return [(G[3] * v[0] - G[1] * v[1]) / det, (-G[2] * v[0] + G[0] * v[1]) / det];
};
const gNorm = (G: GeometryRequest['metric'], v: ArrayLike<number>) => {
  const Gv = mulG(G, v);
  return Math.sqrt(Math.max(0, v[0] * Gv[0] + v[1] * Gv[1]));
};

/** What a Geometry job runs on: the routed forward solve and backward engine. */
export interface GeometryEngines {
  solve(
    problem: QpProblem,
    settings: Partial<QpSettings>,
    warm?: WarmStart,
  ): Promise<{ result: QpResult; run: BatchRun }>;
  /** A backward pass on the job's engine, and the engine that actually ran it (with why). */
  backward(
    items: BackwardItem[],
    method: 'kkt' | 'lpgd',
    options: GradOptions,
  ): Promise<{ grads: QpGradients[]; engine: 'cpu' | 'gpu'; note?: string }>;
}

/** Checks a request; throws a one-line reason. */
function checkRequest(req: GeometryRequest): void {
  const { problem, w, metric: G, tau } = req;
  if (problem.n !== 2) throw new Error(`the geometry gradients need n = 2, got ${problem.n}`);
  if (!w.every(Number.isFinite)) throw new Error(`w must be finite, got (${w.join(', ')})`);
  if (!(tau > 0)) throw new Error(`LPGD τ must be positive, got ${tau}`);
  if (Math.abs(G[0] * G[3] - G[1] * G[2]) < 1e-12) throw new Error('the plot metric G is singular');
}

/**
 * One job per move of a Geometry drag: solve x̂ = x*(ŵ) once (tight, polished) on the routed engine,
 * then differentiate ½(x̂ − w)ᵀG(x̂ − w) through it by each chosen method, on the same engine where
 * the method exists there.
 */
export async function runGeometryJob(
  req: GeometryRequest,
  engines: GeometryEngines,
): Promise<GeometryResponse> {
  const t0 = performance.now();
  checkRequest(req);
  const { result, run } = await engines.solve(req.problem, GEOMETRY_SETTINGS, req.warm);
  const base = { what: req.what, w: req.w, tau: req.tau, result, run };
  if (result.status !== 'solved') return { ...base, grads: null, ms: performance.now() - t0 };
  const grads = await geometryGradients(req, result, engines);
  return { ...base, grads, ms: performance.now() - t0 };
}

async function geometryGradients(
  req: GeometryRequest,
  result: QpResult,
  engines: GeometryEngines,
): Promise<GeometryGradResponse> {
  const { problem, w, metric: G, tau } = req;
  const x: V2 = [result.x[0], result.x[1]];
  const diff: V2 = [x[0] - w[0], x[1] - w[1]];
  const g = mulG(G, diff);
  const updates: GeometryGradResponse['updates'] = {};
  for (const method of req.methods) {
    try {
      let dw: V2;
      let engine: 'cpu' | 'gpu' = 'cpu';
      let note: string | undefined;
      if (method === 'identity') {
        // Straight-through on ŵ (Sahoo et al.): ∂x̂/∂ŵ ≈ I. ŵ acts as a negated cost, so ∂ℓ/∂ŵ is
        // minus the cost gradient identityWithProjection returns (−g), i.e. g itself.
        const dlDw = identityWithProjection(g).map((v) => -v);
        const step = solveG(G, dlDw);
        dw = [-step[0], -step[1]];
      } else if (method === 'smoothed-qp') {
        // Smoothed QP (Property 3.11) is the CPU's: its Jacobian is formed from x̂ in Float64.
        const dq = smoothedQpBackward(problem, result, g).dq;
        dw = [2 * dq[0], 2 * dq[1]];
      } else {
        const item = { problem, result, dl_dx: Float64Array.from(g) };
        const options = method === 'lpgd' ? { tau } : {};
        const run = await engines.backward([item], method, options);
        engine = run.engine;
        note = run.note;
        dw = [2 * run.grads[0].dq[0], 2 * run.grads[0].dq[1]];
      }
      updates[method] = { dw, norm: gNorm(G, dw), engine, ...(note ? { note } : {}) };
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
