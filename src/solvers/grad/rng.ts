/**
 * Seeded pseudo-random numbers for the stochastic estimators (perturbed optimizers), so that a
 * run is reproducible from its seed. mulberry32 for uniforms, Box–Muller for normals.
 */
export class Rng {
  /** 32-bit generator state. */
  private state: number;
  /** Second normal of the last Box–Muller pair, or NaN when none is pending. */
  private spare = NaN;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
    this.state = Math.floor(seed) >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Vector of n standard normals. */
  normals(n: number): Float64Array {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = this.normal();
    return z;
  }
}
