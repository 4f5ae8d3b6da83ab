/**
 * tf.image's sampling ops: cropAndResize and transform (box coordinates and transforms held
 * in tensors, so the sample positions are computed by ops on the backend: nothing is read back) and
 * rotateWithOffset (the angle is a number: its index map is made on the CPU from the shape
 * alone). Both sample by gathering rows of the image viewed as [pixels, channels].
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { add, div, greater, greaterEqual, less, lessEqual, logicalAnd, mul, notEqual, sub, where } from '../math/binary.js';
import { tensor } from '../creation.js';
import { gather } from '../indexing/gather-scatter.js';
import { ceil, floor } from '../math/elementary.js';
import { broadcastTo, cast, reshape, slice } from '../structure/shape.js';
import { clipByValue, neg } from '../math/unary.js';
import { checkAllocation, checkTensor, describe, refuseComplex } from '../util.js';

/** Sample positions along one axis for every box: [numBoxes, count] (TF's crop rule). */
function positions(start: Tensor, end: Tensor, extent: number, count: number): Tensor {
  if (count === 1) return mul(add(start, end), 0.5 * (extent - 1));
  const steps = tensor(Array.from({ length: count }, (_, i) => i), [1, count], 'float32');
  const scale = mul(sub(end, start), (extent - 1) / (count - 1));
  return add(mul(start, extent - 1), mul(steps, scale));
}

/**
 * tf.image.cropAndResize(image, boxes, boxInd, cropSize, method = 'bilinear',
 * extrapolationValue = 0): crops of a batch of images at normalized boxes [y1, x1, y2, x2],
 * each resized to cropSize; samples outside the image take extrapolationValue, and a box
 * whose image index is out of range gives zeros (as TF.js).
 */
export function cropAndResize(image: Input, boxes: Input, boxInd: Input, cropSize: [number, number],
  method: 'bilinear' | 'nearest' = 'bilinear', extrapolationValue = 0): Tensor {
  const op = 'cropAndResize';
  if (!(image instanceof Tensor && boxes instanceof Tensor && boxInd instanceof Tensor)) {
    return withInputs(op, [['image', image], ['boxes', boxes, 'float32'], ['boxInd', boxInd, 'int32']],
      ([i, b, n]) => cropAndResize(i, b, n, cropSize, method, extrapolationValue));
  }
  checkTensor(op, 'image', image);
  checkTensor(op, 'boxes', boxes);
  refuseComplex(op, 'image', image);
  checkTensor(op, 'boxInd', boxInd);
  if (image.rank !== 4) throw new Error(`${op}: image must have rank 4; received ${describe(image)}`);
  if (boxes.rank !== 2 || boxes.shape[1] !== 4) throw new Error(`${op}: boxes must have shape [numBoxes, 4]; received ${describe(boxes)}`);
  if (boxes.dtype !== 'float32') throw new Error(`${op}: boxes must be float32 (normalized [y1, x1, y2, x2]); received ${describe(boxes)}`);
  if (boxInd.dtype !== 'int32' || boxInd.rank !== 1 || boxInd.shape[0] !== boxes.shape[0]) {
    throw new Error(`${op}: boxInd must be int32 of shape [${boxes.shape[0]}]; received ${describe(boxInd)}`);
  }
  if (!Array.isArray(cropSize) || cropSize.length !== 2 || cropSize.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${op}: cropSize must be [height, width] of positive integers; received ${JSON.stringify(cropSize)}`);
  }
  if (method !== 'bilinear' && method !== 'nearest') throw new Error(`${op}: method must be 'bilinear' or 'nearest'; received ${String(method)}`);
  const [batch, height, width, channels] = image.shape;
  const [cropH, cropW] = cropSize;
  const n = boxes.shape[0];
  checkAllocation(op, [n, cropH, cropW, channels], 'float32');
  checkAllocation(op, [cropH], 'float32', 'row positions', true);
  checkAllocation(op, [cropW], 'float32', 'column positions', true);
  return ENGINE.tidy(() => {
    const pixels = reshape(image.dtype === 'float32' ? image : cast(image, 'float32'), [batch * height * width, channels]);
    const box = (k: number) => slice(boxes.dtype === 'float32' ? boxes : cast(boxes, 'float32'), [0, k], [n, 1]);
    const ys = positions(box(0), box(2), height, cropH);            // [n, cropH]
    const xs = positions(box(1), box(3), width, cropW);             // [n, cropW]
    const inside = (p: Tensor, extent: number) => logicalAnd(greaterEqual(p, 0), lessEqual(p, extent - 1));
    const validBox = reshape(logicalAnd(greaterEqual(boxInd, 0), less(boxInd, batch)), [n, 1, 1, 1]);
    const firstRow = reshape(mul(where(reshape(validBox, [n]), boxInd, 0), height), [n, 1, 1]);
    const clampIndex = (p: Tensor, extent: number) => cast(where(inside(p, extent), p, 0), 'int32');
    // The image rows (of channels) at integer positions (row y, column x) of each box.
    const sample = (y: Tensor, x: Tensor) => gather(pixels, reshape(add(mul(add(firstRow, reshape(y, [n, cropH, 1])), width),
      reshape(x, [n, 1, cropW])), [n * cropH * cropW]));
    let values: Tensor;
    if (method === 'nearest') {
      values = sample(clampIndex(floor(add(ys, 0.5)), height), clampIndex(floor(add(xs, 0.5)), width));
    } else {
      const [top, bottom] = [clampIndex(floor(ys), height), clampIndex(ceil(ys), height)];
      const [left, right] = [clampIndex(floor(xs), width), clampIndex(ceil(xs), width)];
      const yLerp = reshape(sub(ys, floor(ys)), [n * cropH, 1]);
      const xLerp = reshape(sub(xs, floor(xs)), [n, 1, cropW, 1]);
      const blend = (a: Tensor, b: Tensor, t: Tensor) => add(a, mul(sub(b, a), t));
      const rowOf = (y: Tensor) => blend(reshape(sample(y, left), [n, cropH, cropW, channels]),
        reshape(sample(y, right), [n, cropH, cropW, channels]), xLerp);
      values = blend(reshape(rowOf(top), [n * cropH, cropW * channels]), reshape(rowOf(bottom), [n * cropH, cropW * channels]), yLerp);
    }
    const valid = logicalAnd(reshape(inside(ys, height), [n, cropH, 1, 1]), reshape(inside(xs, width), [n, 1, cropW, 1]));
    const cropped = where(valid, reshape(values, [n, cropH, cropW, channels]), extrapolationValue);
    return where(validBox, cropped, 0);
  });
}

/**
 * tf.image.rotateWithOffset(image, radians, fillValue = 0, center = 0.5): each image of a
 * batch rotated about center (a fraction of width and height, or [x, y]), nearest pixel;
 * uncovered pixels take fillValue (a number, or per channel [r, g, b] with alpha 255).
 */
export function rotateWithOffset(image: Input, radians: number, fillValue: number | [number, number, number] = 0,
  center: number | [number, number] = 0.5): Tensor {
  const op = 'rotateWithOffset';
  if (!(image instanceof Tensor)) return withInputs(op, [['image', image, 'float32']], ([i]) => rotateWithOffset(i, radians, fillValue, center));
  checkTensor(op, 'image', image);
  if (image.rank !== 4 || image.dtype !== 'float32') throw new Error(`${op}: image must be a float32 tensor of rank 4 (as TF.js); received ${describe(image)}`);
  if (typeof radians !== 'number') throw new Error(`${op}: radians must be a number; received ${typeof radians}`);
  const [batch, height, width, channels] = image.shape;
  const centerX = width * (typeof center === 'number' ? center : center[0]);
  const centerY = height * (typeof center === 'number' ? center : center[1]);
  const sin = Math.sin(radians), cos = Math.cos(radians);
  const sources: number[] = [], covered: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const sx = Math.round((x - centerX) * cos - (y - centerY) * sin + centerX);
        const sy = Math.round((x - centerX) * sin + (y - centerY) * cos + centerY);
        const inside = sx >= 0 && sx < width && sy >= 0 && sy < height;
        sources.push(inside ? (b * height + sy) * width + sx : 0);
        covered.push(inside ? 1 : 0);
      }
    }
  }
  const fill = typeof fillValue === 'number' ? fillValue
    : Array.from({ length: channels }, (_, c) => (c === 3 ? 255 : fillValue[c]));
  return ENGINE.tidy(() => {
    const moved = gather(reshape(image, [batch * height * width, channels]), tensor(sources, [sources.length], 'int32'));
    const fillTensor = tensor(typeof fill === 'number' ? [fill] : fill, typeof fill === 'number' ? [] : [channels], image.dtype);
    return reshape(where(tensor(covered, [covered.length, 1], 'bool'), moved, fillTensor), image.shape);
  });
}

type FillMode = 'constant' | 'reflect' | 'wrap' | 'nearest';

/** Where a sample coordinate outside [0, len - 1] reads from, by fill mode (TF's rules). */
function mapCoordinate(c: Tensor, len: number, mode: FillMode): Tensor {
  if (mode === 'constant') return c;
  if (mode === 'nearest' || len <= 1) return clipByValue(c, 0, Math.max(len - 1, 0));
  let mapped: Tensor;
  if (mode === 'reflect') {
    const period = 2 * len;
    const low = add(mul(floor(div(neg(c), period)), period), c);
    const high = sub(c, mul(floor(div(c, period)), period));
    mapped = where(less(c, 0), where(less(low, -len), add(low, period), sub(neg(low), 1)),
      where(greater(c, len - 1), where(greaterEqual(high, len), sub(period - 1, high), high), c));
  } else {
    const span = len - 1;
    mapped = where(less(c, 0), add(c, mul(add(floor(div(neg(c), span)), 1), len)),
      where(greater(c, len - 1), sub(c, mul(floor(div(c, span)), len)), c));
  }
  return clipByValue(mapped, 0, len - 1);
}

/**
 * tf.image.transform(image, transforms, interpolation = 'nearest', fillMode = 'constant',
 * fillValue = 0, outputShape?): each output pixel (x, y) samples the image at
 * ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1, from a row
 * [a0, a1, a2, b0, b1, b2, c0, c1] of transforms (one per image, or one for all). The
 * positions are computed by ops on the backend; outside the image, fillMode decides.
 */
export function transform(image: Input, transforms: Input, interpolation: 'nearest' | 'bilinear' = 'nearest',
  fillMode: FillMode = 'constant', fillValue = 0, outputShape?: [number, number]): Tensor {
  const op = 'transform';
  if (!(image instanceof Tensor && transforms instanceof Tensor)) {
    return withInputs(op, [['image', image, 'float32'], ['transforms', transforms, 'float32']],
      ([i, t]) => transform(i, t, interpolation, fillMode, fillValue, outputShape));
  }
  checkTensor(op, 'image', image);
  checkTensor(op, 'transforms', transforms);
  if (image.rank !== 4 || image.dtype !== 'float32') throw new Error(`${op}: image must be a float32 tensor of rank 4; received ${describe(image)}`);
  const [batch, height, width, channels] = image.shape;
  if (transforms.rank !== 2 || transforms.shape[1] !== 8 || (transforms.shape[0] !== batch && transforms.shape[0] !== 1) || transforms.dtype !== 'float32') {
    throw new Error(`${op}: transforms must be float32 of shape [${batch} or 1, 8]; received ${describe(transforms)}`);
  }
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') throw new Error(`${op}: interpolation must be 'nearest' or 'bilinear'; received ${String(interpolation)}`);
  if (!['constant', 'reflect', 'wrap', 'nearest'].includes(fillMode)) throw new Error(`${op}: fillMode must be constant, reflect, wrap or nearest; received ${String(fillMode)}`);
  const [outH, outW] = outputShape ?? [height, width];
  if (!Number.isInteger(outH) || !Number.isInteger(outW) || outH < 1 || outW < 1) {
    throw new Error(`${op}: outputShape must be [height, width] of positive integers; received ${JSON.stringify(outputShape)}`);
  }
  checkAllocation(op, [batch, outH, outW, channels], 'float32');
  checkAllocation(op, [1, outH, outW], 'float32', 'sample grid', true);
  return ENGINE.tidy(() => {
    const n = transforms.shape[0];
    const grid = (along: 'x' | 'y') => tensor(Array.from({ length: outH * outW }, (_, i) => (along === 'x' ? i % outW : Math.floor(i / outW))),
      [1, outH, outW], 'float32');
    const xs = grid('x'), ys = grid('y');
    const a = (k: number) => reshape(slice(transforms, [0, k], [n, 1]), [n, 1, 1]);
    const full = (t: Tensor) => broadcastTo(t, [batch, outH, outW]);
    const projection = full(add(add(mul(a(6), xs), mul(a(7), ys)), 1));
    const x = mapCoordinate(full(div(add(add(mul(a(0), xs), mul(a(1), ys)), a(2)), projection)), width, fillMode);
    const y = mapCoordinate(full(div(add(add(mul(a(3), xs), mul(a(4), ys)), a(5)), projection)), height, fillMode);
    const pixels = reshape(image, [batch * height * width, channels]);
    const firstRow = tensor(Array.from({ length: batch }, (_, b) => b * height), [batch, 1, 1], 'int32');
    // The pixel at integer (row, column) positions, fillValue outside the image.
    const read = (row: Tensor, column: Tensor): Tensor => {
      const inside = logicalAnd(logicalAnd(greaterEqual(row, 0), less(row, height)), logicalAnd(greaterEqual(column, 0), less(column, width)));
      const r = cast(where(inside, row, 0), 'int32'), c = cast(where(inside, column, 0), 'int32');
      const rows = gather(pixels, reshape(add(mul(add(firstRow, r), width), c), [batch * outH * outW]));
      return where(reshape(inside, [batch, outH, outW, 1]), reshape(rows, [batch, outH, outW, channels]), fillValue);
    };
    const channel = (t: Tensor) => reshape(t, [batch, outH, outW, 1]);
    let sampled: Tensor;
    if (interpolation === 'nearest') {
      sampled = read(floor(add(y, 0.5)), floor(add(x, 0.5)));
    } else {
      const [y0, x0] = [floor(y), floor(x)];
      const [y1, x1] = [add(y0, 1), add(x0, 1)];
      const along = (row: Tensor) => add(mul(channel(sub(x1, x)), read(row, x0)), mul(channel(sub(x, x0)), read(row, x1)));
      sampled = add(mul(channel(sub(y1, y)), along(y0)), mul(channel(sub(y, y0)), along(y1)));
    }
    return where(channel(notEqual(projection, 0)), sampled, fillValue);
  });
}
