/** What the Benchmark panel offers, and its defaults. */
import {
  TABLE1_SIZES,
  sizeName,
  type BenchSize,
  type CoreEngine,
} from '../../../gpu/benchmark/types';

export const SIZE_OPTIONS: readonly BenchSize[] = TABLE1_SIZES;
export const SIZE_NAMES: readonly string[] = SIZE_OPTIONS.map(sizeName);
export const BATCH_OPTIONS: readonly number[] = [1, 4, 16, 64, 256, 1024];
export const ENGINE_OPTIONS: readonly CoreEngine[] = ['cpu', 'gpu', 'cpu-shared', 'gpu-shared'];

export const ENGINE_LABELS: Record<string, string> = {
  cpu: 'CPU (Float64)',
  gpu: 'WebGPU (f32)',
  'cpu-shared': 'CPU, shared P, A',
  'gpu-shared': 'WebGPU, shared P, A',
};

export const ENGINE_HELP: Record<CoreEngine, string> = {
  cpu: 'The CPU engine (OSQP ADMM in Float64), each problem with its own P and A.',
  gpu: 'The WebGPU engine (f32), one workgroup and one LDLᵀ factor per problem.',
  'cpu-shared': 'The CPU engine on the same problems with one shared P and A (only q varies).',
  'gpu-shared':
    'The WebGPU engine with one shared P and A: each ADMM iteration is one GEMM over the batch.',
};

export interface BenchSelection {
  sizes: readonly string[];
  batches: readonly number[];
  engines: readonly CoreEngine[];
}

/** BPQP Table 1's two smallest sizes at batch 1 and 64 (seconds on a real GPU). */
export const DEFAULT_SELECTION: BenchSelection = {
  sizes: ['10x5', '50x10'],
  batches: [1, 64],
  engines: ['cpu', 'gpu'],
};

/** On a CPU-emulated adapter the GPU engines are slow: a run of seconds, not minutes. */
export const SOFTWARE_SELECTION: BenchSelection = {
  sizes: ['10x5'],
  batches: [1, 4],
  engines: ['cpu', 'gpu'],
};

export const sizeOf = (name: string): BenchSize => SIZE_OPTIONS.find((s) => sizeName(s) === name)!;
