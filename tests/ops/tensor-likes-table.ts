/**
 * Issue 15: one call per public op with values where its tensor arguments go. `T(values,
 * dtype)` marks a tensor argument (in a list or a config object too); tensor-likes.test.ts
 * calls each op twice, once with `T` made a sora Tensor of that dtype and once with the
 * plain values, and asserts the same results and that the values call leaks nothing.
 *
 * A new public function must appear in ARGUMENTS or in NO_TENSOR_ARGUMENTS (with the reason),
 * or the test fails.
 */
import * as sora from '../../src/index.js';

export class T {
  constructor(readonly values: unknown, readonly dtype?: 'float32' | 'int32' | 'bool') {}
}
const t = (values: unknown, dtype?: 'float32' | 'int32' | 'bool') => new T(values, dtype);
const i = (values: unknown) => new T(values, 'int32');

const V = [1, -2, 3.5, -0.25];
const M = [[1, 2], [3, 4]];
const POS = [0.5, 2, 3, 0.25];
const UNIT = [0.1, -0.5, 0.9, 0.3];
const IMG = [[[[0.1], [0.5]], [[0.9], [0.2]]]]; // [1, 2, 2, 1]
const RGB = [[[[0.1, 0.2, 0.3], [0.5, 0.1, 0.6]], [[0.9, 0.7, 0.1], [0.2, 0.3, 0.4]]]]; // [1, 2, 2, 3]
const BOXES = [[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 2, 1, 3]];
const SCORES = [0.9, 0.8, 0.7];
const F22 = [[[[1]], [[0.5]]], [[[-1]], [[2]]]];
const DW = [[[[1], [2], [3]]]];
// basicLSTMCell with inputSize 2 and units 1: kernel [3, 4], bias [4]; multiRNNCell stacks it
// and a cell of inputSize 1 (kernel [2, 4]), each making its weights from values.
const LSTM_KERNEL = [[0.5, -0.25, 1, 0.75], [-1, 0.5, 0.25, 2], [0.3, 0.1, -0.4, 0.2]];
const LSTM_BIAS = [0.1, -0.2, 0.3, 0];
const lstmCell = (kernel: number[][]) => (data: sora.Tensor, c: sora.Tensor, h: sora.Tensor): [sora.Tensor, sora.Tensor] =>
  sora.basicLSTMCell(1, kernel, LSTM_BIAS, data, c, h);

/** Arguments per op: top-level names, and namespace members as 'image.resizeBilinear'. */
export const ARGUMENTS: Record<string, unknown[]> = {
  // math, elementwise
  abs: [t(V)], acos: [t(UNIT)], acosh: [t([1, 2, 3])], asin: [t(UNIT)], asinh: [t(V)], atan: [t(V)], atanh: [t(UNIT)],
  ceil: [t(V)], cos: [t(V)], cosh: [t(V)], erf: [t(V)], exp: [t(V)], expm1: [t(V)], floor: [t(V)], log: [t(POS)],
  log1p: [t(POS)], neg: [t(V)], reciprocal: [t(V)], round: [t(V)], rsqrt: [t(POS)], sign: [t(V)], sin: [t(V)],
  sinh: [t(V)], sqrt: [t(POS)], square: [t(V)], tan: [t(V)], tanh: [t(V)], sigmoid: [t(V)], relu: [t(V)],
  relu6: [t([1, 7, -2])], elu: [t(V)], selu: [t(V)], softplus: [t(V)], logSigmoid: [t(V)], leakyRelu: [t(V), 0.3],
  step: [t(V), 0.5], isNaN: [t(V)], isInf: [t(V)], isFinite: [t(V)], clipByValue: [t(V), -1, 1],
  prelu: [t(V), t([0.1, 0.2, 0.3, 0.4])], logicalNot: [t([true, false], 'bool')],
  add: [t(V), t(POS)], sub: [t(V), t(POS)], mul: [t(V), t(POS)], div: [t(V), t(POS)], maximum: [t(V), t(POS)],
  minimum: [t(V), t(POS)], squaredDifference: [t(V), t(POS)], pow: [t(POS), t(V)], mod: [t(V), t(POS)],
  floorDiv: [t(V), t(POS)], atan2: [t(V), t(POS)], divNoNan: [t(V), t([1, 0, 2, 0])],
  equal: [t(V), t(POS)], notEqual: [t(V), t(POS)], less: [t(V), t(POS)], lessEqual: [t(V), t(POS)],
  greater: [t(V), t(POS)], greaterEqual: [t(V), t(POS)],
  logicalAnd: [t([true, false], 'bool'), t([true, true], 'bool')], logicalOr: [t([true, false], 'bool'), t([false, false], 'bool')],
  logicalXor: [t([true, false], 'bool'), t([true, true], 'bool')], bitwiseAnd: [i([3, 5]), i([1, 4])],
  where: [t([true, false], 'bool'), t([1, 2]), t([3, 4])], addN: [[t(V), t(POS), t(V)]],
  movingAverage: [t(V), t(POS), 0.9, 2], complex: [t([1, 2]), t([3, 4])], real: [t(V)], imag: [t(V)],
  cast: [t(V), 'int32'], clone: [t(V)], zerosLike: [t(V)], onesLike: [t(V)],
  // reductions and scans
  sum: [t(M), 1], mean: [t(M), 0], max: [t(M)], min: [t(M), 1], prod: [t(M), 0], argMax: [t(M), 1], argMin: [t(M)],
  all: [t([true, false], 'bool')], any: [t([true, false], 'bool')], logSumExp: [t(M), 1], logSoftmax: [t(M)],
  softmax: [t(M)], norm: [t(M)], euclideanNorm: [t(M), 0], moments: [t(M), 0], cumsum: [t(V)], cumprod: [t(V), 0, true],
  // structure
  reshape: [t(M), [4]], expandDims: [t(V), 1], squeeze: [t([[1], [2]])], transpose: [t(M)], slice: [t(M), [0, 1], [2, 1]],
  concat: [[t(M), t(M)], 1], broadcastTo: [t([1, 2]), [3, 2]], ensureShape: [t(M), [2, 2]],
  broadcastArgs: [i([2, 1]), i([1, 3])], tile: [t(M), [2, 1]], pad: [t(M), [[1, 0], [0, 1]], 5],
  mirrorPad: [t(M), [[1, 1], [0, 1]], 'reflect'], reverse: [t(M), 1],
  stridedSlice: [t(V), [0], [4], [2]], split: [t(M), 2, 1], stack: [[t(V), t(POS)], 1], unstack: [t(M)],
  concat1d: [[t([1]), t([2, 3])]], concat2d: [[t(M), t(M)], 0], concat3d: [[t([M]), t([M])], 2],
  concat4d: [[t([[M]]), t([[M]])], 3], slice1d: [t(V), 1, 2], slice2d: [t(M), [0, 1], [2, 1]],
  slice3d: [t([M]), [0, 0, 1], [1, 2, 1]], slice4d: [t([[M]]), [0, 0, 1, 0], [1, 1, 1, 2]],
  pad1d: [t(V), [1, 2]], pad2d: [t(M), [[0, 1], [1, 0]]], pad3d: [t([M]), [[0, 0], [0, 1], [1, 0]]],
  pad4d: [t([[M]]), [[0, 0], [0, 0], [0, 1], [1, 0]]], reverse1d: [t(V)], reverse2d: [t(M), 0], reverse3d: [t([M]), 2],
  reverse4d: [t([[M]]), 3], depthToSpace: [t([[[[1, 2, 3, 4]]]]), 2],
  spaceToBatchND: [t([[[[1], [2]], [[3], [4]]]]), [2, 2], [[0, 0], [0, 0]]],
  batchToSpaceND: [t([[[[1]]], [[[2]]], [[[3]]], [[[4]]]]), [2, 2], [[0, 0], [0, 0]]],
  // indexing, creation from tensors
  gather: [t(M), i([1, 0, 1])], gatherND: [t(M), i([[0, 1], [1, 0]])], oneHot: [i([0, 2, 1]), 3],
  scatterND: [i([[0], [2]]), t([5, 6]), [4]], tensorScatterUpdate: [t(V), i([[1], [3]]), t([9, 8])],
  sparseToDense: [i([0, 2]), t([5, 6]), [4], t(0)], unsortedSegmentSum: [t(V), i([0, 1, 0, 1]), 2],
  bincount: [i([0, 1, 1, 3]), t([]), 4], denseBincount: [i([0, 1, 1, 3]), t([0.5, 1, 2, 3]), 4],
  topk: [t(V), 2], searchSorted: [t([1, 2, 3]), t([2.5, 0])], lowerBound: [t([1, 2, 3]), t([2, 0])],
  upperBound: [t([1, 2, 3]), t([2, 0])], unique: [t([1, 2, 1, 3])], booleanMaskAsync: [t(M), t([true, false], 'bool')],
  whereAsync: [t([true, false, true], 'bool')], setdiff1dAsync: [t([1, 2, 3, 4]), t([2, 4])],
  inTopKAsync: [t(M), i([1, 0]), 1], meshgrid: [t([1, 2]), t([3, 4, 5])], diag: [t([1, 2])],
  raggedRange: [t([0, 5]), t([3, 8]), t([1, 2])],
  raggedGather: [[i([0, 2, 3])], t([1, 2, 3]), i([1, 0]), 1],
  raggedTensorToTensor: [i([2, 3]), t([1, 2, 3]), t(0), [i([0, 2, 3])], ['ROW_SPLITS']],
  // linalg, signal, random with a seed
  matMul: [t(M), t([[1, 0], [0.5, 2]])], dot: [t(M), t([1, 2])], outerProduct: [t([1, 2]), t([3, 4, 5])],
  einsum: ['ij,jk->ik', t(M), t(M)], rfft: [t(V)], dropout: [t(V), 0.5, undefined, 7],
  multinomial: [t([[0.1, 2, 0.5]]), 4, 3],
  basicLSTMCell: [t(1), t(LSTM_KERNEL), t(LSTM_BIAS), t([[1, -2]]), t([[0.5]]), t([[-0.3]])],
  multiRNNCell: [[lstmCell(LSTM_KERNEL), lstmCell(LSTM_KERNEL.slice(1))], t([[1, -2]]), [t([[0.5]]), t([[0.2]])], [t([[-0.3]]), t([[0.9]])]],
  'linalg.bandPart': [t(M), 0, 1], 'linalg.gramSchmidt': [[t([1, 2]), t([3, 4])]], 'linalg.qr': [t(M)],
  'signal.frame': [t(V), 2, 1], 'signal.stft': [t([1, 2, 3, 4, 5, 6, 7, 8]), 4, 2],
  'signal.mfccsFromLogMelSpectrograms': [t(M)],
  'spectral.rfft': [t(V)],
  // convolutions (F22: a [2, 2, 1, 1] filter; DW: a [1, 1, 3, 1] depthwise filter)
  conv1d: [t([[[1], [2], [3]]]), t([[[1]], [[0.5]]]), 1, 'valid'], conv2d: [t(IMG), t(F22), 1, 'same'],
  conv2dTranspose: [t(IMG), t(F22), [1, 2, 2, 1], 1, 'same'], depthwiseConv2d: [t(RGB), t(DW), 1, 'same'],
  separableConv2d: [t(RGB), t(DW), t([[[[1], [0.5], [2]]]]), 1, 'valid'],
  dilation2d: [t(IMG), t([[[1]], [[-0.5]]]), 1, 'same'], conv3d: [t([IMG]), t([F22]), 1, 'same'], conv3dTranspose: [t([IMG]), t([F22]), [1, 1, 2, 2, 1], 1, 'same'],
  'fused.conv2d': [{ x: t(IMG), filter: t(F22), strides: 1, pad: 'same', bias: t([0.5]), activation: 'relu' }],
  'fused.depthwiseConv2d': [{ x: t(RGB), filter: t(DW), strides: 1, pad: 'valid', bias: t([1, 2, 3]), activation: 'relu6' }],
  'fused.matMul': [{ a: t(M), b: t(M), bias: t([1, -1]), activation: 'elu' }],
  // sparse, math
  'sparse.sparseSegmentSum': [t(M), i([0, 1]), i([0, 0])], 'sparse.sparseSegmentMean': [t(M), i([0, 1]), i([0, 1])],
  'sparse.sparseReshape': [i([[0, 0], [1, 1]]), i([2, 2]), i([4])],
  'sparse.sparseFillEmptyRows': [i([[0, 0], [2, 1]]), t([5, 6]), i([3, 2]), t(-1)],
  'math.confusionMatrix': [i([0, 1, 1]), i([0, 0, 1]), 2],
  // image
  'image.resizeBilinear': [t(IMG), [3, 3]], 'image.resizeNearestNeighbor': [t(IMG), [3, 3]],
  'image.flipLeftRight': [t(IMG)], 'image.grayscaleToRGB': [t(IMG)], 'image.rgbToGrayscale': [t(RGB)],
  'image.cropAndResize': [t(IMG), t([[0, 0, 1, 1]]), i([0]), [2, 2]], 'image.rotateWithOffset': [t(IMG), 0.5],
  'image.threshold': [t(RGB[0])], 'image.transform': [t(IMG), t([[1, 0, 0, 0, 1, 0, 0, 0]])],
  'image.nonMaxSuppression': [t(BOXES), t(SCORES), 2], 'image.nonMaxSuppressionAsync': [t(BOXES), t(SCORES), 2],
  'image.nonMaxSuppressionWithScore': [t(BOXES), t(SCORES), 2, 0.5, 0, 0.5],
  'image.nonMaxSuppressionWithScoreAsync': [t(BOXES), t(SCORES), 2, 0.5, 0, 0.5],
  'image.nonMaxSuppressionPadded': [t(BOXES), t(SCORES), 3], 'image.nonMaxSuppressionPaddedAsync': [t(BOXES), t(SCORES), 3],
  // pooling, normalization
  maxPool: [t(RGB), 2, 1, 'same'], avgPool: [t(RGB), [2, 1], 1, 'valid'], pool: [t(IMG), 2, 'avg', 'same', 1, 1],
  maxPoolWithArgmax: [t(RGB), 2, 1, 'valid', true], maxPool3d: [t([RGB]), 1, 1, 'valid'], avgPool3d: [t([RGB]), [1, 2, 2], 1, 'same'],
  batchNorm: [t(M), t([1, 2]), t([0.5, 2]), t([0, 1]), t([2, 3])], batchNorm2d: [t(M), t([1, 2]), t([0.5, 2])],
  batchNorm3d: [t([M]), t([1, 2]), t([0.5, 2]), undefined, t([2, 3]), 0.1], batchNorm4d: [t(RGB), t([1, 2, 3]), t([1, 1, 1])],
  localResponseNormalization: [t(RGB), 1, 0.5, 0.3, 0.75],
  // losses
  'losses.absoluteDifference': [t(V), t(POS), t([1, 0, 2, 1])], 'losses.meanSquaredError': [t(V), t(POS)],
  'losses.computeWeightedLoss': [t(V), t([1, 0, 2, 1])], 'losses.cosineDistance': [t(M), t(M), 1],
  'losses.hingeLoss': [t([1, 0, 1, 0]), t(V)], 'losses.huberLoss': [t(V), t(POS)],
  'losses.logLoss': [t([1, 0, 1, 0]), t([0.9, 0.2, 0.6, 0.1])], 'losses.sigmoidCrossEntropy': [t([1, 0, 1, 0]), t(V)],
  'losses.softmaxCrossEntropy': [t([[1, 0], [0, 1]]), t(M)],
};

/** Public functions with no tensor argument to take values for, each with the reason. */
export const NO_TENSOR_ARGUMENTS: Record<string, string> = {
  ...Object.fromEntries(['tensor', 'scalar', 'tensor1d', 'tensor2d', 'tensor3d', 'tensor4d', 'tensor5d', 'tensor6d',
    'fill', 'zeros', 'ones', 'eye', 'linspace', 'range', 'buffer', 'variable', 'randomUniform', 'randomUniformInt',
    'randomNormal', 'randomStandardNormal', 'truncatedNormal', 'randomGamma', 'rand', 'cosineWindow',
    'signal.hannWindow', 'signal.hammingWindow', 'signal.linearToMelWeightMatrix'].map((n) => [n, 'makes a tensor from values, shapes or numbers'])),
  ...Object.fromEntries(['grad', 'grads', 'valueAndGrad', 'valueAndGrads', 'variableGrads', 'customGrad', 'tidy', 'keep',
    'dispose', 'print', 'profile', 'time', 'op'].map((n) => [n, 'takes functions or tensors it manages, as TF.js (no conversion there)'])),
  ...Object.fromEntries(['backend', 'engine', 'env', 'memory', 'ready', 'nextFrame', 'setBackend', 'getBackend',
    'setWasmPaths', 'setThreadsCount', 'getThreadsCount', 'enableDebugMode', 'enableProdMode', 'deprecationWarn', 'disableDeprecationWarnings',
    'disposeVariables', 'registerCallbackConstructor', 'sequential', 'model', 'input', 'loadLayersModel',
    'loadGraphModel', 'loadGraphModelSync', 'registerOp', 'deregisterOp', 'getRegisteredOp',
    'enclosingPowerOfTwo', 'sumOutType', 'upcastType'].map((n) => [n, 'not an op'])),
  fft: 'takes complex64 only: values make float32, which TF.js refuses too',
  ifft: 'takes complex64 only: values make float32, which TF.js refuses too',
  irfft: 'takes complex64 only: values make float32, which TF.js refuses too',
  'spectral.fft': 'takes complex64 only', 'spectral.ifft': 'takes complex64 only', 'spectral.irfft': 'takes complex64 only',
  'losses.categoricalCrossentropy': 'Keras losses (src/training), not TF.js tf.losses ops',
  'losses.sparseCategoricalCrossentropy': 'Keras losses (src/training), not TF.js tf.losses ops',
  'losses.binaryCrossentropy': 'Keras losses (src/training), not TF.js tf.losses ops',
};

/** The namespaces of ops whose members the table lists as 'namespace.member'. */
export const OP_NAMESPACES = ['fused', 'image', 'linalg', 'losses', 'math', 'signal', 'sparse', 'spectral'] as const;
