import { createContext, useContext } from 'react';
import type { SolverClient } from '../workers/client';

/** The page's solver worker client; null until the App has started it. */
export const SolverContext = createContext<SolverClient | null>(null);

export function useSolver(): SolverClient | null {
  return useContext(SolverContext);
}
