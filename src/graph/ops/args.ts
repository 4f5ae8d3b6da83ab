/**
 * What the math, nn and image families share: an exact input count, one-tensor and two-tensor
 * handlers, and the convolution attributes (padding with EXPLICIT, data_format, 4-element
 * strides and dilations) read and checked the way TF writes them, with errors naming the node.
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import type { GraphValue, OpContext, OpEntry } from '../types.js';
import { tensorInput, where } from './util.js';

/** Runs a composition, freeing its temporaries (handlers called outside the executor's tidy leak nothing). */
export function tidy<T>(fn: () => T): T {
  return ENGINE.tidy(fn);
}

/** Throws naming the node unless it has exactly `count` data inputs. */
export function arity(inputs: readonly GraphValue[], count: number, ctx: OpContext): void {
  if (inputs.length !== count) throw new Error(`${where(ctx)}: expected ${count} input${count === 1 ? '' : 's'}, got ${inputs.length}`);
}

/** A handler of one tensor in, one out (Relu, Exp). */
export function unary(f: (x: Tensor) => Tensor): OpEntry {
  return {
    run: (inputs, ctx) => {
      arity(inputs, 1, ctx);
      return [f(tensorInput(inputs, 0, ctx))];
    },
  };
}

/** A handler of two tensors in, one out (AddV2, Less). */
export function binary(f: (a: Tensor, b: Tensor) => Tensor): OpEntry {
  return {
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      return [f(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx))];
    },
  };
}

/** Explicit padding as sora's ops take it: [[top, bottom], [left, right]] per dim of NHWC. */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/**
 * The node's 'padding' attr: 'same' or 'valid', or for 'EXPLICIT' the pairs of its
 * 'explicit_paddings' (8 ints, TF's layout). Anything else is an Error naming the node.
 */
export function padding(ctx: OpContext, allowExplicit = true): 'same' | 'valid' | ExplicitPadding {
  const pad = ctx.attrs.string('padding').toLowerCase();
  if (pad === 'same' || pad === 'valid') return pad;
  if (pad === 'explicit' && allowExplicit) {
    const p = ctx.attrs.ints('explicit_paddings', []);
    if (p.length !== 8 || p.some((v) => v < 0)) {
      throw new Error(`${where(ctx)}: padding EXPLICIT needs 8 non-negative explicit_paddings, got [${p.join(', ')}]`);
    }
    return [[p[0]!, p[1]!], [p[2]!, p[3]!], [p[4]!, p[5]!], [p[6]!, p[7]!]];
  }
  const allowed = allowExplicit ? "'SAME', 'VALID' or 'EXPLICIT'" : "'SAME' or 'VALID'";
  throw new Error(`${where(ctx)}: attribute 'padding' must be ${allowed}, got '${ctx.attrs.string('padding')}'`);
}

/** The node's 'padding' attr where only 'SAME' and 'VALID' are allowed (pools, 3-D convs, Dilation2D). */
export function simplePadding(ctx: OpContext): 'same' | 'valid' {
  return padding(ctx, false) as 'same' | 'valid';
}

/** The node's 'data_format' attr (upper case), checked against the forms the op takes. */
export function dataFormat<F extends string>(ctx: OpContext, allowed: readonly F[], fallback: F): F {
  const format = ctx.attrs.string('data_format', fallback).toUpperCase();
  if (!(allowed as readonly string[]).includes(format)) {
    throw new Error(`${where(ctx)}: attribute 'data_format' must be ${allowed.map((f) => `'${f}'`).join(' or ')}, got '${format}'`);
  }
  return format as F;
}

/**
 * A per-dimension int list attr (strides, ksize, dilations) of `rank` entries, every one a positive
 * integer; returns the spatial entries: positions 1..rank-2, or 2..rank-1 for a channels-first
 * format (TF's layout; TF.js reads 1..rank-2 always, which differs only for NCHW with strides > 1).
 */
export function spatial(ctx: OpContext, name: string, rank: number, fallback?: number[], channelsFirst = false): number[] {
  const values = ctx.attrs.ints(name, fallback);
  if (values.length !== rank || values.some((v) => !(v >= 1))) {
    throw new Error(`${where(ctx)}: attribute '${name}' must be ${rank} positive integers, got [${values.join(', ')}]`);
  }
  return channelsFirst ? values.slice(2) : values.slice(1, rank - 1);
}
