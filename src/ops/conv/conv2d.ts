/**
 * conv2d, its input and filter gradients (conv2dBackpropInput / conv2dBackpropFilter, ops of
 * their own as TF.js's kernels, each the other's gradient), conv2dTranspose (the input
 * gradient run forward) and conv1d (conv2d on one row). Each runs the backend's kernel where
 * `hasKernel` says it has one, else the composition of taps.ts: im2col and one matMul. The
 * 'conv2d' op carries an optional bias and epilogue activation, which tf.fused.conv2d uses.
 */
import { hasKernel } from '../../backends/backend.js';
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { matMul } from '../linalg/matmul.js';
import { sum } from '../reduce/reduce.js';
import { register, run1, spec } from '../registry.js';
import { reshape } from '../structure/shape.js';
import { chain, describe, produce, sizeOf, storageOf } from '../util.js';
import {
  checkDataFormat, checkFits, checkFloat32, checkImage, checkRounding, checkStridesAndDilations, fromNHWC, padToNHWC, toNHWC,
  type DataFormat, type Pair,
} from './args.js';
import { epilogue, epilogueGrad, LINEAR, type EpilogueAttrs } from './epilogue.js';
import { convGeometry, type ConvGeometry, type ConvPadding, type DimRoundingMode } from './geometry.js';
import { col2im, im2col } from './taps.js';

interface ConvAttrs extends EpilogueAttrs { g: ConvGeometry }
interface BackpropAttrs { g: ConvGeometry }

const xShapeOf = (g: ConvGeometry) => [g.batch, g.inHeight, g.inWidth, g.inChannels];
const yShapeOf = (g: ConvGeometry) => [g.batch, g.outHeight, g.outWidth, g.outChannels];
const filterShapeOf = (g: ConvGeometry) => [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels];
const rows = (g: ConvGeometry) => g.batch * g.outHeight * g.outWidth;
const taps = (g: ConvGeometry) => g.filterHeight * g.filterWidth;

/** An internal op's operand against the geometry (the public functions check first, with TF.js's messages). */
function expect(op: string, name: string, t: Tensor, shape: number[]): void {
  checkFloat32(op, name, t);
  if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${op}: '${name}' must have shape [${shape}] for this geometry; received ${describe(t)}`);
  }
}

export const CONV2D = register<ConvAttrs>({
  name: 'conv2d',
  inputs: ['x', 'filter', 'bias'],
  infer([x, filter, bias], { g }) {
    expect('conv2d', 'x', x, xShapeOf(g));
    expect('conv2d', 'filter', filter, filterShapeOf(g));
    if (bias) expect('conv2d', 'bias', bias, [g.outChannels]);
    return spec(yShapeOf(g), 'float32');
  },
  kernel: {
    available: (backend) => hasKernel(backend, 'conv2d'),
    run: (backend, [x, filter, bias], { g, activation, alpha }, [out]) => [produce(out.shape, 'float32', (storage) => {
      if (sizeOf(out.shape) === 0) return;
      // Object.assign, not a spread: V8 (Node 20) builds a spread of g plus its fields many times slower.
      backend.conv2d(Object.assign({}, g, { x: storageOf(x, 'conv2d'), filter: storageOf(filter, 'conv2d'), out: storage,
        bias: bias ? storageOf(bias, 'conv2d') : null, activation, alpha,
      }));
    })],
  },
  compose: ([x, filter, bias], attrs) => {
    const { g } = attrs;
    const k = taps(g) * g.inChannels;
    const z = matMul(reshape(im2col(x, g), [rows(g), k]), reshape(filter, [k, g.outChannels]));
    return [epilogue(reshape(z, yShapeOf(g)), bias, attrs)];
  },
  save: { inputs: [0, 1], outputs: [0] },
  grad: ([dy], [x, filter, y], attrs, needs) => {
    const dz = epilogueGrad(dy, y, attrs);
    return [
      needs[0] ? conv2dBackpropInput(dz, filter, attrs.g) : null,
      needs[1] ? conv2dBackpropFilter(x, dz, attrs.g) : null,
      needs[2] ? sum(dz, [0, 1, 2]) : null,
    ];
  },
});

const BACKPROP_INPUT = register<BackpropAttrs>({
  name: 'conv2dBackpropInput',
  inputs: ['dy', 'filter'],
  infer([dy, filter], { g }) {
    expect('conv2dBackpropInput', 'dy', dy, yShapeOf(g));
    expect('conv2dBackpropInput', 'filter', filter, filterShapeOf(g));
    return spec(xShapeOf(g), 'float32');
  },
  kernel: {
    available: (backend) => hasKernel(backend, 'conv2dBackpropInput'),
    run: (backend, [dy, filter], { g }, [out]) => [produce(out.shape, 'float32', (storage) => {
      if (sizeOf(out.shape) === 0) return;
      backend.conv2dBackpropInput(Object.assign({}, g, { dy: storageOf(dy, 'conv2dBackpropInput'), filter: storageOf(filter, 'conv2dBackpropInput'), dx: storage }));
    })],
  },
  compose: ([dy, filter], { g }) => {
    const k = taps(g) * g.inChannels;
    const cols = matMul(reshape(dy, [rows(g), g.outChannels]), reshape(filter, [k, g.outChannels]), false, true);
    return [col2im(reshape(cols, [g.batch, g.outHeight, g.outWidth, k]), g, g.inChannels)];
  },
  save: { inputs: [0, 1] },
  // dx = B(dy, filter) is linear in each: d/d(dy) is the forward, d/d(filter) the filter gradient.
  grad: ([ddx], [dy, filter], { g }, needs) => [
    needs[0] ? conv2dRaw(ddx, filter, g) : null,
    needs[1] ? conv2dBackpropFilter(ddx, dy, g) : null,
  ],
});

const BACKPROP_FILTER = register<BackpropAttrs>({
  name: 'conv2dBackpropFilter',
  inputs: ['x', 'dy'],
  infer([x, dy], { g }) {
    expect('conv2dBackpropFilter', 'x', x, xShapeOf(g));
    expect('conv2dBackpropFilter', 'dy', dy, yShapeOf(g));
    return spec(filterShapeOf(g), 'float32');
  },
  kernel: {
    available: (backend) => hasKernel(backend, 'conv2dBackpropFilter'),
    run: (backend, [x, dy], { g }, [out]) => [produce(out.shape, 'float32', (storage) => {
      if (sizeOf(out.shape) === 0) return;
      backend.conv2dBackpropFilter(Object.assign({}, g, { x: storageOf(x, 'conv2dBackpropFilter'), dy: storageOf(dy, 'conv2dBackpropFilter'), dFilter: storage, accumulate: false }));
    })],
  },
  compose: ([x, dy], { g }) => {
    const k = taps(g) * g.inChannels;
    const dFilter = matMul(reshape(im2col(x, g), [rows(g), k]), reshape(dy, [rows(g), g.outChannels]), true, false);
    return [reshape(dFilter, filterShapeOf(g))];
  },
  save: { inputs: [0, 1] },
  grad: ([ddFilter], [x, dy], { g }, needs) => [
    needs[0] ? conv2dBackpropInput(dy, ddFilter, g) : null,
    needs[1] ? conv2dRaw(x, ddFilter, g) : null,
  ],
});

/** The 'conv2d' op on NHWC operands of a known geometry (no bias, linear). */
export function conv2dRaw(x: Tensor, filter: Tensor, g: ConvGeometry): Tensor {
  return run1(CONV2D, [x, filter], { g, ...LINEAR });
}
/** dx of a convolution of geometry g, from dy (the 'conv2dBackpropInput' op). */
export function conv2dBackpropInput(dy: Tensor, filter: Tensor, g: ConvGeometry): Tensor {
  return run1(BACKPROP_INPUT, [dy, filter], { g });
}
/** dFilter of a convolution of geometry g (the 'conv2dBackpropFilter' op). */
export function conv2dBackpropFilter(x: Tensor, dy: Tensor, g: ConvGeometry): Tensor {
  return run1(BACKPROP_FILTER, [x, dy], { g });
}

export interface Conv2DCall {
  op: string;
  x: Tensor;
  filter: Tensor;
  strides: Pair;
  pad: ConvPadding;
  dataFormat: DataFormat;
  dilations: Pair;
  dimRoundingMode?: DimRoundingMode;
}

/**
 * Checks a conv2d call (or, with `depthwise`, a depthwiseConv2d call) as TF.js does, naming the op
 * and the values, and returns its geometry on the NHWC image (x of rank 3 counts as a batch of one).
 */
export function conv2dGeometry(c: Conv2DCall, depthwise = false): ConvGeometry {
  const { op, x, filter } = c;
  checkImage(op, x);
  if (filter.rank !== 4) {
    throw new Error(`${op}: filter must be rank 4 [filterHeight, filterWidth, inChannels, ${depthwise ? 'channelMultiplier' : 'outChannels'}]; ` +
      `received filter ${describe(filter)}`);
  }
  checkFloat32(op, 'x', x);
  checkFloat32(op, 'filter', filter);
  const dataFormat = checkDataFormat(op, c.dataFormat);
  checkStridesAndDilations(op, c.strides, c.dilations);
  checkRounding(op, c.pad, c.dimRoundingMode);
  const x4 = x.rank === 4 ? x.shape : [1, ...x.shape];
  const nhwc = dataFormat === 'NCHW' ? [x4[0], x4[2], x4[3], x4[1]] : x4;
  if (nhwc[3] !== filter.shape[2]) {
    throw new Error(`${op}: x has ${nhwc[3]} input channels (${dataFormat} shape [${x.shape}]) but the filter` + (depthwise
      ? `'s inChannels dim is ${filter.shape[2]} (filter shape [${filter.shape}])`
      : ` expects ${filter.shape[2]} (filter shape [${filter.shape}], HWIO)`));
  }
  return checkFits(op, convGeometry({
    op, xShape: nhwc, filterHeight: filter.shape[0], filterWidth: filter.shape[1],
    outChannels: depthwise ? nhwc[3] * filter.shape[3] : filter.shape[3],
    strides: c.strides, dilations: c.dilations, pad: padToNHWC(c.pad, dataFormat), dimRoundingMode: c.dimRoundingMode,
  }), c.pad);
}

/** Runs `f` on x as an NHWC batch; returns its result in x's rank and data format. */
export function asNHWC(x: Tensor, dataFormat: DataFormat, f: (x4: Tensor) => Tensor): Tensor {
  return ENGINE.tidy(() => {
    const x4 = x.rank === 4 ? x : reshape(x, [1, ...x.shape]);
    const y4 = fromNHWC(f(toNHWC(x4, dataFormat)), dataFormat);
    return x.rank === 4 ? y4 : reshape(y4, y4.shape.slice(1));
  });
}

/**
 * The 2-D convolution of x ([batch, height, width, inChannels], or [height, width,
 * inChannels]; NCHW with `dataFormat`) with an HWIO filter [filterHeight, filterWidth,
 * inChannels, outChannels] (tf.conv2d). pad: 'same', 'valid', a number, or explicit
 * [[0, 0], [top, bottom], [left, right], [0, 0]]; strides and dilations may not both exceed 1.
 */
export function conv2d(x: Input, filter: Input, strides: Pair, pad: ConvPadding, dataFormat: DataFormat = 'NHWC',
  dilations: Pair = [1, 1], dimRoundingMode?: DimRoundingMode): Tensor {
  if (!(x instanceof Tensor && filter instanceof Tensor)) {
    return withInputs('conv2d', [['x', x, 'float32'], ['filter', filter, 'float32']],
      ([a, b]) => conv2d(a, b, strides, pad, dataFormat, dilations, dimRoundingMode));
  }
  const g = conv2dGeometry({ op: 'conv2d', x, filter, strides, pad, dataFormat, dilations, dimRoundingMode });
  return asNHWC(x, dataFormat, (x4) => conv2dRaw(x4, filter, g));
}

/**
 * The transposed convolution (tf.conv2dTranspose): the input gradient of a conv2d whose
 * input has `outputShape`, applied to x. filter is [filterHeight, filterWidth, outChannels,
 * inChannels]; x is [batch, height, width, inChannels] (or rank 3).
 */
export function conv2dTranspose(x: Input, filter: Input, outputShape: [number, number, number, number] | [number, number, number],
  strides: Pair, pad: ConvPadding, dimRoundingMode?: DimRoundingMode): Tensor {
  const op = 'conv2dTranspose';
  if (!(x instanceof Tensor && filter instanceof Tensor)) {
    return withInputs(op, [['x', x, 'float32'], ['filter', filter, 'float32']],
      ([a, b]) => conv2dTranspose(a, b, outputShape, strides, pad, dimRoundingMode));
  }
  checkImage(op, x);
  if (!Array.isArray(outputShape) || outputShape.length !== x.rank || outputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${op}: outputShape must list ${x.rank} positive integers (x is rank ${x.rank}); received outputShape=${JSON.stringify(outputShape)}`);
  }
  if (filter.rank !== 4) throw new Error(`${op}: filter must be rank 4 [filterHeight, filterWidth, outChannels, inChannels]; received filter ${describe(filter)}`);
  checkFloat32(op, 'x', x);
  checkFloat32(op, 'filter', filter);
  checkStridesAndDilations(op, strides, 1);
  checkRounding(op, pad, dimRoundingMode);
  const out4 = outputShape.length === 4 ? outputShape : [1, ...outputShape];
  const x4 = x.rank === 4 ? x.shape : [1, ...x.shape];
  if (out4[3] !== filter.shape[2] || x4[3] !== filter.shape[3]) {
    throw new Error(`${op}: the filter [${filter.shape}] maps ${filter.shape[3]} input channels to ${filter.shape[2]} output channels; ` +
      `received x ${describe(x)} (${x4[3]} channels) and outputShape [${outputShape}] (${out4[3]} channels)`);
  }
  if (out4[0] !== x4[0]) throw new Error(`${op}: outputShape's batch ${out4[0]} differs from x's ${x4[0]}`);
  const g = convGeometry({
    op, xShape: out4, filterHeight: filter.shape[0], filterWidth: filter.shape[1], outChannels: filter.shape[3],
    strides, pad, dimRoundingMode,
  });
  if (g.outHeight !== x4[1] || g.outWidth !== x4[2]) {
    throw new Error(`${op}: a conv2d of the outputShape [${outputShape}] with this filter, strides=${JSON.stringify(strides)} and ` +
      `pad=${JSON.stringify(pad)} gives ${g.outHeight} x ${g.outWidth} pixels, but x ${describe(x)} has ${x4[1]} x ${x4[2]}`);
  }
  return asNHWC(x, 'NHWC', (dy) => conv2dBackpropInput(dy, filter, g));
}

/**
 * The 1-D convolution (tf.conv1d): x [batch, width, inChannels] (or [width, inChannels]) with
 * a filter [filterWidth, inChannels, outChannels]; conv2d on a single row. Only 'NWC'.
 */
export function conv1d(x: Input, filter: Input, stride: number, pad: ConvPadding, dataFormat: 'NWC' | 'NCW' = 'NWC',
  dilation = 1, dimRoundingMode?: DimRoundingMode): Tensor {
  const op = 'conv1d';
  if (!(x instanceof Tensor && filter instanceof Tensor)) {
    return withInputs(op, [['x', x, 'float32'], ['filter', filter, 'float32']],
      ([a, b]) => conv1d(a, b, stride, pad, dataFormat, dilation, dimRoundingMode));
  }
  if (x.rank !== 3 && x.rank !== 2) throw new Error(`${op}: x must be rank 3 [batch, width, inChannels] (or 2); received x ${describe(x)}`);
  if (filter.rank !== 3) throw new Error(`${op}: filter must be rank 3 [filterWidth, inChannels, outChannels]; received filter ${describe(filter)}`);
  if (dataFormat !== 'NWC') throw new Error(`${op}: dataFormat must be 'NWC' (as TF.js, which has no NCW conv1d); received ${JSON.stringify(dataFormat)}`);
  checkFloat32(op, 'x', x);
  checkFloat32(op, 'filter', filter);
  checkStridesAndDilations(op, stride, dilation);
  checkRounding(op, pad, dimRoundingMode);
  const channels = x.shape[x.rank - 1];
  if (channels !== filter.shape[1]) {
    throw new Error(`${op}: x has ${channels} input channels (shape [${x.shape}]) but the filter expects ${filter.shape[1]} (filter shape [${filter.shape}])`);
  }
  // A number pads the width only (TF.js's pads the added height too, and then fails its reshape).
  const pad2: ConvPadding = typeof pad === 'number' ? [[0, 0], [0, 0], [pad, pad], [0, 0]] : pad;
  return ENGINE.tidy(() => {
    const x3 = x.rank === 3 ? x : reshape(x, [1, ...x.shape]);
    const y = conv2d(reshape(x3, [x3.shape[0], 1, x3.shape[1], x3.shape[2]]), reshape(filter, [1, ...filter.shape]),
      [1, stride], pad2, 'NHWC', [1, dilation], dimRoundingMode);
    return reshape(y, x.rank === 3 ? [y.shape[0], y.shape[2], y.shape[3]] : [y.shape[2], y.shape[3]]);
  });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    conv2d(filter: Input, strides: Pair, pad: ConvPadding, dataFormat?: DataFormat, dilations?: Pair, dimRoundingMode?: DimRoundingMode): Tensor;
    conv2dTranspose(filter: Input, outputShape: [number, number, number, number] | [number, number, number], strides: Pair,
      pad: ConvPadding, dimRoundingMode?: DimRoundingMode): Tensor;
    conv1d(filter: Input, stride: number, pad: ConvPadding, dataFormat?: 'NWC' | 'NCW', dilation?: number, dimRoundingMode?: DimRoundingMode): Tensor;
  }
}
chain({
  conv2d(filter: Input, strides: Pair, pad: ConvPadding, dataFormat?: DataFormat, dilations?: Pair, dimRoundingMode?: DimRoundingMode) {
    return conv2d(this, filter, strides, pad, dataFormat, dilations, dimRoundingMode);
  },
  conv2dTranspose(filter: Input, outputShape: [number, number, number, number] | [number, number, number], strides: Pair,
    pad: ConvPadding, dimRoundingMode?: DimRoundingMode) {
    return conv2dTranspose(this, filter, outputShape, strides, pad, dimRoundingMode);
  },
  conv1d(filter: Input, stride: number, pad: ConvPadding, dataFormat?: 'NWC' | 'NCW', dilation?: number, dimRoundingMode?: DimRoundingMode) {
    return conv1d(this, filter, stride, pad, dataFormat, dilation, dimRoundingMode);
  },
});
