/**
 * The 2-D pools as TF.js has them: tf.maxPool, tf.avgPool, tf.pool (with dilations) and
 * tf.maxPoolWithArgmax, NHWC (rank 3 taken as one image). Each op checks its arguments and
 * computes the window's geometry (convGeometry) before any kernel runs; the forward is the
 * backend's `pool2d` kernel where it has one, else the composition in compose.ts; gradients
 * are `pool2dBackward` (max routes dy to the window's first max, avg spreads it), composed
 * likewise where the kernel is missing.
 */
import { hasKernel } from '../../backends/backend.js';
import type { Tensor } from '../../core/tensor.js';
import { ENGINE } from '../../core/engine.js';
import { convGeometry, type ConvGeometry, type ConvPadding, type DimRoundingMode } from '../conv/geometry.js';
import { tensor } from '../creation.js';
import { withInputs, type Input } from '../inputs.js';
import { greater, logicalAnd, logicalNot, logicalOr, where } from '../math/binary.js';
import { register, run1, runOp, spec } from '../registry.js';
import { pad as padOp, stridedSlice } from '../structure/rearrange.js';
import { cast, reshape } from '../structure/shape.js';
import { chain, checkFloat, describe, produce, refuseComplex, sizeOf, storageOf } from '../util.js';
import { composePool, composePoolBackward, type PoolAxis, type PoolKind } from './compose.js';

interface PoolAttrs { geometry: ConvGeometry }

/** The spatial axes of a 2-D geometry, for the compositions. */
export function axesOf(g: ConvGeometry): PoolAxis[] {
  return [
    { size: g.inHeight, out: g.outHeight, filter: g.filterHeight, stride: g.strideHeight, dilation: g.dilationHeight, before: g.padTop },
    { size: g.inWidth, out: g.outWidth, filter: g.filterWidth, stride: g.strideWidth, dilation: g.dilationWidth, before: g.padLeft },
  ];
}

function backwardOp(mode: PoolKind) {
  return register<PoolAttrs>({
    name: mode === 'max' ? 'maxPoolGrad' : 'avgPoolGrad',
    inputs: ['dy', 'x'],
    infer([dy, x]) {
      checkFloat(this.name, 'dy', dy);
      return spec(x.shape.slice(), 'float32');
    },
    kernel: {
      available: (backend) => hasKernel(backend, 'pool2dBackward'),
      run: (backend, [dy, x], { geometry }, [out]) => [produce(out.shape, 'float32', (storage) => {
        if (sizeOf(out.shape) > 0) {
          backend.pool2dBackward(Object.assign({}, geometry, { mode, dy: storageOf(dy, 'poolGrad'), x: storageOf(x, 'poolGrad'), dx: storage }));
        }
      })],
    },
    compose: ([dy, x], { geometry }) => [composePoolBackward(dy, x, axesOf(geometry), mode)],
    grad: 'none',
  });
}
const MAX_POOL_GRAD = backwardOp('max');
const AVG_POOL_GRAD = backwardOp('avg');

function forwardOp(mode: PoolKind) {
  const backward = mode === 'max' ? MAX_POOL_GRAD : AVG_POOL_GRAD;
  return register<PoolAttrs>({
    name: mode === 'max' ? 'maxPool' : 'avgPool',
    inputs: ['x'],
    infer([x], { geometry: g }) {
      checkFloat(this.name, 'x', x);
      return spec([g.batch, g.outHeight, g.outWidth, g.inChannels], 'float32');
    },
    kernel: {
      available: (backend) => hasKernel(backend, 'pool2d'),
      run: (backend, [x], { geometry }, [out]) => [produce(out.shape, 'float32', (storage) => {
        if (sizeOf(out.shape) > 0) backend.pool2d(Object.assign({}, geometry, { mode, x: storageOf(x, 'pool'), out: storage }));
      })],
    },
    compose: ([x], { geometry }) => [composePool(x, axesOf(geometry), mode)],
    save: { inputs: [0] },
    grad: ([dy], [x], attrs) => [run1(backward, [dy, x], attrs)],
  });
}
const MAX_POOL = forwardOp('max');
const AVG_POOL = forwardOp('avg');

type Pair = number | [number, number];

/** The checks TF.js's pools share, then the geometry; refuses a pool that leaves no output. */
export function poolGeometry(op: string, x: Tensor, filterSize: Pair, strides: Pair, pad: ConvPadding,
  dimRoundingMode: DimRoundingMode | undefined, dilations: Pair = 1): ConvGeometry {
  if (x.rank !== 4) throw new Error(`${op}: x must be rank 4 (NHWC) or 3 (HWC); received ${describe(x)}`);
  if (dimRoundingMode !== undefined) {
    if (!['floor', 'round', 'ceil'].includes(dimRoundingMode)) {
      throw new Error(`${op}: dimRoundingMode must be 'floor', 'round' or 'ceil'; received dimRoundingMode=${JSON.stringify(dimRoundingMode)}`);
    }
    if (typeof pad !== 'number' || !Number.isInteger(pad)) {
      throw new Error(`${op}: pad must be an integer when using dimRoundingMode ${dimRoundingMode}; received pad=${JSON.stringify(pad)}`);
    }
  }
  const [filterHeight, filterWidth] = typeof filterSize === 'number' ? [filterSize, filterSize] : filterSize;
  for (const f of [filterHeight, filterWidth]) {
    if (!Number.isInteger(f) || f < 1) throw new Error(`${op}: filterSize must be positive integers; received filterSize=${JSON.stringify(filterSize)}`);
  }
  const g = convGeometry({ op, xShape: x.shape, filterHeight, filterWidth, outChannels: x.shape[3], strides, dilations, pad, dimRoundingMode });
  if ((g.strideHeight > 1 || g.strideWidth > 1) && (g.dilationHeight > 1 || g.dilationWidth > 1)) {
    throw new Error(`${op}: either strides or dilations must be 1 (as TF.js); received strides=${JSON.stringify(strides)} ` +
      `and dilations=${JSON.stringify(dilations)}`);
  }
  if (g.outHeight === 0 || g.outWidth === 0) {
    throw new Error(`${op}: the ${filterHeight} x ${filterWidth} window (dilations ${g.dilationHeight} x ${g.dilationWidth}) ` +
      `leaves no output on the ${g.inHeight} x ${g.inWidth} input with pad=${JSON.stringify(pad)} and strides=${JSON.stringify(strides)}; ` +
      'use a smaller window or more padding');
  }
  return g;
}

/** Runs `f` on x as rank 4 and gives the result x's rank. */
function asBatch(op: string, x: Tensor, f: (x4: Tensor) => Tensor): Tensor {
  if (x.rank !== 3) return f(x);
  return ENGINE.tidy(() => {
    const y = f(reshape(x, [1, ...x.shape]));
    return reshape(y, y.shape.slice(1));
  });
}

function pool2d(op: string, mode: PoolKind, x: Tensor, filterSize: Pair, strides: Pair, pad: ConvPadding,
  dimRoundingMode?: DimRoundingMode, dilations: Pair = 1): Tensor {
  if (mode === 'avg' && x.dtype !== 'float32') {
    throw new Error(`${op}: x must be float32 (as TF.js's avgPool); received ${describe(x)}`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') {
    throw new Error(`${op}: x must be float32, int32 or bool; received ${describe(x)}`);
  }
  return asBatch(op, x, (x4) => {
    const attrs = { geometry: poolGeometry(op, x4, filterSize, strides, pad, dimRoundingMode, dilations) };
    const def = mode === 'max' ? MAX_POOL : AVG_POOL;
    if (x4.dtype === 'float32') return run1(def, [x4], attrs);
    // int32 and bool max-pool in float32 (exact below 2^24) and keep their dtype, as TF.js.
    return ENGINE.tidy(() => cast(run1(def, [cast(x4, 'float32')], attrs), x4.dtype));
  });
}

/**
 * tf.maxPool(x, filterSize, strides, pad, dimRoundingMode?): the max of each window, per channel,
 * of an NHWC image batch (or one HWC image). Padding never wins; dtype is kept (float32, int32, bool).
 */
export function maxPool(x: Input, filterSize: Pair, strides: Pair, pad: ConvPadding, dimRoundingMode?: DimRoundingMode): Tensor {
  return withInputs('maxPool', [['x', x]], ([t]) => pool2d('maxPool', 'max', t, filterSize, strides, pad, dimRoundingMode));
}

/**
 * tf.avgPool(x, filterSize, strides, pad, dimRoundingMode?): the mean of each window's pixels
 * inside the image (padding is not counted), per channel; x is float32.
 */
export function avgPool(x: Input, filterSize: Pair, strides: Pair, pad: ConvPadding, dimRoundingMode?: DimRoundingMode): Tensor {
  return withInputs('avgPool', [['x', x, 'float32']], ([t]) => pool2d('avgPool', 'avg', t, filterSize, strides, pad, dimRoundingMode));
}

/**
 * tf.pool(input, windowShape, poolingType, pad, dilations?, strides?, dimRoundingMode?): maxPool
 * or avgPool with a dilated window (dilations and strides cannot both exceed 1). Unlike TF.js,
 * a dilated 'same' pool does not count the padding as zeros (see tests/ops/pool.test.ts).
 */
export function pool(input: Input, windowShape: Pair, poolingType: 'avg' | 'max', pad: ConvPadding,
  dilations: Pair = 1, strides: Pair = 1, dimRoundingMode?: DimRoundingMode): Tensor {
  if (poolingType !== 'avg' && poolingType !== 'max') {
    throw new Error(`pool: poolingType must be 'avg' or 'max'; received poolingType=${JSON.stringify(poolingType)}`);
  }
  return withInputs('pool', [['input', input, poolingType === 'avg' ? 'float32' : undefined]],
    ([t]) => pool2d('pool', poolingType, t, windowShape, strides, pad, dimRoundingMode, dilations));
}

const MAX_POOL_WITH_ARGMAX = register<PoolAttrs & { includeBatchInIndex: boolean }>({
  name: 'maxPoolWithArgmax',
  inputs: ['x'],
  infer([x], { geometry: g }) {
    checkFloat('maxPoolWithArgmax', 'x', x);
    const shape = [g.batch, g.outHeight, g.outWidth, g.inChannels];
    return [{ shape, dtype: 'float32' }, { shape: shape.slice(), dtype: 'int32' }];
  },
  // Each tap replaces the running max only where it is strictly greater, or where the running
  // one lies in the padding and the tap does not, so the first max (row-major window order)
  // inside the image keeps its index, as TF.js's cpu backend (which gives -1 for a window of
  // -Infinity only; sora gives the first of its pixels).
  compose([x], { geometry: g, includeBatchInIndex }) {
    const padded = padOp(x, [[0, 0], [g.padTop, g.padBottom + g.strideHeight], [g.padLeft, g.padRight + g.strideWidth], [0, 0]], -Infinity);
    let best: Tensor | null = null, index: Tensor | null = null, inside: Tensor | null = null;
    for (let fy = 0; fy < g.filterHeight; fy++) {
      for (let fx = 0; fx < g.filterWidth; fx++) {
        const [sy, sx] = [fy * g.dilationHeight, fx * g.dilationWidth];
        const tap = stridedSlice(padded, [0, sy, sx, 0],
          [g.batch, sy + (g.outHeight - 1) * g.strideHeight + 1, sx + (g.outWidth - 1) * g.strideWidth + 1, g.inChannels],
          [1, g.strideHeight, g.strideWidth, 1]);
        const at = tapIndices(g, sy - g.padTop, sx - g.padLeft, includeBatchInIndex);
        if (best === null || index === null || inside === null) { [best, index, inside] = [tap, at.indices, at.inside]; continue; }
        const wins = logicalOr(greater(tap, best), logicalAnd(at.inside, logicalNot(inside)));
        best = where(wins, tap, best);
        index = where(wins, at.indices, index);
        inside = logicalOr(inside, at.inside);
      }
    }
    return [best!, index!];
  },
  grad: 'none',
});

/**
 * The flat index of each window's tap at image offset (dy, dx) from its corner
 * ([batch, outH, outW, channels] int32), and whether that pixel is inside the image ([1, outH, outW, 1] bool).
 */
function tapIndices(g: ConvGeometry, dy: number, dx: number, includeBatch: boolean): { indices: Tensor; inside: Tensor } {
  const values = new Int32Array(g.batch * g.outHeight * g.outWidth * g.inChannels);
  const inside = new Uint8Array(g.outHeight * g.outWidth);
  let at = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        const [iy, ix] = [oy * g.strideHeight + dy, ox * g.strideWidth + dx];
        inside[oy * g.outWidth + ox] = iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth ? 1 : 0;
        const pixel = ((includeBatch ? b * g.inHeight : 0) + iy) * g.inWidth + ix;
        for (let c = 0; c < g.inChannels; c++) values[at++] = pixel * g.inChannels + c;
      }
    }
  }
  return {
    indices: tensor(values, [g.batch, g.outHeight, g.outWidth, g.inChannels], 'int32'),
    inside: tensor(inside, [1, g.outHeight, g.outWidth, 1], 'bool'),
  };
}

/**
 * tf.maxPoolWithArgmax(x, filterSize, strides, pad, includeBatchInIndex = false): the max pool
 * and, per output, the flat index of its first max ((y * width + x) * channels + c, plus
 * batch * height * width * channels with includeBatchInIndex). x is rank 4; not differentiable.
 */
export function maxPoolWithArgmax(x: Input, filterSize: Pair, strides: Pair, pad: 'valid' | 'same',
  includeBatchInIndex = false): { result: Tensor; indexes: Tensor } {
  refuseComplex('maxPoolWithArgmax', 'x', x);
  return withInputs('maxPoolWithArgmax', [['x', x, 'float32']], ([t]) => {
    if (pad !== 'valid' && pad !== 'same') {
      throw new Error(`maxPoolWithArgmax: pad must be 'valid' or 'same'; received pad=${JSON.stringify(pad)}`);
    }
    if (t.rank !== 4) throw new Error(`maxPoolWithArgmax: x must be rank 4 (NHWC); received ${describe(t)}`);
    const attrs = { geometry: poolGeometry('maxPoolWithArgmax', t, filterSize, strides, pad, undefined), includeBatchInIndex };
    const [result, indexes] = runOp(MAX_POOL_WITH_ARGMAX, [t.dtype === 'float32' ? t : cast(t, 'float32')], attrs);
    return { result, indexes };
  });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    maxPool(filterSize: Pair, strides: Pair, pad: ConvPadding, dimRoundingMode?: DimRoundingMode): Tensor;
    avgPool(filterSize: Pair, strides: Pair, pad: ConvPadding, dimRoundingMode?: DimRoundingMode): Tensor;
    pool(windowShape: Pair, poolingType: 'avg' | 'max', pad: ConvPadding, dilations?: Pair, strides?: Pair, dimRoundingMode?: DimRoundingMode): Tensor;
  }
}
chain({
  maxPool(filterSize: Pair, strides: Pair, pad: ConvPadding, dimRoundingMode?: DimRoundingMode) {
    return maxPool(this, filterSize, strides, pad, dimRoundingMode);
  },
  avgPool(filterSize: Pair, strides: Pair, pad: ConvPadding, dimRoundingMode?: DimRoundingMode) {
    return avgPool(this, filterSize, strides, pad, dimRoundingMode);
  },
  pool(windowShape: Pair, poolingType: 'avg' | 'max', pad: ConvPadding, dilations?: Pair, strides?: Pair, dimRoundingMode?: DimRoundingMode) {
    return pool(this, windowShape, poolingType, pad, dilations, strides, dimRoundingMode);
  },
});
