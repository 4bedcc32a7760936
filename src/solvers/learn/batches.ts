/**
 * Seeded splits and mini-batches. Everything random here draws from one `Rng` the caller owns,
 * so a run is reproduced by its seed and the order of calls.
 */
import { Rng } from '../grad/rng';

/** Index sets of a train / validation / test split. */
export interface Splits {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace(a: Int32Array, rng: Rng): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * A seeded random split of 0 … N−1 by fractions (default 70/20/10, You Shall Pass App. C):
 * train gets round(0.7N), validation round(0.2N), test the rest. Each set is sorted.
 */
export function splitIndices(
  N: number,
  seed: number,
  fractions: [number, number, number] = [0.7, 0.2, 0.1],
): Splits {
  const total = fractions[0] + fractions[1] + fractions[2];
  if (!(fractions.every((f) => f >= 0) && Math.abs(total - 1) < 1e-9))
    throw new Error(`split fractions must be ≥ 0 and sum to 1, got ${fractions.join(', ')}`);
  const perm = shuffleInPlace(
    Int32Array.from({ length: N }, (_, i) => i),
    new Rng(seed),
  );
  const nTrain = Math.round(fractions[0] * N);
  const nVal = Math.min(N - nTrain, Math.round(fractions[1] * N));
  const sorted = (a: Int32Array): Int32Array => a.slice().sort();
  return {
    train: sorted(perm.subarray(0, nTrain)),
    val: sorted(perm.subarray(nTrain, nTrain + nVal)),
    test: sorted(perm.subarray(nTrain + nVal)),
  };
}

/**
 * Draws the mini-batches of successive epochs over a fixed index set: each epoch is a fresh
 * shuffle, cut into batches of `batchSize` (the last one shorter unless `dropLast`).
 */
export class BatchSampler {
  private readonly rng: Rng;
  private readonly order: Int32Array;

  constructor(
    indices: ArrayLike<number>,
    readonly batchSize: number,
    seed: number,
    readonly dropLast = false,
  ) {
    if (!(Number.isInteger(batchSize) && batchSize > 0))
      throw new Error(`batch size must be a positive integer, got ${batchSize}`);
    this.order = Int32Array.from(indices);
    this.rng = new Rng(seed);
  }

  /** Number of batches per epoch. */
  get batchesPerEpoch(): number {
    const n = this.order.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The next epoch's batches (index arrays into the dataset). */
  epoch(): Int32Array[] {
    shuffleInPlace(this.order, this.rng);
    const out: Int32Array[] = [];
    for (let s = 0; s < this.order.length; s += this.batchSize) {
      const e = Math.min(s + this.batchSize, this.order.length);
      if (this.dropLast && e - s < this.batchSize) break;
      out.push(this.order.slice(s, e));
    }
    return out;
  }
}

/** Rows `idx` of a row-major matrix with `width` columns, stacked into a new array. */
export function gatherRows(src: Float64Array, width: number, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length * width);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    out.set(src.subarray(i * width, (i + 1) * width), r * width);
  }
  return out;
}
