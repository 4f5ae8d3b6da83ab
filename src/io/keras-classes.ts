/**
 * The layer class names a TF.js or Keras model file may hold, for the loader's errors: a model
 * naming a class that TF.js has and sora has not built yet is refused with a message that says
 * so (and names the layer), before anything is allocated, instead of asking for a custom layer.
 * When sora builds one of these layers it joins the built-in classes that
 * src/layers/serialization.ts looks up first; the names here are then never consulted for it.
 * Data only: no layer module is imported.
 */

/** Every layer class TF.js's tf.layers registers for deserialization (tfjs-layers, by its static className). */
const TFJS_LAYER_CLASSES = new Set([
  'Activation', 'Add', 'AlphaDropout', 'Average', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D',
  'BatchNormalization', 'Bidirectional', 'CategoryEncoding', 'CenterCrop', 'Concatenate', 'Conv1D', 'Conv2D',
  'Conv2DTranspose', 'Conv3D', 'Conv3DTranspose', 'ConvLSTM2D', 'ConvLSTM2DCell', 'Cropping2D', 'Dense',
  'DepthwiseConv2D', 'Dot', 'Dropout', 'ELU', 'Embedding', 'Flatten', 'GaussianDropout', 'GaussianNoise',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GRU', 'GRUCell',
  'InputLayer', 'LayerNormalization', 'LeakyReLU', 'LSTM', 'LSTMCell', 'Masking', 'MaxPooling1D', 'MaxPooling2D',
  'MaxPooling3D', 'Maximum', 'Minimum', 'Multiply', 'Permute', 'PReLU', 'RandomWidth', 'ReLU', 'RepeatVector',
  'Rescaling', 'Reshape', 'Resizing', 'RNN', 'SeparableConv2D', 'SimpleRNN', 'SimpleRNNCell', 'Softmax',
  'SpatialDropout1D', 'StackedRNNCells', 'ThresholdedReLU', 'TimeDistributed', 'UpSampling2D', 'ZeroPadding2D',
]);

/** The layer class names TF.js registers (a copy): the tests check that sora builds every one. */
export const tfjsLayerClassNames = (): string[] => [...TFJS_LAYER_CLASSES];

/** Keras layers that hold Python code (or TensorFlow ops by name), which no JavaScript runtime can load. */
const PYTHON_ONLY_CLASSES = new Set(['Lambda', 'TFOpLambda', 'SlicingOpLambda']);

/**
 * Why a layer class that the loader does not know cannot be loaded, when the name is one TF.js
 * or Keras writes; undefined for any other name (a custom layer, whose error asks for
 * serialization.registerClass).
 */
export function unbuiltLayerReason(className: string): string | undefined {
  if (TFJS_LAYER_CLASSES.has(className)) {
    return `${className} is a TF.js layer that sora does not implement yet; to load this model now, ` +
      `register an implementation with tf.serialization.registerClass (static className = '${className}')`;
  }
  if (PYTHON_ONLY_CLASSES.has(className)) {
    return `a Keras ${className} layer holds Python code, which neither TF.js nor sora can load; ` +
      `rebuild the model without it or replace it with a custom layer registered under that class name`;
  }
  return undefined;
}

/** One layer entry of a (camelCase) model config, with the path of model names that holds it. */
export interface LayerEntry {
  /** The entry's className (unchecked: a file may hold anything). */
  className: unknown;
  /** The layer's name from its config, when it has one. */
  name: string | undefined;
  /** The entry's config when it is a JSON object (a legacy Sequential's list is not). */
  config: Record<string, unknown> | undefined;
}

/**
 * Every layer entry of a model config ({className, config}), depth first: a Sequential's list or
 * {layers}, a functional model's layers, a wrapper's inner layer (Bidirectional, TimeDistributed).
 * Each entry is visited once; the walk itself reads only plain JSON.
 */
export function forEachLayerEntry(entry: unknown, visit: (layer: LayerEntry) => void, depth = 0): void {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return;
  if (depth > 64) throw new Error('the model config nests layers more than 64 deep');
  const { className, config } = entry as { className?: unknown; config?: unknown };
  const name = config !== null && typeof config === 'object' && !Array.isArray(config)
    ? (config as { name?: unknown }).name : undefined;
  const object = config !== null && typeof config === 'object' && !Array.isArray(config) ? config as Record<string, unknown> : undefined;
  visit({ className, name: typeof name === 'string' ? name : undefined, config: object });
  const children: unknown[] = Array.isArray(config) ? config
    : config !== null && typeof config === 'object' ? [
      ...(Array.isArray((config as { layers?: unknown }).layers) ? (config as { layers: unknown[] }).layers : []),
      (config as { layer?: unknown }).layer,
    ] : [];
  for (const child of children) forEachLayerEntry(child, visit, depth + 1);
}

/**
 * Keras settings that TF.js's layers do not have and pass over without a word, computing
 * something else than Keras: [class, key, the value that means "off", what the setting does].
 * sora refuses a model that turns one on, naming the layer, the key and the value.
 */
const KERAS_ONLY_SETTINGS: [string, string, unknown, string][] = [
  ['ReLU', 'negativeSlope', 0, 'a leaky slope below the threshold'],
  ['ReLU', 'threshold', 0, 'a threshold other than 0'],
  ['Conv1D', 'groups', 1, 'a grouped convolution'],
  ['Conv2D', 'groups', 1, 'a grouped convolution'],
  ['Conv3D', 'groups', 1, 'a grouped convolution'],
  ['DepthwiseConv2D', 'groups', 1, 'a grouped convolution'],
  ['GlobalAveragePooling1D', 'keepdims', false, 'keeping the pooled dimensions'],
  ['GlobalAveragePooling2D', 'keepdims', false, 'keeping the pooled dimensions'],
  ['GlobalMaxPooling1D', 'keepdims', false, 'keeping the pooled dimensions'],
  ['GlobalMaxPooling2D', 'keepdims', false, 'keeping the pooled dimensions'],
];

/**
 * Reads Keras's forms of layer settings (on the loader's own camelCase copy of a model config,
 * in place) before any layer is built:
 * - tf.keras 2.x saves a BatchNormalization's axis as the list its build() leaves ([3] for a
 *   4-d input, whatever axis the model was built with); TF.js's layer uses it as a number,
 *   which a one-element array coerces to, so the model loads and runs in TF.js. sora takes the
 *   one axis out of the list; a list of several axes (Keras normalizes over each combination;
 *   TF.js cannot) is refused.
 * - A Keras-only setting turned on (KERAS_ONLY_SETTINGS: ReLU's negative_slope and threshold,
 *   groups, keepdims) is refused: TF.js loads such a model and computes something else.
 * Errors name the layer, the key and the value.
 */
export function normalizeKerasConfigs(entry: unknown, where: string): void {
  forEachLayerEntry(entry, ({ className, name, config }) => {
    if (config === undefined) return;
    for (const [cls, key, off, what] of KERAS_ONLY_SETTINGS) {
      if (className !== cls || config[key] == null || config[key] === off) continue;
      throw new Error(`${where}: layer '${name}' is a ${cls} with ${key}=${JSON.stringify(config[key])} (${what}), ` +
        `a Keras setting that TF.js and sora do not have (TF.js would ignore it and compute something else)`);
    }
    if (className !== 'BatchNormalization' || !Array.isArray(config.axis)) return;
    const axis = config.axis as unknown[];
    if (axis.length !== 1 || !Number.isInteger(axis[0])) {
      throw new Error(`${where}: layer '${name}' is a BatchNormalization over axis=${JSON.stringify(axis)}; ` +
        'TF.js and sora normalize over one axis (an integer, or a list of one integer as tf.keras saves it)');
    }
    config.axis = axis[0];
  });
}
