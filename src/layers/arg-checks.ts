/**
 * Config checks the layers of shape.ts, noise.ts, preprocessing.ts, normalization.ts, ... share:
 * each error names the layer, the field and the value received (Keras's "Received: x=...").
 */
import type { Tensor } from '../core/tensor.js';

/** The image layers' dataFormat values (TF.js's DataFormat). */
export type DataFormat = 'channelsFirst' | 'channelsLast';

const received = (field: string, value: unknown) => `Received: ${field}=${JSON.stringify(value) ?? String(value)}`;

/** The one input of a single-input layer (a list of one from a model, or a tensor). */
export const oneInput = (inputs: Tensor | Tensor[]): Tensor => (Array.isArray(inputs) ? inputs[0] : inputs);

/** A number in [min, max) (or [min, max] with `closed`), else an error naming the layer and field. */
export function checkNumber(where: string, field: string, value: unknown, min = -Infinity, max = Infinity, closed = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && (closed ? value <= max : value < max);
  if (!ok) {
    const range = min === -Infinity && max === Infinity ? 'a finite number' : `a number in [${min}, ${max}${closed ? ']' : ')'}`;
    throw new Error(`${where}: ${field} must be ${range}. ${received(field, value)}`);
  }
  return value as number;
}

/** A positive integer, else an error naming the layer and field. */
export function checkPositiveInt(where: string, field: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) <= 0) {
    throw new Error(`${where}: ${field} must be a positive integer. ${received(field, value)}`);
  }
  return value as number;
}

/** A non-negative integer, else an error naming the layer and field. */
export function checkNonNegativeInt(where: string, field: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new Error(`${where}: ${field} must be a non-negative integer. ${received(field, value)}`);
  }
  return value as number;
}

/** 'channelsLast' (the default, TF.js's imageDataFormat()) or 'channelsFirst'. */
export function checkDataFormat(where: string, value: unknown): DataFormat {
  const format = value ?? 'channelsLast';
  if (format !== 'channelsLast' && format !== 'channelsFirst') {
    throw new Error(`${where}: dataFormat must be 'channelsLast' or 'channelsFirst'. ${received('dataFormat', value)}`);
  }
  return format;
}

/** One of `choices` (the first when undefined), else an error listing them. */
export function checkChoice<T extends string>(where: string, field: string, value: unknown, choices: readonly T[]): T {
  const chosen = value ?? choices[0];
  if (!choices.includes(chosen as T)) {
    throw new Error(`${where}: ${field} must be one of ${choices.map((c) => `'${c}'`).join(', ')}. ${received(field, value)}`);
  }
  return chosen as T;
}

/**
 * A pair of non-negative integer pairs [[top, bottom], [left, right]] from a number, [vertical,
 * horizontal] or [[top, bottom], [left, right]] (the padding of zeroPadding2d, the cropping of cropping2D).
 */
export function checkPairs(where: string, field: string, value: unknown): [[number, number], [number, number]] {
  const fail = () => new Error(`${where}: ${field} must be a non-negative integer, [rows, cols] or ` +
    `[[top, bottom], [left, right]]. ${received(field, value)}`);
  const int = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  if (int(value)) return [[value as number, value as number], [value as number, value as number]];
  if (!Array.isArray(value) || value.length !== 2) throw fail();
  if (value.every(int)) return [[value[0], value[0]], [value[1], value[1]]];
  if (value.every((p) => Array.isArray(p) && p.length === 2 && p.every(int))) {
    return [[value[0][0], value[0][1]], [value[1][0], value[1][1]]];
  }
  throw fail();
}

/** The rank a layer needs, else an error naming the layer and the shape received. */
export function checkRank(where: string, shape: readonly unknown[], rank: number, what: string): void {
  if (shape.length !== rank) {
    throw new Error(`${where}: expected input of rank ${rank} (${what}); received shape ${JSON.stringify(shape)}`);
  }
}
