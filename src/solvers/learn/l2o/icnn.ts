/**
 * A scalar input-convex network (ICNN, Amos, Xu & Kolter 2017, fully input-convex form) with its
 * gradient ∇π(v) by forward-mode tangents, and one reverse pass for losses on both π and ∇π:
 *
 *   z₁ = σ(W₀ʸv + b₀),   z_{i+1} = σ(W_iᶻ z_i + W_iʸ v + b_i),
 *   π(v) = wᶻ·z_L + wʸ·v + c + ½ Σ_j (ε + a_j) v_j²,
 *
 * with W_iᶻ ≥ 0, wᶻ ≥ 0 (the z-path) and a ≥ 0 (`project()` clips them after each optimizer step)
 * and σ the softplus, convex and non-decreasing, so π is convex in v: a non-negative sum of convex
 * non-decreasing functions of convex functions, plus a convex quadratic. ε > 0 (fixed) adds strong
 * convexity; the learned diagonal a lets the network hold a quadratic exactly, which softplus units
 * only approximate on a bounded region (a Moreau envelope of a quadratic is a quadratic).
 *
 * Tangents along the unit directions e_1…e_d give ∇π(v) exactly (k = d per sample, as Mlp does):
 * ṗre_i = W_iᶻ ż_i + W_iʸ e_j, ż_{i+1} = σ'(pre_i) ⊙ ṗre_i, ∂_jπ = wᶻ·ż_{L,j} + wʸ_j + (ε + a_j)v_j. The reverse
 * pass is Mlp's rule per layer (layers.ts): p̄re = σ' ⊙ z̄ + σ'' ⊙ Σ_j ṗre_j ⊙ ž̄_j, ṗ̄re_j = σ' ⊙ ž̄_j,
 * then W̄ᶻ += p̄re zᵀ + Σ_j ṗ̄re_j ż_jᵀ, W̄ʸ += p̄re vᵀ + ṗ̄re_j e_jᵀ, b̄ += p̄re.
 */
import { Rng } from '../../grad/rng';

export interface IcnnSpec {
  input: number;
  hidden: number[];
  /** ε of ½ε‖v‖² (default 0). */
  strong?: number;
}

interface Block {
  /** Offsets of Wʸ (h × d), b (h), Wᶻ (h × h_prev; absent in the first layer). */
  wy: number;
  b: number;
  wz: number;
  h: number;
  prev: number;
}

export interface IcnnTape {
  batch: number;
  V: Float64Array;
  /** pre-activations per hidden layer, B × h. */
  pre: Float64Array[];
  /** z₁…z_L, B × h. */
  z: Float64Array[];
  /** ṗre per hidden layer, B·d × h (direction j of sample b at row b·d + j). */
  pret: Float64Array[];
  /** ż = σ'(pre) ⊙ ṗre, same layout. */
  zt: Float64Array[];
  /** π(v_b). */
  value: Float64Array;
  /** ∇π(v_b), B × d. */
  gradient: Float64Array;
}

const sp = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sig = (x: number) => 1 / (1 + Math.exp(-x));

export class Icnn {
  readonly d: number;
  readonly strong: number;
  readonly blocks: Block[] = [];
  /** Output: wᶻ (h_L), wʸ (d), c, a (d). */
  readonly out: { wz: number; wy: number; c: number; a: number; h: number };
  readonly params: Float64Array;

  constructor(readonly spec: IcnnSpec) {
    this.d = spec.input;
    this.strong = spec.strong ?? 0;
    let off = 0;
    let prev = 0;
    for (const h of spec.hidden) {
      const blk = { wy: off, b: off + h * this.d, wz: off + h * this.d + h, h, prev };
      off = blk.wz + (prev > 0 ? h * prev : 0);
      this.blocks.push(blk);
      prev = h;
    }
    this.out = {
      wz: off,
      wy: off + prev,
      c: off + prev + this.d,
      a: off + prev + this.d + 1,
      h: prev,
    };
    this.params = new Float64Array(off + prev + 2 * this.d + 1);
  }

  get paramCount(): number {
    return this.params.length;
  }

  /** Seeded init: Wʸ, b ~ U(±1/√d); z-path weights ~ U(0, 1/h_prev) (non-negative). */
  static init(spec: IcnnSpec, seed: number): Icnn {
    const net = new Icnn(spec);
    const rng = new Rng(seed);
    const P = net.params;
    const u = (s: number) => s * (2 * rng.uniform() - 1);
    const bound = 1 / Math.sqrt(net.d);
    for (const blk of net.blocks) {
      for (let k = 0; k < blk.h * net.d + blk.h; k++) P[blk.wy + k] = u(bound);
      for (let k = 0; k < blk.h * blk.prev; k++) P[blk.wz + k] = rng.uniform() / blk.prev;
    }
    for (let k = 0; k < net.out.h; k++) P[net.out.wz + k] = rng.uniform() / net.out.h;
    for (let k = 0; k < net.d; k++) P[net.out.wy + k] = u(bound);
    return net;
  }

  /** Clips the z-path weights to ≥ 0 (the projection after each optimizer step). */
  project(): void {
    const P = this.params;
    for (const blk of this.blocks)
      for (let k = 0; k < blk.h * blk.prev; k++) P[blk.wz + k] = Math.max(0, P[blk.wz + k]);
    for (let k = 0; k < this.out.h; k++) P[this.out.wz + k] = Math.max(0, P[this.out.wz + k]);
    for (let k = 0; k < this.d; k++) P[this.out.a + k] = Math.max(0, P[this.out.a + k]);
  }

  /** π and ∇π at the rows of V (B × d). */
  forward(V: Float64Array, B: number): IcnnTape {
    const { d } = this;
    const P = this.params;
    const pre: Float64Array[] = [];
    const pret: Float64Array[] = [];
    const z: Float64Array[] = [];
    const zt: Float64Array[] = [];
    this.blocks.forEach((blk, li) => {
      const { h, prev } = blk;
      const a = new Float64Array(B * h);
      const at = new Float64Array(B * d * h);
      for (let b = 0; b < B; b++)
        for (let r = 0; r < h; r++) {
          let s = P[blk.b + r];
          for (let j = 0; j < d; j++) s += P[blk.wy + r * d + j] * V[b * d + j];
          if (li > 0)
            for (let c = 0; c < prev; c++) s += P[blk.wz + r * prev + c] * z[li - 1][b * prev + c];
          a[b * h + r] = s;
          for (let j = 0; j < d; j++) {
            let t = P[blk.wy + r * d + j];
            if (li > 0)
              for (let c = 0; c < prev; c++)
                t += P[blk.wz + r * prev + c] * zt[li - 1][(b * d + j) * prev + c];
            at[(b * d + j) * h + r] = t;
          }
        }
      const za = a.map(sp);
      const zta = new Float64Array(B * d * h);
      for (let b = 0; b < B; b++)
        for (let r = 0; r < h; r++) {
          const g = sig(a[b * h + r]);
          for (let j = 0; j < d; j++) zta[(b * d + j) * h + r] = g * at[(b * d + j) * h + r];
        }
      pre.push(a);
      pret.push(at);
      z.push(za);
      zt.push(zta);
    });
    const L = this.blocks.length;
    const H = this.out.h;
    const value = new Float64Array(B);
    const gradient = new Float64Array(B * d);
    for (let b = 0; b < B; b++) {
      let s = P[this.out.c];
      for (let j = 0; j < d; j++) {
        const v = V[b * d + j];
        const curv = this.strong + P[this.out.a + j];
        s += P[this.out.wy + j] * v + 0.5 * curv * v * v;
        let g = P[this.out.wy + j] + curv * v;
        for (let c = 0; c < H; c++) g += P[this.out.wz + c] * zt[L - 1][(b * d + j) * H + c];
        gradient[b * d + j] = g;
      }
      for (let c = 0; c < H; c++) s += P[this.out.wz + c] * z[L - 1][b * H + c];
      value[b] = s;
    }
    return { batch: B, V, pre, pret, z, zt, value, gradient };
  }

  /** ∂ℓ/∂θ for a loss with ∂ℓ/∂π = dValue (B) and ∂ℓ/∂∇π = dGrad (B × d). */
  backward(tape: IcnnTape, dValue: Float64Array | null, dGrad: Float64Array | null): Float64Array {
    const { d } = this;
    const P = this.params;
    const G = new Float64Array(this.paramCount);
    const B = tape.batch;
    const L = this.blocks.length;
    const H = this.out.h;
    let zb = new Float64Array(B * H);
    let ztb = new Float64Array(B * d * H);
    for (let b = 0; b < B; b++) {
      const ov = dValue ? dValue[b] : 0;
      G[this.out.c] += ov;
      for (let j = 0; j < d; j++) {
        const og = dGrad ? dGrad[b * d + j] : 0;
        const v = tape.V[b * d + j];
        G[this.out.wy + j] += ov * v + og;
        G[this.out.a + j] += 0.5 * ov * v * v + og * v;
        for (let c = 0; c < H; c++) {
          G[this.out.wz + c] += og * tape.zt[L - 1][(b * d + j) * H + c];
          ztb[(b * d + j) * H + c] = P[this.out.wz + c] * og;
        }
      }
      for (let c = 0; c < H; c++) {
        G[this.out.wz + c] += ov * tape.z[L - 1][b * H + c];
        zb[b * H + c] = P[this.out.wz + c] * ov;
      }
    }
    for (let li = L - 1; li >= 0; li--) {
      const blk = this.blocks[li];
      const { h, prev } = blk;
      const a = tape.pre[li];
      const preb = new Float64Array(B * h);
      const pretb = new Float64Array(B * d * h);
      for (let b = 0; b < B; b++)
        for (let r = 0; r < h; r++) {
          const s = sig(a[b * h + r]);
          const s2 = s * (1 - s);
          let acc = s * zb[b * h + r];
          for (let j = 0; j < d; j++) {
            const e = (b * d + j) * h + r;
            acc += s2 * tape.pret[li][e] * ztb[e];
            pretb[e] = s * ztb[e];
          }
          preb[b * h + r] = acc;
        }
      const nzb = li > 0 ? new Float64Array(B * prev) : zb;
      const nztb = li > 0 ? new Float64Array(B * d * prev) : ztb;
      for (let b = 0; b < B; b++)
        for (let r = 0; r < h; r++) {
          const pb = preb[b * h + r];
          G[blk.b + r] += pb;
          for (let j = 0; j < d; j++)
            G[blk.wy + r * d + j] += pb * tape.V[b * d + j] + pretb[(b * d + j) * h + r];
          if (li === 0) continue;
          for (let c = 0; c < prev; c++) {
            const w = P[blk.wz + r * prev + c];
            let gw = pb * tape.z[li - 1][b * prev + c];
            nzb[b * prev + c] += w * pb;
            for (let j = 0; j < d; j++) {
              const e = (b * d + j) * h + r;
              gw += pretb[e] * tape.zt[li - 1][(b * d + j) * prev + c];
              nztb[(b * d + j) * prev + c] += w * pretb[e];
            }
            G[blk.wz + r * prev + c] += gw;
          }
        }
      zb = nzb;
      ztb = nztb;
    }
    return G;
  }
}
