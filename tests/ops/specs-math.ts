/**
 * Test entries of the per-element math ops (src/ops/math/elementary.ts, activations.ts, pow
 * and mod in pow-mod.ts, floorDiv and atan2 in binary.ts), spread into OP_SPECS
 * (tests/ops/specs.ts). Inputs keep a finite-difference step (0.01) away from every kink and
 * jump (integers and halves for floor/ceil/round, zero for sign/step/relu-like ops, a = k b
 * for mod); every unary op also runs on hostile values (NaN, +-Infinity, +-0) forward, and on
 * int32 where TF.js takes it.
 */
import * as sora from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { hostile, ints, positive, spaced, type Input, type OpCase } from './specs.js';

const EXACT = { atol: 0, rtol: 0 };
type Case = Omit<OpCase, 'wrt'> & { wrt?: number[] };
const c = (label: string, inputs: Input[], run: (t: Tensor[]) => Tensor, extra: Partial<Case> = {}): Case =>
  ({ label, inputs, run, ...extra });
const values = (list: number[], shape = [list.length], dtype: Input['dtype'] = 'float32'): Input => ({ values: list, shape, dtype });
/** Values with |x| in [lo, hi), signs alternating. */
function away(shape: number[], seed: number, lo = 0.5, hi = 1.5): Input {
  const p = positive(shape, seed);
  return { ...p, values: p.values.map((v, i) => (i % 2 ? -1 : 1) * (lo + (v - 0.5) * (hi - lo))) };
}

type Domain = 'any' | 'positive' | 'unit' | 'aboveOne' | 'awayFromZero';
function domainInput(domain: Domain, shape: number[], seed: number): Input {
  if (domain === 'positive') return positive(shape, seed);
  if (domain === 'awayFromZero') return away(shape, seed);
  if (domain === 'aboveOne') { const p = positive(shape, seed); return { ...p, values: p.values.map((v) => v + 0.7) }; }
  return spaced(shape, seed); // 'any' and 'unit': |x| < 0.55 for the shapes below
}

/**
 * A unary op: two float cases checked by finite differences (for floor, ceil, round, sign and
 * step they confirm TF.js's zero gradient), a scaled case for a wider range, hostile values,
 * empty, and int32 unless TF.js rejects it.
 */
function unary(f: (x: Tensor) => Tensor, domain: Domain, opts: { scale?: number; int?: boolean; wideScale?: number } = {}): Case[] {
  const scale = opts.scale ?? 1;
  const g = scale === 1 ? f : (x: Tensor) => f(x.mul(scale));
  const wide = opts.wideScale ?? (domain === 'any' ? 60 : 1);
  return [
    c('[3,5]', [domainInput(domain, [3, 5], 201)], ([x]) => g(x), { wrt: [0] }),
    c('[1,7,3]', [domainInput(domain, [1, 7, 3], 202)], ([x]) => g(x), { wrt: [0] }),
    c(`[33] scaled by ${wide}`, [domainInput(domain, [33], 203)], ([x]) => f(x.mul(wide))),
    c('hostile [9,7]', [hostile([9, 7], 204)], ([x]) => f(x)),
    c('empty [0,3]', [spaced([0, 3], 205)], ([x]) => f(x)),
    ...(opts.int === false ? [] : [c('int32 [3,7]', [ints([3, 7], 206)], ([x]) => f(x), { tolerance: EXACT })]),
  ];
}

const TIES = values([-3.5, -2.5, -1.5, -0.5, -0.3, 0.5, 1.5, 2.5, 3.5, 4.5, 1e7 + 0.5, -0]);
const B = [0.7, -1.3, 2.2, -0.9, 1.7];

export function mathSpecs(): Record<string, Case[]> {
  return {
    sin: unary(sora.sin, 'any', { int: false }),
    cos: unary(sora.cos, 'any', { int: false }),
    tan: unary(sora.tan, 'any', { int: false, wideScale: 3 }),
    asin: unary(sora.asin, 'unit'),
    acos: unary(sora.acos, 'unit'),
    atan: unary(sora.atan, 'any'),
    sinh: unary(sora.sinh, 'any', { wideScale: 20 }),
    cosh: unary(sora.cosh, 'any', { int: false, wideScale: 20 }),
    asinh: unary(sora.asinh, 'any'),
    acosh: unary(sora.acosh, 'aboveOne'),
    atanh: unary(sora.atanh, 'unit'),
    erf: unary(sora.erf, 'any', { wideScale: 8 }),
    log1p: unary(sora.log1p, 'any'),
    expm1: unary(sora.expm1, 'any', { wideScale: 20 }),
    floor: [...unary(sora.floor, 'any', { scale: 10, int: false }), c('ties', [TIES], ([x]) => sora.floor(x), { tolerance: EXACT })],
    ceil: [...unary(sora.ceil, 'any', { scale: 10, int: false }), c('ties', [TIES], ([x]) => sora.ceil(x), { tolerance: EXACT })],
    round: [...unary(sora.round, 'any', { scale: 10 }), c('ties to even', [TIES], ([x]) => sora.round(x), { tolerance: EXACT })],
    sign: unary(sora.sign, 'any'),
    reciprocal: unary(sora.reciprocal, 'awayFromZero'),
    rsqrt: unary(sora.rsqrt, 'positive', { int: false }),
    isNaN: [c('hostile [9,7]', [hostile([9, 7], 211)], ([x]) => sora.isNaN(x), { tolerance: EXACT }),
      c('int32 [7]', [ints([7], 212)], ([x]) => sora.isNaN(x), { tolerance: EXACT })],
    isInf: [c('hostile [9,7]', [hostile([9, 7], 213)], ([x]) => sora.isInf(x), { tolerance: EXACT }),
      c('int32 [7]', [ints([7], 214)], ([x]) => sora.isInf(x), { tolerance: EXACT })],
    isFinite: [c('hostile [9,7]', [hostile([9, 7], 215)], ([x]) => sora.isFinite(x), { tolerance: EXACT }),
      c('int32 [7]', [ints([7], 216)], ([x]) => sora.isFinite(x), { tolerance: EXACT })],
    elu: unary(sora.elu, 'any', { scale: 10, int: false }),
    selu: unary(sora.selu, 'any', { scale: 10 }),
    relu6: unary(sora.relu6, 'any', { scale: 20 }),
    softplus: unary(sora.softplus, 'any', { scale: 10, wideScale: 300 }),
    logSigmoid: unary(sora.logSigmoid, 'any', { scale: 10, wideScale: 300 }),
    leakyRelu: unary((x) => sora.leakyRelu(x, 0.15), 'any', { scale: 10 }),
    step: unary((x) => sora.step(x, 0.3), 'any', { scale: 10 }),
    prelu: [
      c('[3,5] alpha [5]', [spaced([3, 5], 221), spaced([5], 222, 0.0375)], ([x, a]) => sora.prelu(x, a), { wrt: [0, 1] }),
      c('[2,3,4] alpha scalar', [spaced([2, 3, 4], 223), spaced([], 224)], ([x, a]) => sora.prelu(x, a), { wrt: [0, 1] }),
      c('int32 x, alpha [7]', [ints([3, 7], 225), spaced([7], 226)], ([x, a]) => sora.prelu(x, a)),
    ],
    pow: [
      c('positive base [3,5] ^ [3,5]', [positive([3, 5], 231), spaced([3, 5], 232)], ([a, b]) => sora.pow(a, b.mul(4)), { wrt: [0, 1] }),
      c('broadcast [3,1] ^ [1,5]', [positive([3, 1], 233), spaced([1, 5], 234)], ([a, b]) => sora.pow(a, b.mul(4)), { wrt: [0, 1] }),
      c('negative base ^ 3 and ^ 2', [spaced([2, 7], 235)], ([a]) => sora.pow(a, sora.tensor([3, 2, 3, 2, 3, 2, 3])), { wrt: [0] }),
      c('hostile', [hostile([9, 7], 236), hostile([9, 7], 237)], ([a, b]) => sora.pow(a, b)),
      c('int32 [3,7] ^ [7]', [ints([3, 7], 238), ints([7], 239, -2, 5)], ([a, b]) => sora.pow(a, b), { tolerance: EXACT }),
      c('empty [0,3] ^ [3]', [spaced([0, 3], 240), spaced([3], 241)], ([a, b]) => sora.pow(a, b)),
    ],
    mod: [
      c('[3,5] mod [5] of both signs', [spaced([3, 5], 251), values(B)], ([a, b]) => sora.mod(a, b), { wrt: [0, 1] }),
      c('scaled [7,5] mod [5]', [spaced([7, 5], 252), values(B)], ([a, b]) => sora.mod(a.mul(30), b), { tolerance: { atol: 1e-5, rtol: 1e-5 } }),
      c('hostile', [hostile([9, 7], 253), hostile([9, 7], 254)], ([a, b]) => sora.mod(a, b)),
      c('int32 with zero divisors', [ints([3, 7], 255, -9, 10), ints([7], 256)], ([a, b]) => sora.mod(a, b), { tolerance: EXACT }),
      c('empty', [spaced([0, 3], 257), spaced([3], 258)], ([a, b]) => sora.mod(a, b)),
    ],
    floorDiv: [
      c('float [7,5] / [5]', [spaced([7, 5], 261), values(B)], ([a, b]) => sora.floorDiv(a.mul(30), b), { tolerance: EXACT }),
      c('hostile', [hostile([9, 7], 262), hostile([9, 7], 263)], ([a, b]) => sora.floorDiv(a, b), { tolerance: EXACT }),
      c('int32 with zero divisors', [ints([3, 7], 264, -9, 10), ints([7], 265)], ([a, b]) => sora.floorDiv(a, b), { tolerance: EXACT }),
      c('int32 div is floorDiv', [ints([33], 266, -50, 50), ints([33], 267, -6, 7)], ([a, b]) => sora.div(a, b), { tolerance: EXACT }),
    ],
    atan2: [
      c('[3,5] x positive [3,5]', [spaced([3, 5], 271), positive([3, 5], 272)], ([a, b]) => sora.atan2(a, b), { wrt: [0, 1] }),
      c('broadcast [3,1] x negative [5]', [spaced([3, 1], 273), positive([5], 274)], ([a, b]) => sora.atan2(a, b.neg()), { wrt: [0, 1] }),
      c('hostile', [hostile([9, 7], 275), hostile([9, 7], 276)], ([a, b]) => sora.atan2(a, b)),
      c('int32', [ints([3, 7], 277), ints([7], 278)], ([a, b]) => sora.atan2(a, b), { tolerance: EXACT }),
    ],
    divNoNan: [
      c('[3,5] / [3,5]', [spaced([3, 5], 281), away([3, 5], 282)], ([a, b]) => sora.divNoNan(a, b), { wrt: [0, 1] }),
      c('zeros in b, broadcast [2,5] / [5]', [spaced([2, 5], 283), values([0, 0.5, 0, -2, 1.5])], ([a, b]) => sora.divNoNan(a, b), { wrt: [0] }),
      c('int32', [ints([3, 7], 284), ints([7], 285)], ([a, b]) => sora.divNoNan(a, b), { tolerance: EXACT }),
    ],
    addN: [
      c('three [3,5]', [spaced([3, 5], 291), spaced([3, 5], 292), spaced([3, 5], 293)], (ts) => sora.addN(ts), { wrt: [0, 1, 2] }),
      c('one [7]', [spaced([7], 294)], (ts) => sora.addN(ts), { wrt: [0] }),
      c('int32 [2,3] x2', [ints([2, 3], 295), ints([2, 3], 296)], (ts) => sora.addN(ts), { tolerance: EXACT }),
    ],
  };
}
