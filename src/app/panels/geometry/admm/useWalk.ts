import { useEffect, useMemo } from 'react';
import { useSolver } from '../../../solverContext';
import { GEOMETRY_SETTINGS } from '../../../../workers/geometryJob';
import type { Route } from '../../../../workers/routing';
import { buildQp, type PlanarPreset, type Vec2 } from '../presets';
import { WalkController } from './walkController';

/** After a change of ŵ (a drag fires many), the first iterates are fetched once it settles. */
const SETTLE_MS = 150;

/**
 * The Geometry panel's step-through: a WalkController over the worker's walk of the current
 * problem (the panel's QP for ŵ) with the Geometry solve's settings and the student's ρ, σ and
 * adaptive ρ. Any change starts the walk over at k = 0.
 */
export function useWalk(
  open: boolean,
  preset: PlanarPreset,
  what: Vec2,
  settings: { rho: number; sigma: number; adaptive: boolean },
  route: Route,
): WalkController {
  const client = useSolver();
  const walk = useMemo(() => new WalkController(), []);
  const { rho, sigma, adaptive } = settings;
  useEffect(() => {
    if (!open || !client) {
      walk.reset(null);
      return;
    }
    let problem;
    try {
      problem = buildQp(preset, what);
    } catch {
      walk.reset(null);
      return;
    }
    const s = { ...GEOMETRY_SETTINGS, rho, sigma, adaptive_rho: adaptive };
    walk.reset(null);
    const timer = setTimeout(
      () =>
        walk.reset((from, count) => client.admmWalk({ problem, settings: s, from, count }, route)),
      SETTLE_MS,
    );
    return () => clearTimeout(timer);
  }, [walk, open, client, preset, what, rho, sigma, adaptive, route]);
  useEffect(() => () => walk.pause(), [walk]);
  return walk;
}
