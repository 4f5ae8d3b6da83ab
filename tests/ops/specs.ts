/**
 * The test entry of every registered op (src/ops/registry.ts): sample inputs of odd shapes
 * (broadcasting, int32 and bool, an empty tensor where the op takes one), how to call it,
 * and which inputs the finite-difference check differentiates. No test-runner import: the
 * same specs run under vitest in Node (tests/ops-registry.test.ts: reference and both wasm
 * builds) and bundled into Chromium and Deno (webgpu).
 *
 * Adding an op: add its entry here. tests/ops-registry.test.ts fails for a registered op
 * without one, and for an entry naming no registered op.
 */
import * as sora from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { affine } from '../../src/ops/math/binary.js';
import { activationGrad } from '../../src/ops/math/unary.js';
import { dense, reluBiasGrad } from '../../src/ops/linalg/matmul.js';
import { softmaxCrossEntropy } from '../../src/ops/nn.js';
import { adamUpdate, rmspropUpdate, sgdUpdate } from '../../src/ops/optim.js';
import { runOp, registeredOps } from '../../src/ops/registry.js';
import { RANDOM_SPECS } from './specs-random.js';
import { SIGNAL_SPECS } from './specs-signal.js';
import { CONV_SPECS } from './specs-conv.js';
import { structureSpecs } from './specs-structure.js';
import { mathSpecs } from './specs-math.js';
import { namesSpecs } from './specs-names.js';
import { POOL_SPECS } from './specs-pool.js';
import { RECURRENT_SPECS } from './specs-recurrent.js';
import { mulberry32 } from '../backends/suite/harness.js';

/** Input values: made again, identically, on each backend under test. */
export type Input = { values: number[]; shape: number[]; dtype: 'float32' | 'int32' | 'bool' };

export interface OpCase {
  /** Distinguishes the cases of one op, e.g. 'broadcast [3,1] x [1,5]'. */
  label: string;
  inputs: Input[];
  run(inputs: Tensor[]): Tensor;
  /** Inputs checked against finite differences (float32 ones); empty: forward only. */
  wrt: number[];
  /** Forward tolerance against the reference; exact ops use { atol: 0, rtol: 0 }. */
  tolerance?: { atol: number; rtol: number };
}

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Distinct float values at least 0.05 apart and at least 0.025 from 0 (no ties, no kinks
 * within a finite-difference step of 0.01), shuffled by `seed`. A second operand takes
 * offset 0.0375, so no value of it is within 0.0125 of one of the first.
 */
export function spaced(shape: number[], seed: number, offset = 0.025): Input {
  const n = count(shape);
  const values = Array.from({ length: n }, (_, i) => (i - Math.floor(n / 2)) * 0.05 + offset);
  const rng = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
  return { values, shape, dtype: 'float32' };
}
export function positive(shape: number[], seed: number): Input {
  const rng = mulberry32(seed);
  return { values: Array.from({ length: count(shape) }, () => 0.5 + rng()), shape, dtype: 'float32' };
}
export function ints(shape: number[], seed: number, lo = -4, hi = 5): Input {
  const rng = mulberry32(seed);
  return { values: Array.from({ length: count(shape) }, () => lo + Math.floor(rng() * (hi - lo))), shape, dtype: 'int32' };
}
export function bools(shape: number[], seed: number): Input {
  const rng = mulberry32(seed);
  return { values: Array.from({ length: count(shape) }, () => (rng() < 0.5 ? 0 : 1)), shape, dtype: 'bool' };
}
/** Float values with repeats, -0, infinities and NaN: comparisons must agree exactly. */
export function hostile(shape: number[], seed: number): Input {
  const pool = [0, -0, 1, -1, 0.5, Infinity, -Infinity, Number.NaN, 3];
  const rng = mulberry32(seed);
  return { values: Array.from({ length: count(shape) }, () => pool[Math.floor(rng() * pool.length)]), shape, dtype: 'float32' };
}

export function makeInput(input: Input): Tensor {
  return sora.tensor(input.values, input.shape, input.dtype);
}

const EXACT = { atol: 0, rtol: 0 };
/** The second operand's offset (see spaced). */
const B = 0.0375;
type Case = Omit<OpCase, 'wrt'> & { wrt?: number[] };
const c = (label: string, inputs: Input[], run: (t: Tensor[]) => Tensor, extra: Partial<Case> = {}): Case =>
  ({ label, inputs, run, ...extra });

function binaryCases(name: string, f: (a: Tensor, b: Tensor) => Tensor, differentiable: boolean): Case[] {
  const wrt = differentiable ? [0, 1] : [];
  const exact = differentiable ? {} : { tolerance: EXACT };
  return [
    c('[3,5] x [3,5]', [spaced([3, 5], 1), spaced([3, 5], 2, B)], ([a, b]) => f(a, b), { wrt, ...exact }),
    c('broadcast [3,1] x [1,5]', [spaced([3, 1], 3), spaced([1, 5], 4, B)], ([a, b]) => f(a, b), { wrt, ...exact }),
    c('broadcast [2,7] x [7]', [spaced([2, 7], 5), spaced([7], 6, B)], ([a, b]) => f(a, b), { wrt, ...exact }),
    c('scalar x [2,3,3]', [spaced([], 7), spaced([2, 3, 3], 8, B)], ([a, b]) => f(a, b), { wrt, ...exact }),
    c('empty [0,3] x [3]', [spaced([0, 3], 9), spaced([3], 10)], ([a, b]) => f(a, b), { wrt: [], ...exact }),
    ...(name === 'div' ? [] : [c('int32 [3,7] x [7]', [ints([3, 7], 11), ints([7], 12)], ([a, b]) => f(a, b), { wrt: [], tolerance: EXACT })]),
    ...(differentiable ? [] : [c('hostile [9,7]', [hostile([9, 7], 13), hostile([9, 7], 14)], ([a, b]) => f(a, b), { wrt: [], tolerance: EXACT })]),
  ];
}

function logicCases(f: (a: Tensor, b: Tensor) => Tensor): Case[] {
  return [
    c('bool [5,7] x [5,7]', [bools([5, 7], 1), bools([5, 7], 2)], ([a, b]) => f(a, b), { tolerance: EXACT }),
    c('bool broadcast [3,1] x [33]', [bools([3, 1], 3), bools([33], 4)], ([a, b]) => f(a, b), { tolerance: EXACT }),
  ];
}

function unaryCases(f: (x: Tensor) => Tensor, domain: 'any' | 'positive'): Case[] {
  const make = domain === 'positive' ? positive : spaced;
  return [
    c('[3,5]', [make([3, 5], 21)], ([x]) => f(x), { wrt: [0] }),
    c('[1,7,3]', [make([1, 7, 3], 22)], ([x]) => f(x), { wrt: [0] }),
    c('empty [0]', [make([0], 23)], ([x]) => f(x)),
  ];
}

const reduceCases = (f: (x: Tensor, axis?: number | number[], keep?: boolean) => Tensor, ints32: boolean): Case[] => [
  c('all axes [3,5]', [spaced([3, 5], 31)], ([x]) => f(x), { wrt: [0] }),
  c('axis 1 [3,5,2]', [spaced([3, 5, 2], 32)], ([x]) => f(x, 1), { wrt: [0] }),
  c('axes [0,2] keepDims [3,5,2]', [spaced([3, 5, 2], 33)], ([x]) => f(x, [0, 2], true), { wrt: [0] }),
  c('axis -1 [7,33]', [spaced([7, 33], 34)], ([x]) => f(x, -1), { wrt: [] }),
  ...(ints32 ? [c('int32 axis 0 [4,3]', [ints([4, 3], 35)], ([x]) => f(x, 0), { tolerance: EXACT })] : []),
];

/** Every registered op's cases, by registered name. */
export const OP_SPECS: Record<string, Case[]> = {
  ...RANDOM_SPECS,
  ...SIGNAL_SPECS,
  ...CONV_SPECS,
  ...structureSpecs(),
  ...mathSpecs(),
  ...namesSpecs(),
  ...POOL_SPECS,
  ...RECURRENT_SPECS,
  add: binaryCases('add', sora.add, true),
  sub: binaryCases('sub', sora.sub, true),
  mul: binaryCases('mul', sora.mul, true),
  div: binaryCases('div', (a, b) => sora.div(a, b.abs().add(0.5)), true),
  squaredDifference: binaryCases('squaredDifference', sora.squaredDifference, true),
  maximum: binaryCases('maximum', sora.maximum, true),
  minimum: binaryCases('minimum', sora.minimum, true),
  equal: binaryCases('equal', sora.equal, false),
  notEqual: binaryCases('notEqual', sora.notEqual, false),
  less: binaryCases('less', sora.less, false),
  lessEqual: binaryCases('lessEqual', sora.lessEqual, false),
  greater: binaryCases('greater', sora.greater, false),
  greaterEqual: binaryCases('greaterEqual', sora.greaterEqual, false),
  logicalAnd: logicCases(sora.logicalAnd),
  logicalOr: logicCases(sora.logicalOr),
  logicalXor: [...logicCases(sora.logicalXor), c('logicalNot [7]', [bools([7], 5)], ([a]) => sora.logicalNot(a), { tolerance: EXACT })],
  where: [
    c('[3,5] all same shape', [bools([3, 5], 41), spaced([3, 5], 42), spaced([3, 5], 43)], ([k, a, b]) => sora.where(k, a, b), { wrt: [1, 2] }),
    c('broadcast cond [3,1], a [5], b scalar', [bools([3, 1], 44), spaced([5], 45), spaced([], 46)], ([k, a, b]) => sora.where(k, a, b), { wrt: [1, 2] }),
    c('int32 values [33]', [bools([33], 47), ints([33], 48), ints([33], 49)], ([k, a, b]) => sora.where(k, a, b), { tolerance: EXACT }),
  ],
  relu: unaryCases(sora.relu, 'any'),
  sigmoid: unaryCases(sora.sigmoid, 'any'),
  tanh: unaryCases(sora.tanh, 'any'),
  exp: unaryCases(sora.exp, 'any'),
  log: unaryCases(sora.log, 'positive'),
  neg: unaryCases(sora.neg, 'any'),
  abs: unaryCases(sora.abs, 'any'),
  sqrt: unaryCases(sora.sqrt, 'positive'),
  square: unaryCases(sora.square, 'any'),
  activationGrad: (['relu', 'sigmoid', 'tanh'] as const).map((op) =>
    c(op, [spaced([3, 7], 51), op === 'relu' ? spaced([3, 7], 52) : positive([3, 7], 52)], ([dy, y]) =>
      activationGrad(op, dy, op === 'relu' ? y : y.mul(0.5)), { wrt: op === 'relu' ? [0] : [0, 1] })),
  affine: [c('[5,3]', [spaced([5, 3], 53)], ([x]) => affine(x, -1.5, 0.25), { wrt: [0] })],
  clipByValue: [c('[5,7]', [spaced([5, 7], 54)], ([x]) => sora.clipByValue(x, -0.3, 0.4), { wrt: [0] })],
  sum: reduceCases(sora.sum, true),
  max: reduceCases(sora.max, true),
  min: reduceCases(sora.min, true),
  mean: reduceCases(sora.mean, false),
  argMax: [
    c('axis -1 [7,33]', [spaced([7, 33], 61)], ([x]) => sora.argMax(x, -1), { tolerance: EXACT }),
    c('axis 0 int32 [5,3]', [ints([5, 3], 62)], ([x]) => sora.argMax(x, 0), { tolerance: EXACT }),
  ],
  reshape: [c('[3,4] -> [2,-1]', [spaced([3, 4], 71)], ([x]) => sora.reshape(x, [2, -1]), { wrt: [0], tolerance: EXACT })],
  clone: [c('[3,5]', [spaced([3, 5], 72)], ([x]) => sora.clone(x), { wrt: [0], tolerance: EXACT }),
    c('bool [7]', [bools([7], 73)], ([x]) => sora.clone(x), { tolerance: EXACT })],
  cast: [
    c('float32 -> int32', [spaced([3, 5], 74)], ([x]) => sora.cast(x.mul(20), 'int32'), { tolerance: EXACT }),
    c('int32 -> float32', [ints([7], 75)], ([x]) => sora.cast(x, 'float32'), { tolerance: EXACT }),
    c('float32 -> bool', [hostile([33], 76)], ([x]) => sora.cast(x, 'bool'), { tolerance: EXACT }),
    c('bool -> float32', [bools([33], 77)], ([x]) => sora.cast(x, 'float32'), { tolerance: EXACT }),
  ],
  transpose: [
    c('[3,5]', [spaced([3, 5], 81)], ([x]) => sora.transpose(x), { wrt: [0], tolerance: EXACT }),
    c('[2,3,4] perm [1,2,0]', [spaced([2, 3, 4], 82)], ([x]) => sora.transpose(x, [1, 2, 0]), { wrt: [0], tolerance: EXACT }),
  ],
  slice: [c('[5,7] begin [1,2] size [3,-1]', [spaced([5, 7], 83)], ([x]) => sora.slice(x, [1, 2], [3, -1]), { wrt: [0], tolerance: EXACT })],
  slicePlace: [c('slice gradient [5,3]', [spaced([5, 3], 84)], ([x]) =>
    runOp(registeredOps().get('slicePlace') as never, [x], { begin: [1, 0], size: [5, 3], inShape: [7, 4] } as never)[0],
  { wrt: [0], tolerance: EXACT })],
  concat: [
    c('axis 1 [3,2] [3,5]', [spaced([3, 2], 85), spaced([3, 5], 86)], ([a, b]) => sora.concat([a, b], 1), { wrt: [0, 1], tolerance: EXACT }),
    c('axis 0 int32', [ints([2, 3], 87), ints([1, 3], 88)], ([a, b]) => sora.concat([a, b], 0), { tolerance: EXACT }),
  ],
  gather: [
    c('rows of [5,3], repeats', [spaced([5, 3], 91), { values: [4, 0, 4, 2], shape: [4], dtype: 'int32' }],
      ([x, i]) => sora.gather(x, i), { wrt: [0], tolerance: EXACT }),
    c('rank-2 indices', [spaced([6, 2], 92), { values: [5, 1, 1, 0, 3, 5], shape: [2, 3], dtype: 'int32' }],
      ([x, i]) => sora.gather(x, i), { wrt: [0], tolerance: EXACT }),
  ],
  broadcastTo: [c('[3,1] -> [2,3,5]', [spaced([3, 1], 93)], ([x]) => sora.broadcastTo(x, [2, 3, 5]), { wrt: [0], tolerance: EXACT })],
  fill: [c('[3,5] 2.5 and int32', [], () => sora.fill([3, 5], 2.5).add(sora.fill([3, 5], 7, 'int32').toFloat()), { tolerance: EXACT })],
  zerosLike: [c('[3,5]: zeros, gradient zeros (as TF.js)', [spaced([3, 5], 95)], ([x]) => sora.zerosLike(x), { wrt: [0], tolerance: EXACT })],
  onesLike: [c('[3,5]: ones, gradient zeros (as TF.js)', [spaced([3, 5], 96)], ([x]) => sora.onesLike(x), { wrt: [0], tolerance: EXACT })],
  oneHot: [c('depth 5, out of range gives zeros', [{ values: [0, 4, 2, 7, -1], shape: [5], dtype: 'int32' }],
    ([i]) => sora.oneHot(i, 5), { tolerance: EXACT })],
  matMul: [
    c('[3,5] x [5,7]', [spaced([3, 5], 101), spaced([5, 7], 102)], ([a, b]) => sora.matMul(a, b), { wrt: [0, 1] }),
    c('transposed [5,3]^T x [7,5]^T', [spaced([5, 3], 103), spaced([7, 5], 104)], ([a, b]) => sora.matMul(a, b, true, true), { wrt: [0, 1] }),
    c('batched [3,2,4] x [3,4,5]', [spaced([3, 2, 4], 113), spaced([3, 4, 5], 114)], ([a, b]) => sora.matMul(a, b), { wrt: [0, 1] }),
    c('broadcast [2,1,3,4] x [5,4,2]', [spaced([2, 1, 3, 4], 115), spaced([5, 4, 2], 116)], ([a, b]) => sora.matMul(a, b), { wrt: [0, 1] }),
    c('broadcast rank 2 by rank 3, tA tB: [4,3]^T x [2,5,4]^T', [spaced([4, 3], 117), spaced([2, 5, 4], 118)],
      ([a, b]) => sora.matMul(a, b, true, true), { wrt: [0, 1] }),
  ],
  dense: [
    c('relu with bias', [spaced([3, 5], 105), spaced([5, 4], 106), spaced([4], 107)], ([x, k, b]) => dense(x, k, b, 'relu'), { wrt: [0, 1, 2] }),
    c('linear, no bias', [spaced([1, 7], 108), spaced([7, 3], 109)], ([x, k]) => dense(x, k, null, 'linear'), { wrt: [0, 1] }),
  ],
  reluBiasGrad: [
    // Both outputs in one tensor: dz flattened, then db.
    c('[3,5]', [spaced([3, 5], 115), spaced([3, 5], 116, 0.0375)], ([dy, y]) => {
      const [dz, db] = reluBiasGrad(dy, y);
      return sora.concat([sora.reshape(dz, [-1]), db]);
    }, { wrt: [0] }),
    c('[1,1]', [spaced([1, 1], 117), spaced([1, 1], 118, 0.0375)], ([dy, y]) => sora.concat(reluBiasGrad(dy, y).map((t) => sora.reshape(t, [-1]))), { wrt: [0] }),
    c('[7,33]', [spaced([7, 33], 119), spaced([7, 33], 120, 0.0375)], ([dy, y]) => reluBiasGrad(dy, y)[1], { wrt: [0] }),
  ],
  softmax: [c('[3,5]', [spaced([3, 5], 111)], ([x]) => sora.softmax(x), { wrt: [0] }),
    c('[2,70] wide rows', [spaced([2, 70], 112)], ([x]) => sora.softmax(x), { wrt: [] })],
  softmaxCrossEntropy: [
    c('one-hot [3,5]', [spaced([3, 5], 113), { values: [0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0], shape: [3, 5], dtype: 'float32' }],
      ([x, y]) => softmaxCrossEntropy(x, y, false), { wrt: [0] }),
    c('sparse [4,3]', [spaced([4, 3], 114), { values: [2, 0, 1, 2], shape: [4], dtype: 'int32' }],
      ([x, y]) => softmaxCrossEntropy(x, y, true), { wrt: [0] }),
  ],
  adam: [c('one step on [7]', [spaced([7], 121), spaced([7], 122)], ([w, g]) => update(w, (v, m) => adamUpdate(v, g, m[0], m[1], 0.1, 0.9, 0.999, 1e-7, 1), 2))],
  sgd: [c('momentum, nesterov on [7]', [spaced([7], 123), spaced([7], 124)], ([w, g]) => update(w, (v, m) => sgdUpdate(v, g, m[0], 0.1, 0.9, true), 1))],
  rmsprop: [c('momentum on [7]', [spaced([7], 125), spaced([7], 126)], ([w, g]) => update(w, (v, m) => rmspropUpdate(v, g, m[0], m[1], 0.1, 0.9, 0.5, 1e-7), 2))],
};

/** Apply an in-place update to a variable copy of `w` (state starts at 0.5); return its new values. */
function update(w: Tensor, step: (v: sora.Variable, state: Tensor[]) => void, states: number): Tensor {
  const v = sora.variable(w);
  const state = Array.from({ length: states }, () => sora.fill(w.shape, 0.5));
  try {
    step(v, state);
    return sora.clone(v);
  } finally {
    v.dispose();
    sora.dispose(state);
  }
}

export function specCases(name: string): OpCase[] {
  return (OP_SPECS[name] ?? []).map((k) => ({ wrt: [], ...k }));
}
