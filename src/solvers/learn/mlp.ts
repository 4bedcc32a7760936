/**
 * Small sequential networks (MLPs) with every parameter in one flat Float64Array.
 *
 * Keeping θ flat makes an optimizer step one loop, a weight snapshot one `slice()`, and a transfer
 * to the page one transferable buffer; `layerView` gives W and b of a dense layer as subarrays
 * (views, not copies). The kernels are in layers.ts. A forward pass returns a `Tape` (the
 * activations, and tangents when input directions were given); `backward` turns adjoints of the
 * output and, optionally, of the output tangents into ∂ℓ/∂θ and ∂ℓ/∂input.
 */
import { Rng } from '../grad/rng';
import {
  DEFAULT_LEAKY_SLOPE,
  layerBackward,
  layerForward,
  layerTangent,
  type Layer,
  type LayerSpec,
} from './layers';

export interface MlpSpec {
  /** Input width. */
  input: number;
  layers: LayerSpec[];
}

/**
 * Initialization of dense layers. 'fan-in' is PyTorch's nn.Linear default (W and b uniform in
 * ±1/√fan_in); 'glorot' is Glorot-uniform W (±√(6/(fan_in + fan_out))) with b = 0.
 */
export type InitScheme = 'fan-in' | 'glorot';

/** What one forward pass keeps for the reverse pass. */
export interface Tape {
  batch: number;
  /** Directions per sample (0 without tangents). */
  k: number;
  /** acts[0] is the input, acts[i + 1] the output of layer i; batch rows each. */
  acts: Float64Array[];
  /** tans[0] are the input directions, tans[i + 1] the tangents after layer i; batch·k rows. */
  tans: Float64Array[];
  /** The network output, batch × outputSize (= acts[acts.length − 1]). */
  output: Float64Array;
  /** Output tangents Dĝθ(x)·v, batch·k × outputSize (empty when k = 0). */
  tangent: Float64Array;
}

/** Adjoints fed to `backward`. */
export interface OutputAdjoint {
  /** ∂ℓ/∂ŷ, batch × outputSize; omitted or null when the loss does not read ŷ directly. */
  dY?: Float64Array | null;
  /** ∂ℓ/∂(Dĝθ·v), batch·k × outputSize; omitted when the loss does not read the tangents. */
  dT?: Float64Array | null;
}

export interface BackwardResult {
  /** ∂ℓ/∂θ, same layout as params (added into `into` when one was passed). */
  grad: Float64Array;
  /** ∂ℓ/∂x, batch × inputSize (includes the path through the tangents). */
  dX: Float64Array;
}

/** Resolves sizes and parameter offsets; throws on a malformed spec. */
export function resolveLayers(spec: MlpSpec): Layer[] {
  if (!(Number.isInteger(spec.input) && spec.input > 0))
    throw new Error(`input width must be a positive integer, got ${spec.input}`);
  let width = spec.input;
  let offset = 0;
  return spec.layers.map((ls, i) => {
    const base = { kind: ls.kind, inSize: width, outSize: width, offset, paramCount: 0 };
    switch (ls.kind) {
      case 'dense': {
        if (!(Number.isInteger(ls.units) && ls.units > 0))
          throw new Error(`layer ${i}: dense units must be a positive integer, got ${ls.units}`);
        const paramCount = width * ls.units + ls.units;
        const layer = { ...base, outSize: ls.units, paramCount, scale: 1, shift: 0 };
        width = ls.units;
        offset += paramCount;
        return layer;
      }
      case 'leaky-relu': {
        const slope = ls.slope ?? DEFAULT_LEAKY_SLOPE;
        if (!(slope >= 0 && slope < 1)) throw new Error(`layer ${i}: slope ${slope} not in [0, 1)`);
        return { ...base, scale: slope, shift: 0 };
      }
      case 'affine':
        if (!Number.isFinite(ls.scale) || !Number.isFinite(ls.shift))
          throw new Error(`layer ${i}: affine scale and shift must be finite`);
        return { ...base, scale: ls.scale, shift: ls.shift };
      case 'tanh':
      case 'softplus':
        return { ...base, scale: 1, shift: 0 };
      default:
        throw new Error(`layer ${i}: unknown kind '${(ls as { kind: string }).kind}'`);
    }
  });
}

/**
 * The usual P&O predictor: dense layers of the given hidden widths, each followed by `activation`,
 * then a dense output layer with no activation, then (optionally) y ↦ scale·y + shift.
 */
export function mlpSpec(
  input: number,
  hidden: number[],
  output: number,
  activation: Exclude<LayerSpec['kind'], 'dense' | 'affine'> = 'leaky-relu',
  outputScaling?: { scale: number; shift: number },
): MlpSpec {
  const layers: LayerSpec[] = [];
  for (const units of hidden) layers.push({ kind: 'dense', units }, { kind: activation });
  layers.push({ kind: 'dense', units: output });
  if (outputScaling) layers.push({ kind: 'affine', ...outputScaling });
  return { input, layers };
}

export class Mlp {
  readonly spec: MlpSpec;
  readonly layers: readonly Layer[];
  readonly inputSize: number;
  readonly outputSize: number;
  readonly paramCount: number;
  /** θ: every layer's W (row-major, out × in) then b, layer after layer. */
  readonly params: Float64Array;

  /** A network with the given parameters (copied), or zeros. */
  constructor(spec: MlpSpec, params?: ArrayLike<number>) {
    this.spec = structuredClone(spec);
    this.layers = resolveLayers(spec);
    this.inputSize = spec.input;
    const last = this.layers[this.layers.length - 1];
    this.outputSize = last ? last.outSize : spec.input;
    this.paramCount = this.layers.reduce((s, l) => s + l.paramCount, 0);
    this.params = new Float64Array(this.paramCount);
    if (params) {
      if (params.length !== this.paramCount)
        throw new Error(`expected ${this.paramCount} parameters, got ${params.length}`);
      this.params.set(params);
    }
  }

  /** A seeded, freshly initialized network. */
  static init(spec: MlpSpec, seed: number, scheme: InitScheme = 'fan-in'): Mlp {
    const net = new Mlp(spec);
    const rng = new Rng(seed);
    for (const layer of net.layers) {
      if (layer.kind !== 'dense') continue;
      const { W, b } = net.layerView(layer);
      const bound =
        scheme === 'glorot'
          ? Math.sqrt(6 / (layer.inSize + layer.outSize))
          : 1 / Math.sqrt(layer.inSize);
      for (let i = 0; i < W.length; i++) W[i] = bound * (2 * rng.uniform() - 1);
      for (let i = 0; i < b.length; i++)
        b[i] = scheme === 'glorot' ? 0 : bound * (2 * rng.uniform() - 1);
    }
    return net;
  }

  /** W (outSize × inSize, row-major) and b of a dense layer, as views into `params` (or another θ). */
  layerView(
    layer: Layer | number,
    params: Float64Array = this.params,
  ): { W: Float64Array; b: Float64Array } {
    const l = typeof layer === 'number' ? this.layers[layer] : layer;
    if (!l || l.kind !== 'dense') throw new Error('layerView: not a dense layer');
    const nw = l.inSize * l.outSize;
    return {
      W: params.subarray(l.offset, l.offset + nw),
      b: params.subarray(l.offset + nw, l.offset + l.paramCount),
    };
  }

  /** A copy with its own parameters. */
  clone(): Mlp {
    return new Mlp(this.spec, this.params);
  }

  /**
   * Forward pass over `batch` rows of X (batch × inputSize). With `directions` (batch·k rows of
   * inputSize: k input directions per sample) it also carries the tangents Dĝθ(x)·v forward.
   */
  forward(X: Float64Array, batch: number, directions?: { V: Float64Array; k: number }): Tape {
    if (X.length < batch * this.inputSize)
      throw new Error(`X has ${X.length} entries, need ${batch}×${this.inputSize}`);
    const k = directions?.k ?? 0;
    if (directions && directions.V.length < batch * k * this.inputSize)
      throw new Error(`V has ${directions.V.length} entries, need ${batch}·${k}×${this.inputSize}`);
    const acts = [X.subarray(0, batch * this.inputSize)];
    const tans = [
      k > 0 ? directions!.V.subarray(0, batch * k * this.inputSize) : new Float64Array(0),
    ];
    this.layers.forEach((layer, i) => {
      const y = new Float64Array(batch * layer.outSize);
      layerForward(layer, this.params, acts[i], y, batch);
      acts.push(y);
      const tout = new Float64Array(batch * k * layer.outSize);
      if (k > 0) layerTangent(layer, this.params, acts[i], y, { k, tin: tans[i], tout }, batch);
      tans.push(tout);
    });
    return { batch, k, acts, tans, output: acts[acts.length - 1], tangent: tans[tans.length - 1] };
  }

  /** ĝθ(X), batch × outputSize. */
  predict(X: Float64Array, batch: number): Float64Array {
    return this.forward(X, batch).output;
  }

  /**
   * Reverse pass: ∂ℓ/∂θ and ∂ℓ/∂x for a loss whose adjoints at the output are `adj`. The gradient is
   * added into `into` when given (for accumulating over several calls), else into a new array.
   */
  backward(tape: Tape, adj: OutputAdjoint, into?: Float64Array): BackwardResult {
    const { batch, k } = tape;
    const grad = into ?? new Float64Array(this.paramCount);
    if (grad.length !== this.paramCount) throw new Error(`gradient buffer has wrong length`);
    const dY = adj.dY ?? null;
    const dT = k > 0 ? (adj.dT ?? null) : null;
    if (dY && dY.length < batch * this.outputSize) throw new Error(`dY is too short`);
    if (dT && dT.length < batch * k * this.outputSize) throw new Error(`dT is too short`);
    let dy: Float64Array | null = dY;
    let dt: Float64Array | null = dT;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      const dx = new Float64Array(batch * layer.inSize);
      const dtin = dt ? new Float64Array(batch * k * layer.inSize) : null;
      const t = dt && dtin ? { k, tin: tape.tans[i], dtout: dt, dtin } : null;
      layerBackward(layer, this.params, tape.acts[i], tape.acts[i + 1], dy, dx, grad, batch, t);
      dy = dx;
      dt = dtin;
    }
    return { grad, dX: dy ?? new Float64Array(batch * this.inputSize) };
  }
}

/**
 * Unit input directions e_j, one set per sample: `columns[b]` lists the input coordinates whose
 * Jacobian columns sample b needs (all samples must list the same number k). Returns V for
 * `Mlp.forward` (batch·k × inputSize).
 */
export function unitDirections(
  inputSize: number,
  columns: ArrayLike<number>[],
): { V: Float64Array; k: number } {
  const k = columns.length > 0 ? columns[0].length : 0;
  const V = new Float64Array(columns.length * k * inputSize);
  columns.forEach((cols, b) => {
    if (cols.length !== k)
      throw new Error(`sample ${b} lists ${cols.length} columns, expected ${k}`);
    for (let c = 0; c < k; c++) {
      const j = cols[c];
      if (!(j >= 0 && j < inputSize)) throw new Error(`column ${j} out of range`);
      V[(b * k + c) * inputSize + j] = 1;
    }
  });
  return { V, k };
}
