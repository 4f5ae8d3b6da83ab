/**
 * Creation ops written with ops above creation.ts: meshgrid (broadcasts), eye (tiled for a
 * batch), diag (x times an eye), and the chainable t.oneHot, which TF.js makes int32 with its
 * on and off values (creation.ts's oneHot is float32 ones and zeros). Their gradients are
 * those of the ops they are made of.
 */
import type { DType } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { mul } from './math/binary.js';
import { oneHot, scalar, tensor } from './creation.js';
import { broadcastTo, cast, reshape } from './structure/shape.js';
import { tile } from './structure/rearrange.js';
import { chain, checkAllocation, checkDType, checkTensor, describe } from './util.js';
import { withInputs, type Input } from './inputs.js';

/** tf.meshgrid(x, y, { indexing = 'xy' }): coordinate matrices of two vectors (flattened first). */
export function meshgrid(x: Input, y?: Input, options: { indexing?: 'xy' | 'ij' } = {}): Tensor[] {
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
  return withInputs('diag', [['x', x]], ([t]) => diagOf(t));
}
function diagOf(x: Tensor): Tensor {
  checkTensor('diag', 'x', x);
  if (x.dtype === 'bool') throw new Error(`diag: x must be float32 or int32; received ${describe(x)}`);
  return ENGINE.tidy(() => reshape(mul(reshape(x, [x.size, 1]), eye(x.size, x.size, undefined, x.dtype)), [...x.shape, ...x.shape]));
}

declare module '../core/tensor.js' {
  interface Tensor {
    oneHot(depth: number, onValue?: number, offValue?: number): Tensor;
  }
}
chain({
  // int32, as TF.js's tensor.oneHot (its default dtype).
  oneHot(depth: number, onValue = 1, offValue = 0) {
    return ENGINE.tidy(() => cast(oneHot(this, depth).mul(onValue - offValue).add(scalar(offValue)), 'int32'));
  },
});
