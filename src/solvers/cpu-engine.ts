/**
 * The CPU engine: Float64 ADMM in JavaScript (src/solvers/qp) and the backward methods of
 * src/solvers/grad, behind the Engine interface. It is the fallback when WebGPU is missing and the
 * reference the WebGPU engine is tested against.
 */
import type { AnyQpProblem, QpBatch, QpProblem, QpResult, QpSettings, WarmStart } from './qp/types';
import { solveBatchAsync } from './qp/batch';
import { Turns } from './turns';
import { CpuSolver, type WarmOption } from './qp/handle';
import type { QpParams } from './qp/prepared';
import { backwardBatch } from './grad';
import type { BackwardItem, GradMethod, GradOptions, QpGradients } from './grad/types';
import { backwardThrough, type BackwardOutcome, type Engine, type QpHandle } from './engine';
import { denseBytes, toDenseProblem, toSparseProblem } from './qp/matrix';
import { sparseAdjoint } from './grad/kkt-sparse';
import { gradientsFromAdjoint } from './grad/kkt';
import { errorMessage } from './errors';

/** Largest dense P and A (bytes) a handle's backward pass makes from a sparse structure. */
const BACKWARD_DENSE_BYTES = 2 ** 29;

class CpuHandle implements QpHandle {
  readonly engine = 'cpu' as const;

  constructor(
    private readonly solver: CpuSolver,
    private readonly owner: CpuEngine,
  ) {}

  get n() {
    return this.solver.n;
  }
  get m() {
    return this.solver.m;
  }
  get size() {
    return this.solver.size;
  }
  get results(): readonly QpResult[] {
    return this.solver.results;
  }
  /** Factorizations computed so far (a solve at a ρ already met computes none). */
  get factorizations(): number {
    return this.solver.factorizations;
  }

  update(params: QpParams[]): void {
    this.solver.update(params);
  }

  solve(warm?: WarmOption): Promise<QpResult[]> {
    return this.solver.solve(warm);
  }

  /** Solves synchronously (callers that are already off the page's thread and need no turns). */
  solveSync(warm?: WarmOption): QpResult[] {
    return this.solver.solveSync(warm);
  }

  backward(
    dl_dx: ArrayLike<number>[],
    method: GradMethod,
    options?: GradOptions,
  ): Promise<BackwardOutcome[]> {
    if (dl_dx.length !== this.solver.size)
      throw new Error(`backward: ${dl_dx.length} gradients for ${this.solver.size} problems`);
    if (method === 'kkt' && this.solver.linsys === 'sparse')
      return Promise.resolve(
        this.solver.problems().map((p, i) => this.kktOnStructure(p, i, dl_dx[i], options)),
      );
    // Per item on the CPU: one failing item must not take the others' gradients with it.
    const problems = this.solver.problems();
    return Promise.all(
      problems.map(async (given, i): Promise<BackwardOutcome> => {
        let p: QpProblem;
        try {
          // The gradient methods take dense data (dP and dA are dense n×n and m×n).
          p = toDenseProblem(given, BACKWARD_DENSE_BYTES);
        } catch (e) {
          return { ok: false, error: `gradients need P and A stored densely: ${errorMessage(e)}` };
        }
        const [o] = await backwardThrough(
          this.owner,
          [p],
          [this.solver.results[i]],
          [dl_dx[i]],
          method,
          options,
        );
        return o;
      }),
    );
  }

  /**
   * Exact gradients of problem i through the forward solve's sparse structure: the adjoint system
   * is factored as a sibling of the handle's KKT factorization (its AMD ordering and symbolic
   * analysis, in the scaled space), and the dense gradients follow from the adjoint.
   */
  private kktOnStructure(
    p: AnyQpProblem,
    i: number,
    g: ArrayLike<number>,
    options?: GradOptions,
  ): BackwardOutcome {
    try {
      const r = this.solver.results[i];
      if (!r) throw new Error('the problem has not been solved');
      if (denseBytes(p.n, p.m) > BACKWARD_DENSE_BYTES)
        throw new Error(
          `dense dP and dA for n = ${p.n}, m = ${p.m} exceed ${BACKWARD_DENSE_BYTES / 2 ** 20} MB; ` +
            'kktBackwardSparse gives them on the sparsity pattern',
        );
      const { active, xt, yt } = sparseAdjoint(
        toSparseProblem(p),
        r,
        g,
        options,
        this.solver.adjointStructure(),
      );
      return { ok: true, grads: gradientsFromAdjoint(p, r.x, r.y, active, xt, yt) };
    } catch (e) {
      return { ok: false, error: errorMessage(e) };
    }
  }

  dispose(): void {}
}

export class CpuEngine implements Engine {
  readonly name = 'cpu' as const;
  readonly adapter = 'CPU (Float64, JavaScript)';

  async solveBatch(
    batch: QpBatch,
    settings?: Partial<QpSettings>,
    warm?: (WarmStart | undefined)[],
  ): Promise<QpResult[]> {
    return solveBatchAsync(batch, settings, warm);
  }

  async backwardBatch(
    items: BackwardItem[],
    method: GradMethod,
    options?: GradOptions,
  ): Promise<QpGradients[]> {
    // One item at a time with turns of the event loop between them (a worker keeps answering).
    const turns = new Turns();
    const out: QpGradients[] = [];
    for (let k = 0; k < items.length; k++) {
      await turns.maybe();
      try {
        out.push(backwardBatch([items[k]], method, options)[0]);
      } catch (e) {
        throw new Error(`batch item ${k}: ${errorMessage(e).replace(/^batch item 0: /, '')}`);
      }
    }
    return out;
  }

  async setup(
    structure: AnyQpProblem,
    settings?: Partial<QpSettings>,
    params?: QpParams[],
  ): Promise<CpuHandle> {
    return new CpuHandle(new CpuSolver(structure, settings, params), this);
  }
}

export type { CpuHandle };
