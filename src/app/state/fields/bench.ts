/** The Benchmark panel's fields: which sizes, batch sizes and engines the next run covers. */
import { flagsField } from './kinds';
import {
  BATCH_OPTIONS,
  DEFAULT_SELECTION,
  ENGINE_OPTIONS,
  SIZE_NAMES,
} from '../../panels/bench/options';

export const BENCH_FIELDS = {
  bsizes: flagsField('bsizes', 'Problem sizes d×meq', SIZE_NAMES, [...DEFAULT_SELECTION.sizes]),
  bbatches: flagsField(
    'bbatches',
    'Batch sizes',
    BATCH_OPTIONS.map(String),
    DEFAULT_SELECTION.batches.map(String),
  ),
  bengines: flagsField('bengines', 'Engines', ENGINE_OPTIONS, [...DEFAULT_SELECTION.engines]),
} as const;
