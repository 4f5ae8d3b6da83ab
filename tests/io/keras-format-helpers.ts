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
  Object.assign(out, KERAS_CONV_KEYS[className]?.(config));
  return out;
}

/**
 * What tf.keras 2.x's get_config writes for the layers of its image models beyond TF.js's keys:
 * `groups`, Keras initializer class names, BatchNormalization's axis as the list build() leaves
 * (tf.keras turns -1 into [3] on a 4-d input), ReLU's negative_slope and threshold, and
 * GlobalAveragePooling2D's keepdims.
 */
const KERAS_CONV_KEYS: Record<string, (config: Json) => Json> = {
  Conv2D: () => ({ groups: 1, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } } }),
  DepthwiseConv2D: () => ({ groups: 1, depthwise_initializer: { class_name: 'GlorotUniform', config: { seed: null } } }),
  BatchNormalization: (config) => ({ axis: [config.axis === -1 ? 3 : config.axis] }),
  ReLU: (config) => ({ max_value: config.max_value ?? null, negative_slope: 0, threshold: 0 }),
  GlobalAveragePooling2D: () => ({ keepdims: false }),
};

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

/** One weight file of a converted model: its name in the manifest and its bytes. */
export interface KerasShard {
  path: string;
  bytes: Uint8Array;
}

/**
 * The converted model's weights laid out in several files as converters write them:
 * 'one-group' is today's converter (one group cut into shards of `shardBytes`, a weight may
 * straddle two shards: 'group1-shard1of3.bin' ...); 'group-per-layer' is the converter of
 * 2018 (one group per layer, each one shard named without an extension: 'group12-shard1of1').
 * Returns the model.json to write beside the shards.
 */
export function kerasShards(form: KerasForm, layout: 'one-group' | 'group-per-layer', shardBytes = 4 * 1024 * 1024):
  { modelJson: KerasForm['modelJson']; shards: KerasShard[] } {
  const byteSize = (spec: Json): number => {
    const dtype = (spec.quantization as { dtype?: string } | undefined)?.dtype;
    const width = dtype === 'uint8' ? 1 : dtype === 'uint16' || dtype === 'float16' ? 2 : 4;
    return (spec.shape as number[]).reduce((a, b) => a * b, 1) * width;
  };
  const groups: { weights: Json[]; bytes: Uint8Array }[] = [];
  if (layout === 'one-group') {
    groups.push({ weights: form.weightSpecs, bytes: form.weightData });
  } else {
    let at = 0;
    for (const spec of form.weightSpecs) {
      const layer = (spec.name as string).split('/')[0];
      const size = byteSize(spec);
      const last = groups.at(-1);
      const bytes = form.weightData.subarray(at, at + size);
      at += size;
      if (last && (last.weights[0]!.name as string).split('/')[0] === layer) {
        const joined = new Uint8Array(last.bytes.byteLength + size);
        joined.set(last.bytes);
        joined.set(bytes, last.bytes.byteLength);
        last.bytes = joined;
        last.weights.push(spec);
      } else groups.push({ weights: [spec], bytes });
    }
  }
  const shards: KerasShard[] = [];
  const weightsManifest = groups.map((group, g) => {
    const count = layout === 'one-group' ? Math.max(1, Math.ceil(group.bytes.byteLength / shardBytes)) : 1;
    const paths: string[] = [];
    for (let s = 0; s < count; s++) {
      const path = `group${g + 1}-shard${s + 1}of${count}${layout === 'one-group' ? '.bin' : ''}`;
      paths.push(path);
      shards.push({ path, bytes: group.bytes.slice(s * shardBytes, count === 1 ? undefined : (s + 1) * shardBytes) });
    }
    return { paths, weights: group.weights };
  });
  return { modelJson: { modelTopology: form.modelJson.modelTopology, weightsManifest }, shards };
}
