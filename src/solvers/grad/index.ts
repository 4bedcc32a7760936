/**
 * Gradients through the argmin, on the CPU in Float64, behind one backward interface.
 * Methods and conventions: docs/gradients.md.
 */
import type { QpProblem, QpResult } from '../qp/types';
import type { BackwardItem, GradMethod, GradOptions, QpGradients } from './types';
import { kktBackward } from './kkt';
import { bpqpBackward } from './bpqp';
import { lpgdBackward } from './lpgd';
import { smoothedQpBackward } from './smoothed';
import { fdBackward } from './fd';

export * from './types';
export { kktBackward, activeSetOf, type ActiveSet } from './kkt';
export {
  jvp,
  matrixJacobian,
  solutionJacobian,
  type DataDirection,
  type MatrixJacobian,
  type SolutionJacobian,
} from './jacobian';
export { bpqpBackward, backwardQp } from './bpqp';
export { lpgdBackward, lagrangianGradient, type LpgdVariant } from './lpgd';
export { fdBackward, engineForwardSolve, type ForwardSolve } from './fd';
export { activeNormalSpan, zeroGradientReport, type ZeroGradientReport } from './zero-gradient';
export { leftNullSpace, orthonormalBasis, projectOntoSpan } from './subspace';
export {
  qpApproximation,
  smoothedQpBackward,
  smoothedQpJacobian,
  algorithm1Update,
  projectionDistanceRegularizer,
  type FeasibleSet,
} from './smoothed';
export {
  lpOracle,
  spoPlus,
  perturbedOptimizer,
  identityWithProjection,
  blackboxGradient,
  type LpOracle,
  type PerturbedOptions,
} from './linear';
import { errorMessage } from '../errors';
export { Rng } from './rng';
export { exactResultOf } from './result';
export { cosine, flattenGradients, relError } from './vec';

export const GRAD_METHODS: readonly GradMethod[] = [
  'kkt',
  'bpqp',
  'lpgd',
  'lpgd-lower',
  'lpgd-upper',
  'smoothed-qp',
  'fd',
];

/** ∂ℓ/∂(q, l, u, P, A) for a loss with ∂ℓ/∂x* = dl_dx, by the chosen method. */
export function backward(
  problem: QpProblem,
  result: QpResult,
  dl_dx: ArrayLike<number>,
  method: GradMethod,
  options: GradOptions = {},
): QpGradients {
  switch (method) {
    case 'kkt':
      return kktBackward(problem, result, dl_dx, options);
    case 'bpqp':
      return bpqpBackward(problem, result, dl_dx, options);
    case 'lpgd':
      return lpgdBackward(problem, result, dl_dx, 'average', options);
    case 'lpgd-lower':
      return lpgdBackward(problem, result, dl_dx, 'lower', options);
    case 'lpgd-upper':
      return lpgdBackward(problem, result, dl_dx, 'upper', options);
    case 'smoothed-qp':
      return smoothedQpBackward(problem, result, dl_dx, options);
    case 'fd':
      return fdBackward(problem, result, dl_dx, options);
    default:
      throw new Error(
        `unknown gradient method '${String(method)}'; expected one of ${GRAD_METHODS.join(', ')}`,
      );
  }
}

/** backward() over a batch; items are independent. */
export function backwardBatch(
  items: BackwardItem[],
  method: GradMethod,
  options: GradOptions = {},
): QpGradients[] {
  return items.map((it, k) => {
    try {
      return backward(it.problem, it.result, it.dl_dx, method, options);
    } catch (e) {
      throw new Error(`batch item ${k}: ${errorMessage(e)}`);
    }
  });
}
