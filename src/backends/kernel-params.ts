/**
 * Parameter interfaces of the kernel contract (backend.ts) for the convolution, pooling and
 * recurrent families, and the fused epilogue they share with gemm. backend.ts re-exports
 * every name here; this file imports nothing from it.
 */
import type { EpilogueOp } from './opcodes.generated.js';

/** leakyRelu's slope when an epilogue leaves `alpha` out (TF.js's default). */
export const DEFAULT_LEAKY_ALPHA = 0.2;

/**
 * A fused epilogue: out = act(acc + bias), with act one of EPILOGUE_CODES:
 * linear (identity), relu, relu6 (min(max(v, 0), 6)), sigmoid, tanh, elu (v > 0 ? v : exp(v) - 1,
 * TF.js's alpha 1), leakyRelu (v > 0 ? v : alpha * v, alpha from `alpha`, TF.js's default 0.2).
 */
export interface Epilogue<S> {
  /** Optional bias of n values (one per output column / channel), added before the activation. */
  bias: S | null;
  activation: EpilogueOp;
  /** leakyRelu's slope for negative values (ignored by the other activations; default 0.2). */
  alpha?: number;
}

/**
 * The geometry of a 2-D convolution or pooling window over NHWC images (TF.js's and Keras's
 * default layout): x is [batch, inHeight, inWidth, inChannels], the output is
 * [batch, outHeight, outWidth, outChannels]. Output pixel (oy, ox) reads input rows
 * oy * strideHeight - padTop + fy * dilationHeight for fy < filterHeight (columns alike);
 * reads outside the image are zeros (convolution) or skipped (pooling). The op turns
 * 'same' / 'valid' / explicit padding into padTop / padLeft and the output size, as TF.js's
 * computeConv2DInfo does; kernels never see a padding mode.
 */
export interface Conv2DGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * out[b, oy, ox, o] = act(sum over fy, fx, c of x[b, iy, ix, c] * filter[fy, fx, c, o] + bias[o]).
 * filter is HWIO [filterHeight, filterWidth, inChannels, outChannels] (TF.js's layout); a
 * backend may keep a packed copy keyed by the filter storage, never a per-call allocation.
 */
export interface Conv2DParams<S> extends Conv2DGeometry, Epilogue<S> {
  x: S;
  filter: S;
  out: S;
}

/** dx[b, iy, ix, c] = sum of dy[b, oy, ox, o] * filter[fy, fx, c, o] over the windows that read (iy, ix). dx is written whole. */
export interface Conv2DBackpropInputParams<S> extends Conv2DGeometry {
  dy: S;
  filter: S;
  dx: S;
}

/**
 * dFilter[fy, fx, c, o] = sum over b, oy, ox of x[b, iy, ix, c] * dy[b, oy, ox, o]; with
 * `accumulate` the sum is added to dFilter (one batch slice at a time), else dFilter is overwritten.
 */
export interface Conv2DBackpropFilterParams<S> extends Conv2DGeometry {
  x: S;
  dy: S;
  dFilter: S;
  accumulate?: boolean;
}

/**
 * Depthwise: each input channel c has its own `channelMultiplier` filters; the output has
 * outChannels = inChannels * channelMultiplier, channel c * channelMultiplier + q =
 * act(sum over fy, fx of x[b, iy, ix, c] * filter[fy, fx, c, q] + bias). filter is
 * [filterHeight, filterWidth, inChannels, channelMultiplier] (TF.js's layout).
 */
export interface DepthwiseConv2DParams<S> extends Conv2DGeometry, Epilogue<S> {
  x: S;
  filter: S;
  out: S;
  channelMultiplier: number;
}
/** The input gradient of depthwiseConv2d (dx written whole). */
export interface DepthwiseConv2DBackpropInputParams<S> extends Conv2DGeometry {
  dy: S;
  filter: S;
  dx: S;
  channelMultiplier: number;
}
/** The filter gradient of depthwiseConv2d (dFilter overwritten, or added to with `accumulate`). */
export interface DepthwiseConv2DBackpropFilterParams<S> extends Conv2DGeometry {
  x: S;
  dy: S;
  dFilter: S;
  channelMultiplier: number;
  accumulate?: boolean;
}

/**
 * Max or average over each window, per channel (outChannels = inChannels). Windows read only
 * pixels inside the image: 'avg' divides by the count of those (TF.js's avgPool, padding
 * excluded); 'max' of a window with no pixel inside is -Infinity; a NaN wins 'max'.
 */
export type PoolMode = 'max' | 'avg';
export interface Pool2DParams<S> extends Conv2DGeometry {
  mode: PoolMode;
  x: S;
  out: S;
}
/**
 * dx (written whole) from dy: 'avg' spreads dy[window] / count over the window's pixels;
 * 'max' routes dy[window] to the first pixel (in row-major window order) that holds the
 * window's max in x (TF.js's maxPoolGrad chooses the same one).
 */
export interface Pool2DBackwardParams<S> extends Conv2DGeometry {
  mode: PoolMode;
  dy: S;
  /** The forward's input; read by 'max' only. */
  x: S;
  dx: S;
}

/**
 * A recurrent layer call as one kernel: the whole sequence of a simple RNN, LSTM or GRU cell
 * for a batch, the time loop inside the kernel (one wasm call; on WebGPU one encoding with no
 * read-back). The op does what is one GEMM over all steps before and after (the input
 * projection x W + b, and in the backward the input and weight gradients); the kernel does
 * the per-step recurrent product h_{t-1} U and the fused gate arithmetic.
 *
 * Layouts are batch-major as Keras's [batch, steps, features]; G, the gate count, is 1 for
 * 'simple', 4 for 'lstm' (Keras's and TF.js's order i, f, c, o) and 3 for 'gru' (z, r, h).
 * With a = activation, s = recurrentActivation, hr = h_{t-1} * recurrentDropoutMask (or
 * h_{t-1} when the mask is null; TF.js applies one mask [batch, units] to every gate and
 * step), p = xProj[:, t] split into G blocks of `units`, and U split likewise by columns:
 *   simple: h = a(p + hr U)
 *   lstm:   i = s(p_i + hr U_i), f = s(p_f + hr U_f), g = a(p_c + hr U_c), o = s(p_o + hr U_o),
 *           c = f * c_{t-1} + i * g,  h = o * a(c)
 *   gru, resetAfter false (TF.js's only form):
 *           z = s(p_z + hr U_z), r = s(p_r + hr U_r), n = a(p_h + (r * hr) U_h),
 *           h = z * h_{t-1} + (1 - z) * n
 *   gru, resetAfter true (Keras's default; bh = recurrentBias [3 * units]):
 *           z = s(p_z + hr U_z + bh_z), r = s(p_r + hr U_r + bh_r), q = hr U_h + bh_h,
 *           n = a(p_h + r * q),  h = z * h_{t-1} + (1 - z) * n
 * A step whose mask value is 0 changes nothing: h_t = h_{t-1} and c_t = c_{t-1} (TF.js's
 * rnn(): the output of a masked step is the previous state, h0 at the first step).
 * hardSigmoid is Keras's clip(0.2 v + 0.5, 0, 1). Every activation's derivative is read
 * from its output (tanh 1 - y^2, sigmoid y (1 - y), hardSigmoid 0.2 where 0 < y < 1,
 * relu y > 0, linear 1), so the backward needs no pre-activations.
 */
export type RecurrentCellKind = 'simple' | 'lstm' | 'gru';
/** The activations a recurrent kernel computes; a cell with another one runs as composed ops. */
export type RecurrentActivation = 'tanh' | 'sigmoid' | 'hardSigmoid' | 'relu' | 'linear';
/** A recurrent call's configuration and sizes, shared by the forward and the backward. */
export interface RecurrentConfig {
  cell: RecurrentCellKind;
  activation: RecurrentActivation;
  /** The gates' activation (lstm i, f, o; gru z, r); ignored by 'simple'. */
  recurrentActivation: RecurrentActivation;
  /** gru only (see above); false for the other cells. */
  resetAfter: boolean;
  batch: number;
  steps: number;
  units: number;
}
/** The gate count G of a cell: 1 simple, 4 lstm, 3 gru. */
export const recurrentGates = (cell: RecurrentCellKind): number => (cell === 'simple' ? 1 : cell === 'lstm' ? 4 : 3);
/**
 * The forward. Reads xProj [batch, steps, G * units] (x W + b, the op's one GEMM),
 * recurrentKernel [units, G * units] (TF.js's layout), recurrentBias ([G * units], gru with
 * resetAfter only, else null), h0 and c0 ([batch, units]; c0 lstm only), mask ([batch, steps]
 * of 0 / 1, or null) and recurrentDropoutMask ([batch, units] or null). Writes hSeq
 * [batch, steps, units] (h_t at every step), cSeq (lstm: c_t, else null) and `saved`
 * [batch, steps, 4 * units], what the backward reads: lstm i, f, g, o after activation;
 * gru z, r, n and q (q: hr U_h + bh_h for resetAfter, unused otherwise); null for 'simple'.
 */
export interface RecurrentSequenceParams<S> extends RecurrentOperands<S> {
  xProj: S;
}
/** What the forward and the backward both read (the forward writes hSeq, cSeq and saved). */
export interface RecurrentOperands<S> extends RecurrentConfig {
  recurrentKernel: S;
  recurrentBias: S | null;
  h0: S;
  c0: S | null;
  mask: S | null;
  recurrentDropoutMask: S | null;
  hSeq: S;
  cSeq: S | null;
  saved: S | null;
}
/**
 * The backward, the forward's mirror from the last step to the first. Reads the forward's
 * inputs and outputs (xProj is not needed: `saved` holds what it gave) and the gradients
 * dhSeq ([batch, steps, units], of the loss with respect to hSeq; a layer that returns only
 * the last output or state puts its gradient in the last step) and dcSeq (lstm, with respect
 * to cSeq, or null when nothing reads cSeq). Writes dxProj [batch, steps, G * units] (the
 * gradient with respect to xProj: the op turns it into dx, dW and db with one GEMM each),
 * dhProj [batch, steps, G * units] (gru only, else null: the gradient with respect to the
 * recurrent product's columns, hr U for z and r, and (r * hr) U_h or q for h; for 'simple'
 * and 'lstm' it equals dxProj, so the op uses dxProj: dU = sum over steps of hr^T dxProj_t
 * as one GEMM, the h block of a resetAfter-false gru reading r * hr), and dh0, dc0 (lstm).
 * A masked step passes dh and dc through to the previous step unchanged and gives zero
 * gate gradients.
 */
export interface RecurrentSequenceBackwardParams<S> extends RecurrentOperands<S> {
  dhSeq: S;
  dcSeq: S | null;
  dxProj: S;
  dhProj: S | null;
  dh0: S;
  dc0: S | null;
}

/**
 * An image resize, NHWC float32: x [batch, inHeight, inWidth, channels] to out [batch,
 * outHeight, outWidth, channels], TF.js's sample positions (reference/resize.ts; the op's
 * composition in src/ops/image/image.ts): along an axis of `input` samples to `output`, scale = alignCorners && output > 1
 * ? (input - 1) / (output - 1) : input / output, computed in float64.
 *   'bilinear': source = halfPixelCenters ? scale * (i + 0.5) - 0.5 : scale * i; lo = max(0,
 *   floor(source)), hi = min(input - 1, ceil(source)), f = fround(source - lo); in float32, the
 *   columns first: top = a + (b - a) * f, then rows: out = top + (bottom - top) * f (so a NaN
 *   neighbour reaches the output even at f = 0).
 *   'nearest': source = halfPixelCenters ? scale * (i + 0.5) : scale * i; at = min(input - 1,
 *   alignCorners ? round(source) : floor(source)), max(0, at) with halfPixelCenters; a copy.
 */
export interface ResizeParams<S> {
  method: 'bilinear' | 'nearest';
  x: S;
  out: S;
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}
