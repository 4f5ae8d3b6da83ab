/**
 * tf.bitwiseAnd(x, y): the bitwise AND of two int32 tensors of one shape, as TF.js's. No
 * backend has a bitwise kernel, so it is composed of int32 ops that are exact on every
 * backend (floorDiv and mod by powers of two are arithmetic shifts and bit reads; add and mul
 * wrap modulo 2^32): bits 0..30 of both operands along a new last axis, their products
 * weighted by 2^i and summed, plus -2^31 where both signs are set. Bits 0..15 and 16..30 are
 * summed apart: each partial sum is exact even where a reduction accumulates in float32
 * (below 2^16, or multiples of 2^16 below 2^31), and the two add as int32.
 */
import type { Tensor } from '../../core/tensor.js';
import { scalar, tensor } from '../creation.js';
import { withInputs, type Input } from '../inputs.js';
import { register, run1 } from '../registry.js';
import { sum } from '../reduce/reduce.js';
import { cast, expandDims } from '../structure/shape.js';
import { describe } from '../util.js';
import { add, floorDiv, less, logicalAnd, mul } from './binary.js';
import { mod } from './pow-mod.js';

const LOW = Array.from({ length: 16 }, (_, i) => 2 ** i);
const HIGH = Array.from({ length: 15 }, (_, i) => 2 ** (16 + i));

const BITWISE_AND = register<Record<string, never>>({
  name: 'bitwiseAnd',
  inputs: ['x', 'y'],
  infer([x, y]) {
    if (x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i])) {
      throw new Error(`BitwiseAnd: Tensors must have the same shape. x: ${x.shape}, y: ${y.shape}`);
    }
    if (x.dtype !== 'int32' || y.dtype !== 'int32') {
      throw new Error(`BitwiseAnd: Only supports 'int32' values in tensor, found type of x: ${x.dtype} and type of y: ${y.dtype}` +
        ` (x: ${describe(x)}, y: ${describe(y)})`);
    }
    return [{ shape: x.shape, dtype: 'int32' }];
  },
  compose([x, y]) {
    const two = scalar(2, 'int32');
    const x1 = expandDims(x, x.rank), y1 = expandDims(y, y.rank);
    const part = (list: number[]) => {
      const powers = tensor(list, [list.length], 'int32');
      const bits = (t: Tensor) => mod(floorDiv(t, powers), two);
      return sum(mul(mul(bits(x1), bits(y1)), powers), -1);
    };
    const zero = scalar(0, 'int32');
    const signs = cast(logicalAnd(less(x, zero), less(y, zero)), 'int32');
    return [add(add(part(LOW), part(HIGH)), mul(signs, scalar(-(2 ** 31), 'int32')))];
  },
  grad: 'none',
});

/** tf.bitwiseAnd(x, y): x & y elementwise; both int32, of the same shape. */
export function bitwiseAnd(x: Input, y: Input): Tensor {
  return withInputs('bitwiseAnd', [['x', x, 'int32'], ['y', y, 'int32']], ([a, b]) => run1(BITWISE_AND, [a, b], {}));
}
