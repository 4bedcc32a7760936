/**
 * Layer kernels of the MLP: primal forward, forward-mode tangents, and one reverse pass that
 * differentiates both the primal and the tangent path.
 *
 * Shapes. A batch of B samples is B rows of `width` numbers, row-major. Tangents along k input
 * directions per sample are B·k rows (the k rows of sample b are rows b·k … b·k + k − 1), so a dense
 * layer treats them as a larger batch and an activation broadcasts σ'(z_b) over sample b's k rows.
 *
 * Reverse mode through the tangent path. A layer maps (a, ȧ) ↦ (a', ȧ') with, for dense,
 * a' = Wa + b, ȧ' = Wȧ, and for an activation, a' = σ(a), ȧ' = σ'(a) ⊙ ȧ. Given the adjoints
 * (ā', ǡ') of both outputs, the adjoints of the inputs and of W, b are
 *
 *   dense:       ā = Wᵀā',  ǡ = Wᵀǡ',  W̄ += ā'aᵀ + Σ_d ǡ'_d ȧ_dᵀ,  b̄ += ā'
 *   activation:  ā = σ'(a) ⊙ ā' + σ''(a) ⊙ Σ_d (ȧ_d ⊙ ǡ'_d),  ǡ = σ'(a) ⊙ ǡ'
 *
 * so ∂/∂θ of a loss on the tangents (a Sobolev loss on Dĝθ·v) is one pass, with no second-order
 * machinery beyond σ''. With no tangents (k = 0) this is plain backpropagation.
 */

/** One layer of a sequential network, as written in a spec. */
export type LayerSpec =
  | { kind: 'dense'; units: number }
  | { kind: 'tanh' }
  | { kind: 'softplus' }
  /** max(z, slope·z); slope defaults to 0.01 (PyTorch's LeakyReLU). */
  | { kind: 'leaky-relu'; slope?: number }
  /** Fixed y = scale·z + shift, no parameters (You Shall Pass App. C: x_scale, x_shift). */
  | { kind: 'affine'; scale: number; shift: number };

export type LayerKind = LayerSpec['kind'];

export const DEFAULT_LEAKY_SLOPE = 0.01;

/** A layer with its sizes resolved and its slice of the flat parameter vector. */
export interface Layer {
  kind: LayerKind;
  /** Input width. */
  inSize: number;
  /** Output width. */
  outSize: number;
  /** Start of this layer's parameters in the flat vector: W (outSize×inSize, row-major), then b. */
  offset: number;
  /** inSize·outSize + outSize for dense, 0 otherwise. */
  paramCount: number;
  /** Leaky-ReLU slope, affine scale (1 otherwise). */
  scale: number;
  /** Affine shift (0 otherwise). */
  shift: number;
}

/** Tangent data for one layer call: k directions per sample. */
export interface TangentIo {
  k: number;
  /** Input tangents ȧ, B·k rows of inSize. */
  tin: Float64Array;
  /** Output tangents ȧ', B·k rows of outSize. */
  tout: Float64Array;
}

/** Adjoints of the tangents for one reverse call. */
export interface TangentAdjoint {
  k: number;
  /** Input tangents ȧ of the forward pass, B·k rows of inSize. */
  tin: Float64Array;
  /** ǡ', adjoint of the output tangents, B·k rows of outSize. */
  dtout: Float64Array;
  /** ǡ, adjoint of the input tangents (written), B·k rows of inSize. */
  dtin: Float64Array;
}

/** σ(z). */
function act(layer: Layer, z: number): number {
  switch (layer.kind) {
    case 'tanh':
      return Math.tanh(z);
    case 'softplus':
      return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    case 'leaky-relu':
      return z > 0 ? z : layer.scale * z;
    case 'affine':
      return layer.scale * z + layer.shift;
    default:
      throw new Error(`act: '${layer.kind}' is not elementwise`);
  }
}

/** σ'(z) and σ''(z), written into d[0], d[1]. y = σ(z) is passed for tanh's cheap form. */
function derivs(layer: Layer, z: number, y: number, d: Float64Array): void {
  switch (layer.kind) {
    case 'tanh': {
      const s = 1 - y * y;
      d[0] = s;
      d[1] = -2 * y * s;
      return;
    }
    case 'softplus': {
      const s = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      d[0] = s;
      d[1] = s * (1 - s);
      return;
    }
    case 'leaky-relu':
      d[0] = z > 0 ? 1 : layer.scale;
      d[1] = 0;
      return;
    case 'affine':
      d[0] = layer.scale;
      d[1] = 0;
      return;
    default:
      throw new Error(`derivs: '${layer.kind}' is not elementwise`);
  }
}

/** y = layer(x) for `rows` rows. */
export function layerForward(
  layer: Layer,
  params: Float64Array,
  x: Float64Array,
  y: Float64Array,
  rows: number,
): void {
  if (layer.kind === 'dense') {
    denseRows(params, layer, x, y, rows, true);
    return;
  }
  for (let i = 0; i < rows * layer.outSize; i++) y[i] = act(layer, x[i]);
}

/** y[r] = W x[r] (+ b) for `rows` rows. */
function denseRows(
  params: Float64Array,
  layer: Layer,
  x: Float64Array,
  y: Float64Array,
  rows: number,
  withBias: boolean,
): void {
  const { inSize: ni, outSize: no, offset } = layer;
  const bOff = offset + ni * no;
  for (let r = 0; r < rows; r++) {
    const xr = r * ni;
    const yr = r * no;
    for (let o = 0; o < no; o++) {
      const wr = offset + o * ni;
      let s = withBias ? params[bOff + o] : 0;
      for (let i = 0; i < ni; i++) s += params[wr + i] * x[xr + i];
      y[yr + o] = s;
    }
  }
}

/** Output tangents ȧ' of `batch` samples from their inputs x (primal) and input tangents. */
export function layerTangent(
  layer: Layer,
  params: Float64Array,
  x: Float64Array,
  y: Float64Array,
  t: TangentIo,
  batch: number,
): void {
  const { k, tin, tout } = t;
  if (layer.kind === 'dense') {
    denseRows(params, layer, tin, tout, batch * k, false);
    return;
  }
  const w = layer.outSize;
  const d = new Float64Array(2);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < w; i++) {
      derivs(layer, x[b * w + i], y[b * w + i], d);
      for (let c = 0; c < k; c++) {
        const idx = (b * k + c) * w + i;
        tout[idx] = d[0] * tin[idx];
      }
    }
  }
}

/**
 * Reverse pass of one layer: from ā' (`dy`, may be null for zero) and, when `t` is given, ǡ',
 * writes ā (`dx`) and ǡ, and adds the parameter adjoints into `grad` (same layout as params).
 */
export function layerBackward(
  layer: Layer,
  params: Float64Array,
  x: Float64Array,
  y: Float64Array,
  dy: Float64Array | null,
  dx: Float64Array,
  grad: Float64Array,
  batch: number,
  t: TangentAdjoint | null,
): void {
  if (layer.kind === 'dense') denseBackward(layer, params, x, dy, dx, grad, batch, t);
  else actBackward(layer, x, y, dy, dx, batch, t);
}

function denseBackward(
  layer: Layer,
  params: Float64Array,
  x: Float64Array,
  dy: Float64Array | null,
  dx: Float64Array,
  grad: Float64Array,
  batch: number,
  t: TangentAdjoint | null,
): void {
  if (dy) accumulateDense(layer, params, x, dy, dx, grad, batch, true);
  else dx.fill(0, 0, batch * layer.inSize);
  if (t) accumulateDense(layer, params, t.tin, t.dtout, t.dtin, grad, batch * t.k, false);
}

/** dIn = Wᵀ dOut (overwritten), W̄ += Σ_r dOut_r in_rᵀ and, with `bias`, b̄ += Σ_r dOut_r. */
function accumulateDense(
  layer: Layer,
  params: Float64Array,
  input: Float64Array,
  dOut: Float64Array,
  dIn: Float64Array,
  grad: Float64Array,
  rows: number,
  bias: boolean,
): void {
  const { inSize: ni, outSize: no, offset } = layer;
  const bOff = offset + ni * no;
  dIn.fill(0, 0, rows * ni);
  for (let r = 0; r < rows; r++) {
    const ir = r * ni;
    const or = r * no;
    for (let o = 0; o < no; o++) {
      const g = dOut[or + o];
      if (g === 0) continue;
      const wr = offset + o * ni;
      for (let i = 0; i < ni; i++) {
        dIn[ir + i] += params[wr + i] * g;
        grad[wr + i] += g * input[ir + i];
      }
      if (bias) grad[bOff + o] += g;
    }
  }
}

function actBackward(
  layer: Layer,
  x: Float64Array,
  y: Float64Array,
  dy: Float64Array | null,
  dx: Float64Array,
  batch: number,
  t: TangentAdjoint | null,
): void {
  const w = layer.outSize;
  const k = t ? t.k : 0;
  const d = new Float64Array(2);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < w; i++) {
      const idx = b * w + i;
      derivs(layer, x[idx], y[idx], d);
      let s = dy ? d[0] * dy[idx] : 0;
      if (t) {
        let cross = 0;
        for (let c = 0; c < k; c++) {
          const ti = (b * k + c) * w + i;
          cross += t.tin[ti] * t.dtout[ti];
          t.dtin[ti] = d[0] * t.dtout[ti];
        }
        s += d[1] * cross;
      }
      dx[idx] = s;
    }
  }
}
