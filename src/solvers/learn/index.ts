/**
 * The learning core of the training lab (CPU, Float64; runs in a worker and in Node): networks with
 * reverse and forward mode, optimizers, mini-batches, losses, the predict-and-optimize datasets,
 * regret, and the SQP "true problem" solver with its derivative. See docs/learning.md.
 */
export {
  Mlp,
  mlpSpec,
  resolveLayers,
  unitDirections,
  type BackwardResult,
  type InitScheme,
  type MlpSpec,
  type OutputAdjoint,
  type Tape,
} from './mlp';
export { DEFAULT_LEAKY_SLOPE, type Layer, type LayerKind, type LayerSpec } from './layers';
export { externalLoss, l2Norm, mseLoss, sobolevLoss, type LossValue } from './loss';
export {
  Adam,
  Sgd,
  createOptimizer,
  type AdamOptions,
  type Optimizer,
  type OptimizerSpec,
  type OptimizerState,
  type SgdOptions,
} from './optim';
export { BatchSampler, gatherRows, shuffleInPlace, splitIndices, type Splits } from './batches';
export {
  makeDataset,
  sampleFeatures,
  sampleProblem,
  sampleVectors,
  sharedBatch,
  type DatasetName,
  type PoDataset,
} from './data/dataset';
export {
  PORTFOLIO_LAMBDAS,
  portfolioData,
  portfolioDataset,
  simplexConstraints,
  type PortfolioData,
  type PortfolioOptions,
} from './data/portfolio';
export {
  lseOptima,
  lsePortfolioDataset,
  lseRegret,
  lseReturns,
  solveLseSample,
  type LsePortfolioDataset,
  type LsePortfolioOptions,
} from './data/lse-portfolio';
export { knapsackDataset, type KnapsackOptions } from './data/knapsack';
export { opfDataset, randomGrid, type Grid, type OpfOptions } from './data/opf';
export {
  TRUE_SOLVE_FALLBACK,
  TRUE_SOLVE_SETTINGS,
  maxViolation,
  normalizedRegret,
  solveOptima,
  summarizeRegret,
  trueObjective,
  trueObjectiveGradient,
  type Optima,
  type RegretSummary,
} from './regret';
export { LseObjective, type LseOptions } from './lse';
export {
  kktResiduals,
  newtonQp,
  solveSqp,
  violation,
  type KktResiduals,
  type LinearConstraints,
  type SmoothObjective,
  type SqpOptions,
  type SqpResult,
  type SqpStatus,
  type SqpStep,
} from './sqp';
export { sqpBackward, sqpJvp, type ParametricObjective, type SqpGradients } from './sqp-backward';
