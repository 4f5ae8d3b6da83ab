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
 * One step of a gated recurrent cell for a batch, after the GEMMs: the op computes the
 * pre-activations with gemm (x_t W + b into xGates, h_{t-1} U into hGates, or both summed
 * into xGates with accumulate) and the kernel does the element-wise rest in one pass.
 *
 * 'lstm' (Keras's gate order i, f, c, o; xGates is [batch, 4 * units], hGates unused):
 *   i = rec(z_i), f = rec(z_f), g = act(z_c), o = rec(z_o),
 *   c = f * cPrev + i * g,  h = o * act(c).
 * 'gru' (Keras's reset_after form, gate order z, r, h; xGates = x W + b_in and hGates =
 *   h_{t-1} U + b_rec, each [batch, 3 * units]; cPrev and c unused):
 *   z = rec(xz + hz), r = rec(xr + hr), n = act(xh + r * hh),  h = z * hPrev + (1 - z) * n.
 * rec is sigmoid or hardSigmoid (Keras: clip(0.2 x + 0.5, 0, 1)); act is tanh.
 * `gates` (optional, [batch, 4 * units] for lstm: i, f, g, o after activation; [batch, 3 * units]
 * for gru: z, r, n) keeps what the backward step reads.
 */
export type RecurrentCell = 'lstm' | 'gru';
export interface RecurrentStepParams<S> {
  cell: RecurrentCell;
  recurrentActivation: 'sigmoid' | 'hardSigmoid';
  batch: number;
  units: number;
  xGates: S;
  hGates: S | null;
  hPrev: S;
  cPrev: S | null;
  h: S;
  c: S | null;
  gates: S | null;
}
