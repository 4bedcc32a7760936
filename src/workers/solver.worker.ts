/// <reference lib="webworker" />
/**
 * The solver worker: the page never solves on its main thread. Exposes `SolverApi` via comlink;
 * result arrays are transferred back, not copied.
 */
import * as Comlink from 'comlink';
import { CpuEngine, solveQp } from '../solvers/qp';
import { resultArrays, transferables, type EngineInfo, type SolverApi } from './protocol';

const engine = new CpuEngine();

const api: SolverApi = {
  async engineInfo(): Promise<EngineInfo> {
    return { kind: 'cpu', label: 'CPU (Float64)', adapter: engine.adapter };
  },
  async solve(problem, settings, warm) {
    const result = solveQp(problem, settings, warm);
    return Comlink.transfer(result, transferables(resultArrays(result)));
  },
  async solveBatch(batch, settings, warm) {
    const results = await engine.solveBatch(batch, settings, warm);
    return Comlink.transfer(results, transferables(results.flatMap(resultArrays)));
  },
};

Comlink.expose(api);
