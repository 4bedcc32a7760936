import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { QpProblem, QpSettings } from '../../../solvers/qp/types';
import { useSolver } from '../../solverContext';
import { setGeometryError, setGeometrySolve } from '../../state/actions';
import { useAppStore } from '../../state/store';
import { buildQp, presetFor } from './presets';
import { errorMessage } from '../../../solvers/errors';

/**
 * Tight tolerances and polishing: the panel reads the active set off the solution, so it needs
 * the exact vertex, not an ADMM iterate 10⁻³ away from it.
 */
export const GEOMETRY_SETTINGS: Partial<QpSettings> = {
  eps_abs: 1e-7,
  eps_rel: 1e-7,
  polish: true,
};

/** Solves x*(ŵ) in the worker whenever ŵ, the feasible set or the worker changes; drags are coalesced. */
export function useGeometrySolve(): void {
  const client = useSolver();
  const { preset, cons, what, restarts } = useAppStore(
    useShallow((s) => ({
      preset: s.config.preset,
      cons: s.config.cons,
      what: s.config.what,
      restarts: s.worker.restarts,
    })),
  );
  useEffect(() => {
    if (!client) return;
    let problem: QpProblem;
    try {
      problem = buildQp(presetFor({ preset, cons }), what);
    } catch (e) {
      setGeometryError(errorMessage(e));
      return;
    }
    // Warm start from the previous solve of the same feasible set (same rows) as the drag moves on.
    const prev = useAppStore.getState().geometry.solve;
    const warm =
      prev && prev.preset === preset && prev.result.y.length === problem.m
        ? { x: prev.result.x, y: prev.result.y }
        : undefined;
    const t0 = performance.now();
    client.solveLatest('geometry', problem, GEOMETRY_SETTINGS, warm).then(
      (result) => {
        if (result) setGeometrySolve({ preset, what, result, roundTripMs: performance.now() - t0 });
      },
      (e: unknown) => setGeometryError(errorMessage(e)),
    );
  }, [client, preset, cons, what, restarts]);
}
