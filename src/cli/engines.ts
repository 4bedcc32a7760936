/** Engine selection for the CLI: the CPU engine, or the WebGPU engine through Dawn (npm `webgpu`). */
import type { QpEngine } from '../solvers/qp';
import { CpuEngine } from '../solvers/cpu-engine';
import type { BackwardEngine } from '../solvers/grad/types';
import { EngineError } from './errors';
import { errorMessage } from '../solvers/errors';

export type EngineKind = 'cpu' | 'gpu';

export interface OpenEngine {
  engine: QpEngine;
  /** The same hardware's backward (differentiation) engine. */
  backward: BackwardEngine;
  dispose(): void;
}

interface GpuNodeModule {
  createNodeGpuEngine(): Promise<QpEngine & { dispose(): void; backward: BackwardEngine }>;
}

/**
 * Module of the Node GPU engine, held in a variable so that the type checker and
 * bundler do not require it: the CLI must work on machines without WebGPU.
 */
const GPU_NODE_MODULE = '../gpu/node';

export async function openEngine(kind: EngineKind): Promise<OpenEngine> {
  if (kind === 'cpu') {
    const cpu = new CpuEngine();
    return { engine: cpu, backward: cpu, dispose: () => {} };
  }
  let mod: Partial<GpuNodeModule>;
  try {
    mod = (await import(/* @vite-ignore */ GPU_NODE_MODULE)) as Partial<GpuNodeModule>;
  } catch (e) {
    throw new EngineError(`GPU engine unavailable: ${errorMessage(e)}`);
  }
  if (typeof mod.createNodeGpuEngine !== 'function') {
    throw new EngineError(
      'GPU engine unavailable: src/gpu/node does not export createNodeGpuEngine',
    );
  }
  try {
    const engine = await mod.createNodeGpuEngine();
    return { engine, backward: engine.backward, dispose: () => engine.dispose() };
  } catch (e) {
    throw new EngineError(`GPU engine unavailable: ${errorMessage(e)}`);
  }
}
