import { describe, expect, it } from 'vitest';
import { AdmmWalks, type AdmmWalkRequest, type WalkStep } from './admmWalkJob';
import { solveQp } from '../solvers/qp/solve';
import { buildQp, PRESETS } from '../app/panels/geometry/presets';
import { GEOMETRY_SETTINGS } from './geometryJob';

const problem = buildQp(PRESETS.polygon, [1.2, 0.4]);
const settings = { ...GEOMETRY_SETTINGS, rho: 0.5, sigma: 1e-4, adaptive_rho: true };
const req = (from: number, count: number): AdmmWalkRequest => ({ problem, settings, from, count });

/** Every iterate of the walk, asked for `chunk` at a time, as the page does. */
function walkAll(walks: AdmmWalks, chunk: number) {
  const steps: WalkStep[] = [];
  for (;;) {
    const r = walks.serve(req(steps.length, chunk));
    steps.push(...r.steps);
    if (r.total !== null && steps.length >= r.total) return { steps, reply: r };
  }
}

describe('AdmmWalks: the walk served k iterations at a time', () => {
  it('chunks of any size give the same walk, ending at the solver’s x*', () => {
    const a = walkAll(new AdmmWalks(), 7);
    const b = walkAll(new AdmmWalks(), 500);
    expect(a.steps.map((s) => s.x)).toEqual(b.steps.map((s) => s.x));
    expect(a.steps.map((s, k) => s.k === k).every(Boolean)).toBe(true);
    const ref = solveQp(problem, settings);
    expect(Array.from(a.reply.result!.x)).toEqual(Array.from(ref.x));
    expect(a.reply.total).toBe(ref.iter + 1);
    expect(a.reply.run.engine).toBe('cpu');
  });

  it('a new worker (or another walk in between) rebuilds the walk and replays it', () => {
    const walks = new AdmmWalks();
    const first = walks.serve(req(0, 40)).steps;
    walks.serve({ ...req(0, 5), settings: { ...settings, rho: 2 } });
    const again = walks.serve(req(20, 20)).steps;
    const fresh = new AdmmWalks().serve(req(20, 20)).steps;
    expect(again).toEqual(first.slice(20, 40));
    expect(fresh).toEqual(first.slice(20, 40));
  });

  it('refuses a request it cannot serve, in one line', () => {
    const walks = new AdmmWalks();
    expect(() => walks.serve(req(-1, 5))).toThrow(/from must be an integer ≥ 0/);
    expect(() => walks.serve(req(0, 0))).toThrow(/count must be an integer in \[1, 2000\]/);
    const big = { ...problem, n: 80 };
    expect(() => walks.serve({ ...req(0, 1), problem: big })).toThrow(/small problems/);
  });
});
