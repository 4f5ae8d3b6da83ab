/**
 * Rewrites what TF.js saves into the form the TF.js converter (tensorflowjs_converter, Python)
 * gives a Keras HDF5 model: keras_h5_conversion's {keras_version, backend, model_config,
 * training_config} topology with Keras's config keys and class names, no `format` field, one
 * weight group 'group1-shard1of1.bin', and write_weights' quantization (quantization.py's
 * quantize_weights, re-derived here: the affine range nudged so that 0 is a code, numpy's
 * round-half-to-even, float32 arithmetic as numpy 1.x does it for a float32 array).
 */
import type * as tf from '@tensorflow/tfjs';

/** The converter's --quantize_* choices, and 'none'. */
export type KerasQuantization = 'none' | 'uint8' | 'uint16' | 'float16';

type Json = Record<string, unknown>;

/** numpy.round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The float16 bits of a float32 value, rounded to nearest even (numpy's astype(np.float16)). */
export function toHalfBits(value: number): number {
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 2 ** (shift - 1);
    let r = Math.floor(mantissa / 2 ** shift);
    const rest = mantissa - r * 2 ** shift;
    if (rest > half || (rest === half && r % 2 === 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1))) r++; // a carry into the exponent is right (up to Infinity)
  return sign | r;
}

/**
 * One float32 weight quantized as the converter's write_weights does it: the stored bytes and
 * the manifest's quantization entry.
 */
export function quantizeLikeConverter(values: Float32Array, dtype: 'uint8' | 'uint16' | 'float16'):
  { bytes: Uint8Array; quantization: Json } {
  if (dtype === 'float16') {
    const half = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) half[i] = toHalfBits(values[i]!);
    return { bytes: new Uint8Array(half.buffer), quantization: { dtype: 'float16', original_dtype: 'float32' } };
  }
  const quantMax = dtype === 'uint8' ? 255 : 65535;
  const codes = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) { min = Math.min(min, v); max = Math.max(max, v); }
  let scale = 1;
  if (min !== max) {
    scale = (max - min) / quantMax;
    let low = min;
    let high = max;
    if (min <= 0 && max >= 0) {
      const zero = roundHalfEven((0 - min) / scale);
      low = -zero * scale;
      high = quantMax * scale + low;
    }
    const f = Math.fround;
    for (let i = 0; i < values.length; i++) {
      const clipped = f(Math.min(Math.max(values[i]!, low), high));
      codes[i] = roundHalfEven(f(f(clipped - low) / scale));
    }
    min = low;
  }
  return {
    bytes: new Uint8Array(codes.buffer),
    quantization: { min, scale, dtype, original_dtype: 'float32' },
  };
}

/** Keras's keys on one layer config, beside the ones TF.js writes. */
function kerasLayerConfig(className: string, config: Json): Json {
  const out: Json = { ...config, trainable: true, dtype: 'float32' };
  if (className === 'InputLayer') Object.assign(out, { sparse: false, ragged: false });
  if (className === 'Dense') {
    out.kernel_initializer = { class_name: 'GlorotUniform', config: { seed: null } };
    out.bias_initializer = { class_name: 'Zeros', config: {} };
  }
  return out;
}

function kerasLayers(layers: Json[]): Json[] {
  return layers.map((layer) => ({ ...layer, config: kerasLayerConfig(layer.class_name as string, layer.config as Json) }));
}

/** The converted model: model.json (without format), its manifest's specs and the one shard's bytes. */
export interface KerasForm {
  modelJson: { modelTopology: Json; weightsManifest: { paths: string[]; weights: Json[] }[] };
  weightSpecs: Json[];
  shardName: string;
  weightData: Uint8Array;
}

/**
 * TF.js's saved artifacts rewritten as the converter writes a Keras model. `legacySequential`
 * gives a Sequential the Keras 2.1 config (a bare list of layers); a functional model is named
 * 'Functional', as tf.keras 2.3 and later save it.
 */
export function kerasFormArtifacts(saved: tf.io.ModelArtifacts,
  options: { quantization: KerasQuantization; legacySequential?: boolean }): KerasForm {
  const topology = saved.modelTopology as Json;
  const config = topology.config as Json;
  const layers = kerasLayers(config.layers as Json[]);
  const isSequential = topology.class_name === 'Sequential';
  const modelConfig = isSequential
    ? { class_name: 'Sequential', config: options.legacySequential ? layers : { name: config.name, layers } }
    : { class_name: 'Functional', config: { ...config, layers } };
  const modelTopology = {
    keras_version: '2.1.6',
    backend: 'tensorflow',
    model_config: modelConfig,
    training_config: {
      optimizer_config: { class_name: 'Adam', config: { lr: 0.001, beta_1: 0.9, beta_2: 0.999, decay: 0, epsilon: 1e-7 } },
      loss: 'categorical_crossentropy', metrics: ['accuracy'], sample_weight_mode: null, loss_weights: null,
    },
  };

  const data = saved.weightData as ArrayBuffer;
  const parts: Uint8Array[] = [];
  const weightSpecs: Json[] = [];
  let offset = 0;
  for (const spec of saved.weightSpecs!) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.slice(offset, offset + 4 * size));
    offset += 4 * size;
    if (options.quantization === 'none') {
      parts.push(new Uint8Array(values.buffer));
      weightSpecs.push({ name: spec.name, shape: spec.shape, dtype: 'float32' });
    } else {
      const { bytes, quantization } = quantizeLikeConverter(values, options.quantization);
      parts.push(bytes);
      weightSpecs.push({ name: spec.name, shape: spec.shape, dtype: 'float32', quantization });
    }
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const part of parts) { weightData.set(part, at); at += part.byteLength; }
  const shardName = 'group1-shard1of1.bin';
  return {
    modelJson: { modelTopology, weightsManifest: [{ paths: [shardName], weights: weightSpecs }] },
    weightSpecs, shardName, weightData,
  };
}
