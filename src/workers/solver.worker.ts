/// <reference lib="webworker" />
/**
 * The solver worker: the page never solves on its main thread. Exposes `SolverApi` via comlink;
 * result arrays are transferred back, not copied.
 */
import * as Comlink from 'comlink';
import { solveQp } from '../solvers/qp';
import { navigatorGpu } from '../gpu/browser';
import { EngineHost } from './engineHost';
import { resultArrays, transferables, type EngineInfo, type SolverApi } from './protocol';
import { envelopeArrays, runEnvelope } from './envelopeJob';
import { runGeometryGradients } from './geometryGradJob';

/**
 * WebGPU when the browser has it, else the CPU engine (engineHost.ts). Single solves stay on the CPU
 * (Float64, polishing as requested); batches go to the GPU when their tolerances are f32-reachable.
 */
const host = new EngineHost({ gpu: navigatorGpu(), post: (m) => self.postMessage(m) });

const api: SolverApi = {
  async engineInfo(): Promise<EngineInfo> {
    return host.engineInfo();
  },
  async solve(problem, settings, warm) {
    const result = solveQp(problem, settings, warm);
    return Comlink.transfer(result, transferables(resultArrays(result)));
  },
  async solveBatch(batch, settings, warm) {
    const results = await host.solveBatch(batch, settings, warm);
    return Comlink.transfer(results, transferables(results.flatMap(resultArrays)));
  },
  async envelope(req) {
    const res = await runEnvelope(host.batch, req);
    return Comlink.transfer(res, transferables(envelopeArrays(res)));
  },
  async geometryGradients(req) {
    return runGeometryGradients(req);
  },
};

Comlink.expose(api);
