/** matMul and the fused dense op (GEMM + bias + ReLU epilogue), with gradients written as GEMMs. */
import type { Tensor } from '../../core/tensor.js';
import { activationGrad } from '../math/unary.js';
import { sum } from '../reduce/reduce.js';
import { register, run1, spec } from '../registry.js';
import { chain, checkFloat, describe, produce, storageOf } from '../util.js';

interface GemmAttrs { transposeA: boolean; transposeB: boolean; activation: 'linear' | 'relu' }

function gemmOp(name: 'matMul' | 'dense') {
  return register<GemmAttrs>({
    name,
    inputs: name === 'matMul' ? ['a', 'b'] : ['x', 'kernel', 'bias'],
    infer([a, b, bias], { transposeA, transposeB }) {
      checkFloat(name, 'a', a);
      checkFloat(name, 'b', b);
      if (a.rank !== 2 || b.rank !== 2) {
        throw new Error(`${name}: expected rank-2 operands; received a ${describe(a)} and b ${describe(b)}`);
      }
      const [m, kA] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
      const [kB, n] = transposeB ? [b.shape[1], b.shape[0]] : b.shape;
      if (kA !== kB) {
        throw new Error(`${name}: inner dimensions differ: a ${describe(a)}${transposeA ? ' transposed' : ''} ` +
          `gives k=${kA}, b ${describe(b)}${transposeB ? ' transposed' : ''} gives k=${kB}`);
      }
      if (bias) {
        checkFloat(name, 'bias', bias);
        if (bias.size !== n || bias.rank !== 1) throw new Error(`${name}: bias must have shape [${n}]; received ${describe(bias)}`);
      }
      return spec([m, n], 'float32');
    },
    kernel: {
      available: (backend) => backend.gemm !== undefined,
      run: (backend, [a, b, bias], { transposeA, transposeB, activation }, [out]) => [produce(out.shape, 'float32',
        (storage) => backend.gemm({
          a: storageOf(a, name), b: storageOf(b, name), out: storage, m: out.shape[0], n: out.shape[1],
          k: transposeA ? a.shape[0] : a.shape[1], transposeA, transposeB,
          bias: bias ? storageOf(bias, name) : null, activation,
        }))],
    },
    // The ReLU gradient reads y: y > 0 exactly where the pre-activation was > 0.
    save: { inputs: [0, 1], outputs: name === 'dense' ? [0] : [] },
    grad: ([dy], [a, b, y], { transposeA: tA, transposeB: tB, activation }, needs) => {
      const dz = activation === 'relu' ? activationGrad('relu', dy, y) : dy;
      const da = !needs[0] ? null : tA ? matMul(b, dz, tB, true) : matMul(dz, b, false, !tB);
      const db = !needs[1] ? null : tB ? matMul(dz, a, true, tA) : matMul(a, dz, !tA, false);
      return [da, db, needs[2] ? sum(dz, 0) : null];
    },
  });
}

const MATMUL = gemmOp('matMul');
const DENSE = gemmOp('dense');

export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  return run1(MATMUL, [a, b], { transposeA, transposeB, activation: 'linear' });
}

/**
 * y = activation(x . kernel + bias) in one GEMM call (bias and ReLU fused in the epilogue);
 * internal to the layers, not part of the public namespace.
 */
export function dense(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: 'linear' | 'relu' = 'linear'): Tensor {
  return run1(DENSE, bias ? [x, kernel, bias] : [x, kernel], { transposeA: false, transposeB: false, activation });
}

declare module '../../core/tensor.js' {
  interface Tensor { matMul(b: Tensor, transposeA?: boolean, transposeB?: boolean): Tensor }
}
chain({ matMul(b: Tensor, transposeA?: boolean, transposeB?: boolean) { return matMul(this, b, transposeA, transposeB); } });
