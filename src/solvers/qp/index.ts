/** Public API of the CPU QP engine (OSQP's ADMM in Float64). */
export * from './types';
export { solveQp } from './solve';
export { solveBatch, CpuEngine } from './batch';
export { validateProblem, validateSettings, objective } from './validate';
export { makeProblem, type ProblemSpec } from './problem';
