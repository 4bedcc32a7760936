/** Test helpers (Node only): Maros–Meszaros loader and seeded random problems. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CscMatrix, QpProblem } from './types';
import { cscToDense } from '../linalg/dense';

/**
 * The Maros–Meszaros test set in ../shared beside the repository (as on the developers' machines
 * and in CI), or wherever ARGMIN_SHARED points.
 */
export const MM_DIR = join(
  process.env.ARGMIN_SHARED ??
    resolve(fileURLToPath(new URL('../../../', import.meta.url)), '../shared'),
  'data/maros-meszaros',
);

interface MmFile {
  name: string;
  n: number;
  m: number;
  P: CscMatrix;
  q: number[];
  r: number;
  A: CscMatrix;
  l: (number | null)[];
  u: (number | null)[];
  opt_obj_reference: number;
}

/** |v| ≥ 1e19 (and null) means infinite, as the data set's README says. */
function bound(v: number | null, inf: number): number {
  if (v === null) return inf;
  return Math.abs(v) >= 1e19 ? Math.sign(v) * Infinity : v;
}

export function loadMarosMeszaros(
  name: string,
): QpProblem & { meta: { name: string; reference: number } } {
  const d = JSON.parse(readFileSync(join(MM_DIR, `${name}.json`), 'utf8')) as MmFile;
  return {
    n: d.n,
    m: d.m,
    P: cscToDense(d.P),
    q: Float64Array.from(d.q),
    r: d.r,
    A: cscToDense(d.A),
    l: Float64Array.from(d.l, (v) => bound(v, -Infinity)),
    u: Float64Array.from(d.u, (v) => bound(v, Infinity)),
    meta: { name: d.name, reference: d.opt_obj_reference },
  };
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
