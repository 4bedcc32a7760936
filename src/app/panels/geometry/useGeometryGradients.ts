import { useEffect, useMemo, useState } from 'react';
import { LatestOnly } from '../../../workers/coalesce';
import type {
  GeometryGradMethod,
  GeometryGradRequest,
  GeometryGradResponse,
} from '../../../workers/geometryGradJob';
import { useSolver } from '../../solverContext';
import { buildQp, metric, type PlanarPreset, type Vec2 } from './presets';
import { errorMessage } from '../../../solvers/errors';

export interface GeometryGradState {
  response: GeometryGradResponse | null;
  /** The feasible set the response was computed for (a response for another one is stale). */
  preset: PlanarPreset | null;
  error: string | null;
}

/**
 * The gradient of ℓ = ½‖x̂ − w‖² through the argmin by each selected method, computed in the worker
 * whenever ŵ, w, τ or the feasible set change; drags are coalesced to the newest request.
 */
export function useGeometryGradients(
  preset: PlanarPreset,
  what: Vec2,
  w: Vec2,
  tau: number,
  methods: readonly GeometryGradMethod[],
  restarts: number,
): GeometryGradState {
  const client = useSolver();
  const [state, setState] = useState<GeometryGradState>({
    response: null,
    preset: null,
    error: null,
  });
  const queue = useMemo(
    () => (client ? new LatestOnly((r: GeometryGradRequest) => client.geometryGradients(r)) : null),
    // A restarted worker gets a fresh queue.
    [client, restarts], // eslint-disable-line react-hooks/exhaustive-deps
  );
  useEffect(() => {
    if (!queue) return;
    let req: GeometryGradRequest;
    try {
      const G = metric(preset.M);
      req = {
        problem: buildQp(preset, what),
        what,
        w,
        metric: [G[0][0], G[0][1], G[1][0], G[1][1]],
        tau,
        methods: [...methods],
      };
    } catch (e) {
      setState({ response: null, preset: null, error: errorMessage(e) });
      return;
    }
    queue.request(req).then(
      (response) => {
        if (response) setState({ response, preset, error: null });
      },
      (e: unknown) => setState((s) => ({ ...s, error: errorMessage(e) })),
    );
  }, [queue, preset, what, w, tau, methods]);
  return state;
}
