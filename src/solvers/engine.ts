/**
 * What every engine offers (the CPU engine in Float64, the WebGPU engine in f32): one-shot batch
 * solves, batched backward passes, and handles. A handle is OSQP's setup/update/solve: a structure
 * (P, A) set up once, then many parameter vectors solved warm and differentiated on the same engine.
 */
import type { AnyQpProblem, QpEngine, QpProblem, QpResult, QpSettings } from './qp/types';
import type { QpParams } from './qp/prepared';
import type { WarmOption } from './qp/handle';
import type {
  BackwardEngine,
  BackwardItem,
  GradMethod,
  GradOptions,
  QpGradients,
} from './grad/types';
import { checkBackwardInput } from './grad/kkt';
import { errorMessage } from './errors';

export type { QpParams } from './qp/prepared';
export type { WarmOption } from './qp/handle';

/** One problem's backward pass through a handle: its gradients, or why there are none. */
export type BackwardOutcome = { ok: true; grads: QpGradients } | { ok: false; error: string };

export interface QpHandle {
  readonly engine: 'cpu' | 'gpu';
  readonly n: number;
  readonly m: number;
  /** Problems held (parameter sets); set by `update`. */
  readonly size: number;
  /** The last solve's results, by problem. */
  readonly results: readonly QpResult[];
  /** Replaces the parameter vectors (one entry per problem; a missing vector keeps the structure's). */
  update(params: QpParams[]): void;
  /** Solves every problem: from its last solution ('previous'), from given points, or cold. */
  solve(warm?: WarmOption): Promise<QpResult[]>;
  /**
   * Differentiates the last solve: dl_dx[i] = ∂ℓ/∂x*ᵢ, on the handle's engine. Problems that did
   * not solve, or whose method fails, get { ok: false, error }; the others their gradients.
   */
  backward(
    dl_dx: ArrayLike<number>[],
    method: GradMethod,
    options?: GradOptions,
  ): Promise<BackwardOutcome[]>;
  /** Releases the engine's resources (GPU buffers); the handle is unusable afterwards. */
  dispose(): void;
}

export interface Engine extends QpEngine, BackwardEngine {
  /** Sets up a structure; throws QpSetupError for invalid input or a P that is not PSD. */
  setup(
    structure: AnyQpProblem,
    settings?: Partial<QpSettings>,
    params?: QpParams[],
  ): Promise<QpHandle>;
}

/**
 * A handle's backward pass on a backward engine: the items that can be differentiated go to the
 * engine as one batch; the others, and every item of a batch the engine fails on, get the reason.
 */
export async function backwardThrough(
  engine: BackwardEngine,
  problems: QpProblem[],
  results: readonly QpResult[],
  dl_dx: ArrayLike<number>[],
  method: GradMethod,
  options?: GradOptions,
): Promise<BackwardOutcome[]> {
  if (dl_dx.length !== problems.length)
    throw new Error(`backward: ${dl_dx.length} gradients for ${problems.length} problems`);
  const out = new Array<BackwardOutcome>(problems.length);
  const items: BackwardItem[] = [];
  const where: number[] = [];
  problems.forEach((p, i) => {
    const r = results[i];
    try {
      if (!r) throw new Error('the problem has not been solved');
      checkBackwardInput(p, r, dl_dx[i]);
      items.push({ problem: p, result: r, dl_dx: Float64Array.from(dl_dx[i]) });
      where.push(i);
    } catch (e) {
      out[i] = { ok: false, error: errorMessage(e) };
    }
  });
  if (items.length > 0) {
    try {
      const grads = await engine.backwardBatch(items, method, options);
      grads.forEach((g, k) => (out[where[k]] = { ok: true, grads: g }));
    } catch (e) {
      const error = errorMessage(e);
      where.forEach((i) => (out[i] = { ok: false, error }));
    }
  }
  return out;
}
