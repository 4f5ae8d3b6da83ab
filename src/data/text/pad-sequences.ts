/**
 * Keras's pad_sequences (keras.utils.pad_sequences, which TF.js does not have): a ragged list of
 * sequences as one [sequences, maxlen] tensor, padded and truncated at the front or the back.
 */
import type { Tensor } from '../../core/tensor.js';
import * as ops from '../../ops/index.js';

/** Sequences of token indices: arrays or typed arrays of integers. */
export type Sequences = readonly ArrayLike<number>[];

/** A sequence's steps: numbers, or (for sequences of vectors) nested arrays of one shape. */
export type PadStep = number | readonly PadStep[] | ArrayLike<number>;

/** The options of sequence.padSequences, as Keras names them in camelCase. */
export interface PadSequencesArgs {
  /** The length of every row; default the longest sequence's. Longer sequences are truncated. */
  maxlen?: number | null;
  /** The tensor's dtype, 'int32' (the default: values truncated toward zero as numpy casts, and in int32's range) or 'float32'. */
  dtype?: 'int32' | 'float32';
  /** Pad before ('pre', the default) or after ('post') each sequence. */
  padding?: 'pre' | 'post';
  /** Drop the steps beyond maxlen at the start ('pre', the default) or the end ('post'). */
  truncating?: 'pre' | 'post';
  /** The padding value; default 0. */
  value?: number;
}

const SIDES = ['pre', 'post'];
const INT32 = 'a number in int32\'s range (dtype int32)';
/** Whether `v` truncated toward zero is an int32 (numpy refuses the others; an Int32Array would wrap them). */
const fitsInt32 = (v: number): boolean => v > -2147483649 && v < 2147483648;
const ARG_NAMES = ['maxlen', 'dtype', 'padding', 'truncating', 'value'];

/** Checks sequences of token indices (non-negative integers) and returns them as arrays. */
export function checkSequences(sequences: Sequences, where: string): number[][] {
  if (!Array.isArray(sequences)) throw new Error(`${where}: expected an array of sequences. Received: ${String(sequences)}`);
  return sequences.map((seq, i) => {
    if (seq == null || typeof seq !== 'object' || typeof seq.length !== 'number') {
      throw new Error(`${where}: expected sequences[${i}] to be an array of indices. Received: ${String(seq)}`);
    }
    const out: number[] = Array.from(seq as ArrayLike<number>);
    out.forEach((v, j) => {
      if (!Number.isInteger(v) || v < 0) throw new Error(`${where}: sequences[${i}][${j}] = ${String(v)}; expected a non-negative integer index`);
    });
    return out;
  });
}

function stepShape(step: unknown): number[] | null {
  if (typeof step === 'number') return [];
  if (step != null && typeof step === 'object' && typeof (step as ArrayLike<unknown>).length === 'number') {
    const list = step as ArrayLike<unknown>;
    if (list.length === 0) return [0];
    const inner = stepShape(list[0]);
    return inner === null ? null : [list.length, ...inner];
  }
  return null;
}

/** Writes one step's values at `out[at...]`, checking it has `shape`; returns the next position. */
function writeStep(step: unknown, shape: readonly number[], out: Int32Array | Float32Array, at: number, where: string): number {
  if (shape.length === 0) {
    if (typeof step !== 'number' || (out instanceof Int32Array && !fitsInt32(step))) {
      throw new Error(`${where} = ${String(step)}; expected ${out instanceof Int32Array ? INT32 : 'a number'}`);
    }
    out[at] = step;
    return at + 1;
  }
  const list = step as ArrayLike<unknown>;
  if (list == null || typeof list !== 'object' || list.length !== shape[0]) {
    throw new Error(`${where} has ${list != null && typeof list === 'object' ? `length ${list.length}` : String(step)}; expected a step of shape [${shape.join(', ')}] as the first non-empty sequence's`);
  }
  for (let k = 0; k < shape[0]!; k++) at = writeStep(list[k], shape.slice(1), out, at, `${where}[${k}]`);
  return at;
}

/**
 * Pads sequences to one length, as Keras's pad_sequences: a [sequences, maxlen] tensor (with the
 * steps' own shape after, for sequences of vectors). Without maxlen, rows are as long as the
 * longest sequence.
 *
 * ```js
 * sora.sequence.padSequences([[1], [2, 3], [4, 5, 6]]);                // [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
 * sora.sequence.padSequences([[1], [2, 3], [4, 5, 6]], { maxlen: 2 }); // [[0, 1], [2, 3], [5, 6]]
 * ```
 */
export function padSequences(sequences: readonly ArrayLike<PadStep>[], args: PadSequencesArgs = {}): Tensor {
  const where = 'padSequences';
  if (args === null || typeof args !== 'object') throw new Error(`${where}: expected an object of options. Received: ${String(args)}`);
  for (const key of Object.keys(args)) {
    if (!ARG_NAMES.includes(key)) throw new Error(`${where}: unknown option '${key}'; expected one of ${ARG_NAMES.join(', ')}`);
  }
  const { dtype = 'int32', padding = 'pre', truncating = 'pre', value = 0 } = args;
  if (dtype !== 'int32' && dtype !== 'float32') throw new Error(`${where}: expected dtype 'int32' or 'float32'. Received: dtype=${JSON.stringify(dtype) ?? String(dtype)}`);
  if (!SIDES.includes(padding)) throw new Error(`${where}: expected padding 'pre' or 'post'. Received: padding=${JSON.stringify(padding) ?? String(padding)}`);
  if (!SIDES.includes(truncating)) throw new Error(`${where}: expected truncating 'pre' or 'post'. Received: truncating=${JSON.stringify(truncating) ?? String(truncating)}`);
  if (typeof value !== 'number' || (dtype === 'int32' && !fitsInt32(value))) {
    throw new Error(`${where}: expected value to be ${dtype === 'int32' ? INT32 : 'a number'}. Received: value=${JSON.stringify(value) ?? String(value)}`);
  }
  if (!Array.isArray(sequences)) throw new Error(`${where}: expected an array of sequences. Received: ${String(sequences)}`);
  let longest = 0;
  let sampleShape: number[] | null = null;
  sequences.forEach((seq, i) => {
    if (seq == null || typeof seq !== 'object' || typeof seq.length !== 'number') {
      throw new Error(`${where}: expected sequences[${i}] to be an array. Received: ${String(seq)}`);
    }
    longest = Math.max(longest, seq.length);
    if (sampleShape === null && seq.length > 0) {
      sampleShape = stepShape(seq[0]);
      if (sampleShape === null) throw new Error(`${where}: sequences[${i}][0] = ${String(seq[0])}; expected a number or an array of numbers`);
    }
  });
  const maxlen = args.maxlen ?? longest;
  if (!Number.isInteger(maxlen) || maxlen < 0) throw new Error(`${where}: expected maxlen to be a non-negative integer. Received: maxlen=${String(maxlen)}`);
  const shape: number[] = sampleShape ?? [];
  const stepSize = shape.reduce((a, b) => a * b, 1);
  const rowSize = maxlen * stepSize;
  if (sequences.length * rowSize > 0x7fffffff) throw new Error(`${where}: ${sequences.length} sequences × ${rowSize} values is too large for one tensor`);
  const out = dtype === 'int32' ? new Int32Array(sequences.length * rowSize) : new Float32Array(sequences.length * rowSize);
  out.fill(value);
  sequences.forEach((seq, i) => {
    const kept = Math.min(seq.length, maxlen);
    const first = truncating === 'pre' ? seq.length - kept : 0; // the first step kept
    let at = i * rowSize + (padding === 'pre' ? maxlen - kept : 0) * stepSize;
    for (let t = first; t < first + kept; t++) {
      const step = seq[t];
      // Scalar steps (token ids) are written here; the message is only built for a bad one.
      if (typeof step === 'number' && shape.length === 0 && (dtype === 'float32' || fitsInt32(step))) out[at++] = step;
      else at = writeStep(step, shape, out, at, `${where}: sequences[${i}][${t}]`);
    }
  });
  return ops.tensor(out, [sequences.length, maxlen, ...shape], dtype);
}
