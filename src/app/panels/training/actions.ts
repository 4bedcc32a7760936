/** The Training panel's settings actions: every value goes through its schema field, so the URL can carry it. */
import { useAppStore } from '../../state/store';
import { SCHEMA, toggled, type Config } from '../../state/schema';
import type { ExperimentName, LinearProblem } from '../../../solvers/learn/lab/experiments';
import type { LabMethod } from '../../../solvers/learn/lab/methods';
import { fieldsForExperiment } from './settings';

type TrainingKey =
  'tsize' | 'tsamples' | 'tlambda' | 'tseeds' | 'tepochs' | 'tbatch' | 'tlr' | 'tsample' | 'seed';

function setConfig(patch: Partial<Config>): void {
  useAppStore.setState((s) => ({ config: { ...s.config, ...patch } }));
}

/** Sets one field from text typed by the user; throws the field's reason when it does not parse. */
export function setTrainingField(key: TrainingKey, text: string): void {
  const field = SCHEMA[key] as { decode(t: string): Config[TrainingKey] };
  const value = field.decode(text.trim());
  if (useAppStore.getState().config[key] === value) return;
  setConfig({ [key]: value } as Partial<Config>);
}

/** Chooses an experiment, with its own defaults for size, samples, epochs and methods. */
export function setExperiment(exp: ExperimentName): void {
  if (useAppStore.getState().config.texp === exp) return;
  setConfig(fieldsForExperiment(exp));
}

export function toggleMethod(m: LabMethod): void {
  const c = useAppStore.getState().config;
  setConfig({ tmethods: toggled(c.tmethods, m, SCHEMA.tmethods.values) });
}

export function toggleProblem(p: LinearProblem): void {
  const c = useAppStore.getState().config;
  setConfig({ tprobs: toggled(c.tprobs, p, SCHEMA.tprobs.values) });
}
