/** matMul and the fused dense op (GEMM + bias + ReLU epilogue), with gradients. */
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { checkFloat, checkTensor, describe, produce, storageOf } from './util.js';
import { sum } from './reduce.js';

function gemm(op: string, a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean,
  bias: Tensor | null, activation: 'linear' | 'relu'): Tensor {
  checkTensor(op, 'a', a);
  checkTensor(op, 'b', b);
  checkFloat(op, 'a', a);
  checkFloat(op, 'b', b);
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`${op}: expected rank-2 operands; received a ${describe(a)} and b ${describe(b)}`);
  }
  const [m, kA] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
  const [kB, n] = transposeB ? [b.shape[1], b.shape[0]] : b.shape;
  if (kA !== kB) {
    throw new Error(`${op}: inner dimensions differ: a ${describe(a)}${transposeA ? ' transposed' : ''} ` +
      `gives k=${kA}, b ${describe(b)}${transposeB ? ' transposed' : ''} gives k=${kB}`);
  }
  if (bias) {
    checkTensor(op, 'bias', bias);
    checkFloat(op, 'bias', bias);
    if (bias.size !== n || bias.rank !== 1) throw new Error(`${op}: bias must have shape [${n}]; received ${describe(bias)}`);
  }
  return produce([m, n], 'float32', (out) => ENGINE.backend.gemm({
    a: storageOf(a, op), b: storageOf(b, op), out, m, n, k: kA, transposeA, transposeB,
    bias: bias ? storageOf(bias, op) : null, activation,
  }));
}

/** Gradients of C = op(A) op(B) with respect to the stored A and B. */
function gemmGrads(dc: Tensor, a: Tensor, b: Tensor, tA: boolean, tB: boolean, needs: boolean[]): [Tensor | null, Tensor | null] {
  const da = !needs[0] ? null
    : tA ? gemm('matMul grad', b, dc, tB, true, null, 'linear') : gemm('matMul grad', dc, b, false, !tB, null, 'linear');
  const db = !needs[1] ? null
    : tB ? gemm('matMul grad', dc, a, true, tA, null, 'linear') : gemm('matMul grad', a, dc, !tA, false, null, 'linear');
  return [da, db];
}

export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  const y = gemm('matMul', a, b, transposeA, transposeB, null, 'linear');
  ENGINE.record([a, b], y, (dy, needs) => gemmGrads(dy, a, b, transposeA, transposeB, needs));
  return y;
}

/**
 * y = activation(x . kernel + bias) in one GEMM call (bias and ReLU fused in the epilogue).
 * The ReLU gradient reads y: y > 0 exactly where the pre-activation was > 0.
 */
export function dense(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: 'linear' | 'relu' = 'linear'): Tensor {
  const y = gemm('dense', x, kernel, false, false, bias, activation);
  ENGINE.record(bias ? [x, kernel, bias] : [x, kernel], y, (dy, needs) => {
    const dz = activation === 'relu'
      ? produce(y.shape, 'float32', (out) => ENGINE.backend.unaryBackward('relu',
        storageOf(dy, 'dense grad'), storageOf(y, 'dense grad'), storageOf(y, 'dense grad'), out, y.size))
      : dy;
    const [dx, dk] = gemmGrads(dz, x, kernel, false, false, needs);
    return bias ? [dx, dk, needs[2] ? sum(dz, 0) : null] : [dx, dk];
  });
  return y;
}

