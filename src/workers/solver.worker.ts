/// <reference lib="webworker" />
/**
 * The solver worker: the page never solves on its main thread. Exposes `SolverApi` via comlink;
 * result arrays are transferred back, not copied.
 */
import * as Comlink from 'comlink';
import { solveQp } from '../solvers/qp';
import { navigatorGpu } from '../gpu/browser';
import { EngineHost, mergeRuns } from './engineHost';
import {
  resultArrays,
  transferables,
  type BatchRun,
  type EngineInfo,
  type EnvelopeReply,
  type SolverApi,
} from './protocol';
import { envelopeArrays, runEnvelope } from './envelopeJob';
import { runGeometryGradients } from './geometryGradJob';

/**
 * WebGPU when the browser has it, else the CPU engine (engineHost.ts). Single solves stay on the CPU
 * (Float64, polishing as requested); batches go where the page's preference (`setBatchPreference`,
 * from the URL's `batch` field) and the settings allow, and come back with the engine that solved them.
 */
const host = new EngineHost({ gpu: navigatorGpu(), post: (m) => self.postMessage(m) });

const api: SolverApi = {
  async engineInfo(): Promise<EngineInfo> {
    return host.engineInfo();
  },
  async setBatchPreference(preference) {
    return host.setBatchPreference(preference);
  },
  async solve(problem, settings, warm) {
    const result = solveQp(problem, settings, warm);
    return Comlink.transfer(result, transferables(resultArrays(result)));
  },
  async solveBatch(batch, settings, warm) {
    const reply = await host.solveBatchRun(batch, settings, warm);
    return Comlink.transfer(reply, transferables(reply.results.flatMap(resultArrays)));
  },
  async envelope(req) {
    const runs: BatchRun[] = [];
    const res = await runEnvelope(
      host.batchEngine((r) => runs.push(r)),
      req,
    );
    const reply: EnvelopeReply = { ...res, run: mergeRuns(runs) };
    return Comlink.transfer(reply, transferables(envelopeArrays(res)));
  },
  async geometryGradients(req) {
    return runGeometryGradients(req);
  },
};

Comlink.expose(api);
