/**
 * tf.image's movement ops, written as gathers and elementwise blends along the height and
 * width axes (so their gradients are the gathers' segment sums): resizeBilinear,
 * resizeNearestNeighbor (TF.js's alignCorners / halfPixelCenters rules), flipLeftRight,
 * grayscaleToRGB, rgbToGrayscale. Source rows and columns are computed from the shapes
 * alone, on the CPU; no image value is read back.
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { add, div, greater, lessEqual, mul, sub, where } from '../math/binary.js';
import { tensor } from '../creation.js';
import { bincount, gather, unsortedSegmentSum } from '../indexing/gather-scatter.js';
import { register, run1, spec, type OpDef } from '../registry.js';
import { hasKernel } from '../../backends/backend.js';
import { cropAndResize, rotateWithOffset, transform } from './warp.js';
import {
  nonMaxSuppression, nonMaxSuppressionAsync, nonMaxSuppressionPadded, nonMaxSuppressionPaddedAsync, nonMaxSuppressionWithScore,
  nonMaxSuppressionWithScoreAsync,
} from './non-max-suppression.js';
import { argMax, max, sum } from '../reduce/reduce.js';
import { round } from '../math/elementary.js';
import { cumsum } from '../reduce/scan.js';
import { cast, reshape, slice } from '../structure/shape.js';
import { reverse, tile } from '../structure/rearrange.js';
import { chain, checkAllocation, checkTensor, describe, produce, refuseComplex, storageOf } from '../util.js';

interface ResizeOptions { alignCorners: boolean; halfPixelCenters: boolean }

function checkResize(op: string, images: Tensor, size: [number, number], { alignCorners, halfPixelCenters }: ResizeOptions): void {
  checkTensor(op, 'images', images);
  refuseComplex(op, 'images', images);
  if (images.rank !== 3 && images.rank !== 4) throw new Error(`${op}: images must have rank 3 or 4; received ${describe(images)}`);
  if (!Array.isArray(size) || size.length !== 2 || size.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${op}: size must be [newHeight, newWidth] of positive integers; received ${JSON.stringify(size)}`);
  }
  if (alignCorners && halfPixelCenters) throw new Error(`${op}: alignCorners and halfPixelCenters cannot both be true`);
  // Before the sample positions along each axis are computed in JavaScript.
  const [height, width] = size;
  checkAllocation(op, images.rank === 4 ? [images.shape[0], height, width, images.shape[3]] : [height, width, images.shape[2]], 'float32');
  checkAllocation(op, [height], 'int32', 'row positions', true);
  checkAllocation(op, [width], 'int32', 'column positions', true);
}

/** The input size over the output size along one axis, as TF.js computes it. */
function ratio(input: number, output: number, alignCorners: boolean): number {
  return alignCorners && output > 1 ? (input - 1) / (output - 1) : input / output;
}

/** Runs `f` on images as [batch, h, w, c] and gives the result back its rank. */
function batched(images: Tensor, f: (x: Tensor) => Tensor): Tensor {
  return ENGINE.tidy(() => {
    const x = images.rank === 3 ? reshape(images, [1, ...images.shape]) : images;
    const y = f(x.dtype === 'float32' ? x : cast(x, 'float32'));
    return images.rank === 3 ? reshape(y, y.shape.slice(1)) : y;
  });
}

const ints = (values: Int32Array) => tensor(values, [values.length], 'int32');

/** Per output position along an axis of `old` samples: the low and high source index and the float32 fraction. */
function linearTaps(old: number, length: number, { alignCorners, halfPixelCenters }: ResizeOptions) {
  const scale = ratio(old, length, alignCorners);
  const floors = new Int32Array(length), ceils = new Int32Array(length), fractions = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const source = halfPixelCenters ? scale * (i + 0.5) - 0.5 : scale * i;
    const floor = Math.max(0, Math.floor(source));
    floors[i] = floor;
    ceils[i] = Math.min(old - 1, Math.ceil(source));
    fractions[i] = source - floor;
  }
  return { floors, ceils, fractions };
}

/** The fractions as a tensor broadcasting along `axis` of a rank-`rank` tensor. */
function fractionsAlong(fractions: Float32Array, axis: number, rank: number): Tensor {
  return tensor(fractions, Array.from({ length: rank }, (_, i) => (i === axis ? fractions.length : 1)), 'float32');
}

/** Linear interpolation along `axis` (1: rows, 2: columns) to `length` positions. */
function lerpAxis(x: Tensor, axis: number, length: number, options: ResizeOptions): Tensor {
  const { floors, ceils, fractions } = linearTaps(x.shape[axis], length, options);
  const low = gather(x, ints(floors), axis);
  const high = gather(x, ints(ceils), axis);
  return add(low, mul(sub(high, low), fractionsAlong(fractions, axis, x.rank)));
}

/** Sums g's positions along `axis` into `old` positions, position i into index[i] (a gather's gradient). */
function scatterAxis(g: Tensor, axis: number, index: Int32Array, old: number): Tensor {
  const outer = g.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = g.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const length = index.length, rows = new Int32Array(outer * length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < length; i++) rows[o * length + i] = o * old + index[i];
  const summed = unsortedSegmentSum(reshape(g, [outer * length, inner]), ints(rows), outer * old);
  return reshape(summed, g.shape.map((d, i) => (i === axis ? old : d)));
}

/** lerpAxis's gradient: dy (1 - f) to the low index, dy f to the high one. */
function lerpAxisGrad(dy: Tensor, axis: number, old: number, options: ResizeOptions): Tensor {
  const { floors, ceils, fractions } = linearTaps(old, dy.shape[axis], options);
  const high = mul(dy, fractionsAlong(fractions, axis, dy.rank));
  return add(scatterAxis(sub(dy, high), axis, floors, old), scatterAxis(high, axis, ceils, old));
}

function nearest(old: number, length: number, { alignCorners, halfPixelCenters }: ResizeOptions): Int32Array {
  const scale = ratio(old, length, alignCorners);
  return Int32Array.from({ length }, (_, i) => {
    const source = halfPixelCenters ? scale * (i + 0.5) : scale * i;
    const at = Math.min(old - 1, alignCorners ? Math.round(source) : Math.floor(source));
    return halfPixelCenters ? Math.max(0, at) : at;
  });
}

/** `inShape`: the input's shape, for the gradient (so nothing is saved). */
interface ResizeAttrs extends ResizeOptions { size: [number, number]; inShape: readonly number[] }

/**
 * The two resizes as ops on float32 [batch, h, w, c]: the backend's `resize` kernel where it
 * has one (one pass; all three backends have it, bit for bit the composition's values), else the
 * composition of gathers and blends; either way the gradient is written with ops (segment sums
 * of the gathers' rows).
 */
function resizeOp(method: 'bilinear' | 'nearest', name: string, compose: (x: Tensor, attrs: ResizeAttrs) => Tensor,
  grad: (dy: Tensor, inShape: readonly number[], attrs: ResizeAttrs) => Tensor): OpDef<ResizeAttrs> {
  return register<ResizeAttrs>({
    name,
    inputs: ['images'],
    infer: ([x], { size }) => {
      if (x.rank !== 4 || x.dtype !== 'float32') throw new Error(`${name}: images must be float32 of rank 4; received ${describe(x)}`);
      return spec([x.shape[0], size[0], size[1], x.shape[3]], 'float32');
    },
    kernel: {
      available: (backend) => hasKernel(backend, 'resize'),
      run: (backend, [x], { size, alignCorners, halfPixelCenters }, [out]) => [produce(out.shape, 'float32', (o) => backend.resize({
        method, x: storageOf(x, name), out: o, batch: x.shape[0], inHeight: x.shape[1], inWidth: x.shape[2], channels: x.shape[3],
        outHeight: size[0], outWidth: size[1], alignCorners, halfPixelCenters,
      }))],
    },
    compose: ([x], attrs) => [ENGINE.tidy(() => compose(x, attrs))],
    grad: ([dy], _, attrs) => [grad(dy, attrs.inShape, attrs)],
  });
}

const RESIZE_BILINEAR = resizeOp('bilinear', 'resizeBilinear',
  // Columns first, then rows: TF.js's order of the two blends.
  (x, attrs) => lerpAxis(lerpAxis(x, 2, attrs.size[1], attrs), 1, attrs.size[0], attrs),
  (dy, [, h, w], attrs) => lerpAxisGrad(lerpAxisGrad(dy, 1, h, attrs), 2, w, attrs));

const RESIZE_NEAREST = resizeOp('nearest', 'resizeNearestNeighbor',
  (x, attrs) => gather(gather(x, ints(nearest(x.shape[1], attrs.size[0], attrs)), 1), ints(nearest(x.shape[2], attrs.size[1], attrs)), 2),
  (dy, [, h, w], attrs) => scatterAxis(scatterAxis(dy, 2, nearest(w, attrs.size[1], attrs), w), 1, nearest(h, attrs.size[0], attrs), h));

/** tf.image.resizeBilinear(images, size, alignCorners = false, halfPixelCenters = false). */
export function resizeBilinear(images: Input, size: [number, number], alignCorners = false, halfPixelCenters = false): Tensor {
  if (!(images instanceof Tensor)) return withInputs('resizeBilinear', [['images', images]], ([t]) => resizeBilinear(t, size, alignCorners, halfPixelCenters));
  const options = { alignCorners, halfPixelCenters };
  checkResize('resizeBilinear', images, size, options);
  return batched(images, (x) => run1(RESIZE_BILINEAR, [x], { size: [size[0], size[1]], alignCorners, halfPixelCenters, inShape: x.shape }));
}

/** tf.image.resizeNearestNeighbor(images, size, alignCorners = false, halfPixelCenters = false). */
export function resizeNearestNeighbor(images: Input, size: [number, number], alignCorners = false, halfPixelCenters = false): Tensor {
  if (!(images instanceof Tensor)) return withInputs('resizeNearestNeighbor', [['images', images]], ([t]) => resizeNearestNeighbor(t, size, alignCorners, halfPixelCenters));
  const options = { alignCorners, halfPixelCenters };
  checkResize('resizeNearestNeighbor', images, size, options);
  const keep = images.dtype;
  const result = batched(images, (x) => run1(RESIZE_NEAREST, [x], { size: [size[0], size[1]], alignCorners, halfPixelCenters, inShape: x.shape }));
  if (keep === 'float32') return result;
  try { return cast(result, keep); } finally { result.dispose(); }
}

/** tf.image.flipLeftRight(image): a batch of images [b, h, w, c] mirrored along the width. */
export function flipLeftRight(image: Input): Tensor {
  if (!(image instanceof Tensor)) return withInputs('flipLeftRight', [['image', image, 'float32']], ([t]) => flipLeftRight(t));
  checkTensor('flipLeftRight', 'image', image);
  refuseComplex('flipLeftRight', 'image', image);
  if (image.rank !== 4) throw new Error(`flipLeftRight: image must have rank 4; received ${describe(image)}`);
  if (image.dtype !== 'float32') throw new Error(`flipLeftRight: image must be float32; received ${describe(image)}; cast it first`);
  return reverse(image, 2);
}

/** tf.image.grayscaleToRGB(image): the last axis (size 1) repeated three times. */
export function grayscaleToRGB(image: Input): Tensor {
  if (!(image instanceof Tensor)) return withInputs('grayscaleToRGB', [['image', image]], ([t]) => grayscaleToRGB(t));
  checkTensor('grayscaleToRGB', 'image', image);
  refuseComplex('grayscaleToRGB', 'image', image);
  if (image.rank < 2 || image.shape[image.rank - 1] !== 1) {
    throw new Error(`grayscaleToRGB: image must have rank >= 2 and a last axis of 1; received ${describe(image)}`);
  }
  return tile(image, image.shape.map((_, i) => (i === image.rank - 1 ? 3 : 1)));
}

/** tf.image.rgbToGrayscale(image): 0.2989 R + 0.587 G + 0.114 B, keeping a last axis of 1. */
export function rgbToGrayscale(image: Input): Tensor {
  if (!(image instanceof Tensor)) return withInputs('rgbToGrayscale', [['image', image]], ([t]) => rgbToGrayscale(t));
  checkTensor('rgbToGrayscale', 'image', image);
  refuseComplex('rgbToGrayscale', 'image', image);
  if (image.rank < 2 || image.shape[image.rank - 1] !== 3) {
    throw new Error(`rgbToGrayscale: image must have rank >= 2 and a last axis of 3; received ${describe(image)}`);
  }
  return ENGINE.tidy(() => {
    const x = image.dtype === 'float32' ? image : cast(image, 'float32');
    const gray = sum(mul(x, tensor([0.2989, 0.587, 0.114], [3], 'float32')), -1, true);
    return image.dtype === 'int32' ? cast(gray, 'int32') : gray;
  });
}

/**
 * tf.image.threshold(image, method = 'binary', inverted = false, threshValue = 0.5): an
 * int32 [h, w, 1] of 255 where the grayscale value is above the threshold (at or below it
 * when inverted), else 0. 'binary' thresholds at threshValue * 255; 'otsu' at the bin of a
 * 256-bin histogram that maximizes the between-class variance (the first on ties, -1 when
 * no split separates anything), computed for every bin at once with cumsums.
 */
export function threshold(image: Input, method: 'binary' | 'otsu' = 'binary', inverted = false, threshValue = 0.5): Tensor {
  if (!(image instanceof Tensor)) return withInputs('threshold', [['image', image]], ([t]) => threshold(t, method, inverted, threshValue));
  checkTensor('threshold', 'image', image);
  refuseComplex('threshold', 'image', image);
  if (image.rank !== 3 || (image.shape[2] !== 3 && image.shape[2] !== 1) || image.dtype === 'bool') {
    throw new Error(`threshold: image must be float32 or int32 of shape [h, w, 1 or 3]; received ${describe(image)}`);
  }
  if (method !== 'binary' && method !== 'otsu') throw new Error(`threshold: method must be 'binary' or 'otsu'; received ${String(method)}`);
  return ENGINE.tidy(() => {
    const x = cast(image, 'float32');
    const [h, w] = image.shape;
    const channel = (c: number) => slice(x, [0, 0, c], [h, w, 1]);
    const gray = image.shape[2] === 3
      ? add(add(mul(channel(0), 0.2989), mul(channel(1), 0.587)), mul(channel(2), 0.114)) : x;
    let level: Tensor = tensor([threshValue * 255], [1], 'float32');
    if (method === 'otsu') {
      const total = h * w;
      const histogram = bincount(reshape(cast(round(gray), 'int32'), [total]), tensor([], [0], 'float32'), 256);
      const bins = tensor(Array.from({ length: 256 }, (_, i) => i), [256], 'float32');
      const below = slice(cumsum(histogram), [0], [255]);
      const belowSum = slice(cumsum(mul(histogram, bins)), [0], [255]);
      const above = sub(sum(histogram), below);
      const aboveSum = sub(sum(mul(histogram, bins)), belowSum);
      const gap = sub(div(belowSum, below), div(aboveSum, above));
      const variance = mul(mul(mul(div(below, total), div(above, total)), gap), gap);
      // NaN (an empty class) and 0 never beat the starting best of 0.
      const candidates = where(greater(variance, 0), variance, 0);
      level = reshape(where(greater(max(candidates), 0), cast(argMax(candidates, 0), 'float32'), -1), [1]);
    }
    return cast(mul(cast((inverted ? lessEqual : greater)(gray, level), 'float32'), 255), 'int32');
  });
}

/** The tf.image namespace: movement ops, sampling (image-warp.ts), non-max suppression (nms.ts). */
export const image = {
  resizeBilinear, resizeNearestNeighbor, flipLeftRight, grayscaleToRGB, rgbToGrayscale, cropAndResize, rotateWithOffset, threshold, transform,
  nonMaxSuppression, nonMaxSuppressionAsync, nonMaxSuppressionWithScore, nonMaxSuppressionWithScoreAsync,
  nonMaxSuppressionPadded, nonMaxSuppressionPaddedAsync,
};

declare module '../../core/tensor.js' {
  interface Tensor {
    resizeBilinear(size: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean): Tensor;
    resizeNearestNeighbor(size: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean): Tensor;
  }
}
chain({
  resizeBilinear(size: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean) {
    return resizeBilinear(this, size, alignCorners, halfPixelCenters);
  },
  resizeNearestNeighbor(size: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean) {
    return resizeNearestNeighbor(this, size, alignCorners, halfPixelCenters);
  },
});
