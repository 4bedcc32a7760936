/**
 * Worker side of the Envelopes panel: one redraw = the LP along the cut and the τ-shifted,
 * ρ-augmented solves, each as one shared-structure batch of the QP engine, plus LPGD's update at t₀
 * from src/solvers/grad. Runs in the solver worker (and in Node for tests).
 */
import type { QpEngine } from '../solvers/qp/types';
import {
  engineArgmin,
  lpgdSlopes,
  makeCut,
  sweepEnvelopes,
  type EnvelopeSweep,
  type LpgdSlopes,
} from '../solvers/envelope';

export interface EnvelopeRequest {
  seed: number;
  /** Dimension of the box [0,1]ⁿ. */
  n: number;
  tau: number;
  rho: number;
  t0: number;
  samples: number;
}

export interface EnvelopeResponse {
  request: EnvelopeRequest;
  sweep: EnvelopeSweep;
  lpgd: LpgdSlopes;
  /** Number of box QPs solved for this redraw (the batches plus LPGD's solves). */
  solves: number;
  /** Worker time for the whole redraw, milliseconds. */
  ms: number;
}

export async function runEnvelope(
  engine: QpEngine,
  req: EnvelopeRequest,
): Promise<EnvelopeResponse> {
  const t0 = performance.now();
  const cut = makeCut(req.seed, req.n);
  let solves = 0;
  const solve = engineArgmin(engine);
  const sweep = await sweepEnvelopes(cut, req, (costs, rho, center) => {
    solves += costs.length;
    return solve(costs, rho, center);
  });
  const lpgd = lpgdSlopes(cut, req.t0, req.tau, req.rho);
  // LPGD: one LP at t₀, then two solves per variant (lower and upper re-solve z*, Eq. 16; Eq. 22).
  solves += 1 + 3 * 2;
  return { request: req, sweep, lpgd, solves, ms: performance.now() - t0 };
}

/** Every typed array of a response, for transferring it back to the page. */
export function envelopeArrays(r: EnvelopeResponse): Float64Array[] {
  const s = r.sweep;
  return [
    s.t,
    s.loss,
    s.linearized,
    s.augmented,
    s.lower,
    s.upper,
    s.average,
    s.at.xHat,
    s.at.g,
    r.lpgd.dc.lower,
    r.lpgd.dc.upper,
    r.lpgd.dc.average,
  ];
}
