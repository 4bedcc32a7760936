/**
 * From the URL's training fields to the lab's settings, and which methods the chosen experiment
 * can run (a method that applies to none of its problems is shown disabled, with the reason).
 */
import type { Config } from '../../state/schema';
import {
  checkSettings,
  defaultSettings,
  problemPlans,
  type ExperimentName,
  type ExperimentSettings,
} from '../../../solvers/learn/lab/experiments';
import { LAB_METHODS, methodIssueOf, type LabMethod } from '../../../solvers/learn/lab/methods';
import { problemKey, traitsOf } from '../../../solvers/learn/lab/problems';

type TrainingConfig = Pick<
  Config,
  | 'seed'
  | 'texp'
  | 'tsize'
  | 'tsamples'
  | 'tlambda'
  | 'tmethods'
  | 'tprobs'
  | 'tseeds'
  | 'tepochs'
  | 'tbatch'
  | 'tlr'
  | 'tsample'
>;

/** The run the fields describe; throws a one-line reason when they cannot make one. */
export function settingsFromConfig(c: TrainingConfig): ExperimentSettings {
  const s = defaultSettings(c.texp);
  return checkSettings({
    ...s,
    seed: c.seed,
    seeds: c.tseeds,
    size: c.tsize,
    samples: c.tsamples,
    epochs: c.tepochs,
    batchSize: c.tbatch,
    lr: c.tlr,
    lambdas: [Number(c.tlambda)],
    problems: [...c.tprobs],
    methods: [...c.tmethods],
    lostSample: c.tsample,
  });
}

/** The fields an experiment starts from when it is chosen (its own defaults). */
export function fieldsForExperiment(exp: ExperimentName): Partial<Config> {
  const s = defaultSettings(exp);
  return {
    texp: exp,
    tsize: s.size,
    tsamples: s.samples,
    tepochs: s.epochs,
    tbatch: s.batchSize,
    tlr: s.lr,
    tmethods: [...s.methods],
  };
}

export interface MethodAvailability {
  method: LabMethod;
  /** Problems of the experiment where it does not apply, with the reason (empty: applies to all). */
  notOn: { problem: string; brief: string; reason: string }[];
  /** It applies to none of the problems: shown disabled. */
  disabled: boolean;
}

/** For every method: where the experiment's problems rule it out. */
export function methodAvailability(c: TrainingConfig): MethodAvailability[] {
  const s = { ...defaultSettings(c.texp), lambdas: [Number(c.tlambda)], problems: [...c.tprobs] };
  const plans = s.problems.length > 0 || c.texp !== 'linear' ? problemPlans(s) : [];
  return LAB_METHODS.map((method) => {
    const notOn = plans.flatMap((p) => {
      const issue = methodIssueOf(method, traitsOf(p.spec));
      return issue ? [{ problem: problemKey({ ...p.spec, seed: 0 }), ...issue }] : [];
    });
    return { method, notOn, disabled: plans.length > 0 && notOn.length === plans.length };
  });
}
