/**
 * The training lab's methods: how each one decides (which problem the network's prediction is
 * solved in) and how it turns ∂ℓ/∂x̂ into ∂ℓ/∂(prediction). One table, read by the trainer, the CLI
 * and the panel; `methodIssue` says why a method does not apply to a problem (shown disabled).
 */

export const LAB_METHODS = [
  'mse',
  'exact',
  'bpqp',
  'true-problem',
  'qp',
  'smoothed-qp',
  'lpgd',
  'lpgd-lower',
  'lpgd-upper',
  'spo+',
  'perturbed',
  'identity',
  'blackbox',
] as const;
export type LabMethod = (typeof LAB_METHODS)[number];

/**
 * Where a method's decision comes from: the true problem with the predicted cost ('true'; for the
 * LogSumExp portfolio that is SQP), or the QP approximation x_QP(ŵ) = argmin ½‖x − ŵ‖² over C
 * (You Shall Pass Eq. 4; 'qp-approx').
 */
export type DecisionKind = 'true' | 'qp-approx';

/**
 * How the backward pass runs: 'engine' = a backward method of the engine through the handle
 * (kkt, bpqp, smoothed-qp); 'solves' = extra forward solves on the same handle, batched (LPGD,
 * blackbox, SPO+, perturbed); 'sqp' = SQP's KKT derivative on the CPU; 'closed-form' = no solve
 * (identity); 'none' = the loss does not go through the solver (MSE).
 */
export type BackwardKind = 'engine' | 'solves' | 'sqp' | 'closed-form' | 'none';

export interface MethodInfo {
  label: string;
  decision: DecisionKind;
  backward: BackwardKind;
  /** One sentence: what it does, and where it comes from. */
  blurb: string;
}

export const METHOD_INFO: Record<LabMethod, MethodInfo> = {
  mse: {
    label: 'MSE (two-stage)',
    decision: 'true',
    backward: 'none',
    blurb: 'Fits the costs by mean squared error, then decides with the true problem.',
  },
  exact: {
    label: 'True problem, exact KKT',
    decision: 'true',
    backward: 'engine',
    blurb:
      'Differentiates the true QP by implicit differentiation of its KKT system (OptNet; You Shall Pass Fig. 3 "True problem").',
  },
  bpqp: {
    label: 'BPQP',
    decision: 'true',
    backward: 'engine',
    blurb:
      'The same gradient as exact KKT, from the backward pass solved as a QP (BPQP Theorem 1, Eq. 10–13).',
  },
  'true-problem': {
    label: 'True problem (SQP)',
    decision: 'true',
    backward: 'sqp',
    blurb:
      'Solves the LogSumExp problem (Eq. 9) by SQP and differentiates its KKT conditions with the Hessian at the solution.',
  },
  qp: {
    label: 'QP approximation',
    decision: 'qp-approx',
    backward: 'engine',
    blurb: 'Decides by x_QP(ŵ), the projection of ŵ onto C (Eq. 4), differentiated exactly.',
  },
  'smoothed-qp': {
    label: 'Smoothed QP',
    decision: 'qp-approx',
    backward: 'engine',
    blurb:
      'The QP approximation with the active rows smoothed into one (Algorithm 1) and the projection-distance penalty α‖x̂ − ŵ‖² (Eq. 6).',
  },
  lpgd: {
    label: 'LPGD',
    decision: 'true',
    backward: 'solves',
    blurb:
      'Lagrangian proximal gradient, average envelope: [x*(ĉ + τg) − x*(ĉ − τg)]/2τ (LPGD Eq. 22).',
  },
  'lpgd-lower': {
    label: 'LPGD lower',
    decision: 'true',
    backward: 'solves',
    blurb: 'Lower Lagrange–Moreau envelope: [x*(ĉ + τg) − x*(ĉ)]/τ (LPGD Eq. 16).',
  },
  'lpgd-upper': {
    label: 'LPGD upper',
    decision: 'true',
    backward: 'solves',
    blurb: 'Upper Lagrange–Moreau envelope: [x*(ĉ) − x*(ĉ − τg)]/τ (LPGD Eq. 16).',
  },
  'spo+': {
    label: 'SPO+',
    decision: 'true',
    backward: 'solves',
    blurb: 'The SPO+ surrogate loss, subgradient 2(x*(c) − x*(2ĉ − c)) (Elmachtoub & Grigas).',
  },
  perturbed: {
    label: 'Perturbed',
    decision: 'true',
    backward: 'solves',
    blurb:
      'Perturbed optimizer: the mean of x*(ĉ + σZ) over Gaussian Z and its Jacobian (Berthet et al.).',
  },
  identity: {
    label: 'Identity',
    decision: 'true',
    backward: 'closed-form',
    blurb:
      'Replaces ∂x*/∂ĉ by −I and projects out ĉ’s direction, to which the argmin is blind (Sahoo et al., "norm").',
  },
  blackbox: {
    label: 'Blackbox',
    decision: 'true',
    backward: 'solves',
    blurb:
      'Blackbox differentiation of an LP: [x*(ĉ + λg) − x*(ĉ)]/λ (Vlastelica et al.; LPGD lower on an LP).',
  },
};

/** What a method needs to know about a problem to say whether it applies. */
export interface ProblemTraits {
  /** The true objective is the QP's own (½xᵀPx + qᵀx); false for the LogSumExp portfolio. */
  quadratic: boolean;
  /** P = 0: the true problem is a linear program. */
  linear: boolean;
}

/** Why a method does not apply: a few words for a label, and the reason in full. */
export interface MethodIssue {
  brief: string;
  reason: string;
}

const LP_EXACT: MethodIssue = {
  brief: 'an LP: its exact Jacobian is zero',
  reason:
    'an LP’s solution map is piecewise constant: its exact Jacobian is zero wherever it exists and the KKT matrix is singular off a vertex (You Shall Pass Thm. 3.8); LPGD, the QP approximation or a linear method learn here',
};
const LSE_ONLY: MethodIssue = {
  brief: 'for the LogSumExp portfolio only',
  reason:
    'the true objective here is the QP’s own, so "exact" (KKT) and "bpqp" differentiate the true problem; SQP is for the LogSumExp portfolio',
};
const NOT_QUADRATIC: MethodIssue = {
  brief: 'the true objective is not a QP',
  reason:
    'the true objective (LogSumExp, Eq. 9) is not a QP: "True problem (SQP)" differentiates it; the QP methods use the QP approximation',
};
const NEEDS_LINEAR_COST: MethodIssue = {
  brief: 'needs a linear-cost solver',
  reason:
    'it needs the true problem as a solver with a linear cost; the LogSumExp objective is not one (Table 1 compares SQP with the QP methods)',
};
const LP_ONLY: MethodIssue = {
  brief: 'for LPs only (here λ > 0)',
  reason:
    'blackbox differentiation interpolates the piecewise-constant solution map of an LP; with λ > 0 the problem is a QP (use LPGD, its generalization)',
};

/** Why `method` does not apply to a problem with these traits (brief and full), or null. */
export function methodIssueOf(method: LabMethod, t: ProblemTraits): MethodIssue | null {
  switch (method) {
    case 'mse':
    case 'qp':
    case 'smoothed-qp':
      return null;
    case 'exact':
    case 'bpqp':
      if (!t.quadratic) return NOT_QUADRATIC;
      return t.linear ? LP_EXACT : null;
    case 'true-problem':
      return t.quadratic ? (t.linear ? LP_EXACT : LSE_ONLY) : null;
    case 'lpgd':
    case 'lpgd-lower':
    case 'lpgd-upper':
    case 'spo+':
    case 'perturbed':
    case 'identity':
      return t.quadratic ? null : NEEDS_LINEAR_COST;
    case 'blackbox':
      if (!t.quadratic) return NOT_QUADRATIC;
      return t.linear ? null : LP_ONLY;
  }
}

/** Why `method` does not apply to a problem with these traits, or null when it does. */
export function methodIssue(method: LabMethod, t: ProblemTraits): string | null {
  return methodIssueOf(method, t)?.reason ?? null;
}

/** Methods of `wanted` that apply, and the reasons for the others (in `wanted`'s order). */
export function splitApplicable(
  wanted: readonly LabMethod[],
  t: ProblemTraits,
): { methods: LabMethod[]; disabled: { method: LabMethod; reason: string }[] } {
  const methods: LabMethod[] = [];
  const disabled: { method: LabMethod; reason: string }[] = [];
  for (const m of wanted) {
    const reason = methodIssue(m, t);
    if (reason) disabled.push({ method: m, reason });
    else methods.push(m);
  }
  return { methods, disabled };
}

export function isLabMethod(s: string): s is LabMethod {
  return (LAB_METHODS as readonly string[]).includes(s);
}
