/**
 * tf.test_util: the assertions TF.js tests use, with TF.js's rules: arrays are compared
 * flat after a shape check of nested arrays; plain arrays must match in class (Array with
 * Array) unless one side is a typed array; two non-finite numbers are close; NaN is never
 * close to a finite number. The float32 tolerance is 1e-3, as TF.js's on a 32-bit backend.
 */
import { arraysEqual, encodeString, flatten, isString, isTypedArray, type RecursiveArray } from './util.js';

type Values = ArrayLike<number> | RecursiveArray<number> | number | boolean | string | ArrayLike<string | boolean>;

/** TF.js's tolerance on a float32 backend (sora's backends are all float32). */
export function testEpsilon(): number { return 1e-3; }

function close(a: number, e: number, epsilon: number): boolean {
  if (!Number.isFinite(a) && !Number.isFinite(e)) return true;
  return !(Number.isNaN(a) || Number.isNaN(e) || Math.abs(a - e) > epsilon);
}

function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v) || isTypedArray(v); v = (v as ArrayLike<unknown>)[0]) shape.push((v as ArrayLike<unknown>).length);
  return shape;
}

function comparePredicate(actual: Values, expected: Values, same: (a: never, e: never) => boolean): void {
  const typedSide = isTypedArray(actual) || isTypedArray(expected);
  const bothTyped = isTypedArray(actual) && isTypedArray(expected);
  if (!typedSide || bothTyped) {
    const aType = (actual as object).constructor.name;
    const bType = (expected as object).constructor.name;
    if (aType !== bType) throw new Error(`Arrays are of different type. Actual: ${aType}. Expected: ${bType}`);
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const aShape = shapeOf(actual), eShape = shapeOf(expected);
    if (!arraysEqual(aShape, eShape)) throw new Error(`Arrays have different shapes. Actual: [${aShape}]. Expected: [${eShape}]`);
  }
  const a = isTypedArray(actual) ? actual as ArrayLike<unknown> : flatten<unknown>(actual as RecursiveArray<unknown>);
  const e = isTypedArray(expected) ? expected as ArrayLike<unknown> : flatten<unknown>(expected as RecursiveArray<unknown>);
  const list = (x: ArrayLike<unknown>) => Array.from(x).join(',');
  if (a.length !== e.length) {
    throw new Error(`Arrays have different lengths actual: ${a.length} vs expected: ${e.length}.\n` +
      `Actual:   ${list(a)}.\nExpected: ${list(e)}.`);
  }
  for (let i = 0; i < e.length; i++) {
    if (!same(a[i] as never, e[i] as never)) {
      throw new Error(`Arrays differ: actual[${i}] = ${a[i]}, expected[${i}] = ${e[i]}.\n` +
        `Actual:   ${list(a)}.\nExpected: ${list(e)}.`);
    }
  }
}

/** Throws unless every value is within `epsilon` (default testEpsilon()) of the expected one. */
export function expectArraysClose(actual: Values, expected: Values, epsilon = testEpsilon()): void {
  comparePredicate(actual, expected, (a: number, e: number) => close(a, e, epsilon));
}

/** Throws unless the values are equal (strings compared loosely, as TF.js). */
export function expectArraysEqual(actual: Values, expected: Values): void {
  const exp = typeof expected === 'string' || typeof expected === 'number' || typeof expected === 'boolean' ? [expected] : expected;
  const first = (v: Values) => (v as ArrayLike<unknown>)[0];
  if (isString(actual) || isString(first(actual)) || isString(expected) || isString(first(expected))) {
    comparePredicate(actual, exp as Values, (a: unknown, e: unknown) => a == e);
    return;
  }
  comparePredicate(actual, expected, (a: number, e: number) => close(a, e, 0));
}

/**
 * Throws unless two numbers differ by at most epsilon (default testEpsilon())
 * (tf.test_util.expectNumbersClose).
 */
export function expectNumbersClose(a: number, e: number, epsilon = testEpsilon()): void {
  if (!close(a, e, epsilon)) throw new Error(`Numbers differ: actual === ${a}, expected === ${e}`);
}

/** Throws unless every value lies in [low, high] (tf.test_util.expectValuesInRange). */
export function expectValuesInRange(actual: ArrayLike<number>, low: number, high: number): void {
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] < low || actual[i] > high) throw new Error(`Value out of range:${actual[i]} low: ${low}, high: ${high}`);
  }
}

/** Compares two ArrayBuffers as float32 values. */
export function expectArrayBuffersEqual(actual: ArrayBuffer, expected: ArrayBuffer): void {
  const a = new Float32Array(actual), e = new Float32Array(expected);
  if (a.length !== e.length) throw new Error(`Expected ArrayBuffer to be of length ${e.length}, but it was ${a.length}`);
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i]) {
      throw new Error(`Expected ArrayBuffer value at ${i} to be ${e[i]} but got ${a[i]} instead`);
    }
  }
}

/** Jasmine-style: calls done() when fn's promise rejects, done.fail() when it resolves. */
export function expectPromiseToFail(fn: () => Promise<unknown>, done: { (): void; fail: (message?: unknown) => void }): void {
  fn().then(() => done.fail(), () => done());
}

/** Replaces every string in a nested array with its utf-8 bytes, in place. */
export function encodeStrings(a: RecursiveArray<string | Uint8Array>[]): RecursiveArray<Uint8Array>[] {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (Array.isArray(v)) encodeStrings(v);
    else a[i] = encodeString(v as string);
  }
  return a as RecursiveArray<Uint8Array>[];
}
