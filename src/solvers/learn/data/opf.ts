/**
 * Linearized DC optimal power flow on a seeded random grid (You Shall Pass App. C.2; the DC-grid
 * model of Li et al. 2018 and Vevurko et al. 2022):
 *
 *   maximize  −v₀ wᵀ(Yv)
 *   s.t.      V̲ ≤ v ≤ V̄,   P̲ ≤ −v₀ Yv ≤ P̄,   I̲ ≤ y_ij (v_i − v_j) ≤ Ī  (every line ij),
 *
 * v the nodal voltages, Y the admittance (Laplacian) matrix with y = 6 S per line, −v₀(Yv)_i the
 * power consumed at node i (linearized at the reference voltage v₀), w the value of serving a load or
 * the price of a generator. App. C.2's numbers: v ∈ [325, 375] V, v₀ = 350 V at the reference node;
 * loads consume up to a demand d ~ N(8000, 2500²) (P ∈ [0, d]); generators produce up to a capacity
 * g ~ N(−14000, 2500²) (P ∈ [g, 0]); line limits Ī = −I̲ ~ N(25, 5²) A; w ~ N(1.2, 1) at loads and
 * N(0.8, 0.1²) at generators. "All values are normalized such that v₀ becomes 7 V": voltages and
 * currents scale by s = 7/350, powers by s² (y unchanged), so the model is the same grid in other
 * units. Features: [w, loads' demands, generators' capacities, line limits] (normalized) + N(0, 0.5²).
 *
 * Demands, capacities and limits are drawn per sample (they are part of the features), so l_i, u_i
 * vary per sample (the structure's l, u are the mean values); draws on the wrong side of zero are clipped to 0 (demand, capacity) or to a
 * 1 % floor of the mean (limits). The reference node stays a variable, fixed by the row
 * v₀ ≤ v_ref ≤ v₀, so the objective is exactly linear: q_i = v₀ Y w_i (Y symmetric), no constant.
 * v ≡ v₀ (no flow) is always feasible, so every sample is feasible and bounded.
 *
 * Grid: a random recursive spanning tree (node j attaches to a uniform earlier node) plus extra
 * lines between uniform unconnected pairs; node 0 is the reference and a generator, and
 * round(generatorFraction·N) − 1 more nodes are generators, the rest loads.
 */
import { Rng } from '../../grad/rng';
import { shuffleInPlace } from '../batches';
import { dense, makeDataset, type PoDataset } from './dataset';

export interface OpfOptions {
  /** Nodes N (default 20). */
  nodes?: number;
  /** Lines added to the spanning tree (default round(N/4)). */
  extraLines?: number;
  /** Fraction of generator nodes (default 0.3). */
  generatorFraction?: number;
  /** Samples (default 500). */
  samples?: number;
  /** Standard deviation of the feature noise (default 0.5). */
  featureNoise?: number;
  seed?: number;
}

/** App. C.2 constants, in SI units before normalization. */
const C2 = {
  admittance: 6,
  vMin: 325,
  vMax: 375,
  v0: 350,
  demand: [8000, 2500],
  capacity: [-14000, 2500],
  lineLimit: [25, 5],
  wLoad: [1.2, 1],
  wGen: [0.8, 0.1],
  normalizedV0: 7,
} as const;

/** The seeded topology and node roles. */
export interface Grid {
  nodes: number;
  /** Lines as node pairs [i, j], i < j. */
  lines: [number, number][];
  /** true for generator nodes (node 0, the reference, is one). */
  generator: boolean[];
}

export function randomGrid(
  nodes: number,
  extraLines: number,
  generatorFraction: number,
  rng: Rng,
): Grid {
  if (!(Number.isInteger(nodes) && nodes >= 2)) throw new Error(`dc-opf: nodes must be ≥ 2`);
  const maxExtra = (nodes * (nodes - 1)) / 2 - (nodes - 1);
  if (!(Number.isInteger(extraLines) && extraLines >= 0 && extraLines <= maxExtra))
    throw new Error(`dc-opf: extraLines must be an integer in [0, ${maxExtra}]`);
  const key = (i: number, j: number): number => Math.min(i, j) * nodes + Math.max(i, j);
  const seen = new Set<number>();
  const lines: [number, number][] = [];
  const add = (i: number, j: number): void => {
    seen.add(key(i, j));
    lines.push([Math.min(i, j), Math.max(i, j)]);
  };
  for (let j = 1; j < nodes; j++) add(Math.floor(rng.uniform() * j), j);
  while (lines.length < nodes - 1 + extraLines) {
    const i = Math.floor(rng.uniform() * nodes);
    const j = Math.floor(rng.uniform() * nodes);
    if (i !== j && !seen.has(key(i, j))) add(i, j);
  }
  const nGen = Math.min(nodes - 1, Math.max(1, Math.round(generatorFraction * nodes)));
  const others = shuffleInPlace(
    Int32Array.from({ length: nodes - 1 }, (_, i) => i + 1),
    rng,
  );
  const generator = Array.from({ length: nodes }, () => false);
  generator[0] = true;
  for (let t = 0; t < nGen - 1; t++) generator[others[t]] = true;
  return { nodes, lines, generator };
}

export function opfDataset(options: OpfOptions = {}): PoDataset {
  const nodes = options.nodes ?? 20;
  const o = {
    nodes,
    extraLines: Math.round(nodes / 4),
    generatorFraction: 0.3,
    samples: 500,
    featureNoise: 0.5,
    seed: 0,
    ...options,
  };
  if (!(Number.isInteger(o.samples) && o.samples > 0)) throw new Error(`dc-opf: bad samples`);
  const rng = new Rng(o.seed);
  const grid = randomGrid(o.nodes, o.extraLines, o.generatorFraction, rng);
  const N = o.nodes;
  const E = grid.lines.length;
  const s = C2.normalizedV0 / C2.v0;
  const v0 = C2.normalizedV0;
  const y = C2.admittance;
  // Laplacian Y.
  const Y = new Float64Array(N * N);
  for (const [i, j] of grid.lines) {
    Y[i * N + i] += y;
    Y[j * N + j] += y;
    Y[i * N + j] -= y;
    Y[j * N + i] -= y;
  }
  // Rows: voltages (N), powers −v₀Y (N), line currents y(e_i − e_j) (E).
  const m = 2 * N + E;
  const A = dense(m, N);
  for (let i = 0; i < N; i++) {
    A.data[i * N + i] = 1;
    for (let j = 0; j < N; j++) A.data[(N + i) * N + j] = -v0 * Y[i * N + j];
  }
  grid.lines.forEach(([i, j], e) => {
    A.data[(2 * N + e) * N + i] = y;
    A.data[(2 * N + e) * N + j] = -y;
  });
  const structL = new Float64Array(m);
  const structU = new Float64Array(m);
  // The structure's bounds are the mean sample's (each sample carries its own l_i, u_i).
  for (let i = 0; i < N; i++) {
    structL[i] = i === 0 ? v0 : C2.vMin * s;
    structU[i] = i === 0 ? v0 : C2.vMax * s;
    structL[N + i] = grid.generator[i] ? C2.capacity[0] * s * s : 0;
    structU[N + i] = grid.generator[i] ? 0 : C2.demand[0] * s * s;
  }
  for (let e = 0; e < E; e++) {
    structL[2 * N + e] = -C2.lineLimit[0] * s;
    structU[2 * N + e] = C2.lineLimit[0] * s;
  }
  const featureSize = 2 * N + E;
  const features = new Float64Array(o.samples * featureSize);
  const costs = new Float64Array(o.samples * N);
  const lower = new Float64Array(o.samples * m);
  const upper = new Float64Array(o.samples * m);
  const normal = (mean: number, sd: number): number => mean + sd * rng.normal();
  for (let t = 0; t < o.samples; t++) {
    const f = features.subarray(t * featureSize, (t + 1) * featureSize);
    const l = lower.subarray(t * m, (t + 1) * m);
    const u = upper.subarray(t * m, (t + 1) * m);
    l.set(structL.subarray(0, N));
    u.set(structU.subarray(0, N));
    const w = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const gen = grid.generator[i];
      w[i] = gen ? normal(C2.wGen[0], C2.wGen[1]) : normal(C2.wLoad[0], C2.wLoad[1]);
      const bound = gen
        ? Math.min(0, normal(C2.capacity[0], C2.capacity[1])) * s * s
        : Math.max(0, normal(C2.demand[0], C2.demand[1])) * s * s;
      l[N + i] = gen ? bound : 0;
      u[N + i] = gen ? 0 : bound;
      f[i] = w[i];
      f[N + i] = bound;
    }
    for (let e = 0; e < E; e++) {
      const limit = Math.max(0.01 * C2.lineLimit[0], normal(C2.lineLimit[0], C2.lineLimit[1])) * s;
      l[2 * N + e] = -limit;
      u[2 * N + e] = limit;
      f[2 * N + e] = limit;
    }
    for (let a = 0; a < featureSize; a++) f[a] += o.featureNoise * rng.normal();
    // minimize v₀ wᵀYv: q = v₀ Y w.
    for (let a = 0; a < N; a++) {
      let sum = 0;
      for (let b = 0; b < N; b++) sum += Y[a * N + b] * w[b];
      costs[t * N + a] = v0 * sum;
    }
  }
  return makeDataset(
    {
      name: 'dc-opf',
      structure: {
        n: N,
        m,
        P: dense(N, N),
        q: new Float64Array(N),
        r: 0,
        A,
        l: structL,
        u: structU,
      },
      size: o.samples,
      featureSize,
      features,
      costs,
      lower,
      upper,
      settings: { ...o, lines: E, generators: grid.generator.filter(Boolean).length },
    },
    o.seed,
  );
}
