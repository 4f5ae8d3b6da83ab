/**
 * conv3d and conv3dTranspose (NDHWC, TF.js's signatures). The kernel contract has no 3-D
 * convolution, so both are compositions on every backend, recorded op by op (grad
 * 'composed'): im2col over the depth, height and width taps (pad, strided slices, concat)
 * and one matMul; the transpose is one matMul and the taps summed back (col2im).
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { addN } from '../math/activations.js';
import { matMul } from '../linalg/matmul.js';
import { register, run1, spec } from '../registry.js';
import { pad as padOp } from '../structure/rearrange.js';
import { concat, reshape, slice } from '../structure/shape.js';
import { describe } from '../util.js';
import { checkFloat32 } from './args.js';
import { convGeometry } from './geometry.js';

type Triple = number | [number, number, number];

/** Per axis (depth, height, width): sizes, filter, stride, dilation and padding. */
interface Axis { size: number; out: number; filter: number; stride: number; dilation: number; before: number; after: number }
interface Geometry3D { batch: number; inChannels: number; outChannels: number; axes: [Axis, Axis, Axis] }

const tripleOf = (v: Triple): [number, number, number] => (typeof v === 'number' ? [v, v, v] : v);

function checkTriple(op: string, name: string, value: Triple): [number, number, number] {
  const ok = (typeof value === 'number' || (Array.isArray(value) && value.length === 3)) &&
    tripleOf(value).every((v) => Number.isInteger(v) && v >= 1);
  if (!ok) throw new Error(`${op}: ${name} must be a positive integer or three of them; received ${name}=${JSON.stringify(value)}`);
  return tripleOf(value);
}

/** TF.js's computeConv3DInfo for 'same' / 'valid' (one convGeometry per pair of axes). */
function geometry3d(op: string, xShape: readonly number[], filterShape: readonly number[], outChannels: number,
  strides: Triple, pad: 'same' | 'valid', dilations: Triple): Geometry3D {
  const [sd, sh, sw] = checkTriple(op, 'strides', strides);
  const [dd, dh, dw] = checkTriple(op, 'dilations', dilations);
  if ([sd, sh, sw].some((s) => s > 1) && [dd, dh, dw].some((d) => d > 1)) {
    throw new Error(`${op}: strides and dilations cannot both be above 1 (as TF.js); received strides=${JSON.stringify(strides)} and dilations=${JSON.stringify(dilations)}`);
  }
  if (pad !== 'same' && pad !== 'valid') throw new Error(`${op}: pad must be 'same' or 'valid' (as TF.js); received pad=${JSON.stringify(pad)}`);
  const [batch, d, h, w, c] = xShape;
  const [fd, fh, fw] = filterShape;
  const depthHeight = convGeometry({ op, xShape: [batch, d, h, c], filterHeight: fd, filterWidth: fh, outChannels, strides: [sd, sh], dilations: [dd, dh], pad });
  const width = convGeometry({ op, xShape: [batch, h, w, c], filterHeight: fh, filterWidth: fw, outChannels, strides: [sh, sw], dilations: [dh, dw], pad });
  const axes: [Axis, Axis, Axis] = [
    { size: d, out: depthHeight.outHeight, filter: fd, stride: sd, dilation: dd, before: depthHeight.padTop, after: depthHeight.padBottom },
    { size: h, out: depthHeight.outWidth, filter: fh, stride: sh, dilation: dh, before: depthHeight.padLeft, after: depthHeight.padRight },
    { size: w, out: width.outWidth, filter: fw, stride: sw, dilation: dw, before: width.padLeft, after: width.padRight },
  ];
  for (const a of axes) {
    const effective = (a.filter - 1) * a.dilation + 1;
    if (effective > a.before + a.size + a.after) {
      throw new Error(`${op}: the filter [${filterShape.slice(0, 3)}] (${effective} taps with dilations) does not fit the padded ` +
        `input [${xShape.slice(1, 4)}] (pad='${pad}'); use a smaller filter or 'same'`);
    }
  }
  return { batch, inChannels: c, outChannels, axes };
}

/** The padded extent of an axis: x at `before`, every tap's strided block inside. */
const extent = (a: Axis) => Math.max(a.before + a.size, (a.filter - 1) * a.dilation + a.out * a.stride);
const outShape = (g: Geometry3D, channels: number) => [g.batch, ...g.axes.map((a) => a.out), channels];
const inShape = (g: Geometry3D, channels: number) => [g.batch, ...g.axes.map((a) => a.size), channels];
const rows = (g: Geometry3D) => g.batch * g.axes.reduce((n, a) => n * a.out, 1);
const tapList = (g: Geometry3D) => {
  const out: [number, number, number][] = [];
  for (let z = 0; z < g.axes[0].filter; z++) for (let y = 0; y < g.axes[1].filter; y++) for (let x = 0; x < g.axes[2].filter; x++) out.push([z, y, x]);
  return out;
};
const strided = (g: Geometry3D) => g.axes.some((a) => a.stride > 1);

function im2col3d(x: Tensor, g: Geometry3D): Tensor {
  const c = g.inChannels;
  const xp = padOp(x, [[0, 0], ...g.axes.map((a): [number, number] => [a.before, extent(a) - a.before - a.size]), [0, 0]]);
  const taps = tapList(g).map((t) => {
    const block = slice(xp, [0, ...t.map((f, i) => f * g.axes[i].dilation), 0], [g.batch, ...g.axes.map((a) => a.out * a.stride), c]);
    if (!strided(g)) return block;
    const split = reshape(block, [g.batch, ...g.axes.flatMap((a) => [a.out, a.stride]), c]);
    return reshape(slice(split, new Array<number>(8).fill(0), [g.batch, ...g.axes.flatMap((a) => [a.out, 1]), c]), outShape(g, c));
  });
  return taps.length === 1 ? taps[0] : concat(taps, 4);
}

function col2im3d(cols: Tensor, g: Geometry3D, c: number): Tensor {
  const images = tapList(g).map((t, k) => {
    let block = slice(cols, [0, 0, 0, 0, k * c], outShape(g, c));
    if (strided(g)) {
      const holes = padOp(reshape(block, [g.batch, ...g.axes.flatMap((a) => [a.out, 1]), c]),
        [[0, 0], ...g.axes.flatMap((a): [number, number][] => [[0, 0], [0, a.stride - 1]]), [0, 0]]);
      block = reshape(holes, [g.batch, ...g.axes.map((a) => a.out * a.stride), c]);
    }
    return padOp(block, [[0, 0], ...g.axes.map((a, i): [number, number] => {
      const start = t[i] * a.dilation;
      return [start, extent(a) - start - a.out * a.stride];
    }), [0, 0]]);
  });
  const total = images.length === 1 ? images[0] : addN(images);
  return slice(total, [0, ...g.axes.map((a) => a.before), 0], inShape(g, c));
}

/** An operand of the internal ops against the geometry (the public functions check first, naming the values). */
function expectShape(op: string, name: string, t: Tensor, shape: number[]): void {
  checkFloat32(op, name, t);
  if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${op}: '${name}' must have shape [${shape}] for this geometry; received ${describe(t)}`);
  }
}
const filterShape = (g: Geometry3D) => [...g.axes.map((a) => a.filter), g.inChannels, g.outChannels];

const CONV3D = register<{ g: Geometry3D }>({
  name: 'conv3d',
  inputs: ['x', 'filter'],
  infer([x, filter], { g }) {
    expectShape('conv3d', 'x', x, inShape(g, g.inChannels));
    expectShape('conv3d', 'filter', filter, filterShape(g));
    return spec(outShape(g, g.outChannels), 'float32');
  },
  compose: ([x, filter], { g }) => {
    const k = tapList(g).length * g.inChannels;
    return [reshape(matMul(reshape(im2col3d(x, g), [rows(g), k]), reshape(filter, [k, g.outChannels])), outShape(g, g.outChannels))];
  },
  grad: 'composed',
});

const CONV3D_TRANSPOSE = register<{ g: Geometry3D }>({
  name: 'conv3dTranspose',
  inputs: ['x', 'filter'],
  infer([x, filter], { g }) {
    expectShape('conv3dTranspose', 'x', x, outShape(g, g.outChannels));
    expectShape('conv3dTranspose', 'filter', filter, filterShape(g));
    return spec(inShape(g, g.inChannels), 'float32');
  },
  compose: ([dy, filter], { g }) => {
    const k = tapList(g).length * g.inChannels;
    const cols = matMul(reshape(dy, [rows(g), g.outChannels]), reshape(filter, [k, g.outChannels]), false, true);
    return [col2im3d(reshape(cols, [...outShape(g, k)]), g, g.inChannels)];
  },
  grad: 'composed',
});

function checkVolume(op: string, x: Tensor, filter: Tensor): void {
  if (x.rank !== 5 && x.rank !== 4) throw new Error(`${op}: x must be rank 5 [batch, depth, height, width, channels] (or 4); received x ${describe(x)}`);
  if (filter.rank !== 5) throw new Error(`${op}: filter must be rank 5; received filter ${describe(filter)}`);
  checkFloat32(op, 'x', x);
  checkFloat32(op, 'filter', filter);
}

/**
 * The 3-D convolution (tf.conv3d): x [batch, depth, height, width, inChannels] (or rank 4)
 * with a filter [filterDepth, filterHeight, filterWidth, inChannels, outChannels]; pad
 * 'same' or 'valid'; NDHWC only, as TF.js.
 */
export function conv3d(x: Input, filter: Input, strides: Triple, pad: 'valid' | 'same', dataFormat: 'NDHWC' | 'NCDHW' = 'NDHWC',
  dilations: Triple = [1, 1, 1]): Tensor {
  const op = 'conv3d';
  if (!(x instanceof Tensor && filter instanceof Tensor)) {
    return withInputs(op, [['x', x, 'float32'], ['filter', filter, 'float32']], ([a, b]) => conv3d(a, b, strides, pad, dataFormat, dilations));
  }
  checkVolume(op, x, filter);
  if (dataFormat !== 'NDHWC') throw new Error(`${op}: dataFormat must be 'NDHWC' (as TF.js); received ${JSON.stringify(dataFormat)}`);
  const x5 = x.rank === 5 ? x.shape : [1, ...x.shape];
  if (x5[4] !== filter.shape[3]) {
    throw new Error(`${op}: x has ${x5[4]} input channels (shape [${x.shape}]) but the filter expects ${filter.shape[3]} (filter shape [${filter.shape}])`);
  }
  const g = geometry3d(op, x5, filter.shape, filter.shape[4], strides, pad, dilations);
  if (x.rank === 5) return run1(CONV3D, [x, filter], { g });
  return ENGINE.tidy(() => reshape(run1(CONV3D, [reshape(x, x5), filter], { g }), outShape(g, g.outChannels).slice(1)));
}

/**
 * The transposed 3-D convolution (tf.conv3dTranspose): the input gradient of a conv3d whose
 * input has `outputShape`, applied to x; filter [depth, height, width, outChannels, inChannels].
 */
export function conv3dTranspose(x: Input, filter: Input, outputShape: [number, number, number, number, number] | [number, number, number, number],
  strides: Triple, pad: 'valid' | 'same'): Tensor {
  const op = 'conv3dTranspose';
  if (!(x instanceof Tensor && filter instanceof Tensor)) {
    return withInputs(op, [['x', x, 'float32'], ['filter', filter, 'float32']], ([a, b]) => conv3dTranspose(a, b, outputShape, strides, pad));
  }
  checkVolume(op, x, filter);
  if (!Array.isArray(outputShape) || outputShape.length !== x.rank || outputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${op}: outputShape must list ${x.rank} positive integers (x is rank ${x.rank}); received outputShape=${JSON.stringify(outputShape)}`);
  }
  const out5 = outputShape.length === 5 ? outputShape : [1, ...outputShape];
  const x5 = x.rank === 5 ? x.shape : [1, ...x.shape];
  if (out5[4] !== filter.shape[3] || x5[4] !== filter.shape[4] || out5[0] !== x5[0]) {
    throw new Error(`${op}: the filter [${filter.shape}] maps ${filter.shape[4]} input channels to ${filter.shape[3]}; ` +
      `received x ${describe(x)} and outputShape [${outputShape}]`);
  }
  const g = geometry3d(op, out5, filter.shape, filter.shape[4], strides, pad, 1);
  const got = outShape(g, g.outChannels);
  if (got.some((d, i) => d !== x5[i])) {
    throw new Error(`${op}: a conv3d of the outputShape [${outputShape}] with this filter, strides=${JSON.stringify(strides)} and ` +
      `pad='${pad}' gives [${got}], but x is [${x5}]`);
  }
  if (x.rank === 5) return run1(CONV3D_TRANSPOSE, [x, filter], { g });
  return ENGINE.tidy(() => reshape(run1(CONV3D_TRANSPOSE, [reshape(x, x5), filter], { g }), inShape(g, g.inChannels).slice(1)));
}
