/**
 * tf.spectral: fft, ifft, rfft, irfft (also top level and as tensor methods), as
 * compositions that run on every backend and are differentiable.
 *
 * A transform of length n <= 512 (rfft and irfft: n <= 1024) is one GEMM against a DFT
 * matrix built on the host (float64 angles reduced mod n, rounded to float32): a complex64
 * input is read as its (re, im) pairs (viewAsReal, no copy) and the result is written as
 * pairs and viewed back, so [batch, n] costs one [batch, 2n] x [2n, 2n] GEMM on the
 * backend's fastest kernel; rfft pads by leaving rows out of its matrix. Longer transforms
 * split n = n1 n2 (Cooley-Tukey's four steps: transforms of length n1, twiddle factors,
 * transforms of length n2, a transpose), so work is O(n (n1 + n2)) and matrices stay small;
 * a prime n above the limit stays one GEMM, up to 4096 points (an Error beyond).
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { add, mul } from '../math/binary.js';
import { fill, tensor } from '../creation.js';
import { complex, viewAsComplex, viewAsReal } from '../math/complex.js';
import { matMul } from '../linalg/matmul.js';
import { concat, reshape, slice, transpose } from '../structure/shape.js';
import { reverse } from '../structure/rearrange.js';
import type { DType } from '../../backends/backend.js';
import type { Shape } from '../../core/tensor.js';
import { register, run1, spec } from '../registry.js';
import { chain, describe } from '../util.js';

/** Longest complex transform done as one GEMM (its matrix: 2n x 2n floats, 4 MB at 512). */
const DIRECT_COMPLEX = 512;
/** Longest rfft / irfft done as one GEMM (n x (n + 2) floats). */
const DIRECT_REAL = 1024;
/** Longest unsplittable (prime) length transformed at all: its matrix holds 4 n^2 floats (256 MB at this limit). */
const DIRECT_PRIME_LIMIT = 4096;

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

function checkComplex(op: string, input: Tensor): number {
  if (input.dtype !== 'complex64') throw new Error(`${op}: input must be complex64; received ${describe(input)}`);
  return innerSize(op, input);
}

/** The complex transform of the last axis: sign -1 forward (fft), +1 inverse scaled by 1/n (ifft). */
function complexTransform(op: 'fft' | 'ifft', input: Tensor): Tensor {
  const n = checkComplex(op, input);
  return ENGINE.tidy(() => reshape(transformRows(reshape(input, [input.size / n, n]), op === 'ifft', op), input.shape));
}

/** The smallest factor n1 >= sqrt(n) of n with n1 < n, or n for a prime. */
function splitOf(n: number): number {
  for (let n1 = Math.ceil(Math.sqrt(n)); n1 < n; n1++) if (n % n1 === 0) return n1;
  return n;
}

/** Transforms of the rows of complex64 [batch, n]. */
function transformRows(rows: Tensor, inverse: boolean, op: string, total = rows.shape[1]): Tensor {
  const [batch, n] = rows.shape;
  const n1 = n > DIRECT_COMPLEX ? splitOf(n) : n;
  if (n1 === n) return directRows(rows, inverse, op, total);
  // j = n2 j1 + j2 in, k = k1 + n1 k2 out: transform over j1, twiddle exp(-+2 pi i j2 k1 / n),
  // transform over j2; each inverse sub-transform scales by its length, 1 / n1 * 1 / n2 = 1 / n.
  const n2 = n / n1;
  const overJ1 = transformRows(reshape(complexTranspose(reshape(rows, [batch, n1, n2])), [batch * n2, n1]), inverse, op, total);
  const twiddled = twiddle(reshape(overJ1, [batch, n2, n1]), n, inverse);
  const overJ2 = transformRows(reshape(complexTranspose(twiddled), [batch * n1, n2]), inverse, op, total);
  return reshape(complexTranspose(reshape(overJ2, [batch, n1, n2])), [batch, n]);
}

/** [b, p, q] complex64 -> [b, q, p], through the (re, im) pairs. */
function complexTranspose(x: Tensor): Tensor {
  return viewAsComplex(transpose(viewAsReal(x), [0, 2, 1, 3]));
}

/**
 * x[b, j2, k1] times w = exp(-+2 pi i j2 k1 / n), the four-step FFT's twiddle factors, on
 * the pairs: (re, im) * (cos, cos) + (im, re) * (-sin w, sin w), one reversal and three
 * elementwise ops.
 */
function twiddle(x: Tensor, n: number, inverse: boolean): Tensor {
  const [, n2, n1] = x.shape;
  const cos = new Float32Array(n2 * n1 * 2), sin = new Float32Array(n2 * n1 * 2);
  for (let j = 0; j < n2; j++) {
    for (let k = 0; k < n1; k++) {
      const angle = (2 * Math.PI * ((j * k) % n)) / n;
      const s = inverse ? Math.sin(angle) : -Math.sin(angle), at = 2 * (j * n1 + k);
      cos[at] = cos[at + 1] = Math.cos(angle);
      sin[at] = -s;
      sin[at + 1] = s;
    }
  }
  const pairs = viewAsReal(x);
  return viewAsComplex(add(mul(pairs, tensor(cos, [n2, n1, 2])), mul(reverse(pairs, 3), tensor(sin, [n2, n1, 2]))));
}

/** One GEMM against the interleaved DFT matrix; `total`: the length the caller asked for (errors). */
function directRows(rows: Tensor, inverse: boolean, op: string, total: number): Tensor {
  const [batch, n] = rows.shape;
  if (n > DIRECT_PRIME_LIMIT) {
    throw new Error(`${op}: a transform of ${total} points needs one of length ${n}, which has no ` +
      `factors to split by and is over ${DIRECT_PRIME_LIMIT} points (its matrix would hold ${4 * n * n} values); ` +
      'pad the signal to a length with small factors (a power of two)');
  }
  const scale = inverse ? 1 / n : 1;
  // Input pair (re_j, im_j) at rows 2j, 2j+1; output pair k at columns 2k, 2k+1.
  // forward: out_re = re c + im s, out_im = im c - re s; inverse: out_re = re c - im s, out_im = im c + re s.
  const w = dftMatrix(inverse ? 'ifft' : 'fft', 2 * n, 2 * n, n, (r, c) => {
    const sine = (r & 1) !== (c & 1);
    const sign = !sine ? 1 : ((r & 1) === 1) !== inverse ? 1 : -1;
    return { j: r >> 1, k: c >> 1, scale: sign * scale, sine };
  });
  return viewAsComplex(reshape(matMul(reshape(viewAsReal(rows), [batch, 2 * n]), w), [batch, n, 2]));
}

/** fft, ifft, rfft, irfft as registered compositions (grad 'composed'): checks and shapes in infer. */
function spectralOp<A>(name: string, infer: (input: Tensor, attrs: A) => Shape, dtype: DType, body: (input: Tensor, attrs: A) => Tensor) {
  return register<A>({
    name, inputs: ['input'], complex: true, infer: ([input], attrs) => spec(infer(input, attrs), dtype),
    compose: ([input], attrs) => [body(input, attrs)], grad: 'composed',
  });
}
type NoAttrs = Record<string, never>;
const FFT = spectralOp<NoAttrs>('fft', (x) => (checkComplex('fft', x), x.shape), 'complex64', (x) => complexTransform('fft', x));
const IFFT = spectralOp<NoAttrs>('ifft', (x) => (checkComplex('ifft', x), x.shape), 'complex64', (x) => complexTransform('ifft', x));
const RFFT = spectralOp<{ fftLength?: number }>('rfft', (x, { fftLength }) => rfftShape(x, fftLength), 'complex64',
  (x, { fftLength }) => rfftBody(x, fftLength));
const IRFFT = spectralOp<NoAttrs>('irfft', (x) => irfftShape(x).shape, 'float32', (x) => irfftBody(x));

/** A complex64 op's input: values would make float32, which it does not take (TF.js refuses them too). */
function spectralInput(op: string, input: Input): Tensor {
  if (input instanceof Tensor) return input;
  throw new Error(`${op}: input must be a complex64 tensor (tf.complex(real, imag)); received ${input === null ? 'null' : typeof input} ` +
    'values, which make a float32 tensor');
}

/** tf.fft: the discrete Fourier transform of the innermost axis of a complex64 tensor. */
export const fft = (input: Input): Tensor => run1(FFT, [spectralInput('fft', input)], {});
/** tf.ifft: the inverse transform (scaled by 1 / n). */
export const ifft = (input: Input): Tensor => run1(IFFT, [spectralInput('ifft', input)], {});

/**
 * tf.rfft(input, fftLength?): the transform of a real float32 signal along its innermost
 * axis, cropped or zero-padded to fftLength, keeping the floor(fftLength / 2) + 1
 * non-redundant frequencies (complex64).
 */
export const rfft = (input: Input, fftLength?: number): Tensor => (input instanceof Tensor
  ? run1(RFFT, [input], { fftLength }) : withInputs('rfft', [['input', input]], ([t]) => rfft(t, fftLength)));

/**
 * tf.irfft: the real signal of n = 2 (k - 1) samples whose rfft is the complex64 input of
 * k frequencies (the rest taken as their conjugates); for k <= 2, as TF.js, the real part
 * of the ifft of the k values. A rank-1 input gives [1, n], as TF.js.
 */
export const irfft = (input: Input): Tensor => run1(IRFFT, [spectralInput('irfft', input)], {});

function rfftShape(input: Tensor, fftLength?: number): Shape {
  const op = 'rfft';
  if (input.dtype !== 'float32') throw new Error(`${op}: input must be float32 (real); received ${describe(input)}`);
  innerSize(op, input);
  const n = fftLength ?? innerSize(op, input);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${op}: fftLength must be a positive integer; received ${fftLength}`);
  return [...input.shape.slice(0, -1), Math.floor(n / 2) + 1];
}

function irfftShape(input: Tensor): { k: number; n: number; shape: Shape } {
  const k = checkComplex('irfft', input);
  const n = k <= 2 ? k : 2 * (k - 1);
  return { k, n, shape: [...(input.rank === 1 ? [1] : input.shape.slice(0, -1)), n] };
}

function rfftBody(input: Tensor, fftLength?: number): Tensor {
  const op = 'rfft';
  const length = input.shape[input.rank - 1];
  const n = fftLength ?? length;
  const half = Math.floor(n / 2) + 1;
  const used = Math.min(length, n); // samples past n are cropped; missing ones are zeros (rows left out)
  const outer = input.shape.slice(0, -1);
  const batch = input.size / length;
  if (n > DIRECT_REAL) {
    return ENGINE.tidy(() => {
      let rows = slice(reshape(input, [batch, length]), [0, 0], [batch, used]);
      if (used < n) rows = concat([rows, fill([batch, n - used], 0)], 1);
      const spectrum = viewAsReal(transformRows(complex(rows, fill(rows.shape, 0)), false, op));
      return viewAsComplex(reshape(slice(spectrum, [0, 0, 0], [batch, half, 2]), [...outer, half, 2]));
    });
  }
  // Row j (sample), columns 2k (re: cos) and 2k + 1 (im: -sin).
  const w = dftMatrix(op, used, 2 * half, n, (r, c) => ({ j: r, k: c >> 1, scale: c & 1 ? -1 : 1, sine: (c & 1) === 1 }));
  return ENGINE.tidy(() => {
    let rows = reshape(input, [batch, length]);
    if (used < length) rows = slice(rows, [0, 0], [rows.shape[0], used]);
    return viewAsComplex(reshape(matMul(rows, w), [...outer, half, 2]));
  });
}

function irfftBody(input: Tensor): Tensor {
  const op = 'irfft';
  const { k, n, shape: outShape } = irfftShape(input);
  const batch = input.size / k;
  if (n > DIRECT_REAL) {
    // The whole spectrum (frequencies k .. n-1 are the conjugates of k-2 .. 1), inverse-transformed.
    return ENGINE.tidy(() => {
      const pairs = reshape(viewAsReal(input), [batch, k, 2]);
      const mirrored = mul(reverse(slice(pairs, [0, 1, 0], [batch, k - 2, 2]), 1), tensor([1, -1], [2]));
      const signal = viewAsReal(transformRows(viewAsComplex(concat([pairs, mirrored], 1)), true, op));
      return reshape(slice(signal, [0, 0, 0], [batch, n, 1]), outShape);
    });
  }
  // Frequencies 1 .. k-2 stand for themselves and their conjugates (weight 2); 0 and the
  // last (Nyquist) once. y_t = sum_j w_j (re_j cos - im_j sin) / n.
  const weight = (j: number) => (k <= 2 || j === 0 || j === k - 1 ? 1 : 2);
  const w = dftMatrix(op, 2 * k, n, n, (r, t) => {
    const j = r >> 1;
    return { j, k: t, scale: ((r & 1 ? -1 : 1) * weight(j)) / n, sine: (r & 1) === 1 };
  });
  return ENGINE.tidy(() => reshape(matMul(reshape(viewAsReal(input), [batch, 2 * k]), w), outShape));
}


declare module '../../core/tensor.js' {
  interface Tensor { fft(): Tensor; ifft(): Tensor; rfft(fftLength?: number): Tensor; irfft(): Tensor }
}
chain({
  fft() { return fft(this); },
  ifft() { return ifft(this); },
  rfft(fftLength?: number) { return rfft(this, fftLength); },
  irfft() { return irfft(this); },
});

/** TF.js's tf.spectral namespace: fft, ifft, rfft and irfft, the same functions as the top-level ones. */
export const spectral = { fft, ifft, rfft, irfft };
