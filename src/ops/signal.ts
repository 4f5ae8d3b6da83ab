/**
 * tf.signal (frame, hannWindow, hammingWindow, stft) and tf.spectral (fft, ifft, rfft,
 * irfft), as compositions that run on every backend and are differentiable.
 *
 * The transforms are one GEMM each against a DFT matrix built on the host (float64 angles
 * reduced mod n, rounded to float32): a complex64 input is read as its (re, im) pairs
 * (viewAsReal, no copy) and the result is written as pairs and viewed back as complex64,
 * so a transform of [batch, n] costs one [batch, 2n] x [2n, 2n] GEMM on the backend's
 * fastest kernel. That is O(n^2) per row: for the frame lengths of audio features (256 to
 * 2048) a GEMM beats an O(n log n) FFT of many small kernels on these backends. rfft pads
 * by leaving rows out of its matrix, not by copying the input.
 */
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { mul } from './binary.js';
import { fill, tensor } from './creation.js';
import { viewAsComplex, viewAsReal } from './complex.js';
import { matMul } from './linalg.js';
import { unsortedSegmentSum } from './indexing.js';
import { register, run1, spec } from './registry.js';
import { concat, reshape, slice } from './shape.js';
import { chain, checkTensor, describe, produce, storageOf } from './util.js';

/** One entry of a DFT matrix: scale * (sine ? sin : cos)(2 pi (j k mod n) / n). */
interface DftEntry { j: number; k: number; scale: number; sine: boolean }

/** The last few matrices' values, by kind and size: an stft per audio clip reuses one. */
const MATRICES = new Map<string, Float32Array>();
const KEPT_MATRICES = 8;

/**
 * A rows x cols float32 matrix of `entry(row, col)` (angles in float64, reduced mod n
 * first); `key` names the matrix for the cache of host values.
 */
function dftMatrix(key: string, rows: number, cols: number, n: number, entry: (r: number, c: number) => DftEntry): Tensor {
  const name = `${key} ${rows} ${cols} ${n}`;
  let values = MATRICES.get(name);
  if (!values) {
    values = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const { j, k, scale, sine } = entry(r, c);
        const angle = (2 * Math.PI * ((j * k) % n)) / n;
        values[r * cols + c] = scale * (sine ? Math.sin(angle) : Math.cos(angle));
      }
    }
    if (MATRICES.size >= KEPT_MATRICES) MATRICES.delete(MATRICES.keys().next().value!);
  }
  MATRICES.delete(name);
  MATRICES.set(name, values); // most recently used last
  return tensor(values, [rows, cols]);
}

function innerSize(op: string, x: Tensor): number {
  if (x.rank < 1) throw new Error(`${op}: input must have rank >= 1; received ${describe(x)}`);
  const n = x.shape[x.rank - 1];
  if (n < 1) throw new Error(`${op}: the innermost dimension must be at least 1; received ${describe(x)}`);
  return n;
}

/** The complex transform of the last axis: sign -1 forward (fft), +1 inverse scaled by 1/n (ifft). */
function complexTransform(op: 'fft' | 'ifft', input: Tensor): Tensor {
  checkTensor(op, 'input', input);
  if (input.dtype !== 'complex64') throw new Error(`${op}: input must be complex64; received ${describe(input)}`);
  const n = innerSize(op, input);
  const inverse = op === 'ifft';
  const scale = inverse ? 1 / n : 1;
  // Input pair (re_j, im_j) at rows 2j, 2j+1; output pair k at columns 2k, 2k+1.
  // forward: out_re = re c + im s, out_im = im c - re s; inverse: out_re = re c - im s, out_im = im c + re s.
  const w = dftMatrix(op, 2 * n, 2 * n, n, (r, c) => {
    const sine = (r & 1) !== (c & 1);
    const sign = !sine ? 1 : ((r & 1) === 1) !== inverse ? 1 : -1;
    return { j: r >> 1, k: c >> 1, scale: sign * scale, sine };
  });
  return ENGINE.tidy(() => {
    const rows = reshape(viewAsReal(input), [input.size / n, 2 * n]);
    return viewAsComplex(reshape(matMul(rows, w), [...input.shape, 2]));
  });
}

/** tf.fft: the discrete Fourier transform of the innermost axis of a complex64 tensor. */
export const fft = (input: Tensor): Tensor => complexTransform('fft', input);
/** tf.ifft: the inverse transform (scaled by 1 / n). */
export const ifft = (input: Tensor): Tensor => complexTransform('ifft', input);

/**
 * tf.rfft(input, fftLength?): the transform of a real float32 signal along its innermost
 * axis, cropped or zero-padded to fftLength, keeping the floor(fftLength / 2) + 1
 * non-redundant frequencies (complex64).
 */
export function rfft(input: Tensor, fftLength?: number): Tensor {
  const op = 'rfft';
  checkTensor(op, 'input', input);
  if (input.dtype !== 'float32') throw new Error(`${op}: input must be float32 (real); received ${describe(input)}`);
  const length = innerSize(op, input);
  const n = fftLength ?? length;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${op}: fftLength must be a positive integer; received ${fftLength}`);
  const half = Math.floor(n / 2) + 1;
  const used = Math.min(length, n); // samples past n are cropped; missing ones are zeros (rows left out)
  // Row j (sample), columns 2k (re: cos) and 2k + 1 (im: -sin).
  const w = dftMatrix(op, used, 2 * half, n, (r, c) => ({ j: r, k: c >> 1, scale: c & 1 ? -1 : 1, sine: (c & 1) === 1 }));
  return ENGINE.tidy(() => {
    const outer = input.shape.slice(0, -1);
    let rows = reshape(input, [input.size / length, length]);
    if (used < length) rows = slice(rows, [0, 0], [rows.shape[0], used]);
    return viewAsComplex(reshape(matMul(rows, w), [...outer, half, 2]));
  });
}

/**
 * tf.irfft: the real signal of n = 2 (k - 1) samples whose rfft is the complex64 input of
 * k frequencies (the rest taken as their conjugates); for k <= 2, as TF.js, the real part
 * of the ifft of the k values.
 */
export function irfft(input: Tensor): Tensor {
  const op = 'irfft';
  checkTensor(op, 'input', input);
  if (input.dtype !== 'complex64') throw new Error(`${op}: input must be complex64; received ${describe(input)}`);
  const k = innerSize(op, input);
  const n = k <= 2 ? k : 2 * (k - 1);
  // Frequencies 1 .. k-2 stand for themselves and their conjugates (weight 2); 0 and the
  // last (Nyquist) once. y_t = sum_j w_j (re_j cos - im_j sin) / n.
  const weight = (j: number) => (k <= 2 || j === 0 || j === k - 1 ? 1 : 2);
  const w = dftMatrix(op, 2 * k, n, n, (r, t) => {
    const j = r >> 1;
    return { j, k: t, scale: ((r & 1 ? -1 : 1) * weight(j)) / n, sine: (r & 1) === 1 };
  });
  return ENGINE.tidy(() => {
    const rows = reshape(viewAsReal(input), [input.size / k, 2 * k]);
    // As TF.js: a rank-1 input gives [1, n].
    return reshape(matMul(rows, w), [...(input.rank === 1 ? [1] : input.shape.slice(0, -1)), n]);
  });
}

interface FrameAttrs { frames: number; frameLength: number; frameStep: number }

/** Frames as one strided copy (source strides [frameStep, 1]); the gradient overlap-adds. */
const FRAME = register<FrameAttrs>({
  name: 'frame',
  inputs: ['signal'],
  infer: ([signal], { frames, frameLength }) => spec([frames, frameLength], signal.dtype),
  kernel: {
    available: () => true,
    run: (backend, [signal], { frames, frameLength, frameStep }) => [produce([frames, frameLength], signal.dtype,
      (out) => backend.copyStrided(storageOf(signal, 'frame'), out, [frames, frameLength], [frameStep, 1], 0, [frameLength, 1], 0))],
  },
  grad: ([dy], _, { frames, frameLength, frameStep }) => {
    const ids = new Int32Array(frames * frameLength);
    for (let f = 0; f < frames; f++) for (let t = 0; t < frameLength; t++) ids[f * frameLength + t] = f * frameStep + t;
    const segments = tensor(ids, [ids.length], 'int32');
    return [unsortedSegmentSum(reshape(dy, [ids.length]), segments, (frames - 1) * frameStep + frameLength)];
  },
});

/**
 * tf.signal.frame(signal, frameLength, frameStep, padEnd = false, padValue = 0): frames of
 * a rank-1 signal, [frames, frameLength], one strided copy. With padEnd, frames that run
 * past the end are filled with padValue (a frame starts at every step before the end).
 */
export function frame(signal: Tensor, frameLength: number, frameStep: number, padEnd = false, padValue = 0): Tensor {
  const op = 'frame';
  checkTensor(op, 'signal', signal);
  if (signal.rank !== 1) throw new Error(`${op}: signal must be rank 1; received ${describe(signal)}`);
  for (const [name, v] of [['frameLength', frameLength], ['frameStep', frameStep]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${op}: ${name} must be a positive integer; received ${v}`);
  }
  const size = signal.size;
  const full = size >= frameLength ? Math.floor((size - frameLength) / frameStep) + 1 : 0;
  const frames = padEnd ? Math.max(full, Math.ceil(size / frameStep)) : full;
  if (frames === 0) return fill([0, frameLength], 0, signal.dtype);
  const needed = (frames - 1) * frameStep + frameLength;
  return ENGINE.tidy(() => {
    // The signal is padded (padEnd) or cut to the samples the frames cover.
    const source = needed > size ? concat([signal, fill([needed - size], padValue, signal.dtype)], 0)
      : needed < size ? slice(signal, [0], [needed]) : signal;
    return run1(FRAME, [source], { frames, frameLength, frameStep });
  });
}

/** tf.enclosingPowerOfTwo: the smallest power of two >= value (stft's default fftLength). */
export function enclosingPowerOfTwo(value: number): number {
  if (typeof value !== 'number' || !(value > 0)) throw new Error(`enclosingPowerOfTwo: value must be a positive number; received ${value}`);
  return 2 ** Math.ceil(Math.log2(value));
}

/** tf.cosineWindow(windowLength, a, b): a - b cos(2 pi i / (N - 1 + even)), periodic for even lengths (TF.js). */
export function cosineWindow(windowLength: number, a: number, b: number): Tensor {
  return cosineWindowOf('cosineWindow', windowLength, a, b);
}

function cosineWindowOf(op: string, windowLength: number, a: number, b: number): Tensor {
  if (!Number.isInteger(windowLength) || windowLength < 1) {
    throw new Error(`${op}: windowLength must be a positive integer; received ${windowLength}`);
  }
  const even = 1 - (windowLength % 2);
  const values = new Float32Array(windowLength);
  for (let i = 0; i < windowLength; i++) values[i] = a - b * Math.cos((2 * Math.PI * i) / (windowLength + even - 1));
  return tensor(values, [windowLength]);
}

/** tf.signal.hannWindow(windowLength). */
export const hannWindow = (windowLength: number): Tensor => cosineWindowOf('hannWindow', windowLength, 0.5, 0.5);
/** tf.signal.hammingWindow(windowLength). */
export const hammingWindow = (windowLength: number): Tensor => cosineWindowOf('hammingWindow', windowLength, 0.54, 0.46);

/**
 * tf.signal.stft(signal, frameLength, frameStep, fftLength?, windowFn = hannWindow): the
 * rfft of each windowed frame, [frames, fftLength / 2 + 1] complex64; fftLength defaults to
 * the smallest power of two >= frameLength.
 */
export function stft(signal: Tensor, frameLength: number, frameStep: number, fftLength?: number,
  windowFn: (length: number) => Tensor = hannWindow): Tensor {
  const length = fftLength ?? enclosingPowerOfTwo(frameLength);
  return ENGINE.tidy(() => rfft(mul(frame(signal, frameLength, frameStep), windowFn(frameLength)), length));
}

declare module '../tensor.js' {
  interface Tensor { fft(): Tensor; ifft(): Tensor; rfft(fftLength?: number): Tensor; irfft(): Tensor }
}
chain({
  fft() { return fft(this); },
  ifft() { return ifft(this); },
  rfft(fftLength?: number) { return rfft(this, fftLength); },
  irfft() { return irfft(this); },
});

/** tf.signal. */
export const signal = { frame, hannWindow, hammingWindow, stft };
/** tf.spectral. */
export const spectral = { fft, ifft, rfft, irfft };
