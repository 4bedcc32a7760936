/**
 * The CPU engine's ADMM backend (Float64): one workspace per problem, the OSQP steps of admm.ts,
 * factorizations from a FactorCache shared by the problems of one structure.
 */
import type { QpSettings } from './types';
import type { Workspace } from './workspace';
import {
  evaluateWorkspace,
  fillRhoVec,
  setRhoVec,
  updateX,
  updateXZTilde,
  updateY,
  updateZ,
} from './admm';
import type { AdmmBackend, ScaledIterate } from './driver';
import type { AdmmEvaluation } from './evaluation';
import type { PreparedProblem } from './prepared';
import type { FactorCache } from './factorCache';
import { DeadlineError, NO_DEADLINE, type Deadline } from '../deadline';

/** A workspace for a prepared problem at scalar ρ, started from its x⁰, z⁰, y⁰. */
export function createWorkspace(
  pp: PreparedProblem,
  s: QpSettings,
  factors: FactorCache,
  rho: number,
  deadline: Deadline = NO_DEADLINE,
): Workspace {
  const { n, m } = pp;
  // Every vector is a view of one buffer: one allocation per solve instead of twenty.
  const buffer = new Float64Array(9 * n + 10 * m);
  let used = 0;
  const vec = (k: number, from?: Float64Array) => {
    const v = buffer.subarray(used, (used += k));
    if (from) v.set(from);
    return v;
  };
  const rhoVec = vec(m);
  const rhoInvVec = vec(m);
  const r = fillRhoVec(pp.rowType, rho, rhoVec, rhoInvVec);
  const rhs = vec(n + m);
  return {
    n,
    m,
    settings: s,
    P: pp.P,
    q: pp.q,
    A: pp.A,
    l: pp.l,
    u: pp.u,
    scaling: pp.scaling,
    rowType: pp.rowType,
    rho: r,
    rhoVec,
    rhoInvVec,
    linsys: factors.get(rhoVec, deadline),
    factors,
    x: vec(n, pp.x0),
    xPrev: vec(n),
    z: vec(m, pp.z0),
    zPrev: vec(m),
    y: vec(m, pp.y0),
    xTilde: rhs.subarray(0, n),
    zTilde: rhs.subarray(n),
    deltaX: vec(n),
    deltaY: vec(m),
    xSnap: vec(n, pp.x0),
    ySnap: vec(m, pp.y0),
    snapIter: 0,
    iter: 0,
    rhs,
    Ax: vec(m),
    Px: vec(n),
    Aty: vec(n),
    tmpN: vec(n),
    tmpM: vec(m),
  };
}

/** One ADMM iteration (OSQP Algorithm 1): x̃, z̃ from the linear system, then x, z, y. */
function step(w: Workspace): void {
  const x = w.xPrev;
  w.xPrev = w.x;
  w.x = x;
  const z = w.zPrev;
  w.zPrev = w.z;
  w.z = z;
  updateXZTilde(w);
  updateX(w);
  updateZ(w);
  updateY(w);
  w.iter++;
}

export class CpuBackend implements AdmmBackend {
  readonly rhoScope = 'problem' as const;
  /** Between event-loop turns when run asynchronously (a worker answering messages). */
  readonly chunkMs = 40;
  private running: Uint8Array;

  constructor(
    readonly workspaces: Workspace[],
    /** ρ refactorizations stop here; the driver then ends the solve on its own time check. */
    private readonly deadline: Deadline = NO_DEADLINE,
  ) {
    this.running = new Uint8Array(workspaces.length).fill(1);
  }

  get size(): number {
    return this.workspaces.length;
  }

  iterate(steps: number): void {
    this.workspaces.forEach((w, b) => {
      if (!this.running[b]) return;
      for (let k = 0; k < steps; k++) step(w);
    });
  }

  evaluate(): AdmmEvaluation[] {
    return this.workspaces.map((w, b) => (this.running[b] ? evaluateWorkspace(w) : STOPPED));
  }

  setRunning(running: Uint8Array): void {
    this.running = Uint8Array.from(running);
  }

  setRho(rho: Float64Array): void {
    this.workspaces.forEach((w, b) => {
      if (w.rho === rho[b]) return;
      try {
        setRhoVec(w, rho[b], this.deadline);
      } catch (e) {
        // Out of time while refactoring: the driver stops right after, on the last iterate.
        if (e instanceof DeadlineError) return;
        throw e;
      }
    });
  }

  read(indices: number[]): ScaledIterate[] {
    return indices.map((b) => {
      const w = this.workspaces[b];
      return {
        x: Float64Array.from(w.x),
        z: Float64Array.from(w.z),
        y: Float64Array.from(w.y),
        dx: Float64Array.from(w.deltaX),
        dy: Float64Array.from(w.deltaY),
      };
    });
  }

  flush(): void {}
}

/** The evaluation slot of a problem that no longer iterates (never read by the driver). */
const STOPPED: AdmmEvaluation = Object.freeze({
  prim: NaN,
  dual: NaN,
  primScale: NaN,
  dualScale: NaN,
  primScaled: NaN,
  dualScaled: NaN,
  primScaleScaled: NaN,
  dualScaleScaled: NaN,
  gap: NaN,
  gapScale: NaN,
  dyNorm: NaN,
  atdyNorm: NaN,
  support: NaN,
  dxNorm: NaN,
  pdxNorm: NaN,
  qdx: NaN,
  adxUpper: NaN,
  adxLower: NaN,
});
