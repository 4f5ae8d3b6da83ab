/**
 * The image family of TF ops: ResizeBilinear and ResizeNearestNeighbor (size on the host,
 * 'align_corners', 'half_pixel_centers'), CropAndResize, ImageProjectiveTransformV3.
 */
import type { Tensor } from '../../core/tensor.js';
import { image } from '../../ops/index.js';
import type { OpContext, OpEntry, OpTable } from '../types.js';
import { arity } from './args.js';
import { hostInts, hostNumber, tensorInput, where } from './util.js';

/** Input `i` as an [height, width] pair of positive ints. */
function size2(inputs: Parameters<OpEntry['run']>[0], i: number, ctx: OpContext): [number, number] {
  const size = hostInts(inputs, i, ctx);
  if (size.length !== 2 || size.some((v) => v < 0)) {
    throw new Error(`${where(ctx)}: input ${i} must be [height, width], got [${size.join(', ')}]`);
  }
  return size as [number, number];
}

function resize(f: (x: Tensor, size: [number, number], alignCorners: boolean, halfPixelCenters: boolean) => Tensor): OpEntry {
  return {
    valueInputs: [1],
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      const [x, size] = [tensorInput(inputs, 0, ctx), size2(inputs, 1, ctx)];
      return [f(x, size, ctx.attrs.bool('align_corners', false), ctx.attrs.bool('half_pixel_centers', false))];
    },
  };
}

function oneOf<T extends string>(ctx: OpContext, name: string, allowed: readonly T[], fallback: T): T {
  const value = ctx.attrs.string(name, fallback).toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) {
    const names = allowed.map((a) => `'${a.toUpperCase()}'`).join(', ');
    throw new Error(`${where(ctx)}: attribute '${name}' must be one of ${names}, got '${value}'`);
  }
  return value as T;
}

/** Handlers of the image family, keyed by TF op name. */
export const IMAGE: OpTable = {
  ResizeBilinear: resize(image.resizeBilinear),
  ResizeNearestNeighbor: resize(image.resizeNearestNeighbor),
  CropAndResize: {
    valueInputs: [3],
    run: (inputs, ctx) => {
      arity(inputs, 4, ctx);
      const method = oneOf(ctx, 'method', ['bilinear', 'nearest'], 'bilinear');
      const t = (i: number): Tensor => tensorInput(inputs, i, ctx);
      return [image.cropAndResize(t(0), t(1), t(2), size2(inputs, 3, ctx), method, ctx.attrs.float('extrapolation_value', 0))];
    },
  },
  ImageProjectiveTransformV3: {
    valueInputs: [2, 3],
    run: (inputs, ctx) => {
      arity(inputs, 4, ctx);
      const interpolation = oneOf(ctx, 'interpolation', ['nearest', 'bilinear'], 'nearest');
      const fillMode = oneOf(ctx, 'fill_mode', ['constant', 'reflect', 'wrap', 'nearest'], 'constant');
      const [images, transforms] = [tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx)];
      return [image.transform(images, transforms, interpolation, fillMode, hostNumber(inputs, 3, ctx), size2(inputs, 2, ctx))];
    },
  },
};
