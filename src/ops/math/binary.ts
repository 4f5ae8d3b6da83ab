/**
 * Elementwise binary ops with numpy broadcasting: arithmetic (floorDiv and atan2 too; pow and
 * mod, whose gradients read log and floor, are in pow-mod.ts), comparisons and logic (which
 * return 'bool', as in TF.js), and where. One kernel family (`binary`, `select`); an operand
 * the kernel's repeat rule cannot express is materialized with broadcastTo first. Also
 * affine (alpha x + beta, one kernel), which mean and the losses run.
 *
 * The gradients here are written with this module's ops (-x as x * -1 and b^2 as b * b, the
 * same values neg and square give), so that it sits below unary.ts.
 */
import { COMPARISONS, type Backend, type BinaryOp, type DType, type Kernels } from '../../backends/backend.js';
import { DTYPES, upcastType, type NumericDType } from '../../core/dtypes.js';
import { isStringTensor, stringBinary, stringWhere } from '../string/movement.js';
import { Tensor, type Shape } from '../../core/tensor.js';
import { register, run1, spec, type OpDef, type TensorSpec } from '../registry.js';
import { ENGINE } from '../../core/engine.js';
import { broadcastTo, cast, concat, reshape, slice, toComplex } from '../structure/shape.js';
import { viewAsComplex, viewAsReal } from './complex-views.js';
import { scalar, tensor, type TensorLike } from '../creation.js';
import { chain, checkFloat, checkTensor, describe, produce, refuseComplex, sizeOf, storageOf, toTensor } from '../util.js';

/** numpy's broadcast rule; throws naming the op and the axis at fault. */
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

/**
 * True when the kernels' repeat rule (the operand repeats every `size` elements) covers it:
 * the operand is the output's size or one element, or its shape with leading 1s dropped is
 * the output shape's tail. No arrays: this runs for every elementwise op.
 */
function repeats(operand: Tensor, out: Shape): boolean {
  const size = operand.size;
  if (size === 1 || size === sizeOf(out)) return true;
  const shape = operand.shape;
  let first = 0;
  while (first < shape.length && shape[first] === 1) first++;
  const offset = out.length - (shape.length - first);
  if (offset < 0) return false;
  for (let i = first; i < shape.length; i++) if (shape[i] !== out[offset + i - first]) return false;
  return true;
}

/** The binary kernel on operands the repeat rule covers, into a new tensor of `out`. */
function binaryKernel(backend: Backend & Kernels, op: BinaryOp, name: string, a: Tensor, b: Tensor, out: TensorSpec): Tensor {
  const aStorage = storageOf(a, name), bStorage = storageOf(b, name);
  const size = sizeOf(out.shape);
  const storage = backend.alloc(size, out.dtype);
  try {
    backend.binary(op, aStorage, a.size, bStorage, b.size, storage, size);
  } catch (error) {
    backend.free(storage);
    throw error;
  }
  return ENGINE.makeTensor(out.shape, out.dtype, storage, backend);
}

/** Runs `launch` with operands the repeat rule covers, materializing the others. */
function withRepeatable(operands: Tensor[], shape: Shape, launch: (ready: Tensor[]) => Tensor): Tensor {
  if (operands.every((t) => repeats(t, shape))) return launch(operands); // the usual case
  const ready = operands.map((t) => (repeats(t, shape) ? t : broadcastTo(t, shape)));
  try {
    return launch(ready);
  } finally {
    ready.forEach((t, i) => { if (t !== operands[i]) t.dispose(); });
  }
}

const ARITHMETIC_INT: ReadonlySet<BinaryOp> = new Set(['add', 'sub', 'mul', 'max', 'min', 'squaredDifference', 'pow', 'mod', 'floorDiv']);
const LOGICAL: ReadonlySet<BinaryOp> = new Set(['logicalAnd', 'logicalOr', 'logicalXor']);

type BinaryGrad = (dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

/** `saves`: the gradient reads a and b (true), and also the output ('output'). */
export function binaryOp(op: BinaryOp, name: string, grad: BinaryGrad | 'none', saves: boolean | 'output'): OpDef<Record<string, never>> {
  return register<Record<string, never>>({
    name,
    inputs: ['a', 'b'],
    infer([a, b]) {
      if (a.dtype !== b.dtype) throw new Error(`${name}: dtypes differ: a is ${describe(a)}, b is ${describe(b)}`);
      const kind = DTYPES[a.dtype as NumericDType].kind; // runOp refused string operands
      if (LOGICAL.has(op) ? kind !== 'boolean' : kind === 'boolean' && !COMPARISONS.has(op)) {
        throw new Error(`${name}: not defined for ${a.dtype} operands (${describe(a)}); ` +
          (LOGICAL.has(op) ? "logical ops take 'bool' tensors" : 'cast to float32 or int32 first'));
      }
      if (kind === 'integer' && !COMPARISONS.has(op) && !ARITHMETIC_INT.has(op)) {
        throw new Error(`${name}: not defined for int32 operands (${describe(a)}); cast to float32 first`);
      }
      return spec(broadcastShapes(name, a.shape, b.shape), COMPARISONS.has(op) ? 'bool' : a.dtype);
    },
    inferByShapes: true,
    kernel: {
      available: (backend) => backend.binary !== undefined && backend.binaryOps.has(op),
      run: (backend, inputs, _, specs) => {
        const a = inputs[0], b = inputs[1], out = specs[0];
        // The usual case, without closures: both operands repeat as the kernel takes them.
        if (repeats(a, out.shape) && repeats(b, out.shape)) return [binaryKernel(backend, op, name, a, b, out)];
        return [withRepeatable(inputs, out.shape, (ready) => binaryKernel(backend, op, name, ready[0], ready[1], out))];
      },
    },
    save: saves ? { inputs: [0, 1], outputs: saves === 'output' ? [0] : [] } : undefined,
    broadcasts: true,
    grad: grad === 'none' ? 'none' : ([dy], saved) => grad(dy, saved[0], saved[1], saved[2]),
  });
}

const toFloat = (t: Tensor): Tensor => cast(t, 'float32');

const ADD = binaryOp('add', 'add', (dy) => [dy, dy], false);
const SUB = binaryOp('sub', 'sub', (dy) => [dy, mul(dy, -1)], false);
const MUL = binaryOp('mul', 'mul', (dy, a, b) => [mul(dy, b), mul(dy, a)], true);
const DIV = binaryOp('div', 'div', (dy, a, b) => [div(dy, b), mul(div(mul(dy, a), mul(b, b)), -1)], true);
const SQUARED_DIFFERENCE = binaryOp('squaredDifference', 'squaredDifference', (dy, a, b) => {
  const twice = mul(sub(a, b), 2);
  return [mul(dy, twice), mul(mul(dy, twice), -1)];
}, true);
// As TF.js: ties send the gradient to a.
const MAXIMUM = binaryOp('max', 'maximum', (dy, a, b) =>
  [mul(dy, toFloat(greaterEqual(a, b))), mul(dy, toFloat(less(a, b)))], true);
const MINIMUM = binaryOp('min', 'minimum', (dy, a, b) =>
  [mul(dy, toFloat(lessEqual(a, b))), mul(dy, toFloat(greater(a, b)))], true);
// Comparisons and logic return 'bool': no gradient flows through them.
const EQUAL = binaryOp('equal', 'equal', 'none', false);
const NOT_EQUAL = binaryOp('notEqual', 'notEqual', 'none', false);
const LESS = binaryOp('less', 'less', 'none', false);
const LESS_EQUAL = binaryOp('lessEqual', 'lessEqual', 'none', false);
const GREATER = binaryOp('greater', 'greater', 'none', false);
const GREATER_EQUAL = binaryOp('greaterEqual', 'greaterEqual', 'none', false);
const LOGICAL_AND = binaryOp('logicalAnd', 'logicalAnd', 'none', false);
const LOGICAL_OR = binaryOp('logicalOr', 'logicalOr', 'none', false);
const LOGICAL_XOR = binaryOp('logicalXor', 'logicalXor', 'none', false);
// The float32 kernel writes floor(a / b) as float32; floorDiv returns it as int32 (no gradient).
const FLOOR_DIV = binaryOp('floorDiv', 'floorDiv', 'none', false);
const ATAN2 = binaryOp('atan2', 'atan2', (dy, a, b) => {
  const norm = add(mul(a, a), mul(b, b));
  return [div(mul(dy, b), norm), mul(div(mul(dy, a), norm), -1)];
}, true);

export type Operand = Tensor | TensorLike | boolean;

/** Runs a binary op on TF.js-style operands: a plain value takes the other operand's dtype. */
const NO_ATTRS = {};
function binary(def: OpDef<Record<string, never>>, a: Operand, b: Operand): Tensor {
  const strings = isStringTensor(a) || isStringTensor(b) || typeof a === 'string' || typeof b === 'string';
  if (strings) return stringBinary(def.name, a, b, makeOperand);
  if (a instanceof Tensor && b instanceof Tensor) {
    if (a.dtype === b.dtype && a.dtype !== 'complex64') return run1(def, [a, b], NO_ATTRS); // the usual case
    if (a.dtype === 'complex64' || b.dtype === 'complex64') return complexBinary(def, a, b);
    // Mixed tensors: the lower dtype is cast up, as TF.js's makeTypesMatch (bool < int32 < float32).
    const to = upcastType(checkTensor(def.name, 'a', a).dtype, checkTensor(def.name, 'b', b).dtype);
    const [x, y] = [a.dtype === to ? a : cast(a, to), b.dtype === to ? b : cast(b, to)];
    try {
      return run1(def, [x, y], NO_ATTRS);
    } finally {
      if (x !== a) x.dispose();
      if (y !== b) y.dispose();
    }
  }
  // Values next to a complex64 operand are made float32, then complex64 (TF.js's makeTypesMatch).
  const realOf = (dtype: DType) => (dtype === 'complex64' ? 'float32' : dtype);
  const left = toTensor(def.name, 'a', a, b instanceof Tensor ? realOf(b.dtype) : undefined, makeOperand);
  const right = toTensor(def.name, 'b', b, realOf(left.tensor.dtype), makeOperand);
  try {
    if (left.tensor.dtype === 'complex64' || right.tensor.dtype === 'complex64') return complexBinary(def, left.tensor, right.tensor);
    return run1(def, [left.tensor, right.tensor], NO_ATTRS);
  } finally {
    if (left.made) left.tensor.dispose();
    if (right.made) right.tensor.dispose();
  }
}

/**
 * add, sub and mul of complex64 operands (TF.js's cpu backend takes no other binary op for
 * them; the registry refuses those, naming the op). A real operand becomes complex64 with
 * zero imaginary parts. Written with float32 ops on the (re, im) pairs, so broadcasting and
 * gradients are theirs.
 */
function complexBinary(def: OpDef<Record<string, never>>, a: Tensor, b: Tensor): Tensor {
  if (def !== ADD && def !== SUB && def !== MUL) return run1(def, [a, b], NO_ATTRS);
  return ENGINE.tidy(() => {
    const x = a.dtype === 'complex64' ? a : toComplex(a), y = b.dtype === 'complex64' ? b : toComplex(b);
    if (def !== MUL) return viewAsComplex(run1(def, [viewAsReal(x), viewAsReal(y)], NO_ATTRS));
    const [xr, xi] = complexParts(x), [yr, yi] = complexParts(y);
    const re = sub(mul(xr, yr), mul(xi, yi)), im = add(mul(xr, yi), mul(xi, yr));
    return viewAsComplex(concat([reshape(re, [...re.shape, 1]), reshape(im, [...im.shape, 1])], re.rank));
  });
}

/** The real and imaginary parts (float32, z's shape) of complex64 z. */
function complexParts(z: Tensor): [Tensor, Tensor] {
  const pairs = viewAsReal(z);
  const begin = new Array<number>(z.rank + 1).fill(0);
  const part = (k: number) => reshape(slice(pairs, [...begin.slice(0, -1), k], [...z.shape, 1]), z.shape);
  return [part(0), part(1)];
}

function makeOperand(values: unknown, dtype: DType | undefined): Tensor {
  return typeof values === 'number' ? scalar(values, dtype) : tensor(values as TensorLike, undefined, dtype);
}

/**
 * Runs `run` on operands of a common dtype, as TF.js's convertToTensor and makeTypesMatch
 * give them: a plain number is float32, and int32 meets float32 as float32.
 */
export function upcasting(name: string, a: Operand, b: Operand, run: (a: Tensor, b: Tensor) => Tensor): Tensor {
  refuseComplex(name, 'a', a);
  refuseComplex(name, 'b', b);
  const left = toTensor(name, 'a', a, undefined, makeOperand);
  const right = toTensor(name, 'b', b, undefined, makeOperand);
  let x = left.tensor, y = right.tensor;
  let castX: Tensor | null = null, castY: Tensor | null = null;
  if (x.dtype !== y.dtype && x.dtype !== 'bool' && y.dtype !== 'bool') {
    if (x.dtype !== 'float32') x = castX = cast(x, 'float32');
    if (y.dtype !== 'float32') y = castY = cast(y, 'float32');
  }
  try {
    return run(x, y);
  } finally {
    if (left.made) left.tensor.dispose();
    if (right.made) right.tensor.dispose();
    castX?.dispose();
    castY?.dispose();
  }
}

/** `f` of int32 operands computed in float32 and truncated to int32 (TF.js's int32 results of float math). */
function viaFloat(a: Tensor, b: Tensor, f: (a: Tensor, b: Tensor) => Tensor): Tensor {
  const [x, y] = [cast(a, 'float32'), cast(b, 'float32')];
  const result = f(x, y);
  try {
    return cast(result, 'int32');
  } finally {
    for (const t of [x, y, result]) t.dispose();
  }
}

/** a + b element-wise, with broadcasting (tf.add); numbers and arrays are taken as tensors. */
export const add = (a: Operand, b: Operand): Tensor => binary(ADD, a, b);
/** a - b element-wise, with broadcasting (tf.sub). */
export const sub = (a: Operand, b: Operand): Tensor => binary(SUB, a, b);
/** a × b element-wise, with broadcasting (tf.mul). */
export const mul = (a: Operand, b: Operand): Tensor => binary(MUL, a, b);
/**
 * a / b as TF.js's div: two int32 tensors divide as floorDiv; int32 with a float32 tensor or a
 * plain number (float32 in TF.js) divides in float32.
 */
export const div = (a: Operand, b: Operand): Tensor => upcasting('div', a, b, (x, y) =>
  (x.dtype === 'int32' && y.dtype === 'int32' ? floorDiv(x, y) : run1(DIV, [x, y], NO_ATTRS)));
/** floor(a / b) as int32, whatever the operands' dtype (as TF.js); x / 0 gives 0. */
export const floorDiv = (a: Operand, b: Operand): Tensor => upcasting('floorDiv', a, b, (x, y) => {
  const q = run1(FLOOR_DIV, [x, y], NO_ATTRS);
  if (q.dtype === 'int32') return q;
  try {
    return cast(q, 'int32');
  } finally {
    q.dispose();
  }
});
/** atan2(a, b), the angle of the point (b, a); int32 operands give it truncated to int32, as TF.js. */
export const atan2 = (a: Operand, b: Operand): Tensor => upcasting('atan2', a, b, (x, y) =>
  (x.dtype === 'int32' && y.dtype === 'int32' ? viaFloat(x, y, (fx, fy) => run1(ATAN2, [fx, fy], NO_ATTRS)) : run1(ATAN2, [x, y], NO_ATTRS)));
/** (a - b)² element-wise, with broadcasting (tf.squaredDifference). */
export const squaredDifference = (a: Operand, b: Operand): Tensor => binary(SQUARED_DIFFERENCE, a, b);
/** The larger of a and b element-wise, with broadcasting (tf.maximum). */
export const maximum = (a: Operand, b: Operand): Tensor => binary(MAXIMUM, a, b);
/** The smaller of a and b element-wise, with broadcasting (tf.minimum). */
export const minimum = (a: Operand, b: Operand): Tensor => binary(MINIMUM, a, b);
/** a == b element-wise as a bool tensor, with broadcasting (tf.equal). */
export const equal = (a: Operand, b: Operand): Tensor => binary(EQUAL, a, b);
/** a != b element-wise as a bool tensor, with broadcasting (tf.notEqual). */
export const notEqual = (a: Operand, b: Operand): Tensor => binary(NOT_EQUAL, a, b);
/** a < b element-wise as a bool tensor, with broadcasting (tf.less). */
export const less = (a: Operand, b: Operand): Tensor => binary(LESS, a, b);
/** a <= b element-wise as a bool tensor, with broadcasting (tf.lessEqual). */
export const lessEqual = (a: Operand, b: Operand): Tensor => binary(LESS_EQUAL, a, b);
/** a > b element-wise as a bool tensor, with broadcasting (tf.greater). */
export const greater = (a: Operand, b: Operand): Tensor => binary(GREATER, a, b);
/** a >= b element-wise as a bool tensor, with broadcasting (tf.greaterEqual). */
export const greaterEqual = (a: Operand, b: Operand): Tensor => binary(GREATER_EQUAL, a, b);
/** a AND b for bool tensors, with broadcasting (tf.logicalAnd). */
export const logicalAnd = (a: Operand, b: Operand): Tensor => binary(LOGICAL_AND, a, b);
/** a OR b for bool tensors, with broadcasting (tf.logicalOr). */
export const logicalOr = (a: Operand, b: Operand): Tensor => binary(LOGICAL_OR, a, b);
/** a XOR b for bool tensors, with broadcasting (tf.logicalXor). */
export const logicalXor = (a: Operand, b: Operand): Tensor => binary(LOGICAL_XOR, a, b);
/** NOT x for a bool tensor (tf.logicalNot). */
export const logicalNot = (x: Operand): Tensor => (refuseComplex('logicalNot', 'x', x), binary(LOGICAL_XOR, x, true));

const WHERE = register<Record<string, never>>({
  name: 'where',
  inputs: ['condition', 'a', 'b'],
  infer([condition, a, b]) {
    if (condition.dtype !== 'bool') throw new Error(`where: condition must be 'bool'; received ${describe(condition)}`);
    if (a.dtype !== b.dtype) throw new Error(`where: a and b must share a dtype; received a ${describe(a)}, b ${describe(b)}`);
    return spec(broadcastShapes('where', condition.shape, broadcastShapes('where', a.shape, b.shape)), a.dtype);
  },
  inferByShapes: true,
  kernel: {
    available: (backend) => backend.select !== undefined,
    run: (backend, inputs, _, [out]) => [withRepeatable(inputs, out.shape, ([c, a, b]) =>
      produce(out.shape, out.dtype, (storage) => backend.select(storageOf(c, 'where'), c.size,
        storageOf(a, 'where'), a.size, storageOf(b, 'where'), b.size, storage, sizeOf(out.shape))))],
  },
  save: { inputs: [0] },
  broadcasts: true,
  grad: ([dy], [condition], _, needs) => {
    const zeros = scalar(0);
    return [null, needs[1] ? where(condition, dy, zeros) : null, needs[2] ? where(condition, zeros, dy) : null];
  },
});

/**
 * where's branches of two real dtypes (bool, int32, float32) cast to the higher one, as TF.js's
 * upcastType: int32 with float32 is float32, bool with int32 int32, bool with float32 float32.
 */
function upcastBranches(a: Tensor, b: Tensor): [Tensor, Tensor] {
  const real = (t: Tensor) => t.dtype === 'bool' || t.dtype === 'int32' || t.dtype === 'float32';
  if (a.dtype === b.dtype || !real(a) || !real(b)) return [a, b];
  const to = upcastType(a.dtype, b.dtype);
  return [a.dtype === to ? a : cast(a, to), b.dtype === to ? b : cast(b, to)];
}

/** Whether `value` (a Tensor, a number or values) can be made a tensor of `dtype` without changing it. */
function fitsDType(value: unknown, dtype: DType): boolean {
  if (typeof value !== 'number') return value instanceof Tensor || dtype === 'float32';
  if (dtype === 'int32') return Number.isInteger(value) && Math.abs(value) <= 2 ** 31 - 1;
  if (dtype === 'bool') return value === 0 || value === 1;
  return true;
}

/**
 * tf.where(condition, a, b): a where condition is true, else b (broadcast together). Branches
 * of different dtypes meet at the higher one, as TF.js (bool < int32 < float32).
 */
export function where(condition: Operand, a: Operand, b: Operand): Tensor {
  const c = toTensor('where', 'condition', condition, 'bool', makeOperand);
  const aIn = toTensor('where', 'a', a, undefined, makeOperand);
  // A number for b takes a's dtype when it fits there (where(c, intTensor, 0) stays int32); one that
  // does not fit (0.5 beside int32, 2 beside bool) is float32 and upcasts, as TF.js, never truncated.
  const bIn = toTensor('where', 'b', b, fitsDType(b, aIn.tensor.dtype) ? aIn.tensor.dtype : undefined, makeOperand);
  try {
    if (aIn.tensor.dtype === 'string' || bIn.tensor.dtype === 'string') return stringWhere(c.tensor, aIn.tensor, bIn.tensor);
    return ENGINE.tidy(() => run1(WHERE, [c.tensor, ...upcastBranches(aIn.tensor, bIn.tensor)], {}));
  } finally {
    for (const t of [c, aIn, bIn]) if (t.made) t.tensor.dispose();
  }
}

const AFFINE = register<{ alpha: number; beta: number }>({
  name: 'affine',
  inputs: ['x'],
  infer([x]) {
    checkFloat('affine', 'x', x);
    return spec(x.shape, 'float32');
  },
  kernel: {
    available: (backend) => backend.affine !== undefined,
    run: (backend, [x], { alpha, beta }) => [produce(x.shape, 'float32', (out) =>
      backend.affine(storageOf(x, 'affine'), out, x.size, alpha, beta))],
  },
  compose: ([x], { alpha, beta }) => [add(mul(x, alpha), beta)],
  grad: ([dy], _, { alpha }) => [affine(dy, alpha, 0)],
});

/** alpha * x + beta in one kernel (internal: mean, losses). */
export function affine(x: Tensor, alpha: number, beta = 0): Tensor {
  return run1(AFFINE, [x], { alpha, beta });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    add(b: Operand): Tensor; sub(b: Operand): Tensor; mul(b: Operand): Tensor; div(b: Operand): Tensor;
    squaredDifference(b: Operand): Tensor; maximum(b: Operand): Tensor; minimum(b: Operand): Tensor;
    equal(b: Operand): Tensor; notEqual(b: Operand): Tensor; less(b: Operand): Tensor;
    lessEqual(b: Operand): Tensor; greater(b: Operand): Tensor; greaterEqual(b: Operand): Tensor;
    logicalAnd(b: Operand): Tensor; logicalOr(b: Operand): Tensor; logicalXor(b: Operand): Tensor;
    logicalNot(): Tensor; floorDiv(b: Operand): Tensor;
    /** `this` where condition is true, else b (TF.js's x.where(condition, b)). */
    where(condition: Operand, b: Operand): Tensor;
    atan2(b: Operand): Tensor;
  }
}
chain({
  where(condition: Operand, b: Operand) { return where(condition, this, b); },
  add(b: Operand) { return add(this, b); },
  sub(b: Operand) { return sub(this, b); },
  mul(b: Operand) { return mul(this, b); },
  div(b: Operand) { return div(this, b); },
  squaredDifference(b: Operand) { return squaredDifference(this, b); },
  maximum(b: Operand) { return maximum(this, b); },
  minimum(b: Operand) { return minimum(this, b); },
  equal(b: Operand) { return equal(this, b); },
  notEqual(b: Operand) { return notEqual(this, b); },
  less(b: Operand) { return less(this, b); },
  lessEqual(b: Operand) { return lessEqual(this, b); },
  greater(b: Operand) { return greater(this, b); },
  greaterEqual(b: Operand) { return greaterEqual(this, b); },
  logicalAnd(b: Operand) { return logicalAnd(this, b); },
  logicalOr(b: Operand) { return logicalOr(this, b); },
  logicalXor(b: Operand) { return logicalXor(this, b); },
  logicalNot() { return logicalNot(this); },
  floorDiv(b: Operand) { return floorDiv(this, b); },
  atan2(b: Operand) { return atan2(this, b); },
});
