/** tf.util and tf.test_util against TF.js's own: same results on the same arguments, same throws. */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

const ours = sora.util as unknown as Record<string, (...args: unknown[]) => unknown>;
const theirs = tf.util as unknown as Record<string, (...args: unknown[]) => unknown>;

/** Same value, or both throw. */
function same(name: string, ...args: unknown[]): void {
  let expected: unknown, error: unknown = null;
  try { expected = theirs[name](...structuredClone(args)); } catch (e) { error = e; }
  if (error) { expect(() => ours[name](...structuredClone(args)), `${name}(${JSON.stringify(args)})`).toThrow(); return; }
  const actual = ours[name](...structuredClone(args));
  expect(actual, `${name}(${JSON.stringify(args)})`).toEqual(expected);
  if (ArrayBuffer.isView(expected)) expect((actual as object).constructor).toBe((expected as object).constructor);
}

describe('tf.util', () => {
  it('shapes and indices', () => {
    for (const shape of [[], [3], [2, 3], [2, 3, 4], [0, 5], [1, 1, 7]]) {
      same('sizeFromShape', shape); same('isScalarShape', shape); same('computeStrides', shape);
      same('squeezeShape', shape); same('parseAxisParam', null, shape);
      same('makeZerosNestedTypedArray', shape, 'int32');
    }
    same('squeezeShape', [1, 3, 1, 2], [0]); same('squeezeShape', [1, 3, 1, 2], [2, -4]); same('squeezeShape', [1, 3], [1]);
    same('squeezeShape', [1, 3, 1], []);
    same('parseAxisParam', -1, [2, 3]); same('parseAxisParam', [0, -2], [2, 3]); same('parseAxisParam', 2, [2, 3]);
    same('parseAxisParam', 0.5, [2, 3]);
    for (const [shape, size] of [[[2, -1], 6], [[-1], 0], [[3, 2], 6], [[-1, -1], 4], [[2, -1], 5], [[0, -1], 0], [[2, -3], 6], [[3, 2], 5]] as const) {
      same('inferFromImplicitShape', shape, size);
    }
    const strides = [12, 4];
    for (const i of [0, 7, 23]) { same('indexToLoc', i, 3, strides); same('locToIndex', tf.util.indexToLoc(i, 3, strides), 3, strides); }
    same('indexToLoc', 4, 1, []); same('locToIndex', [4], 1, []); same('indexToLoc', 0, 0, []);
    for (const n of [1, 7, 10, 17]) { same('sizeToSquarishShape', n); same('nearestDivisor', n, 3); same('nearestLargerEven', n); }
    same('assertShapesMatch', [1, 2], [1, 2]); same('assertShapesMatch', [1, 2], [2, 1], 'pre');
    same('assertNonNegativeIntegerDimensions', [1, 2]); same('assertNonNegativeIntegerDimensions', [1, -2]);
    expect(() => sora.util.parseAxisParam(2, [2, 3])).toThrow(/util.parseAxisParam: all values in axis must be in range \[-2, 2\); received axis 2/);
    expect(() => sora.util.inferFromImplicitShape([-1, -1], 4)).toThrow(/util.inferFromImplicitShape: shapes can only have 1 implicit size/);
    expect(() => sora.util.squeezeShape([1, 3], [1])).toThrow(/util.squeezeShape: can't squeeze axis 1 since its dim '3' is not 1/);
    expect(() => sora.util.toNestedArray([2, 2], new Float32Array(3))).toThrow(/util.toNestedArray: shape \[2,2\] does not match the input size 3/);
  });

  it('arrays, flattening and nesting', () => {
    same('arraysEqual', [1, 2], [1, 2]); same('arraysEqual', [1, 2], [1, 3]); same('arraysEqual', [1], [1, 2]);
    same('arraysEqual', null, [1]); same('arraysEqualWithNull', [null, 2], [5, 2]); same('arraysEqualWithNull', [1, 2], [5, 2]);
    same('flatten', [[1, 2], [3, [4, [5]]]]); same('flatten', [1, [true, 'a']]); same('flatten', 3);
    same('flatten', [new Float32Array([1, 2]), [3]]); same('flatten', [new Float32Array([1, 2]), [3]], [], true);
    same('flatten', { 0: 1, 1: [2, 3], length: 2 });
    same('toNestedArray', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6])); same('toNestedArray', [], new Int32Array([4]));
    same('toNestedArray', [2, 0], new Float32Array(0)); same('toNestedArray', [2, 2], new Float32Array(3));
    same('toNestedArray', [2], new Float32Array([1, 2, 3, 4]), true);
    same('sum', [1, 2, 3.5]); same('distSquared', [1, 2], [3, 5]); same('clamp', 0, 5, 3); same('clamp', 0, -1, 3);
    same('rightPad', 'ab', 5); same('rightPad', 'abcdef', 3); same('tanh', 0.5); same('isInt', 2); same('isInt', 2.5);
    const a = [1, 2, 3];
    sora.util.swap(a, 0, 2);
    expect(a).toEqual([3, 2, 1]);
  });

  it('dtypes and typed arrays', () => {
    for (const dtype of ['float32', 'int32', 'bool']) {
      same('getArrayFromDType', dtype, 3); same('getTypedArrayFromDType', dtype, 3); same('makeZerosTypedArray', 3, dtype);
      same('makeOnesTypedArray', 3, dtype); same('bytesPerElement', dtype); same('isValidDtype', dtype);
      same('toTypedArray', [[1.6, 0], [-2.2, 0.4]], dtype); same('createScalarValue', 2.7, dtype);
      same('convertBackendValuesAndArrayBuffer', new Int32Array([1, 0, 3]).buffer, dtype);
      for (const other of ['float32', 'int32', 'bool', 'complex64']) same('hasEncodingLoss', dtype, other);
    }
    same('getArrayFromDType', 'string', 2); same('bytesPerElement', 'complex64'); same('bytesPerElement', 'x');
    same('isValidDtype', 'float16'); same('getArrayFromDType', 'x', 1);
    for (const v of [[1, 2], new Int32Array(2), new Uint8Array(1), new Float32Array(1), 'a', true, [[false]], 3]) same('inferDtype', v);
    for (const v of [new Float32Array(1), new Uint8ClampedArray(1), [1], 'a', new Float64Array(1)]) same('isTypedArray', v);
    for (const v of ['a', 1, true, null]) { same('isString', v); same('isBoolean', v); same('isNumber', v); }
    expect(sora.util.isFunction(() => 1)).toBe(tf.util.isFunction(() => 1));
    expect(sora.util.isPromise(Promise.resolve())).toBe(true);
    expect(sora.util.isPromise(3)).toBe(false);
    same('checkConversionForErrors', [1, 2], 'float32'); same('checkConversionForErrors', [1, NaN], 'float32');
    same('bytesFromStringArray', [new Uint8Array(3), new Uint8Array(2)]);
  });

  it('strings, assert, time', async () => {
    same('encodeString', 'héllo'); same('decodeString', new Uint8Array([104, 195, 169]));
    expect(() => sora.util.assert(false, () => 'util says no')).toThrow('util says no');
    expect(() => sora.util.assert(false, 'plain')).toThrow('plain');
    sora.util.assert(true, 'never');
    const t0 = sora.util.now();
    expect(sora.util.now()).toBeGreaterThanOrEqual(t0);
    let tries = 0;
    await sora.util.repeatedTry(() => ++tries === 3);
    expect(tries).toBe(3);
    await expect(sora.util.repeatedTry(() => false, () => 0, 2)).rejects.toBeUndefined();
    expect(typeof sora.util.fetch).toBe('function');
    expect(sora.util.randUniform(2, 3)).toBeGreaterThanOrEqual(2);
  });

  it('shuffle, shuffleCombo and createShuffledIndices permute (and together)', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = a.map((i) => i * 10);
    sora.util.shuffleCombo(a, b);
    expect(a.map((i) => i * 10)).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    const typed = new Float32Array([1, 2, 3, 4, 5]);
    sora.util.shuffle(typed);
    expect([...typed].sort()).toEqual([1, 2, 3, 4, 5]);
    const indices = sora.util.createShuffledIndices(20);
    expect(indices).toBeInstanceOf(Uint32Array);
    expect([...indices].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(() => sora.util.shuffleCombo([1], [1, 2])).toThrow(/util.shuffleCombo: the arrays must have the same length; received 1 and 2/);
  });
});

describe('tf.test_util', () => {
  const cases: [unknown, unknown, number?][] = [
    [[1, 2], [1, 2]], [[1, 2], [1, 2.01]], [[1, 2], [1, 2.0001]], [new Float32Array([1, 2]), [1, 2]], [[1, 2], [1, 2], 0.5],
    [[[1], [2]], [1, 2]], [[1, 2], new Int32Array([1, 2])], [new Float32Array([1]), new Int32Array([1])], [[NaN], [NaN]],
    [[Infinity], [-Infinity]], [[NaN], [1]], [[1, 2, 3], [1, 2]], [3, 3], [[1.5, 2], [1.6, 2], 0.2],
  ];
  for (const name of ['expectArraysClose', 'expectArraysEqual'] as const) {
    it(`${name} passes and throws where TF.js does`, () => {
      for (const [a, e, eps] of cases) {
        let error: Error | null = null;
        try { (tf.test_util[name] as (...x: unknown[]) => void)(a, e, eps); } catch (err) { error = err as Error; }
        const run = () => (sora.test_util[name] as (...x: unknown[]) => void)(a, e, eps);
        if (error) expect(run, `${name}(${JSON.stringify([a, e])})`).toThrow(error.message);
        else expect(run, `${name}(${JSON.stringify([a, e])})`).not.toThrow();
      }
    });
  }
  it('expectNumbersClose, expectValuesInRange, expectArrayBuffersEqual, encodeStrings, testEpsilon', () => {
    expect(() => sora.test_util.expectNumbersClose(1, 1.0001)).not.toThrow();
    expect(() => sora.test_util.expectNumbersClose(1, 1.1)).toThrow('Numbers differ: actual === 1, expected === 1.1');
    expect(() => sora.test_util.expectValuesInRange([1, 5], 0, 4)).toThrow('Value out of range:5 low: 0, high: 4');
    const buf = new Float32Array([1, 2]).buffer;
    expect(() => sora.test_util.expectArrayBuffersEqual(buf, new Float32Array([1, 3]).buffer)).toThrow(/value at 1 to be 3 but got 2/);
    expect(sora.test_util.encodeStrings([['a'], 'b'])).toEqual(tf.test_util.encodeStrings([['a'], 'b']));
    expect(sora.test_util.testEpsilon()).toBe(tf.test_util.testEpsilon());
  });
});
