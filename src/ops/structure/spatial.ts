/**
 * Spatial rearrangements written with reshapes and transposes: depthToSpace (channel blocks
 * moved into space), spaceToBatchND (spatial blocks moved into the batch, after padding) and
 * batchToSpaceND (its inverse, then cropped), with their chainable methods. Their gradients
 * are those of the ops they are made of.
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { reshape, slice, transpose } from './shape.js';
import { pad } from './rearrange.js';
import { chain, checkRank, checkTensor, describe, refuseComplex } from '../util.js';

/** tf.depthToSpace(x, blockSize, dataFormat = 'NHWC'): channel blocks moved into space. */
export function depthToSpace(x: Input, blockSize: number, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): Tensor {
  if (!(x instanceof Tensor)) return withInputs('depthToSpace', [['x', x]], ([t]) => depthToSpace(t, blockSize, dataFormat));
  refuseComplex('depthToSpace', 'x', x);
  checkRank('depthToSpace', x, 4);
  // TF.js's depthToSpace takes float32 only; a port that relies on it gets the same refusal.
  if (x.dtype !== 'float32') throw new Error(`depthToSpace: x must be float32; received ${describe(x)}; cast it first`);
  if (!Number.isInteger(blockSize) || blockSize < 2) throw new Error(`depthToSpace: blockSize must be an integer >= 2; received ${blockSize}`);
  const [b, d1, d2, d3] = x.shape;
  const channels = dataFormat === 'NHWC' ? d3 : d1;
  if (channels % (blockSize * blockSize) !== 0) {
    throw new Error(`depthToSpace: the channels (${channels}) of ${describe(x)} must divide by blockSize^2 = ${blockSize * blockSize}`);
  }
  const c = channels / (blockSize * blockSize);
  return ENGINE.tidy(() => (dataFormat === 'NHWC'
    ? reshape(transpose(reshape(x, [b, d1, d2, blockSize, blockSize, c]), [0, 1, 3, 2, 4, 5]), [b, d1 * blockSize, d2 * blockSize, c])
    : reshape(transpose(reshape(x, [b, blockSize, blockSize, c, d2, d3]), [0, 3, 4, 1, 5, 2]), [b, c, d2 * blockSize, d3 * blockSize])));
}

function checkBlocks(op: string, x: Tensor, blockShape: number[], pairs: [number, number][], name: string): void {
  if (!Array.isArray(blockShape) || blockShape.length < 1 || blockShape.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`${op}: blockShape must be positive integers; received ${JSON.stringify(blockShape)}`);
  }
  if (x.rank < blockShape.length + 1) throw new Error(`${op}: x ${describe(x)} needs rank > blockShape length ${blockShape.length}`);
  if (!Array.isArray(pairs) || pairs.length !== blockShape.length ||
    pairs.some((p) => p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new Error(`${op}: ${name} must be ${blockShape.length} pairs of non-negative integers; received ${JSON.stringify(pairs)}`);
  }
}

/** tf.spaceToBatchND(x, blockShape, paddings): spatial blocks moved into the batch. */
export function spaceToBatchND(x: Input, blockShape: number[], paddings: [number, number][]): Tensor {
  if (!(x instanceof Tensor)) return withInputs('spaceToBatchND', [['x', x]], ([t]) => spaceToBatchND(t, blockShape, paddings));
  refuseComplex('spaceToBatchND', 'x', x);
  checkTensor('spaceToBatchND', 'x', x);
  checkBlocks('spaceToBatchND', x, blockShape, paddings, 'paddings');
  const m = blockShape.length;
  const padded = x.shape.map((d, i) => (i >= 1 && i <= m ? d + paddings[i - 1][0] + paddings[i - 1][1] : d));
  blockShape.forEach((b, i) => {
    if (padded[i + 1] % b !== 0) {
      throw new Error(`spaceToBatchND: padded axis ${i + 1} (${padded[i + 1]}) of ${describe(x)} must divide by blockShape[${i}] = ${b}`);
    }
  });
  const [batch, rest] = [x.shape[0], x.shape.slice(m + 1)];
  return ENGINE.tidy(() => {
    const full = pad(x, x.shape.map((_, i) => (i >= 1 && i <= m ? paddings[i - 1] : [0, 0])) as [number, number][]);
    const split = reshape(full, [batch, ...blockShape.flatMap((b, i) => [padded[i + 1] / b, b]), ...rest]);
    const perm = [...blockShape.map((_, i) => 2 + 2 * i), 0, ...blockShape.map((_, i) => 1 + 2 * i),
      ...rest.map((_, i) => 1 + 2 * m + i)];
    const product = blockShape.reduce((p, q) => p * q, 1);
    return reshape(transpose(split, perm), [batch * product, ...blockShape.map((b, i) => padded[i + 1] / b), ...rest]);
  });
}

/** tf.batchToSpaceND(x, blockShape, crops): the inverse of spaceToBatchND. */
export function batchToSpaceND(x: Input, blockShape: number[], crops: [number, number][]): Tensor {
  if (!(x instanceof Tensor)) return withInputs('batchToSpaceND', [['x', x]], ([t]) => batchToSpaceND(t, blockShape, crops));
  refuseComplex('batchToSpaceND', 'x', x);
  checkTensor('batchToSpaceND', 'x', x);
  checkBlocks('batchToSpaceND', x, blockShape, crops, 'crops');
  const m = blockShape.length;
  const product = blockShape.reduce((p, q) => p * q, 1);
  if (x.shape[0] % product !== 0) {
    throw new Error(`batchToSpaceND: the batch (${x.shape[0]}) of ${describe(x)} must divide by the block product ${product}`);
  }
  const batch = x.shape[0] / product;
  const spatial = x.shape.slice(1, m + 1);
  const rest = x.shape.slice(m + 1);
  const grown = spatial.map((d, i) => d * blockShape[i]);
  crops.forEach(([a, b], i) => {
    if (a + b > grown[i]) throw new Error(`batchToSpaceND: crops [${a}, ${b}] exceed axis ${i + 1} (${grown[i]})`);
  });
  return ENGINE.tidy(() => {
    const split = reshape(x, [...blockShape, batch, ...spatial, ...rest]);
    const perm = [m, ...spatial.flatMap((_, i) => [m + 1 + i, i]), ...rest.map((_, i) => 2 * m + 1 + i)];
    const merged = reshape(transpose(split, perm), [batch, ...grown, ...rest]);
    return slice(merged, [0, ...crops.map(([a]) => a), ...rest.map(() => 0)],
      [batch, ...grown.map((d, i) => d - crops[i][0] - crops[i][1]), ...rest]);
  });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    depthToSpace(blockSize: number, dataFormat?: 'NHWC' | 'NCHW'): Tensor;
    spaceToBatchND(blockShape: number[], paddings: [number, number][]): Tensor;
    batchToSpaceND(blockShape: number[], crops: [number, number][]): Tensor;
  }
}
chain({
  depthToSpace(blockSize: number, dataFormat?: 'NHWC' | 'NCHW') { return depthToSpace(this, blockSize, dataFormat); },
  spaceToBatchND(blockShape: number[], paddings: [number, number][]) { return spaceToBatchND(this, blockShape, paddings); },
  batchToSpaceND(blockShape: number[], crops: [number, number][]) { return batchToSpaceND(this, blockShape, crops); },
});
