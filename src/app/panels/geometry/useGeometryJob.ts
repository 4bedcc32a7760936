import { useEffect, useMemo, useState } from 'react';
import { LatestOnly } from '../../../workers/coalesce';
import type {
  GeometryGradMethod,
  GeometryGradResponse,
  GeometryRequest,
} from '../../../workers/geometryJob';
import type { Route } from '../../../workers/routing';
import type { GeometryPresetName } from '../../state/schema';
import { setGeometryError, setGeometrySolve } from '../../state/actions';
import { useAppStore } from '../../state/store';
import { useSolver } from '../../solverContext';
import { errorMessage } from '../../../solvers/errors';
import { buildQp, metric, type PlanarPreset, type Vec2 } from './presets';

export interface GeometryGradState {
  response: GeometryGradResponse | null;
  /** The feasible set the response was computed for (a response for another one is stale). */
  preset: PlanarPreset | null;
  error: string | null;
}

/**
 * One worker job per change of ŵ, w, τ, the feasible set or the route: x̂ = x*(ŵ) solved once
 * (tight, polished) and ½‖x̂ − w‖² differentiated through it by each selected method, on the routed
 * engine. Drags are coalesced to the newest request; the solve goes to the store (Readout), the
 * gradients are returned (GradientReadout, plot).
 */
export function useGeometryJob(
  presetName: GeometryPresetName,
  preset: PlanarPreset,
  what: Vec2,
  w: Vec2,
  tau: number,
  methods: readonly GeometryGradMethod[],
  route: Route,
): GeometryGradState {
  const client = useSolver();
  const [state, setState] = useState<GeometryGradState>({
    response: null,
    preset: null,
    error: null,
  });
  const queue = useMemo(
    () =>
      client
        ? new LatestOnly((j: { req: GeometryRequest; route: Route }) =>
            client.geometry(j.req, j.route),
          )
        : null,
    [client],
  );
  useEffect(() => {
    if (!queue) return;
    let req: GeometryRequest;
    try {
      const G = metric(preset.M);
      const problem = buildQp(preset, what);
      // Warm start from the previous solve of the same feasible set (same rows) as a drag moves on.
      const prev = useAppStore.getState().geometry.solve;
      const warm =
        prev && prev.preset === presetName && prev.result.y.length === problem.m
          ? { x: prev.result.x, y: prev.result.y }
          : undefined;
      req = {
        problem,
        warm,
        what,
        w,
        metric: [G[0][0], G[0][1], G[1][0], G[1][1]],
        tau,
        methods: [...methods],
      };
    } catch (e) {
      setGeometryError(errorMessage(e));
      setState({ response: null, preset: null, error: errorMessage(e) });
      return;
    }
    const t0 = performance.now();
    queue.request({ req, route }).then(
      (res) => {
        if (!res) return;
        setGeometrySolve({
          preset: presetName,
          what: res.what,
          result: res.result,
          run: res.run,
          roundTripMs: performance.now() - t0,
        });
        setState({ response: res.grads, preset, error: null });
      },
      (e: unknown) => {
        setGeometryError(errorMessage(e));
        setState((s) => ({ ...s, error: errorMessage(e) }));
      },
    );
  }, [queue, presetName, preset, what, w, tau, methods, route]);
  return state;
}
