/** Elementwise ops with numpy broadcasting, and the unary math ops, with their gradients. */
import type { BinaryOp, UnaryOp } from '../backends/backend.js';
import { ENGINE } from '../engine.js';
import { Tensor, type Shape } from '../tensor.js';
import { scalar } from './creation.js';
import { broadcastTo } from './shape.js';
import { checkFloat, checkTensor, describe, produce, sizeOf, storageOf } from './util.js';
import { sumToShape } from './reduce.js';

export function broadcastShapes(op: string, a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes [${a}] and [${b}] cannot be broadcast together (axis ${i}: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** True when the kernel's repeat rule (operand repeats every `size` elements) covers it. */
function repeats(operand: Shape, out: Shape): boolean {
  const size = sizeOf(operand);
  if (size === sizeOf(out) || size === 1) return true;
  const trimmed = operand.slice(operand.findIndex((d) => d !== 1));
  const tail = out.slice(out.length - trimmed.length);
  return trimmed.every((d, i) => d === tail[i]);
}

function toTensor(value: Tensor | number, like: Tensor): Tensor {
  return value instanceof Tensor ? value : scalar(value, like.dtype);
}

const INT_OK: ReadonlySet<BinaryOp> = new Set(['add', 'sub', 'mul', 'max', 'min', 'equal']);

function binary(op: BinaryOp, aIn: Tensor | number, bIn: Tensor | number,
  grad?: (dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null]): Tensor {
  if (!(aIn instanceof Tensor) && !(bIn instanceof Tensor)) {
    throw new Error(`${op}: at least one operand must be a Tensor; received ${typeof aIn} and ${typeof bIn}`);
  }
  const a = aIn instanceof Tensor ? checkTensor(op, 'a', aIn) : toTensor(aIn, bIn as Tensor);
  const b = bIn instanceof Tensor ? checkTensor(op, 'b', bIn) : toTensor(bIn, a);
  if (a.dtype !== b.dtype) throw new Error(`${op}: dtypes differ: a is ${describe(a)}, b is ${describe(b)}`);
  if (a.dtype === 'int32' && !INT_OK.has(op)) throw new Error(`${op}: not defined for int32; cast to float32 first`);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const size = sizeOf(shape);
  const aUse = repeats(a.shape, shape) ? a : broadcastTo(a, shape);
  const bUse = repeats(b.shape, shape) ? b : broadcastTo(b, shape);
  const y = produce(shape, a.dtype, (out) => ENGINE.backend.binary(op,
    storageOf(aUse, op), aUse.size, storageOf(bUse, op), bUse.size, out, size));
  if (aUse !== a) aUse.dispose();
  if (bUse !== b) bUse.dispose();
  if (grad && ENGINE.recording) {
    ENGINE.record([a, b], y, (dy) => {
      const [da, db] = grad(dy, a, b, y);
      return [da && sumToShape(da, a.shape), db && sumToShape(db, b.shape)];
    });
  }
  // Scalars made from numbers are not the caller's; free them unless the tape needs them.
  if (!ENGINE.recording) {
    if (!(aIn instanceof Tensor)) a.dispose();
    if (!(bIn instanceof Tensor)) b.dispose();
  }
  return y;
}

export const add = (a: Tensor | number, b: Tensor | number): Tensor => binary('add', a, b, (dy) => [dy, dy]);
export const sub = (a: Tensor | number, b: Tensor | number): Tensor => binary('sub', a, b, (dy) => [dy, neg(dy)]);
export const mul = (a: Tensor | number, b: Tensor | number): Tensor =>
  binary('mul', a, b, (dy, x, z) => [mul(dy, z), mul(dy, x)]);
export const div = (a: Tensor | number, b: Tensor | number): Tensor =>
  binary('div', a, b, (dy, x, z) => [div(dy, z), neg(div(mul(dy, x), square(z)))]);
export const squaredDifference = (a: Tensor | number, b: Tensor | number): Tensor =>
  binary('squaredDifference', a, b, (dy, x, z) => {
    const twice = mul(sub(x, z), 2);
    return [mul(dy, twice), neg(mul(dy, twice))];
  });
export const maximum = (a: Tensor | number, b: Tensor | number): Tensor =>
  binary('max', a, b, (dy, x, z, y) => {
    const fromA = binary('equal', y, x);
    return [mul(dy, fromA), mul(dy, sub(1, fromA))];
  });
export const minimum = (a: Tensor | number, b: Tensor | number): Tensor =>
  binary('min', a, b, (dy, x, z, y) => {
    const fromA = binary('equal', y, x);
    return [mul(dy, fromA), mul(dy, sub(1, fromA))];
  });
/** 1 where equal, else 0, in the operands' dtype (sora has no bool dtype). */
export const equal = (a: Tensor | number, b: Tensor | number): Tensor => binary('equal', a, b);

function unary(op: UnaryOp, x: Tensor): Tensor {
  checkTensor(op, 'x', x);
  checkFloat(op, 'x', x);
  const y = produce(x.shape, 'float32', (out) => ENGINE.backend.unary(op, storageOf(x, op), out, x.size));
  ENGINE.record([x], y, (dy) => [produce(x.shape, 'float32', (out) => ENGINE.backend.unaryBackward(op,
    storageOf(dy, `${op} grad`), storageOf(x, `${op} grad`), storageOf(y, `${op} grad`), out, x.size))]);
  return y;
}

export const relu = (x: Tensor): Tensor => unary('relu', x);
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const neg = (x: Tensor): Tensor => unary('neg', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const square = (x: Tensor): Tensor => unary('square', x);

/** alpha * x + beta in one kernel. */
export function affine(x: Tensor, alpha: number, beta = 0): Tensor {
  checkTensor('affine', 'x', x);
  checkFloat('affine', 'x', x);
  const y = produce(x.shape, 'float32', (out) => ENGINE.backend.affine(storageOf(x, 'affine'), out, x.size, alpha, beta));
  ENGINE.record([x], y, (dy) => [affine(dy, alpha, 0)]);
  return y;
}

export function clipByValue(x: Tensor, min: number, max: number): Tensor {
  checkTensor('clipByValue', 'x', x);
  if (!(min <= max)) throw new Error(`clipByValue: min ${min} must be <= max ${max}`);
  return minimum(maximum(x, min), max);
}

