/**
 * The creation family of TF ops: Fill, Range, LinSpace, OneHot, zeros and ones, and the random
 * draws. Shapes and scalars are value inputs (read on the host); Fill and Range of host values
 * record their results' host values when small, for the shape arithmetic that follows.
 */
import type { DType } from '../../backends/backend.js';
import type { Tensor } from '../../core/tensor.js';
import {
  fill, linspace, multinomial, oneHot, ones, onesLike, randomStandardNormal, randomUniform, randomUniformInt, range, truncatedNormal,
  zeros, zerosLike,
} from '../../ops/index.js';
import type { GraphValue, OpContext, OpTable } from '../types.js';
import { HOST_LIMIT, entry, expectInputs, hostTensor } from './host.js';
import { hostInts, hostNumber, hostValues, tensorInput, where } from './util.js';

/** A shape value input: non-negative integers; an Error naming the node otherwise. */
function shapeInput(inputs: readonly GraphValue[], i: number, ctx: OpContext): number[] {
  const dims = hostInts(inputs, i, ctx);
  for (const d of dims) if (d < 0) throw new Error(`${where(ctx)}: shape [${dims}] has a negative dimension`);
  return dims;
}

/** TF's seed pair: both 0 means a fresh random seed each run, else the pair picks the stream. */
function seedOf(ctx: OpContext): number | undefined {
  const seed = ctx.attrs.int('seed', 0);
  const seed2 = ctx.attrs.int('seed2', 0);
  return seed === 0 && seed2 === 0 ? undefined : seed * 4294967296 + seed2;
}

function floatDType(ctx: OpContext, name: string): DType {
  const dtype = ctx.attrs.dtype(name, 'float32');
  if (dtype !== 'float32') throw new Error(`${where(ctx)}: ${name} must be a float dtype, got ${dtype}`);
  return dtype;
}

function filled(dims: number[], value: number, dtype: DType): Tensor {
  const size = dims.reduce((a, b) => a * b, 1);
  if ((dtype === 'int32' || dtype === 'float32') && size <= HOST_LIMIT) return hostTensor(new Array<number>(size).fill(value), dims, dtype);
  return fill(dims, value, dtype);
}

/** Handlers of the creation family, keyed by TF op name. */
export const CREATION: OpTable = {
  Fill: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const dims = shapeInput(inputs, 0, ctx);
    const dtype = ctx.attrs.dtype('T', tensorInput(inputs, 1, ctx).dtype);
    const value = hostValues(inputs, 1, ctx);
    if (value.length !== 1) throw new Error(`${where(ctx)}: value must hold one value, got ${value.length}`);
    if (dtype === 'string' || dtype === 'bool') return [fill(dims, dtype === 'bool' ? Number(value[0]) : String(value[0]), dtype)];
    return [filled(dims, Number(value[0]), dtype)];
  }, { valueInputs: [0, 1] }),
  Range: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    const [start, limit, delta] = [0, 1, 2].map((i) => hostNumber(inputs, i, ctx)) as [number, number, number];
    const dtype = ctx.attrs.dtype('Tidx', tensorInput(inputs, 0, ctx).dtype);
    if (dtype !== 'int32' && dtype !== 'float32') throw new Error(`${where(ctx)}: Tidx must be numeric, got ${dtype}`);
    if (delta === 0) throw new Error(`${where(ctx)}: delta must not be zero`);
    // TF.js's rules (tf.range): an unreachable limit gives an empty range, and a delta of 1 toward a lower limit counts down.
    const empty = start === limit || (start < limit && delta < 0) || (limit < start && delta > 1);
    const count = empty ? 0 : Math.abs(Math.ceil((limit - start) / delta));
    if (count > HOST_LIMIT || Number.isNaN(count)) return [range(start, limit, delta, dtype)];
    const by = limit < start && delta === 1 ? -1 : delta;
    // Accumulated in the output dtype, as tf.range does, so float ranges match it bit for bit.
    const values = dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
    if (count > 0) values[0] = start;
    for (let i = 1; i < count; i++) values[i] = values[i - 1]! + by;
    return [hostTensor(values, [count], dtype)];
  }, { valueInputs: [0, 1, 2] }),
  LinSpace: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    const num = hostNumber(inputs, 2, ctx);
    if (!Number.isInteger(num) || num < 1) throw new Error(`${where(ctx)}: num must be a positive integer, got ${num}`);
    return [linspace(hostNumber(inputs, 0, ctx), hostNumber(inputs, 1, ctx), num)];
  }, { valueInputs: [0, 1, 2] }),
  OneHot: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 4);
    const axis = ctx.attrs.int('axis', -1);
    if (axis !== -1) throw new Error(`${where(ctx)}: axis ${axis} is not supported (only -1, as TF.js)`);
    const depth = hostNumber(inputs, 1, ctx);
    if (!Number.isInteger(depth) || depth < 0) throw new Error(`${where(ctx)}: depth must be a non-negative integer, got ${depth}`);
    const dtype = ctx.attrs.dtype('T', 'float32');
    return [oneHot(tensorInput(inputs, 0, ctx), depth, hostNumber(inputs, 2, ctx), hostNumber(inputs, 3, ctx), dtype)];
  }, { valueInputs: [1, 2, 3] }),
  Ones: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [ones(shapeInput(inputs, 0, ctx), ctx.attrs.dtype('T', 'float32'))];
  }, { valueInputs: [0] }),
  Zeros: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [zeros(shapeInput(inputs, 0, ctx), ctx.attrs.dtype('T', 'float32'))];
  }, { valueInputs: [0] }),
  OnesLike: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [onesLike(tensorInput(inputs, 0, ctx))];
  }),
  ZerosLike: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [zerosLike(tensorInput(inputs, 0, ctx))];
  }),
  RandomStandardNormal: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [randomStandardNormal(shapeInput(inputs, 0, ctx), floatDType(ctx, 'dtype'), seedOf(ctx))];
  }, { valueInputs: [0] }),
  RandomUniform: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    // TF's RandomUniform draws in [0, 1); TF.js's converter also reads minval and maxval attributes.
    return [randomUniform(shapeInput(inputs, 0, ctx), ctx.attrs.float('minval', 0), ctx.attrs.float('maxval', 1), floatDType(ctx, 'dtype'),
      seedOf(ctx))];
  }, { valueInputs: [0] }),
  RandomUniformInt: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    return [randomUniformInt(shapeInput(inputs, 0, ctx), hostNumber(inputs, 1, ctx), hostNumber(inputs, 2, ctx), seedOf(ctx))];
  }, { valueInputs: [0, 1, 2] }),
  TruncatedNormal: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [truncatedNormal(shapeInput(inputs, 0, ctx), ctx.attrs.float('means', 0), ctx.attrs.float('stddev', 1), floatDType(ctx, 'dtype'),
      seedOf(ctx))];
  }, { valueInputs: [0] }),
  Multinomial: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const samples = hostNumber(inputs, 1, ctx);
    if (!Number.isInteger(samples) || samples < 0) {
      throw new Error(`${where(ctx)}: num_samples must be a non-negative integer, got ${samples}`);
    }
    return [multinomial(tensorInput(inputs, 0, ctx), samples, seedOf(ctx))];
  }, { valueInputs: [1] }),
};
