/**
 * The public ops (TF.js names). Internals (affine, dense, gatherRows, broadcastShapes) stay in
 * their modules.
 *
 * The op modules form layers: each imports only modules before it in this order, so no
 * import circle runs through src/ops (tests/imports.test.ts fails on one, type imports
 * included):
 *
 *   util -> string/movement -> registry -> math/complex-views -> creation -> inputs -> tensor-buffer -> structure/shape -> optim
 *   -> math/binary -> math/unary-math -> reduce/reduce -> reduce/scan -> math/complex
 *   -> math/unary -> math/elementary -> math/pow-mod -> math/bitwise -> math/moving-average
 *   -> math/activations
 *   -> nn -> random -> dropout -> autograd -> reduce/derived
 *   -> indexing/gather-scatter -> indexing/search -> indexing/sparse -> indexing/ragged
 *   -> structure/rearrange -> structure/ranked -> structure/spatial -> creation-composed
 *   -> linalg/matmul -> linalg/products -> linalg/einsum -> linalg/decompositions
 *   -> signal/fft -> signal/mel -> signal/signal -> image/browser -> image/non-max-suppression
 *   -> image/warp -> image/image -> string/string-ops
 *   -> conv/geometry -> conv/args -> conv/epilogue -> conv/taps -> conv/conv2d -> conv/depthwise -> conv/fused -> conv/conv3d -> conv/dilation2d
 *   -> pool/compose -> pool/pool2d -> pool/pool3d -> normalization -> recurrent/basic-cells -> index (this file) -> losses
 *
 * Where an op's gradient needs an op from a later module, the op lives beside it (the row
 * gather with unsortedSegmentSum, pow and mod above log and floor), or the gradient is
 * written with earlier ops giving the same values (binary.ts: -x as x * -1). The registry
 * runs what every gradient may need (fill, sum, reshape) by name from its own table.
 */
export {
  tensor, scalar, tensor1d, tensor2d, tensor3d, tensor4d, tensor5d, tensor6d, fill, zeros, ones, zerosLike, onesLike,
  linspace, range,
} from './creation.js';
export {
  randomUniform, randomUniformInt, randomNormal, randomStandardNormal, truncatedNormal, randomGamma, multinomial, rand,
} from './random.js';
export type { TensorLike } from './creation.js';
export {
  reshape, expandDims, squeeze, clone, castOp as cast, transpose, slice, concat, broadcastTo, ensureShape, broadcastArgs,
} from './structure/shape.js';
export {
  add, sub, mul, div, maximum, minimum, squaredDifference, equal, notEqual, less, lessEqual, greater, greaterEqual,
  logicalAnd, logicalOr, logicalXor, logicalNot, where, floorDiv, atan2,
} from './math/binary.js';
export { pow, mod } from './math/pow-mod.js';
export { bitwiseAnd } from './math/bitwise.js';
export { movingAverage } from './math/moving-average.js';
export {
  sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, erf, log1p, expm1, floor, ceil, round,
  reciprocal, rsqrt, isNaN, isInf, isFinite,
} from './math/elementary.js';
export { elu, selu, relu6, softplus, logSigmoid, leakyRelu, step, prelu, divNoNan, addN } from './math/activations.js';
export { relu, sigmoid, tanh, exp, log, neg, abs, sign, sqrt, square, clipByValue } from './math/unary.js';
export { sum, mean, max, min, argMax } from './reduce/reduce.js';
export { prod, all, any, argMin, logSumExp, logSoftmax, norm, euclideanNorm, moments } from './reduce/derived.js';
export { cumsum, cumprod } from './reduce/scan.js';
export {
  gather, gatherND, scatterND, tensorScatterUpdate, sparseToDense, unsortedSegmentSum, bincount, denseBincount,
} from './indexing/gather-scatter.js';
export { tile, pad, mirrorPad, reverse, stridedSlice, split, stack, unstack } from './structure/rearrange.js';
export {
  concat1d, concat2d, concat3d, concat4d, slice1d, slice2d, slice3d, slice4d, pad1d, pad2d, pad3d, pad4d,
  reverse1d, reverse2d, reverse3d, reverse4d,
} from './structure/ranked.js';
export { depthToSpace, spaceToBatchND, batchToSpaceND } from './structure/spatial.js';
export { meshgrid, eye, diag, oneHot } from './creation-composed.js';
export { outerProduct, dot } from './linalg/products.js';
export { einsum } from './linalg/einsum.js';
export {
  topk, inTopKAsync, searchSorted, lowerBound, upperBound, unique, booleanMaskAsync, whereAsync, setdiff1dAsync,
} from './indexing/search.js';
export { sparse, math } from './indexing/sparse.js';
export { image } from './image/image.js';
export { raggedRange, raggedGather, raggedTensorToTensor } from './indexing/ragged.js';
export { matMul } from './linalg/matmul.js';
export { maxPool, avgPool, pool, maxPoolWithArgmax } from './pool/pool2d.js';
export { maxPool3d, avgPool3d } from './pool/pool3d.js';
export {
  batchNorm, batchNorm2d, batchNorm3d, batchNorm4d, localResponseNormalization,
} from './normalization.js';
export { linalg } from './linalg/decompositions.js';
export { basicLSTMCell, multiRNNCell } from './recurrent/basic-cells.js';
export type { LSTMCellFunc } from './recurrent/basic-cells.js';
export { conv1d, conv2d, conv2dTranspose } from './conv/conv2d.js';
export { depthwiseConv2d, separableConv2d } from './conv/depthwise.js';
export { fused } from './conv/fused.js';
export { conv3d, conv3dTranspose } from './conv/conv3d.js';
export { dilation2d } from './conv/dilation2d.js';
export { complex, real, imag } from './math/complex.js';
export { signal, cosineWindow, enclosingPowerOfTwo } from './signal/signal.js';
export { fft, ifft, rfft, irfft, spectral } from './signal/fft.js';
export { softmax } from './nn.js';
export { dropout } from './dropout.js';
export { grad, grads, valueAndGrad, valueAndGrads, variableGrads, customGrad } from './autograd.js';
