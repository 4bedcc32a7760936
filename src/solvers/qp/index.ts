/** Public API of the CPU QP engine (OSQP's ADMM in Float64). */
export * from './types';
export { solveQp, solveQpAsync } from './solve';
export { solveBatch } from './batch';
export { CpuSolver, QpSetupError, type WarmOption } from './handle';
export type { QpParams } from './prepared';
export { validateProblem, validateSettings, objective } from './validate';
export { makeProblem, type ProblemSpec } from './problem';
