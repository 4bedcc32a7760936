/**
 * The app's shareable configuration: one table of fields, each with its type, default
 * and URL encoding. Defaults, the URL hash and the controls are all derived from it, so a
 * copied link reproduces the same view (TensorFlow Playground's `State.PROPS`). Each panel's
 * fields live in their own module (./fields/*.ts) and merge here.
 *
 * Pure TypeScript (no DOM), so the round trip is unit-tested in Node. The URL hash codec built on
 * this table is in hash.ts.
 */
import { ROUTES } from '../../workers/routing';
import { enumField, intField } from './fields/kinds';
import { GEOMETRY_FIELDS } from './fields/geometry';
import { ENVELOPE_FIELDS } from './fields/envelopes';
import { BENCH_FIELDS } from './fields/bench';
import { CLASSROOM_FIELDS } from './fields/classroom';
import { TRAINING_FIELDS } from './fields/training';

export * from './fields/kinds';
export * from './fields/geometry';
export * from './fields/envelopes';
export * from './fields/classroom';
export * from './fields/training';

export const PANELS = ['geometry', 'envelopes', 'training', 'benchmarks', 'lessons'] as const;
export type PanelName = (typeof PANELS)[number];

/** Fields of the whole app: the panel shown, the seed, and where jobs run. */
const APP_FIELDS = {
  panel: enumField('panel', 'Panel', PANELS, 'geometry', {
    geometry: 'Geometry',
    envelopes: 'Envelopes',
    training: 'Training',
    benchmarks: 'Benchmarks',
    lessons: 'Lessons',
  }),
  seed: intField('seed', 'Random seed', 1, 0, 2 ** 31 - 1),
  /** Where jobs run, forward and backward (travels with each request; src/workers/routing.ts). */
  batch: enumField('batch', 'Run on', ROUTES, 'auto', {
    auto: 'Auto',
    gpu: 'WebGPU',
    cpu: 'CPU',
  }),
} as const;

/** Every field; the hash lists them in this order. */
export const SCHEMA = {
  ...APP_FIELDS,
  ...GEOMETRY_FIELDS,
  ...CLASSROOM_FIELDS,
  ...ENVELOPE_FIELDS,
  ...BENCH_FIELDS,
  ...TRAINING_FIELDS,
} as const;

type Schema = typeof SCHEMA;
export type ConfigKey = keyof Schema;
/** The shareable configuration: one value per schema field. */
export type Config = { [K in ConfigKey]: Schema[K]['default'] };

export const CONFIG_KEYS = Object.keys(SCHEMA) as ConfigKey[];

/** A deep copy of a default (lists of lists included), so no config shares arrays with the schema. */
function copy<T>(v: T): T {
  return (Array.isArray(v) ? v.map(copy) : v) as T;
}

/** Every field's default, from the fields themselves. */
export function defaultConfig(): Config {
  const c: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) c[k] = copy(SCHEMA[k].default);
  return c as Config;
}
