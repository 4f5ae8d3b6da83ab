/**
 * Vector and matrix products written with matMul: outerProduct (v1[i] * v2[j]) and dot
 * (vector or matrix by vector or matrix), with the chainable t.dot. Their gradients are
 * matMul's and reshape's.
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import { matMul } from './matmul.js';
import { reshape } from '../structure/shape.js';
import { chain, checkRank, checkTensor, describe, refuseComplex } from '../util.js';
import { withInputs, type Input } from '../inputs.js';

/** tf.outerProduct(v1, v2): the matrix v1[i] * v2[j]. */
export function outerProduct(v1: Input, v2: Input): Tensor {
  refuseComplex('outerProduct', 'v1', v1);
  refuseComplex('outerProduct', 'v2', v2);
  return withInputs('outerProduct', [['v1', v1], ['v2', v2]], ([a, b]) => outerProductOf(a, b));
}
function outerProductOf(v1: Tensor, v2: Tensor): Tensor {
  checkRank('outerProduct', v1, 1);
  checkRank('outerProduct', v2, 1);
  return ENGINE.tidy(() => matMul(reshape(v1, [v1.size, 1]), reshape(v2, [1, v2.size])));
}

/** tf.dot(t1, t2): vector . vector (a scalar), matrix . vector, vector . matrix, matrix . matrix. */
export function dot(t1: Input, t2: Input): Tensor {
  refuseComplex('dot', 't1', t1);
  refuseComplex('dot', 't2', t2);
  return withInputs('dot', [['t1', t1], ['t2', t2]], ([a, b]) => dotOf(a, b));
}
function dotOf(t1: Tensor, t2: Tensor): Tensor {
  checkTensor('dot', 't1', t1);
  checkTensor('dot', 't2', t2);
  if (t1.rank < 1 || t1.rank > 2 || t2.rank < 1 || t2.rank > 2) {
    throw new Error(`dot: both inputs must have rank 1 or 2; received ${describe(t1)} and ${describe(t2)}`);
  }
  const inner1 = t1.shape[t1.rank - 1], inner2 = t2.shape[0];
  if (inner1 !== inner2) throw new Error(`dot: inner dimensions differ: ${describe(t1)} and ${describe(t2)}`);
  return ENGINE.tidy(() => {
    const a = t1.rank === 1 ? reshape(t1, [1, inner1]) : t1;
    const b = t2.rank === 1 ? reshape(t2, [inner2, 1]) : t2;
    const product = matMul(a, b);
    const shape = [...(t1.rank === 2 ? [t1.shape[0]] : []), ...(t2.rank === 2 ? [t2.shape[1]] : [])];
    return reshape(product, shape);
  });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    dot(b: Input): Tensor;
  }
}
chain({
  dot(b: Input) { return dot(this, b); },
});
