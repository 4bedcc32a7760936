/** Test helpers (Node only): Maros–Meszaros loader and seeded random problems. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QpProblem, SparseQpProblem } from './types';
import { parseProblemJson } from '../io/json';
import { toDenseProblem } from './matrix';

/**
 * The Maros–Meszaros test set in ../shared beside the repository (as on the developers' machines
 * and in CI), or wherever ARGMIN_SHARED points.
 */
export const MM_DIR = join(
  process.env.ARGMIN_SHARED ??
    resolve(fileURLToPath(new URL('../../../', import.meta.url)), '../shared'),
  'data/maros-meszaros',
);

type MarosMeta = { meta: { name: string; reference: number } };

/**
 * One Maros–Meszaros file as the app's own JSON reader gives it (CSC, P's upper triangle), from
 * `dir` (default: the 12 small problems).
 */
export function loadMarosSparse(name: string, dir = MM_DIR): SparseQpProblem & MarosMeta {
  const [p] = parseProblemJson(readFileSync(join(dir, `${name}.json`), 'utf8')).problems;
  const reference = p.meta?.opt_obj_reference;
  if (typeof reference !== 'number') throw new Error(`${name}: no opt_obj_reference`);
  return { ...p, meta: { name: String(p.meta?.name ?? name), reference } };
}

/** One of the 12 small Maros–Meszaros problems with dense storage (for the dense-only engines). */
export function loadMarosMeszaros(name: string): QpProblem & MarosMeta {
  const p = loadMarosSparse(name);
  return { ...toDenseProblem(p), meta: p.meta };
}

export function marosMeszarosNames(): string[] {
  return readdirSync(MM_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Deterministic PRNG (mulberry32) for reproducible random problems. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box–Muller. */
export function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}
