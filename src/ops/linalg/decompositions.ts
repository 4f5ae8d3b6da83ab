/**
 * tf.linalg's decompositions: bandPart, gramSchmidt, qr. Each is a registered composition
 * (grad 'composed') of recorded ops (slice, matMul, where, ...), so it runs on every backend
 * without reading a value back and its gradient comes from the ops it is made of.
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor, type Shape } from '../../core/tensor.js';
import { add, div, greater, lessEqual, logicalAnd, mul, sub, where, minimum, less } from '../math/binary.js';
import { oneHotFloat32, scalar, tensor, type TensorLike } from '../creation.js';
import { withArguments } from '../math/complex.js';
import { allTensors, withInputs, withListInput, type Input } from '../inputs.js';
import { matMul } from './matmul.js';
import { sum } from '../reduce/reduce.js';
import { concat, reshape, slice } from '../structure/shape.js';
import { neg, sqrt, square } from '../math/unary.js';
import { register, run1, runOp, spec } from '../registry.js';
import { checkTensor, describe, sizeOf, toTensor } from '../util.js';

/** An int32 vector 0..n-1 (a constant of the shape, uploaded once). */
const iota = (n: number): Tensor => tensor(Int32Array.from({ length: n }, (_, i) => i), [n], 'int32');

/** A band limit: a number (negative: the whole side), or an int32 scalar tensor (TF.js form). */
function bandLimit(name: string, limit: number | Tensor, size: number, side: 'rows' | 'columns'): Tensor {
  if (limit instanceof Tensor) {
    checkTensor('bandPart', name, limit);
    if (limit.dtype !== 'int32' || limit.size !== 1) throw new Error(`bandPart: ${name} must be an int32 scalar; received ${describe(limit)}`);
    return where(less(limit, 0), scalar(size, 'int32'), minimum(reshape(limit, []), scalar(size, 'int32')));
  }
  if (!Number.isInteger(limit)) throw new Error(`bandPart: ${name} must be an integer; received ${limit}`);
  if (limit > size) throw new Error(`bandPart: ${name} (${limit}) must not exceed the number of ${side} (${size})`);
  return scalar(limit < 0 ? size : limit, 'int32');
}

/**
 * tf.linalg.bandPart(a, numLower, numUpper): keeps a[..., i, j] where i - j <= numLower and
 * j - i <= numUpper (a negative limit keeps that whole triangle); zeros elsewhere.
 */
export function bandPart(a: Tensor | TensorLike, numLower: number | Tensor, numUpper: number | Tensor): Tensor {
  return withArguments([toTensor('bandPart', 'a', a, undefined, (v, d) => tensor(v as TensorLike, undefined, d))],
    (t) => bandPartOf(t, numLower, numUpper));
}

function bandPartOf(a: Tensor, numLower: number | Tensor, numUpper: number | Tensor): Tensor {
  if (a.rank < 2) throw new Error(`bandPart: a must have rank >= 2; received ${describe(a)}`);
  const [m, n] = a.shape.slice(-2);
  return ENGINE.tidy(() => run1(BAND_PART, [a, bandLimit('numLower', numLower, m, 'rows'),
    bandLimit('numUpper', numUpper, n, 'columns')], {}));
}

/** The limits arrive resolved: int32 scalars in [0, rows] and [0, columns]. */
const BAND_PART = register<Record<string, never>>({
  name: 'bandPart',
  inputs: ['a', 'numLower', 'numUpper'],
  infer: ([a]) => spec(a.shape, a.dtype),
  compose: ([a, lower, upper]) => {
    const [m, n] = a.shape.slice(-2);
    const rows = reshape(iota(m), [m, 1]), cols = iota(n);
    const inBand = logicalAnd(lessEqual(sub(rows, cols), lower), lessEqual(sub(cols, rows), upper));
    return [where(inBand, a, scalar(0, a.dtype))];
  },
  grad: 'composed',
});

const norm2 = (x: Tensor): Tensor => sqrt(sum(square(x)));

/**
 * tf.linalg.gramSchmidt: the vectors (a list of rank-1 tensors, or the rows of a matrix)
 * orthonormalized in order by classical Gram-Schmidt; the result has the input's form.
 */
export function gramSchmidt(xs: Input[] | Tensor): Tensor[] | Tensor {
  const op = 'gramSchmidt';
  // A list's entries may be values (each a vector); a matrix must be a Tensor, as a nested array is a list.
  if (Array.isArray(xs) && !allTensors(xs)) return withListInput(op, 'xs', xs, (list) => gramSchmidt(list));
  const asMatrix = !Array.isArray(xs);
  if (asMatrix) {
    checkTensor(op, 'xs', xs);
    if (xs.rank !== 2) throw new Error(`${op}: xs must be a rank-2 tensor or a list of rank-1 tensors; received ${describe(xs)}`);
  } else {
    if (xs.length === 0) throw new Error(`${op}: xs must not be empty`);
    xs.forEach((x, i) => {
      checkTensor(op, `xs[${i}]`, x);
      if (x.rank !== 1 || x.size !== xs[0].size) {
        throw new Error(`${op}: xs[${i}] must be rank 1 of length ${xs[0].size} like xs[0]; received ${describe(x)}`);
      }
    });
  }
  const count = asMatrix ? xs.shape[0] : xs.length;
  const dim = asMatrix ? xs.shape[1] : xs[0].size;
  if (count > dim) throw new Error(`${op}: ${count} vectors exceed their dimension ${dim}`);
  for (const x of asMatrix ? [xs] : xs) if (x.dtype !== 'float32') throw new Error(`${op}: vectors must be float32; received ${describe(x)}`);
  const out = runOp(GRAM_SCHMIDT, asMatrix ? [xs] : xs, { asMatrix });
  return asMatrix ? out[0] : out;
}

/** The vectors: the rows of one matrix input, or the rank-1 inputs; outputs in the same form. */
const GRAM_SCHMIDT = register<{ asMatrix: boolean }>({
  name: 'gramSchmidt',
  inputs: [],
  infer: (xs) => xs.map((x) => ({ shape: x.shape, dtype: 'float32' as const })),
  compose: (xs, { asMatrix }) => ENGINE.tidy(() => {
    const [count, dim] = asMatrix ? xs[0].shape : [xs.length, xs[0].size];
    const vectors = asMatrix ? Array.from({ length: count }, (_, i) => reshape(slice(xs[0], [i, 0], [1, dim]), [dim])) : xs;
    const ys: Tensor[] = [];
    for (const v of vectors) {
      let x = v;
      for (const y of ys) x = sub(x, mul(sum(mul(y, x)), y));
      ys.push(div(x, norm2(x)));
    }
    return asMatrix ? [reshape(concat(ys, 0), [count, dim])] : ys;
  }),
  grad: 'composed',
});

/**
 * The Householder QR of one m x n matrix, with TF.js's conventions (each reflector
 * H = I - tau w w^T with w[0] = 1, the sign of R's diagonal entries chosen against
 * r[j, j]), so q and r match TF.js, not only up to signs.
 */
function householderQr(x: Tensor, fullMatrices: boolean): [Tensor, Tensor] {
  const [m, n] = x.shape;
  let q = oneHotFloat32(iota(m), m);
  let r = x;
  const one = tensor([1], [1, 1]);
  for (let j = 0; j < Math.min(m, n); j++) {
    const column = slice(r, [j, j], [m - j, 1]);
    const columnNorm = norm2(column);
    const pivot = slice(r, [j, j], [1, 1]);
    const sign = where(greater(pivot, 0), -1, 1);
    const u1 = sub(pivot, mul(sign, columnNorm));
    const w = m - j === 1 ? one : concat([one, slice(div(column, u1), [1, 0], [m - j - 1, 1])], 0);
    const tauW = mul(neg(div(mul(sign, u1), columnNorm)), w);
    const below = slice(r, [j, 0], [m - j, n]);
    const reflected = sub(below, matMul(tauW, matMul(w, below, true, false)));
    r = j === 0 ? reflected : concat([slice(r, [0, 0], [j, n]), reflected], 0);
    const right = slice(q, [0, j], [m, m - j]);
    const updated = sub(right, matMul(matMul(right, w), tauW, false, true));
    q = j === 0 ? updated : concat([slice(q, [0, 0], [m, j]), updated], 1);
  }
  if (!fullMatrices && m > n) return [slice(q, [0, 0], [m, n]), slice(r, [0, 0], [n, n])];
  return [q, r === x ? add(x, 0) : r];
}

/**
 * tf.linalg.qr(x, fullMatrices = false): [q, r] with x = q r for each matrix in x's last two
 * axes; q has orthonormal columns ([..., m, k]), r is upper triangular ([..., k, n]), where
 * k = m when fullMatrices, else min(m, n).
 */
export function qr(x: Input, fullMatrices = false): [Tensor, Tensor] {
  if (!(x instanceof Tensor)) return withInputs('qr', [['x', x]], ([t]) => qr(t, fullMatrices));
  checkTensor('qr', 'x', x);
  return runOp(QR, [x], { fullMatrices }) as [Tensor, Tensor];
}

const QR = register<{ fullMatrices: boolean }>({
  name: 'qr',
  inputs: ['x'],
  infer([x], { fullMatrices }) {
    if (x.rank < 2) throw new Error(`qr: x must have rank >= 2; received ${describe(x)}`);
    if (x.dtype !== 'float32') throw new Error(`qr: x must be float32; received ${describe(x)}`);
    const [m, n] = x.shape.slice(-2);
    const k = fullMatrices ? m : Math.min(m, n);
    return [{ shape: [...x.shape.slice(0, -2), m, k], dtype: 'float32' }, { shape: [...x.shape.slice(0, -2), k, n], dtype: 'float32' }];
  },
  compose: ([x], { fullMatrices }) => qrComposed(x, fullMatrices),
  grad: 'composed',
});

function qrComposed(x: Tensor, fullMatrices: boolean): Tensor[] {
  const [m, n] = x.shape.slice(-2);
  const outer: Shape = x.shape.slice(0, -2);
  const batch = sizeOf(outer);
  return ENGINE.tidy(() => {
    if (x.rank === 2) return householderQr(x, fullMatrices);
    const flat = reshape(x, [batch, m, n]);
    const results = Array.from({ length: batch }, (_, b) => householderQr(reshape(slice(flat, [b, 0, 0], [1, m, n]), [m, n]), fullMatrices));
    const stackAll = (parts: Tensor[]): Tensor => {
      const [rows, cols] = parts[0].shape;
      return reshape(concat(parts.map((p) => reshape(p, [1, rows, cols])), 0), [...outer, rows, cols]);
    };
    if (batch === 0) {
      const k = fullMatrices ? m : Math.min(m, n);
      return [reshape(tensor([], [0]), [...outer, m, k]), reshape(tensor([], [0]), [...outer, k, n])];
    }
    return [stackAll(results.map(([q]) => q)), stackAll(results.map(([, r]) => r))];
  });
}

/** TF.js's tf.linalg namespace: bandPart, gramSchmidt and qr. */
export const linalg = { bandPart, gramSchmidt, qr };
