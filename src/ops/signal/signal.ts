/**
 * tf.signal: frame (one strided copy), hannWindow, hammingWindow, cosineWindow, stft (frames
 * times the window, then rfft: src/ops/spectral.ts). Compositions that run on every backend
 * and are differentiable.
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { mul } from '../math/binary.js';
import { fill, tensor } from '../creation.js';
import { rfft } from './fft.js';
import { linearToMelWeightMatrix, mfccsFromLogMelSpectrograms } from './mel.js';
import { unsortedSegmentSum } from '../indexing/gather-scatter.js';
import { register, run1, spec } from '../registry.js';
import { concat, reshape, slice } from '../structure/shape.js';
import { checkAllocation, checkTensor, describe, produce, storageOf } from '../util.js';

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
export function frame(signal: Input, frameLength: number, frameStep: number, padEnd = false, padValue = 0): Tensor {
  const op = 'frame';
  if (!(signal instanceof Tensor)) return withInputs(op, [['signal', signal]], ([t]) => frame(t, frameLength, frameStep, padEnd, padValue));
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
  checkAllocation(op, [windowLength], 'float32', 'window', true);
  const even = 1 - (windowLength % 2);
  const values = new Float32Array(windowLength);
  for (let i = 0; i < windowLength; i++) values[i] = a - b * Math.cos((2 * Math.PI * i) / (windowLength + even - 1));
  return tensor(values, [windowLength]);
}

/** A Hann window of windowLength samples (tf.signal.hannWindow), as used by stft. */
export const hannWindow = (windowLength: number): Tensor => cosineWindowOf('hannWindow', windowLength, 0.5, 0.5);
/** A Hamming window of windowLength samples (tf.signal.hammingWindow). */
export const hammingWindow = (windowLength: number): Tensor => cosineWindowOf('hammingWindow', windowLength, 0.54, 0.46);

/**
 * tf.signal.stft(signal, frameLength, frameStep, fftLength?, windowFn = hannWindow): the
 * rfft of each windowed frame, [frames, fftLength / 2 + 1] complex64; fftLength defaults to
 * the smallest power of two >= frameLength.
 */
export function stft(signal: Input, frameLength: number, frameStep: number, fftLength?: number,
  windowFn: (length: number) => Tensor = hannWindow): Tensor {
  if (!(signal instanceof Tensor)) return withInputs('stft', [['signal', signal]], ([t]) => stft(t, frameLength, frameStep, fftLength, windowFn));
  checkTensor('stft', 'signal', signal);
  if (typeof windowFn !== 'function') throw new Error(`stft: windowFn must be a function; received ${typeof windowFn}`);
  return run1(STFT, [signal], { frameLength, frameStep, fftLength: fftLength ?? enclosingPowerOfTwo(frameLength), windowFn });
}

interface StftAttrs { frameLength: number; frameStep: number; fftLength: number; windowFn: (length: number) => Tensor }

/** A registered composition (grad 'composed'): frame (its checks), the window, rfft. */
const STFT = register<StftAttrs>({
  name: 'stft',
  inputs: ['signal'],
  infer([signal], { frameLength, frameStep, fftLength }) {
    if (signal.rank !== 1 || signal.dtype !== 'float32') throw new Error(`stft: signal must be float32 of rank 1; received ${describe(signal)}`);
    for (const [name, v] of [['frameLength', frameLength], ['frameStep', frameStep], ['fftLength', fftLength]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`stft: ${name} must be a positive integer; received ${v}`);
    }
    const frames = signal.size >= frameLength ? Math.floor((signal.size - frameLength) / frameStep) + 1 : 0;
    // The window (computed in JavaScript by the default hannWindow), the frames and the
    // padded frames the rfft reads, before any of them is made.
    checkAllocation('stft', [frameLength], 'float32', 'window', true);
    checkAllocation('stft', [frames, frameLength], 'float32', 'frames');
    checkAllocation('stft', [frames, fftLength], 'float32', 'padded frames');
    return spec([frames, Math.floor(fftLength / 2) + 1], 'complex64');
  },
  compose: ([signal], { frameLength, frameStep, fftLength, windowFn }) => [ENGINE.tidy(() =>
    rfft(mul(frame(signal, frameLength, frameStep), windowFn(frameLength)), fftLength))],
  grad: 'composed',
});

/**
 * TF.js's tf.signal namespace: frame, hannWindow, hammingWindow and stft; with TensorFlow's
 * linearToMelWeightMatrix and mfccsFromLogMelSpectrograms (./mel.ts), which TF.js lacks.
 */
export const signal = { frame, hannWindow, hammingWindow, stft, linearToMelWeightMatrix, mfccsFromLogMelSpectrograms };
