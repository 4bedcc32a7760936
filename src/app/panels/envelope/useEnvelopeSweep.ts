import { useEffect, useMemo, useState } from 'react';
import { LatestOnly } from '../../../workers/coalesce';
import type { EnvelopeRequest } from '../../../workers/envelopeJob';
import type { EnvelopeReply } from '../../../workers/protocol';
import type { Route } from '../../../workers/routing';
import { useSolver } from '../../solverContext';
import { errorMessage } from '../../../solvers/errors';

export interface EnvelopeState {
  /** The latest redraw, with the engine that solved its batches. */
  response: EnvelopeReply | null;
  error: string | null;
  /** Main-thread round trip of the latest response, milliseconds. */
  roundTripMs: number;
}

/**
 * Recomputes the sweep in the worker whenever the request or the route changes (the route travels
 * with the request, so the readout's engine follows the header's choice). Slider drags are coalesced: while one redraw
 * runs, only the newest request waits, so the page never queues stale work.
 */
export function useEnvelopeSweep(
  req: EnvelopeRequest,
  restarts: number,
  route: Route,
): EnvelopeState {
  const client = useSolver();
  const [state, setState] = useState<EnvelopeState>({
    response: null,
    error: null,
    roundTripMs: 0,
  });
  const queue = useMemo(
    () =>
      client
        ? new LatestOnly((j: { req: EnvelopeRequest; route: Route }) =>
            client.envelope(j.req, j.route),
          )
        : null,
    // A restarted worker gets a fresh queue (the old one may hold a request that died with it).
    [client, restarts], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const { seed, n, tau, rho, t0, samples } = req;
  useEffect(() => {
    if (!queue) return;
    const started = performance.now();
    queue.request({ req: { seed, n, tau, rho, t0, samples }, route }).then(
      (response) => {
        if (response) setState({ response, error: null, roundTripMs: performance.now() - started });
      },
      (e: unknown) => setState((s) => ({ ...s, error: errorMessage(e) })),
    );
  }, [queue, seed, n, tau, rho, t0, samples, route]);
  return state;
}
