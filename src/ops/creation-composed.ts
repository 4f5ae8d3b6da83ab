/**
 * Creation ops written with ops above creation.ts: meshgrid (broadcasts), eye (tiled for a
 * batch), diag (x times an eye), and oneHot (t.oneHot), which TF.js makes int32 by default,
 * with its on and off values (creation.ts's op is float32 ones and zeros). Their gradients are
 * those of the ops they are made of.
 */
import type { DType } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import { Tensor } from '../core/tensor.js';
import { mul, where } from './math/binary.js';
import { oneHotFloat32, scalar, tensor } from './creation.js';
import { broadcastTo, cast, reshape } from './structure/shape.js';
import { tile } from './structure/rearrange.js';
import { chain, checkAllocation, checkDType, checkTensor, describe, refuseComplex } from './util.js';
import { withInputs, type Input } from './inputs.js';

/** tf.meshgrid(x, y, { indexing = 'xy' }): coordinate matrices of two vectors (flattened first). */
export function meshgrid(x: Input, y?: Input, options: { indexing?: 'xy' | 'ij' } = {}): Tensor[] {
  refuseComplex('meshgrid', 'x', x);
  refuseComplex('meshgrid', 'y', y);
  return withInputs('meshgrid', y === undefined ? [['x', x]] : [['x', x], ['y', y]], ([a, b]) => meshgridOf(a, b, options));
}
function meshgridOf(x: Tensor, y?: Tensor, { indexing = 'xy' }: { indexing?: 'xy' | 'ij' } = {}): Tensor[] {
  checkTensor('meshgrid', 'x', x);
  if (indexing !== 'xy' && indexing !== 'ij') throw new Error(`meshgrid: indexing must be 'xy' or 'ij'; received ${String(indexing)}`);
  if (y === undefined) return [reshape(x, [x.size])];
  checkTensor('meshgrid', 'y', y);
  const [n, m] = [x.size, y.size];
  return ENGINE.tidy(() => (indexing === 'xy'
    ? [broadcastTo(reshape(x, [1, n]), [m, n]), broadcastTo(reshape(y, [m, 1]), [m, n])]
    : [broadcastTo(reshape(x, [n, 1]), [n, m]), broadcastTo(reshape(y, [1, m]), [n, m])]));
}

/** tf.eye(numRows, numColumns = numRows, batchShape?, dtype = 'float32'). */
export function eye(numRows: number, numColumns?: number, batchShape?: number[], dtype: DType = 'float32'): Tensor {
  const cols = numColumns ?? numRows;
  for (const [name, v] of [['numRows', numRows], ['numColumns', cols]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`eye: ${name} must be a non-negative integer; received ${v}`);
  }
  checkDType('eye', dtype);
  if (batchShape !== undefined && !Array.isArray(batchShape)) {
    throw new Error(`eye: batchShape must be an array of non-negative integers; received ${String(batchShape)}`);
  }
  checkAllocation('eye', [...(batchShape ?? []), numRows, cols], dtype);
  checkAllocation('eye', [numRows, cols], dtype, 'matrix', true);
  const values = new Float32Array(numRows * cols);
  for (let i = 0; i < Math.min(numRows, cols); i++) values[i * cols + i] = 1;
  if (!batchShape || batchShape.length === 0) return tensor(values, [numRows, cols], dtype, 'eye');
  return ENGINE.tidy(() => tile(tensor(values, [...batchShape.map(() => 1), numRows, cols], dtype, 'eye'), [...batchShape, 1, 1]));
}

/** tf.diag(x): a tensor of shape [...x.shape, ...x.shape] with x on its diagonal. */
export function diag(x: Input): Tensor {
  refuseComplex('diag', 'x', x);
  return withInputs('diag', [['x', x]], ([t]) => diagOf(t));
}
function diagOf(x: Tensor): Tensor {
  checkTensor('diag', 'x', x);
  if (x.dtype === 'bool') throw new Error(`diag: x must be float32 or int32; received ${describe(x)}`);
  return ENGINE.tidy(() => reshape(mul(reshape(x, [x.size, 1]), eye(x.size, x.size, undefined, x.dtype)), [...x.shape, ...x.shape]));
}

/**
 * tf.oneHot(indices, depth, onValue = 1, offValue = 0, dtype = 'int32'): for each int32
 * index a row of `depth` values, `onValue` at the index and `offValue` elsewhere (a row of
 * `offValue` for an index out of range). The values are stored as `dtype` stores them, as in
 * TF.js (2.5 in int32 is 2), except bool, where TF.js keeps any number and sora stores
 * value != 0.
 */
export function oneHot(indices: Input, depth: number, onValue = 1, offValue = 0, dtype: DType = 'int32'): Tensor {
  if (!(indices instanceof Tensor)) {
    return withInputs('oneHot', [['indices', indices, 'int32']], ([t]) => oneHot(t, depth, onValue, offValue, dtype));
  }
  checkTensor('oneHot', 'indices', indices);
  checkDType('oneHot', dtype);
  if (typeof onValue !== 'number' || typeof offValue !== 'number') {
    throw new Error(`oneHot: onValue and offValue must be numbers; received ${String(onValue)} and ${String(offValue)}`);
  }
  if (dtype === 'float32' && onValue === 1 && offValue === 0) return oneHotFloat32(indices, depth);
  return ENGINE.tidy(() => {
    const hot = oneHotFloat32(indices, depth);
    if (onValue === 1 && offValue === 0) return cast(hot, dtype);
    return where(cast(hot, 'bool'), scalar(onValue, dtype), scalar(offValue, dtype));
  });
}

declare module '../core/tensor.js' {
  interface Tensor {
    oneHot(depth: number, onValue?: number, offValue?: number, dtype?: DType): Tensor;
  }
}
chain({
  oneHot(depth: number, onValue?: number, offValue?: number, dtype?: DType) { return oneHot(this, depth, onValue, offValue, dtype); },
});
