/**
 * matMul (rank 2 and up, TF.js's broadcast batch dims) and the fused dense op (GEMM + bias +
 * ReLU epilogue), with gradients written as matMuls.
 */
import type { Kernels, Storage } from '../../backends/backend.js';
import { ENGINE } from '../../core/engine.js';
import { Tensor, type Shape } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { activationGrad } from '../math/unary.js';
import { add } from '../math/binary.js';
import { broadcastTo, cast } from '../structure/shape.js';
import { sum } from '../reduce/reduce.js';
import { register, run1, runOp, spec, sumToShape } from '../registry.js';
import { chain, checkFloat, describe, produce, sizeOf, storageOf } from '../util.js';

interface GemmAttrs { transposeA: boolean; transposeB: boolean; activation: 'linear' | 'relu' }

/** The dims of one operand's matrices: [rows, cols] of op(x). */
function matrixDims(x: Tensor, transpose: boolean): [number, number] {
  const r = x.shape.length;
  return transpose ? [x.shape[r - 1], x.shape[r - 2]] : [x.shape[r - 2], x.shape[r - 1]];
}

function checkInner(name: string, a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): void {
  const kA = matrixDims(a, transposeA)[1], kB = matrixDims(b, transposeB)[0];
  if (kA !== kB) {
    throw new Error(`${name}: inner dimensions differ: a ${describe(a)}${transposeA ? ' transposed' : ''} ` +
      `gives k=${kA}, b ${describe(b)}${transposeB ? ' transposed' : ''} gives k=${kB}; ` +
      `a's ${transposeA ? 'second-to-last' : 'last'} dim must equal b's ${transposeB ? 'last' : 'second-to-last'} (transposeA / transposeB choose which)`);
  }
}

/** The batch dims of a matMul's output: a's and b's (all but the last two) broadcast, numpy's rule. */
function batchShape(a: Tensor, b: Tensor): Shape {
  const aBatch = a.shape.slice(0, -2), bBatch = b.shape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aBatch[aBatch.length - rank + i] ?? 1, db = bBatch[bBatch.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`matMul: the batch dims of a ${describe(a)} and b ${describe(b)} do not broadcast ` +
        `([${aBatch}] vs [${bBatch}]: ${da} vs ${db}); each pair of batch dims, aligned from the right, must be equal or 1`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * out = op(a) . op(b) over broadcast batch dims, in as few gemm calls as the broadcast allows:
 * the longest run of trailing batch dims over which both operands step (or one of them stays
 * put: stride 0) becomes one batched call, and each index of the leading batch dims one call
 * with offsets. Equal batch dims, or one operand with a single matrix, give one call.
 */
function batchedGemm(backend: Pick<Kernels, 'gemm'>, a: Tensor, b: Tensor, out: Storage, outBatch: Shape,
  transposeA: boolean, transposeB: boolean): void {
  const [m, k] = matrixDims(a, transposeA), n = matrixDims(b, transposeB)[1];
  const rank = outBatch.length;
  if (rank === 0) {
    // Two matrices: one plain call, no batch plan (the common case, per step of an RNN).
    backend.gemm({
      a: storageOf(a, 'matMul'), b: storageOf(b, 'matMul'), out, m, n, k, transposeA, transposeB, bias: null, activation: 'linear',
    });
    return;
  }
  const pad = (x: Tensor) => [...new Array<number>(rank - (x.rank - 2)).fill(1), ...x.shape.slice(0, -2)];
  const aDims = pad(a), bDims = pad(b);
  // Elements between consecutive indices of each batch dim (0 where the operand broadcasts).
  const strides = (dims: number[], matrix: number) => {
    const s = new Array<number>(rank);
    for (let d = rank - 1, step = matrix; d >= 0; step *= dims[d], d--) s[d] = dims[d] === 1 ? 0 : step;
    return s;
  };
  const aStrides = strides(aDims, m * k), bStrides = strides(bDims, k * n);
  // The split: batch dims [split, rank) form one batched call in which A steps by m * k, or
  // stays (all its dims there are 1); B alike. The smallest split wins.
  const runFrom = (fits: (d: number) => boolean) => { let s = rank; while (s > 0 && fits(s - 1)) s--; return s; };
  const steps = (dims: number[], d: number) => dims[d] === outBatch[d];
  const stays = (dims: number[], d: number) => dims[d] === 1;
  const plans = [
    { split: runFrom((d) => steps(aDims, d) && steps(bDims, d)), strideA: m * k, strideB: k * n },
    { split: runFrom((d) => stays(aDims, d) && steps(bDims, d)), strideA: 0, strideB: k * n },
    { split: runFrom((d) => steps(aDims, d) && stays(bDims, d)), strideA: m * k, strideB: 0 },
  ];
  const plan = plans.reduce((best, p) => (p.split < best.split ? p : best));
  const inner = sizeOf(outBatch.slice(plan.split));
  const outer = sizeOf(outBatch.slice(0, plan.split));
  const aStorage = storageOf(a, 'matMul'), bStorage = storageOf(b, 'matMul');
  const index = new Array<number>(plan.split).fill(0);
  for (let o = 0; o < outer; o++) {
    let aOffset = 0, bOffset = 0;
    for (let d = 0; d < plan.split; d++) { aOffset += index[d] * aStrides[d]; bOffset += index[d] * bStrides[d]; }
    // A fresh literal per call (one object shape for the backend to read; no spread).
    backend.gemm({
      a: aStorage, b: bStorage, out, m, n, k, transposeA, transposeB, bias: null, activation: 'linear',
      batch: inner, strideA: plan.strideA, strideB: plan.strideB, strideC: m * n, aOffset, bOffset, outOffset: o * inner * m * n,
    });
    for (let d = plan.split - 1; d >= 0 && ++index[d] === outBatch[d]; d--) index[d] = 0;
  }
}

const MATMUL = register<Omit<GemmAttrs, 'activation'>>({
  name: 'matMul',
  inputs: ['a', 'b'],
  infer([a, b], { transposeA, transposeB }) {
    checkFloat('matMul', 'a', a);
    checkFloat('matMul', 'b', b);
    if (a.rank < 2 || b.rank < 2) {
      throw new Error(`matMul: expected rank-2 operands, or batches of them ([..., rows, cols]); received a ${describe(a)} ` +
        `and b ${describe(b)}; reshape a vector to [1, n] or [n, 1] first`);
    }
    checkInner('matMul', a, b, transposeA, transposeB);
    return spec([...batchShape(a, b), matrixDims(a, transposeA)[0], matrixDims(b, transposeB)[1]], 'float32');
  },
  kernel: {
    available: (backend) => backend.gemm !== undefined,
    run: (backend, [a, b], { transposeA, transposeB }, [out]) => [produce(out.shape, 'float32', (storage) => {
      if (sizeOf(out.shape) > 0) batchedGemm(backend, a, b, storage, out.shape.slice(0, -2), transposeA, transposeB);
    })],
  },
  save: { inputs: [0, 1] },
  // The rank-2 gradients, batched: each batch dim an operand broadcast over is summed back
  // to its shape (sumToShape), so the gradient of a [3, 4] a times a [2, 4, 5] b is [3, 4].
  grad: ([dy], [a, b], { transposeA: tA, transposeB: tB }, needs) => {
    const da = !needs[0] ? null : sumToShape(tA ? matMul(b, dy, tB, true) : matMul(dy, b, false, !tB), a.shape);
    const db = !needs[1] ? null : sumToShape(tB ? matMul(dy, a, true, tA) : matMul(a, dy, !tA, false), b.shape);
    return [da, db];
  },
});

/**
 * A ReLU dense layer's backward prologue in one op: dz = dy * (y > 0) and the bias gradient
 * db = sum(dz, 0), for y [m, n]. One dispatch and one tape entry instead of two, the two
 * kernels back to back on the same dz (the reference's own activationGrad and sum, bit for bit).
 */
const RELU_BIAS_GRAD = register<Record<string, never>>({
  name: 'reluBiasGrad',
  inputs: ['dy', 'y'],
  infer([dy, y]) {
    checkFloat('reluBiasGrad', 'dy', dy);
    checkFloat('reluBiasGrad', 'y', y);
    if (y.rank !== 2 || dy.rank !== 2 || dy.shape[0] !== y.shape[0] || dy.shape[1] !== y.shape[1]) {
      throw new Error(`reluBiasGrad: dy and y must be one [m, n] shape; received dy ${describe(dy)}, y ${describe(y)}`);
    }
    return [{ shape: y.shape, dtype: 'float32' }, { shape: [y.shape[1]], dtype: 'float32' }];
  },
  inferByShapes: true,
  kernel: {
    available: (backend) => backend.unaryBackward !== undefined && backend.unaryOps.has('relu') && backend.reduce !== undefined,
    run: (backend, inputs, _, specs) => {
      const dy = inputs[0], y = inputs[1];
      const [m, n] = y.shape;
      const yStorage = storageOf(y, 'reluBiasGrad');
      const dz = produce(specs[0].shape, 'float32', (out) => backend.unaryBackward('relu', storageOf(dy, 'reluBiasGrad'),
        yStorage, yStorage, out, m * n));
      try {
        return [dz, produce(specs[1].shape, 'float32', (out) => backend.reduce('sum', storageOf(dz, 'reluBiasGrad'), out, 1, m, n))];
      } catch (error) {
        dz.dispose();
        throw error;
      }
    },
  },
  compose: ([dy, y]) => {
    const dz = activationGrad('relu', dy, y);
    return [dz, sum(dz, 0)];
  },
  save: { inputs: [1] },
  unusedOutputs: 'null',
  // dz and db both are dy masked by y > 0 (db summed over rows): the upstream of db spreads over
  // the rows, joins dz's, and goes through the mask once. ReLU's slope is piecewise constant in y.
  grad: ([gdz, gdb], [y], _, needs) => {
    if (!needs[0]) return [null, null];
    const upstream = gdz && gdb ? add(gdz, gdb) : gdz ?? broadcastTo(gdb, y.shape);
    return [activationGrad('relu', upstream, y), null];
  },
});

/** dz = dy * (y > 0) and db = sum(dz, 0) of a ReLU dense layer, in one op (internal). */
export function reluBiasGrad(dy: Tensor, y: Tensor): [Tensor, Tensor] {
  const [dz, db] = runOp(RELU_BIAS_GRAD, [dy, y], {});
  return [dz, db];
}

const DENSE = register<GemmAttrs>({
  name: 'dense',
  inputs: ['x', 'kernel', 'bias'],
  infer([x, kernel, bias], { transposeA, transposeB }) {
    checkFloat('dense', 'x', x);
    checkFloat('dense', 'kernel', kernel);
    if (x.rank !== 2 || kernel.rank !== 2) {
      throw new Error(`dense: expected rank-2 operands; received x ${describe(x)} and kernel ${describe(kernel)}`);
    }
    checkInner('dense', x, kernel, transposeA, transposeB);
    const n = matrixDims(kernel, transposeB)[1];
    if (bias) {
      checkFloat('dense', 'bias', bias);
      if (bias.size !== n || bias.rank !== 1) throw new Error(`dense: bias must have shape [${n}]; received ${describe(bias)}`);
    }
    return spec([matrixDims(x, transposeA)[0], n], 'float32');
  },
  kernel: {
    available: (backend) => backend.gemm !== undefined,
    run: (backend, [x, kernel, bias], { transposeA, transposeB, activation }, [out]) => [produce(out.shape, 'float32',
      (storage) => backend.gemm({
        a: storageOf(x, 'dense'), b: storageOf(kernel, 'dense'), out: storage, m: out.shape[0], n: out.shape[1],
        k: matrixDims(x, transposeA)[1], transposeA, transposeB,
        bias: bias ? storageOf(bias, 'dense') : null, activation,
      }))],
  },
  // The ReLU gradient reads y: y > 0 exactly where the pre-activation was > 0.
  save: { inputs: [0, 1], outputs: [0] },
  grad: ([dy], [x, kernel, y], { transposeA: tA, transposeB: tB, activation }, needs) => {
    // ReLU with a bias to train: the mask and the bias gradient in one op.
    const fused = activation === 'relu' && needs[2] ? reluBiasGrad(dy, y) : null;
    const dz = fused ? fused[0] : activation === 'relu' ? activationGrad('relu', dy, y) : dy;
    const dx = !needs[0] ? null : tA ? matMul(kernel, dz, tB, true) : matMul(dz, kernel, false, !tB);
    const dKernel = !needs[1] ? null : tB ? matMul(dz, x, true, tA) : matMul(x, dz, !tA, false);
    return [dx, dKernel, fused ? fused[1] : needs[2] ? sum(dz, 0) : null];
  },
});

/**
 * The matrix product of the last two dims, as TF.js's tf.matMul: a [..., m, k] (or
 * [..., k, m] with transposeA) times b [..., k, n] (or [..., n, k]) gives [..., m, n], the
 * batch dims broadcast by numpy's rule ([2, 1, 3, 4] x [5, 4, 2] is [2, 5, 3, 2]). int32
 * with float32 gives float32 and int32 with int32 int32, as TF.js; bool is refused.
 */
export function matMul(a: Input, b: Input, transposeA = false, transposeB = false): Tensor {
  if (!(a instanceof Tensor && b instanceof Tensor)) {
    return withInputs('matMul', [['a', a], ['b', b]], ([x, y]) => matMul(x, y, transposeA, transposeB));
  }
  const attrs = { transposeA, transposeB };
  // int32 operands, as TF.js: int32 with float32 is float32; int32 with int32 is int32. Both
  // compute in float32 (the gemm kernels' type), exact while products and sums stay below 2^24.
  const numeric = (t: Tensor) => t.dtype === 'int32' || t.dtype === 'float32';
  if ((a.dtype === 'int32' || b.dtype === 'int32') && numeric(a) && numeric(b)) {
    return ENGINE.tidy(() => {
      const product = run1(MATMUL, [a, b].map((t) => (t.dtype === 'float32' ? t : cast(t, 'float32'))), attrs);
      return a.dtype === 'int32' && b.dtype === 'int32' ? cast(product, 'int32') : product;
    });
  }
  return run1(MATMUL, [a, b], attrs);
}

/**
 * y = activation(x . kernel + bias) in one GEMM call (bias and ReLU fused in the epilogue);
 * internal to the layers, not part of the public namespace.
 */
export function dense(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: 'linear' | 'relu' = 'linear'): Tensor {
  return run1(DENSE, bias ? [x, kernel, bias] : [x, kernel], { transposeA: false, transposeB: false, activation });
}

declare module '../../core/tensor.js' {
  interface Tensor { matMul(b: Input, transposeA?: boolean, transposeB?: boolean): Tensor }
}
chain({ matMul(b: Input, transposeA?: boolean, transposeB?: boolean) { return matMul(this, b, transposeA, transposeB); } });
