/**
 * depthwiseConv2d (each input channel convolved with its own `channelMultiplier` filters),
 * its input and filter gradients as ops of their own, and separableConv2d (a depthwise then
 * a 1x1 conv2d). The kernels run where the backend has them; the compositions take the taps
 * of taps.ts, multiply them by the filter broadcast over the pixels and sum over the taps.
 */
import { hasKernel } from '../../backends/backend.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { mul } from '../math/binary.js';
import { sum } from '../reduce/reduce.js';
import { register, run1, spec } from '../registry.js';
import { reshape } from '../structure/shape.js';
import { chain, describe, produce, sizeOf, storageOf } from '../util.js';
import { checkFloat32, checkImage, type DataFormat, type Pair } from './args.js';
import { asNHWC, conv2d, conv2dGeometry, type Conv2DCall } from './conv2d.js';
import { epilogue, epilogueGrad, LINEAR, type EpilogueAttrs } from './epilogue.js';
import type { ConvGeometry, ConvPadding, DimRoundingMode } from './geometry.js';
import { col2im, im2col } from './taps.js';

interface DepthwiseAttrs extends EpilogueAttrs { g: ConvGeometry; multiplier: number }
interface BackpropAttrs { g: ConvGeometry; multiplier: number }

const xShapeOf = (g: ConvGeometry) => [g.batch, g.inHeight, g.inWidth, g.inChannels];
const yShapeOf = (g: ConvGeometry) => [g.batch, g.outHeight, g.outWidth, g.outChannels];
const filterShapeOf = (g: ConvGeometry, m: number) => [g.filterHeight, g.filterWidth, g.inChannels, m];
const rows = (g: ConvGeometry) => g.batch * g.outHeight * g.outWidth;
const taps = (g: ConvGeometry) => g.filterHeight * g.filterWidth;

function expect(op: string, name: string, t: Tensor, shape: number[]): void {
  checkFloat32(op, name, t);
  if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${op}: '${name}' must have shape [${shape}] for this geometry; received ${describe(t)}`);
  }
}

/** The taps of x as [pixels, taps, channels, 1]. */
const columns = (x: Tensor, g: ConvGeometry) => reshape(im2col(x, g), [rows(g), taps(g), g.inChannels, 1]);

export const DEPTHWISE = register<DepthwiseAttrs>({
  name: 'depthwiseConv2d',
  inputs: ['x', 'filter', 'bias'],
  infer([x, filter, bias], { g, multiplier }) {
    expect('depthwiseConv2d', 'x', x, xShapeOf(g));
    expect('depthwiseConv2d', 'filter', filter, filterShapeOf(g, multiplier));
    if (bias) expect('depthwiseConv2d', 'bias', bias, [g.outChannels]);
    return spec(yShapeOf(g), 'float32');
  },
  kernel: {
    available: (backend) => hasKernel(backend, 'depthwiseConv2d'),
    run: (backend, [x, filter, bias], { g, multiplier, activation, alpha }, [out]) => [produce(out.shape, 'float32', (storage) => {
      if (sizeOf(out.shape) === 0) return;
      // Object.assign, not a spread: V8 (Node 20) spreads g plus seven fields tens of times slower (a 24-field literal).
      backend.depthwiseConv2d(Object.assign({}, g, {
        channelMultiplier: multiplier, x: storageOf(x, 'depthwiseConv2d'), filter: storageOf(filter, 'depthwiseConv2d'),
        out: storage, bias: bias ? storageOf(bias, 'depthwiseConv2d') : null, activation, alpha,
      }));
    })],
  },
  compose: ([x, filter, bias], attrs) => {
    const { g, multiplier } = attrs;
    const z = sum(mul(columns(x, g), reshape(filter, [1, taps(g), g.inChannels, multiplier])), 1);
    return [epilogue(reshape(z, yShapeOf(g)), bias, attrs)];
  },
  save: { inputs: [0, 1], outputs: [0] },
  grad: ([dy], [x, filter, y], attrs, needs) => {
    const dz = epilogueGrad(dy, y, attrs);
    const { g, multiplier } = attrs;
    return [
      needs[0] ? depthwiseBackpropInput(dz, filter, g, multiplier) : null,
      needs[1] ? depthwiseBackpropFilter(x, dz, g, multiplier) : null,
      needs[2] ? sum(dz, [0, 1, 2]) : null,
    ];
  },
});

const BACKPROP_INPUT = register<BackpropAttrs>({
  name: 'depthwiseConv2dBackpropInput',
  inputs: ['dy', 'filter'],
  infer([dy, filter], { g, multiplier }) {
    expect('depthwiseConv2dBackpropInput', 'dy', dy, yShapeOf(g));
    expect('depthwiseConv2dBackpropInput', 'filter', filter, filterShapeOf(g, multiplier));
    return spec(xShapeOf(g), 'float32');
  },
  kernel: {
    available: (backend) => hasKernel(backend, 'depthwiseConv2dBackpropInput'),
    run: (backend, [dy, filter], { g, multiplier }, [out]) => [produce(out.shape, 'float32', (storage) => {
      if (sizeOf(out.shape) === 0) return;
      backend.depthwiseConv2dBackpropInput(Object.assign({}, g, {
        channelMultiplier: multiplier, dy: storageOf(dy, 'depthwiseConv2dBackpropInput'),
        filter: storageOf(filter, 'depthwiseConv2dBackpropInput'), dx: storage,
      }));
    })],
  },
  compose: ([dy, filter], { g, multiplier }) => {
    const spread = mul(reshape(dy, [rows(g), 1, g.inChannels, multiplier]), reshape(filter, [1, taps(g), g.inChannels, multiplier]));
    const cols = reshape(sum(spread, 3), [g.batch, g.outHeight, g.outWidth, taps(g) * g.inChannels]);
    return [col2im(cols, g, g.inChannels)];
  },
  save: { inputs: [0, 1] },
  grad: ([ddx], [dy, filter], { g, multiplier }, needs) => [
    needs[0] ? depthwiseRaw(ddx, filter, g, multiplier) : null,
    needs[1] ? depthwiseBackpropFilter(ddx, dy, g, multiplier) : null,
  ],
});

const BACKPROP_FILTER = register<BackpropAttrs>({
  name: 'depthwiseConv2dBackpropFilter',
  inputs: ['x', 'dy'],
  infer([x, dy], { g, multiplier }) {
    expect('depthwiseConv2dBackpropFilter', 'x', x, xShapeOf(g));
    expect('depthwiseConv2dBackpropFilter', 'dy', dy, yShapeOf(g));
    return spec(filterShapeOf(g, multiplier), 'float32');
  },
  kernel: {
    available: (backend) => hasKernel(backend, 'depthwiseConv2dBackpropFilter'),
    run: (backend, [x, dy], { g, multiplier }, [out]) => [produce(out.shape, 'float32', (storage) => {
      if (sizeOf(out.shape) === 0) return;
      backend.depthwiseConv2dBackpropFilter(Object.assign({}, g, {
        channelMultiplier: multiplier, x: storageOf(x, 'depthwiseConv2dBackpropFilter'),
        dy: storageOf(dy, 'depthwiseConv2dBackpropFilter'), dFilter: storage, accumulate: false,
      }));
    })],
  },
  compose: ([x, dy], { g, multiplier }) => {
    const products = mul(columns(x, g), reshape(dy, [rows(g), 1, g.inChannels, multiplier]));
    return [reshape(sum(products, 0), filterShapeOf(g, multiplier))];
  },
  save: { inputs: [0, 1] },
  grad: ([ddFilter], [x, dy], { g, multiplier }, needs) => [
    needs[0] ? depthwiseBackpropInput(dy, ddFilter, g, multiplier) : null,
    needs[1] ? depthwiseRaw(x, ddFilter, g, multiplier) : null,
  ],
});

function depthwiseRaw(x: Tensor, filter: Tensor, g: ConvGeometry, multiplier: number): Tensor {
  return run1(DEPTHWISE, [x, filter], { g, multiplier, ...LINEAR });
}
export function depthwiseBackpropInput(dy: Tensor, filter: Tensor, g: ConvGeometry, multiplier: number): Tensor {
  return run1(BACKPROP_INPUT, [dy, filter], { g, multiplier });
}
export function depthwiseBackpropFilter(x: Tensor, dy: Tensor, g: ConvGeometry, multiplier: number): Tensor {
  return run1(BACKPROP_FILTER, [x, dy], { g, multiplier });
}

/** A depthwiseConv2d call: the same fields as conv2d's (the filter's last dim is the channel multiplier). */
export type DepthwiseCall = Conv2DCall;

/** Checks a depthwiseConv2d call as TF.js does; returns its NHWC geometry. */
export const depthwiseGeometry = (c: DepthwiseCall): ConvGeometry => conv2dGeometry(c, true);

/** The depthwise 'depthwiseConv2d' op on NHWC operands of a known geometry, with an optional epilogue. */
export function depthwiseOp(x: Tensor, filter: Tensor, bias: Tensor | undefined, g: ConvGeometry, epi: EpilogueAttrs): Tensor {
  return run1(DEPTHWISE, bias ? [x, filter, bias] : [x, filter], { g, multiplier: filter.shape[3], ...epi });
}

/**
 * The depthwise 2-D convolution (tf.depthwiseConv2d): x [batch, height, width, inChannels]
 * (or rank 3; NCHW with `dataFormat`), filter [filterHeight, filterWidth, inChannels,
 * channelMultiplier]; output channel c * channelMultiplier + q is channel c convolved with
 * filter[:, :, c, q].
 */
export function depthwiseConv2d(x: Input, filter: Input, strides: Pair, pad: ConvPadding, dataFormat: DataFormat = 'NHWC',
  dilations: Pair = [1, 1], dimRoundingMode?: DimRoundingMode): Tensor {
  if (!(x instanceof Tensor && filter instanceof Tensor)) {
    return withInputs('depthwiseConv2d', [['x', x, 'float32'], ['filter', filter, 'float32']],
      ([a, b]) => depthwiseConv2d(a, b, strides, pad, dataFormat, dilations, dimRoundingMode));
  }
  const g = depthwiseGeometry({ op: 'depthwiseConv2d', x, filter, strides, pad, dataFormat, dilations, dimRoundingMode });
  return asNHWC(x, dataFormat, (x4) => depthwiseOp(x4, filter, undefined, g, LINEAR));
}

/**
 * A depthwise convolution followed by a 1x1 convolution mixing the channels
 * (tf.separableConv2d): depthwiseFilter [fh, fw, inChannels, multiplier], pointwiseFilter
 * [1, 1, inChannels * multiplier, outChannels]. NHWC only, as TF.js.
 */
export function separableConv2d(x: Input, depthwiseFilter: Input, pointwiseFilter: Input, strides: Pair, pad: 'valid' | 'same' | number,
  dilation: Pair = [1, 1], dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): Tensor {
  const op = 'separableConv2d';
  if (!(x instanceof Tensor && depthwiseFilter instanceof Tensor && pointwiseFilter instanceof Tensor)) {
    return withInputs(op, [['x', x, 'float32'], ['depthwiseFilter', depthwiseFilter, 'float32'], ['pointwiseFilter', pointwiseFilter, 'float32']],
      ([a, d, p]) => separableConv2d(a, d, p, strides, pad, dilation, dataFormat));
  }
  if (dataFormat === 'NCHW') throw new Error(`${op}: dataFormat 'NCHW' is not supported (as TF.js); transpose x to NHWC`);
  checkImage(op, x);
  if (pointwiseFilter.rank !== 4 || pointwiseFilter.shape[0] !== 1 || pointwiseFilter.shape[1] !== 1) {
    throw new Error(`${op}: pointwiseFilter must be [1, 1, inChannels * channelMultiplier, outChannels]; received ${describe(pointwiseFilter)}`);
  }
  checkFloat32(op, 'pointwiseFilter', pointwiseFilter);
  const g = depthwiseGeometry({ op, x, filter: depthwiseFilter, strides, pad, dataFormat, dilations: dilation });
  if (pointwiseFilter.shape[2] !== g.outChannels) {
    throw new Error(`${op}: pointwiseFilter's inChannels dim must be inChannels * channelMultiplier = ${g.outChannels}; ` +
      `received pointwiseFilter ${describe(pointwiseFilter)}`);
  }
  return asNHWC(x, 'NHWC', (x4) => conv2d(depthwiseOp(x4, depthwiseFilter, undefined, g, LINEAR), pointwiseFilter, 1, 'valid'));
}

declare module '../../core/tensor.js' {
  interface Tensor {
    depthwiseConv2d(filter: Input, strides: Pair, pad: ConvPadding, dataFormat?: DataFormat, dilations?: Pair, dimRoundingMode?: DimRoundingMode): Tensor;
    separableConv2d(depthwiseFilter: Input, pointwiseFilter: Input, strides: Pair, pad: 'valid' | 'same' | number, dilation?: Pair,
      dataFormat?: 'NHWC' | 'NCHW'): Tensor;
  }
}
chain({
  depthwiseConv2d(filter: Input, strides: Pair, pad: ConvPadding, dataFormat?: DataFormat, dilations?: Pair, dimRoundingMode?: DimRoundingMode) {
    return depthwiseConv2d(this, filter, strides, pad, dataFormat, dilations, dimRoundingMode);
  },
  separableConv2d(depthwiseFilter: Input, pointwiseFilter: Input, strides: Pair, pad: 'valid' | 'same' | number, dilation?: Pair,
    dataFormat?: 'NHWC' | 'NCHW') {
    return separableConv2d(this, depthwiseFilter, pointwiseFilter, strides, pad, dilation, dataFormat);
  },
});
