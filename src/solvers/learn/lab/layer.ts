/**
 * The QP layer of the training lab, on an engine handle (OSQP's setup once, update often): one
 * structure (P, A) is set up once; each call updates the parameter vectors of a mini-batch and solves
 * them, every sample warm-started from its own last solution. Backward passes run by the engine
 * through the handle (kkt, bpqp; on the WebGPU engine only the methods it implements, the others on
 * the CPU engine), and the solver-based estimators (LPGD, blackbox, SPO+, perturbed) as extra batched
 * solves on the same handle. Time spent is accumulated per phase for the epoch records.
 */
import type { Engine, QpHandle, QpParams } from '../../engine';
import type { CpuHandle } from '../../cpu-engine';
import { backwardThrough, type BackwardOutcome } from '../../engine';
import type { QpProblem, QpResult, QpSettings, WarmStart } from '../../qp/types';
import { solveQp } from '../../qp/solve';
import type { GradMethod, GradOptions } from '../../grad/types';

/** Forward solves of the lab: ADMM to 1e-4, then polishing (exact active set for the backward). */
export const LAB_SOLVE_SETTINGS: Readonly<Partial<QpSettings>> = Object.freeze({
  eps_abs: 1e-4,
  eps_rel: 1e-4,
  polish: true,
  max_iter: 20_000,
});

/**
 * LPs (P = 0) stop ADMM at 1e-3: it needs thousands of iterations to reach 1e-4 on the knapsack and
 * DC-OPF LPs, and polishing then lands on the vertex exactly in about nine solves of ten; the rest
 * are finished alone at LP_VERTEX_SETTINGS on the CPU (the estimators difference vertices).
 */
export const LAB_LP_SETTINGS: Readonly<Partial<QpSettings>> = Object.freeze({
  ...LAB_SOLVE_SETTINGS,
  eps_abs: 1e-3,
  eps_rel: 1e-3,
});

/**
 * An LP solve whose polish was refused at 1e-3 is solved again alone at these settings: the LP
 * estimators (LPGD, blackbox, SPO+) difference vertices, and an ADMM point 1e-3 from the vertex
 * would turn their finite differences into noise.
 */
const LP_VERTEX_SETTINGS: Readonly<Partial<QpSettings>> = Object.freeze({
  eps_abs: 1e-7,
  eps_rel: 1e-7,
  polish: true,
  max_iter: 100_000,
});

/** The lab's settings for a structure. */
export function labSettings(structure: QpProblem): Readonly<Partial<QpSettings>> {
  return structure.P.data.every((v) => v === 0) ? LAB_LP_SETTINGS : LAB_SOLVE_SETTINGS;
}

/** Backward methods of the WebGPU engine (src/gpu/backward.ts); the others run on the CPU. */
const GPU_BACKWARD: ReadonlySet<GradMethod> = new Set([
  'kkt',
  'bpqp',
  'lpgd',
  'lpgd-lower',
  'lpgd-upper',
]);

/** The engines a layer uses: the chosen one, and the CPU engine for what the chosen one lacks. */
export interface LayerEngines {
  engine: Engine;
  cpu: Engine;
}

/** Milliseconds spent, by phase, since the last `takeTimes`. */
export interface LayerTimes {
  forwardMs: number;
  backwardMs: number;
}

const usable = (r: QpResult | undefined): r is QpResult =>
  !!r && (r.status === 'solved' || r.status === 'solved_inaccurate');

export class QpLayer {
  /** Last solution of each sample (by dataset index), where its next solve starts. */
  private readonly warm: (WarmStart | undefined)[];
  private times: LayerTimes = { forwardMs: 0, backwardMs: 0 };
  /** Samples and costs of the last `solve`, which `backward` differentiates. */
  private last: { idx: Int32Array; problems: QpProblem[]; results: QpResult[] } | null = null;

  /** The structure is an LP (P = 0): solutions must be vertices (LP_VERTEX_SETTINGS). */
  private readonly lp: boolean;
  /** The parameter sets the handle holds now. */
  private currentParams: QpParams[] = [];

  private constructor(
    private readonly engines: LayerEngines,
    private readonly handle: QpHandle,
    readonly structure: QpProblem,
    /** Per-sample bounds (DC-OPF), or null when every sample has the structure's. */
    private readonly bounds: ((i: number) => { l: Float64Array; u: Float64Array }) | null,
    samples: number,
  ) {
    this.warm = new Array<WarmStart | undefined>(samples);
    this.lp = structure.P.data.every((v) => v === 0);
  }

  static async create(
    engines: LayerEngines,
    structure: QpProblem,
    samples: number,
    bounds: ((i: number) => { l: Float64Array; u: Float64Array }) | null,
    settings: Partial<QpSettings> = labSettings(structure),
  ): Promise<QpLayer> {
    const handle = await engines.engine.setup(structure, settings);
    return new QpLayer(engines, handle, structure, bounds, samples);
  }

  get engine(): 'cpu' | 'gpu' {
    return this.handle.engine;
  }

  /** Where `method`'s backward runs on this layer. */
  backwardEngine(method: GradMethod): 'cpu' | 'gpu' {
    return this.handle.engine === 'gpu' && GPU_BACKWARD.has(method) ? 'gpu' : 'cpu';
  }

  /** The time spent since the last call, then restarts the count. */
  takeTimes(): LayerTimes {
    const t = this.times;
    this.times = { forwardMs: 0, backwardMs: 0 };
    return t;
  }

  private params(idx: ArrayLike<number>, qs: Float64Array): QpParams[] {
    const { n } = this.structure;
    return Array.from(idx, (i, r) => {
      const q = qs.subarray(r * n, (r + 1) * n);
      return this.bounds ? { q, ...this.bounds(i) } : { q };
    });
  }

  private problems(params: QpParams[]): QpProblem[] {
    const s = this.structure;
    return params.map((v) => ({ ...s, q: v.q ?? s.q, l: v.l ?? s.l, u: v.u ?? s.u }));
  }

  /**
   * Solves samples `idx` with costs `qs` (B × n), each from its own last solution, and keeps the
   * new solutions as their next starting points. These are the ones `backward` differentiates.
   */
  async solve(
    idx: Int32Array,
    qs: Float64Array,
    phase: keyof LayerTimes = 'forwardMs',
  ): Promise<QpResult[]> {
    const t0 = performance.now();
    const params = this.params(idx, qs);
    this.handle.update(params);
    this.currentParams = params;
    const results = await this.solveHandle(Array.from(idx, (i) => this.warm[i]));
    results.forEach((r, k) => {
      if (usable(r) && r.x.every(Number.isFinite) && r.y.every(Number.isFinite))
        this.warm[idx[k]] = { x: r.x, y: r.y };
    });
    this.last = { idx, problems: this.problems(params), results };
    this.times[phase] += performance.now() - t0;
    return results;
  }

  /**
   * Solves the same samples at other costs (perturbed, for LPGD and the linear estimators),
   * each started from `from[k]`; counted as backward time, and the samples' own warm starts are
   * left as they are. Afterwards `backward` would differentiate these solves: call it first.
   */
  async probe(
    idx: Int32Array,
    qs: Float64Array,
    from: (QpResult | undefined)[],
  ): Promise<QpResult[]> {
    const t0 = performance.now();
    const params = this.params(idx, qs);
    this.handle.update(params);
    this.currentParams = params;
    const warm = from.map((r) => (usable(r) ? { x: r.x, y: r.y } : undefined));
    const results = await this.solveHandle(warm);
    this.last = { idx, problems: this.problems(params), results };
    this.times.backwardMs += performance.now() - t0;
    return results;
  }

  /**
   * The handle's solve; on the CPU engine its synchronous form (no turns of the event loop inside a
   * mini-batch: the trainer's caller yields between mini-batches, and evaluations come in chunks).
   * On an LP, a solve whose polish was refused is finished at a vertex by a tight solve of its own.
   */
  private async solveHandle(warm: (WarmStart | undefined)[]): Promise<QpResult[]> {
    const h = this.handle as QpHandle & Partial<Pick<CpuHandle, 'solveSync'>>;
    const results = typeof h.solveSync === 'function' ? h.solveSync(warm) : await h.solve(warm);
    if (!this.lp) return results;
    const problems = this.problems(this.currentParams);
    return results.map((r, k) =>
      r.status === 'solved' && r.polish !== 'success'
        ? solveQp(problems[k], LP_VERTEX_SETTINGS, { x: r.x, y: r.y })
        : r,
    );
  }

  /** The problems of the last solve (structure with each sample's costs and bounds). */
  lastProblems(): QpProblem[] {
    return this.last?.problems ?? [];
  }

  /**
   * Differentiates the last solve with ∂ℓ/∂x̂ = dl_dx[k]: on the handle's engine when it implements
   * `method`, else on the CPU engine. Unsolved samples and failing items get { ok: false }.
   */
  async backward(
    dl_dx: Float64Array[],
    method: GradMethod,
    options?: GradOptions,
  ): Promise<BackwardOutcome[]> {
    if (!this.last) throw new Error('backward before any solve');
    const t0 = performance.now();
    try {
      return this.backwardEngine(method) === this.handle.engine
        ? await this.handle.backward(dl_dx, method, options)
        : await backwardThrough(
            this.engines.cpu,
            this.last.problems,
            this.last.results,
            dl_dx,
            method,
            options,
          );
    } finally {
      this.times.backwardMs += performance.now() - t0;
    }
  }

  /** Forgets every sample's warm start (a new run on the same layer). */
  clearWarmStarts(): void {
    this.warm.fill(undefined);
  }

  dispose(): void {
    this.handle.dispose();
  }
}
