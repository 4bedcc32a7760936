/// <reference lib="webworker" />
/**
 * The solver worker: the page never solves on its main thread. Exposes `SolverApi` via comlink;
 * result arrays are transferred back, not copied. Every job carries its route (routing.ts), and
 * the engine host runs its forward solves and backward passes on the engine that route gives.
 * Pings from the page are answered at once, outside comlink (client.ts keeps the worker alive).
 */
import * as Comlink from 'comlink';
import { navigatorGpu } from '../gpu/browser';
import { EngineHost, mergeRuns } from './engineHost';
import {
  isPing,
  resultArrays,
  transferables,
  type BatchRun,
  type EnvelopeReply,
  type PongMessage,
  type SolverApi,
} from './protocol';
import { envelopeArrays, runEnvelope } from './envelopeJob';
import { AdmmWalks } from './admmWalkJob';

const host = new EngineHost({ gpu: navigatorGpu(), post: (m) => self.postMessage(m) });
/** The current "Step through ADMM" walk, kept between requests (each request can rebuild it). */
const walks = new AdmmWalks();

self.addEventListener('message', (ev: MessageEvent) => {
  if (isPing(ev.data)) self.postMessage({ type: 'pong', seq: ev.data.seq } satisfies PongMessage);
});

const api: SolverApi = {
  engineInfo: () => host.engineInfo(),
  async solveBatch(batch, settings, warm, route) {
    const reply = await host.solveBatchRun(batch, settings, warm, route);
    return Comlink.transfer(reply, transferables(reply.results.flatMap(resultArrays)));
  },
  async envelope(req, route) {
    const runs: BatchRun[] = [];
    const res = await runEnvelope(
      host.batchEngine(route, (r) => runs.push(r)),
      req,
    );
    const reply: EnvelopeReply = { ...res, run: mergeRuns(runs) };
    return Comlink.transfer(reply, transferables(envelopeArrays(res)));
  },
  async geometry(req, route) {
    const res = await host.geometry(req, route);
    return Comlink.transfer(res, transferables(resultArrays(res.result)));
  },
  // The walk runs on the CPU engine on every route (admmWalkJob.ts). Its reply is copied, not
  // transferred: the kept trace still owns the result's arrays.
  async admmWalk(req) {
    return walks.serve(req);
  },
};

Comlink.expose(api);
