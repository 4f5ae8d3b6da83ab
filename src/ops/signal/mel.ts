/**
 * tf.signal's mel pieces (TensorFlow's Python names; TF.js has neither): the linear-to-mel
 * weight matrix (HTK mel scale, triangular bands, the DC bin zeroed) and MFCCs from log-mel
 * spectrograms (a scaled DCT-II). Both are built in JavaScript as a constant matrix; the MFCCs
 * are one matMul with it, so they run on every backend and their gradient is matMul's.
 */
import { Tensor } from '../../core/tensor.js';
import { ENGINE } from '../../core/engine.js';
import { tensor } from '../creation.js';
import { withInputs, type Input } from '../inputs.js';
import { matMul } from '../linalg/matmul.js';
import { reshape } from '../structure/shape.js';
import { register, run1, spec } from '../registry.js';
import { checkAllocation, checkTensor } from '../util.js';

/** HTK's mel scale: 1127 ln(1 + f / 700). */
export const hertzToMel = (hertz: number): number => 1127 * Math.log(1 + hertz / 700);

/**
 * tf.signal.linearToMelWeightMatrix(numMelBins = 20, numSpectrogramBins = 129, sampleRate = 8000,
 * lowerEdgeHertz = 125, upperEdgeHertz = 3800): a [numSpectrogramBins, numMelBins] float32
 * matrix that maps a linear spectrogram (bins evenly spaced over [0, sampleRate / 2], as an
 * rfft of fftLength gives fftLength / 2 + 1) to mel bands: `matMul(spectrogram, w)`. Band m is
 * a triangle, linear in mel, over the (m, m + 1, m + 2)th of numMelBins + 2 points evenly
 * spaced in mel from lowerEdgeHertz to upperEdgeHertz; row 0 (DC) is zero, as in HTK and
 * TensorFlow's linear_to_mel_weight_matrix.
 */
export function linearToMelWeightMatrix(numMelBins = 20, numSpectrogramBins = 129, sampleRate = 8000,
  lowerEdgeHertz = 125, upperEdgeHertz = 3800): Tensor {
  const op = 'linearToMelWeightMatrix';
  for (const [name, v] of [['numMelBins', numMelBins], ['numSpectrogramBins', numSpectrogramBins]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${op}: ${name} must be a positive integer; received ${String(v)}`);
  }
  for (const [name, v] of [['sampleRate', sampleRate], ['lowerEdgeHertz', lowerEdgeHertz], ['upperEdgeHertz', upperEdgeHertz]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${op}: ${name} must be a finite number; received ${String(v)}`);
  }
  if (sampleRate <= 0) throw new Error(`${op}: sampleRate must be positive; received ${sampleRate}`);
  if (lowerEdgeHertz < 0) throw new Error(`${op}: lowerEdgeHertz must be non-negative; received ${lowerEdgeHertz}`);
  if (lowerEdgeHertz >= upperEdgeHertz) {
    throw new Error(`${op}: lowerEdgeHertz (${lowerEdgeHertz}) must be below upperEdgeHertz (${upperEdgeHertz})`);
  }
  if (upperEdgeHertz > sampleRate / 2) {
    throw new Error(`${op}: upperEdgeHertz must not exceed the Nyquist frequency sampleRate / 2 = ${sampleRate / 2}; received ${upperEdgeHertz}`);
  }
  checkAllocation(op, [numSpectrogramBins, numMelBins], 'float32', 'output', true);
  const lowMel = hertzToMel(lowerEdgeHertz), highMel = hertzToMel(upperEdgeHertz);
  const edge = (i: number) => lowMel + ((highMel - lowMel) * i) / (numMelBins + 1);
  const out = new Float32Array(numSpectrogramBins * numMelBins);
  const binHertz = numSpectrogramBins > 1 ? sampleRate / 2 / (numSpectrogramBins - 1) : 0;
  for (let bin = 1; bin < numSpectrogramBins; bin++) {
    const mel = hertzToMel(bin * binHertz);
    for (let m = 0; m < numMelBins; m++) {
      const lower = edge(m), center = edge(m + 1), upper = edge(m + 2);
      const w = Math.min((mel - lower) / (center - lower), (upper - mel) / (upper - center));
      if (w > 0) out[bin * numMelBins + m] = w;
    }
  }
  return tensor(out, [numSpectrogramBins, numMelBins]);
}

/** The [n, n] matrix d with mfccs = x d: d[i][k] = sqrt(2 / n) cos(pi k (2i + 1) / (2n)). */
function dctMatrix(n: number): Tensor {
  const d = new Float32Array(n * n);
  const scale = Math.sqrt(2 / n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) d[i * n + k] = scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
  return tensor(d, [n, n]);
}

/**
 * tf.signal.mfccsFromLogMelSpectrograms(logMelSpectrograms): the MFCCs of a [..., numMelBins]
 * float32 tensor, same shape: TensorFlow's mfccs_from_log_mel_spectrograms, the unnormalized
 * DCT-II times rsqrt(2 numMelBins), i.e. sqrt(2 / N) sum_i x_i cos(pi k (2i + 1) / (2N)) for
 * every k (HTK's scaling: orthonormal except that coefficient 0 is sqrt(2) larger). Keep the
 * first few coefficients with slice. Differentiable (one matMul).
 */
export function mfccsFromLogMelSpectrograms(logMelSpectrograms: Input): Tensor {
  const op = 'mfccsFromLogMelSpectrograms';
  if (!(logMelSpectrograms instanceof Tensor)) {
    return withInputs(op, [['logMelSpectrograms', logMelSpectrograms]], ([t]) => mfccsFromLogMelSpectrograms(t));
  }
  return run1(MFCC, [checkTensor(op, 'logMelSpectrograms', logMelSpectrograms)], {});
}

/** A registered composition (grad 'composed'): reshape to rows, matMul with the DCT matrix, reshape back. */
const MFCC = register<Record<string, never>>({
  name: 'mfccsFromLogMelSpectrograms',
  inputs: ['logMelSpectrograms'],
  infer([x]) {
    const op = 'mfccsFromLogMelSpectrograms';
    if (x.dtype !== 'float32' || x.shape.length < 1) {
      throw new Error(`${op}: logMelSpectrograms must be float32 of rank >= 1 ([..., numMelBins]); received shape [${x.shape}] (${x.dtype})`);
    }
    const n = x.shape[x.shape.length - 1];
    if (n === 0) throw new Error(`${op}: numMelBins (the last dimension) must be positive; received shape [${x.shape}] (${x.dtype})`);
    checkAllocation(op, [n, n], 'float32', 'DCT matrix', true);
    return spec(x.shape, 'float32');
  },
  compose: ([x]) => {
    const n = x.shape[x.rank - 1];
    return [ENGINE.tidy(() => reshape(matMul(reshape(x, [x.size / n, n]), dctMatrix(n)), x.shape))];
  },
  grad: 'composed',
});
