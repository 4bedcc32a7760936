/**
 * The Training panel's fields: the experiment and every setting of its run (the seed is the app's
 * `seed`), so a link reproduces the run. Ranges are the lab's limits (experiments.ts).
 */
import { enumField, flagsField, floatField, intField } from './kinds';
import {
  DEFAULT_METHODS,
  EXPERIMENTS,
  LINEAR_PROBLEMS,
} from '../../../solvers/learn/lab/experiments';
import { LAB_METHODS } from '../../../solvers/learn/lab/methods';

/** λ values of You Shall Pass §4.1 (Figure 3), by name. */
export const TRAINING_LAMBDAS = ['0', '0.1', '0.25', '0.5', '1', '2'] as const;

export const TRAINING_FIELDS = {
  texp: enumField('texp', 'Experiment', EXPERIMENTS, 'portfolio', {
    portfolio: 'Portfolio (Figure 3)',
    'lse-portfolio': 'LogSumExp portfolio (Table 1)',
    linear: 'Linear problems (Figure 4)',
  }),
  tsize: intField('tsize', 'Size (assets, items or nodes)', 20, 2, 200),
  tsamples: intField('tsamples', 'Samples', 500, 20, 20_000),
  tlambda: enumField('tlambda', 'Risk aversion λ', TRAINING_LAMBDAS, '0.1', {
    '0': '0 (linear)',
    '0.1': '0.1',
    '0.25': '0.25',
    '0.5': '0.5',
    '1': '1',
    '2': '2',
  }),
  tmethods: flagsField('tmethods', 'Methods', LAB_METHODS, [...DEFAULT_METHODS.portfolio]),
  tprobs: flagsField('tprobs', 'Problems', LINEAR_PROBLEMS, [...LINEAR_PROBLEMS]),
  tseeds: intField('tseeds', 'Seeds', 1, 1, 20),
  tepochs: intField('tepochs', 'Epochs', 20, 1, 1000),
  tbatch: intField('tbatch', 'Batch size', 8, 1, 1024),
  tlr: floatField('tlr', 'Learning rate', 0.001, 0.000001, 1, 6, true),
  tsample: intField('tsample', 'Tracked test sample', 0, 0, 19_999),
} as const;
