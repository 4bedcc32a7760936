import { create } from 'zustand';
import type { QpResult } from '../../solvers/qp/types';
import type { BatchRun, EngineInfo, EngineNotice } from '../../workers/protocol';
import { defaultConfig, type Config } from './schema';

export type { EngineInfo };

export interface WorkerStatus {
  state: 'starting' | 'ready' | 'crashed';
  /** Last crash message, kept after the restart so the user sees what happened. */
  message?: string;
  /** Number of restarts after crashes since the page loaded. */
  restarts: number;
}

/** The latest solve of the Geometry panel, with the ŵ it was computed for. */
export interface GeometrySolve {
  preset: Config['preset'];
  what: [number, number];
  result: QpResult;
  /** The engine that solved it (the route of the request). */
  run: BatchRun;
  /** Main-thread round trip (post → result), milliseconds. */
  roundTripMs: number;
}

export interface AppState {
  /** Shareable configuration, mirrored in the URL hash. */
  config: Config;
  /** Problems found while reading the URL hash (shown once, dismissible). */
  urlErrors: string[];
  engine: EngineInfo | null;
  /** The engine's latest notice (device lost and recreated, a GPU batch re-solved on the CPU). */
  engineNotice: EngineNotice | null;
  worker: WorkerStatus;
  geometry: { solve: GeometrySolve | null; error: string | null };
}

export function getInitialState(): AppState {
  return {
    config: defaultConfig(),
    urlErrors: [],
    engine: null,
    engineNotice: null,
    worker: { state: 'starting', restarts: 0 },
    geometry: { solve: null, error: null },
  };
}

export const useAppStore = create<AppState>()(() => getInitialState());

/** Back to the initial state (tests, "reset" button). */
export function resetStore(): void {
  useAppStore.setState(getInitialState(), true);
}
