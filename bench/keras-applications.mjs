/**
 * MobileNetV2 and InceptionV3 as keras.applications builds them (the same layer graph, names and
 * layer settings: keras/applications/mobilenet_v2.py and inception_v3.py), written against the
 * TF.js layers API so that either library (`lib` is `tf` or `sora`: their APIs match) builds
 * them. `alpha` / `width` and the input size shrink the models for tests; the graph stays whole.
 * `seedWeights` fills every weight from a seeded generator with values a trained network would
 * hold in shape (He-scaled kernels, BN moving statistics away from 0 and 1).
 * Used by tests/io/keras-format-cnn.test.ts and bench/cnn.mjs.
 */

/** keras.applications' _make_divisible: round to a multiple of `divisor`, never below 90% of v. */
function makeDivisible(v, divisor = 8) {
  let rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}

/** imagenet_utils.correct_pad for a 3x3 kernel: [[top, bottom], [left, right]] before a stride-2 'valid' conv of `x`. */
function correctPad(x) {
  const [, height, width] = x.shape;
  const adjust = [1 - (height % 2), 1 - (width % 2)];
  return [[1 - adjust[0], 1], [1 - adjust[1], 1]];
}

/**
 * MobileNetV2 (include_top, classifier activation softmax). Returns a functional model named
 * `mobilenetv2_{alpha}_{size}` as Keras names it.
 */
export function mobileNetV2(lib, { alpha = 1, inputSize = 224, classes = 1000 } = {}) {
  const L = lib.layers;
  const bn = (name) => L.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name });
  const relu6 = (name) => L.reLU({ maxValue: 6, name });
  const input = lib.input({ shape: [inputSize, inputSize, 3], name: 'input_1' });
  let x = L.zeroPadding2d({ padding: correctPad(input), name: 'Conv1_pad' }).apply(input);
  const first = makeDivisible(32 * alpha);
  x = L.conv2d({ filters: first, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'Conv1' }).apply(x);
  x = bn('bn_Conv1').apply(x);
  x = relu6('Conv1_relu').apply(x);
  let channels = first;

  const block = (filters, stride, expansion, id) => {
    const pointwise = makeDivisible(Math.trunc(filters * alpha));
    const prefix = id ? `block_${id}_` : 'expanded_conv_';
    const inputs = x;
    let y = x;
    if (id) {
      y = L.conv2d({ filters: expansion * channels, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}expand` }).apply(y);
      y = bn(`${prefix}expand_BN`).apply(y);
      y = relu6(`${prefix}expand_relu`).apply(y);
    }
    if (stride === 2) {
      y = L.zeroPadding2d({ padding: correctPad(y), name: `${prefix}pad` }).apply(y);
    }
    y = L.depthwiseConv2d({
      kernelSize: 3, strides: stride, useBias: false, padding: stride === 1 ? 'same' : 'valid', name: `${prefix}depthwise`,
    }).apply(y);
    y = bn(`${prefix}depthwise_BN`).apply(y);
    y = relu6(`${prefix}depthwise_relu`).apply(y);
    y = L.conv2d({ filters: pointwise, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}project` }).apply(y);
    y = bn(`${prefix}project_BN`).apply(y);
    if (channels === pointwise && stride === 1) y = L.add({ name: `${prefix}add` }).apply([inputs, y]);
    x = y;
    channels = pointwise;
  };
  const plan = [[16, 1, 1], [24, 2, 6], [24, 1, 6], [32, 2, 6], [32, 1, 6], [32, 1, 6], [64, 2, 6], [64, 1, 6],
    [64, 1, 6], [64, 1, 6], [96, 1, 6], [96, 1, 6], [96, 1, 6], [160, 2, 6], [160, 1, 6], [160, 1, 6], [320, 1, 6]];
  plan.forEach(([filters, stride, expansion], id) => block(filters, stride, expansion, id));

  const last = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  x = L.conv2d({ filters: last, kernelSize: 1, useBias: false, name: 'Conv_1' }).apply(x);
  x = bn('Conv_1_bn').apply(x);
  x = relu6('out_relu').apply(x);
  x = L.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x);
  x = L.dense({ units: classes, activation: 'softmax', name: 'predictions' }).apply(x);
  return lib.model({ inputs: input, outputs: x, name: `mobilenetv2_${alpha.toFixed(2)}_${inputSize}` });
}

/**
 * InceptionV3 (include_top, softmax). `width` scales every filter count (1 is Keras's model;
 * counts are rounded up to at least 1). The smallest input Keras allows is 75x75.
 */
export function inceptionV3(lib, { width = 1, inputSize = 299, classes = 1000 } = {}) {
  const L = lib.layers;
  let index = 0;
  const conv2dBn = (x, filters, rows, cols, { strides = 1, padding = 'same' } = {}) => {
    const suffix = index ? `_${index}` : '';
    index++;
    let y = L.conv2d({
      filters: Math.max(1, Math.round(filters * width)), kernelSize: [rows, cols], strides, padding, useBias: false,
      name: `conv2d${suffix}`,
    }).apply(x);
    y = L.batchNormalization({ axis: 3, scale: false, name: `batch_normalization${suffix}` }).apply(y);
    return L.activation({ activation: 'relu', name: `activation${suffix}` }).apply(y);
  };
  let pools = 0;
  const avgPool = (x) => L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: `average_pooling2d${pools++ ? `_${pools - 1}` : ''}` }).apply(x);
  let maxPools = 0;
  const maxPool = (x) => L.maxPooling2d({ poolSize: 3, strides: 2, name: `max_pooling2d${maxPools++ ? `_${maxPools - 1}` : ''}` }).apply(x);
  const concat = (xs, name) => L.concatenate({ axis: 3, name }).apply(xs);

  const input = lib.input({ shape: [inputSize, inputSize, 3], name: 'input_1' });
  let x = conv2dBn(input, 32, 3, 3, { strides: 2, padding: 'valid' });
  x = conv2dBn(x, 32, 3, 3, { padding: 'valid' });
  x = conv2dBn(x, 64, 3, 3);
  x = maxPool(x);
  x = conv2dBn(x, 80, 1, 1, { padding: 'valid' });
  x = conv2dBn(x, 192, 3, 3, { padding: 'valid' });
  x = maxPool(x);

  // Mixed 0, 1, 2 (Inception A): 1x1, 5x5, double 3x3 and an average-pool branch.
  for (const [i, poolFilters] of [[0, 32], [1, 64], [2, 64]]) {
    const b1 = conv2dBn(x, 64, 1, 1);
    const b5 = conv2dBn(conv2dBn(x, 48, 1, 1), 64, 5, 5);
    const b3 = conv2dBn(conv2dBn(conv2dBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    const bp = conv2dBn(avgPool(x), poolFilters, 1, 1);
    x = concat([b1, b5, b3, bp], `mixed${i}`);
  }
  // Mixed 3 (Inception B, the grid reduction).
  {
    const b3 = conv2dBn(x, 384, 3, 3, { strides: 2, padding: 'valid' });
    const bd = conv2dBn(conv2dBn(conv2dBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, { strides: 2, padding: 'valid' });
    x = concat([b3, bd, maxPool(x)], 'mixed3');
  }
  // Mixed 4 to 7 (Inception C): factorized 7x7 as 1x7 and 7x1.
  for (const [i, f] of [[4, 128], [5, 160], [6, 160], [7, 192]]) {
    const b1 = conv2dBn(x, 192, 1, 1);
    let b7 = conv2dBn(x, f, 1, 1);
    b7 = conv2dBn(b7, f, 1, 7);
    b7 = conv2dBn(b7, 192, 7, 1);
    let bd = conv2dBn(x, f, 1, 1);
    bd = conv2dBn(bd, f, 7, 1);
    bd = conv2dBn(bd, f, 1, 7);
    bd = conv2dBn(bd, f, 7, 1);
    bd = conv2dBn(bd, 192, 1, 7);
    const bp = conv2dBn(avgPool(x), 192, 1, 1);
    x = concat([b1, b7, bd, bp], `mixed${i}`);
  }
  // Mixed 8 (Inception D, the second reduction).
  {
    const b3 = conv2dBn(conv2dBn(x, 192, 1, 1), 320, 3, 3, { strides: 2, padding: 'valid' });
    let b7 = conv2dBn(x, 192, 1, 1);
    b7 = conv2dBn(b7, 192, 1, 7);
    b7 = conv2dBn(b7, 192, 7, 1);
    b7 = conv2dBn(b7, 192, 3, 3, { strides: 2, padding: 'valid' });
    x = concat([b3, b7, maxPool(x)], 'mixed8');
  }
  // Mixed 9, 10 (Inception E): split 1x3 / 3x1 branches, concatenated inside the block too.
  for (const i of [0, 1]) {
    const b1 = conv2dBn(x, 320, 1, 1);
    const b3 = conv2dBn(x, 384, 1, 1);
    const b3c = concat([conv2dBn(b3, 384, 1, 3), conv2dBn(b3, 384, 3, 1)], `mixed9_${i}`);
    const bd = conv2dBn(conv2dBn(x, 448, 1, 1), 384, 3, 3);
    const bdc = concat([conv2dBn(bd, 384, 1, 3), conv2dBn(bd, 384, 3, 1)], `concatenate${i ? `_${i}` : ''}`);
    const bp = conv2dBn(avgPool(x), 192, 1, 1);
    x = concat([b1, b3c, bdc, bp], `mixed${9 + i}`);
  }
  x = L.globalAveragePooling2d({ name: 'avg_pool' }).apply(x);
  x = L.dense({ units: classes, activation: 'softmax', name: 'predictions' }).apply(x);
  return lib.model({ inputs: input, outputs: x, name: 'inception_v3' });
}

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Every weight of `model` from a seeded generator, by its role (the name's last part): kernels
 * uniform with the variance of He initialization (depthwise: fan-in is the window), biases and
 * betas and moving means small around 0, gammas and moving variances around 1 (0.5 to 1.5).
 */
export function seedWeights(lib, model, seed) {
  const random = seededRandom(seed);
  const uniform = (low, high) => low + (high - low) * random();
  const values = model.weights.map((w) => {
    const shape = w.shape;
    const size = shape.reduce((a, b) => a * b, 1);
    const role = w.name.split('/').at(-1).replace(/:\d+$/, '').replace(/_\d+$/, '');
    const data = new Float32Array(size);
    let draw;
    if (role === 'kernel' || role === 'depthwise_kernel') {
      const fanIn = role === 'depthwise_kernel' ? shape[0] * shape[1] : size / shape.at(-1);
      const limit = Math.sqrt(6 / fanIn);
      draw = () => uniform(-limit, limit);
    } else if (role === 'gamma' || role === 'moving_variance') draw = () => uniform(0.5, 1.5);
    else draw = () => uniform(-0.2, 0.2);
    for (let i = 0; i < size; i++) data[i] = draw();
    return lib.tensor(data, shape);
  });
  model.setWeights(values);
  for (const t of values) t.dispose();
}
