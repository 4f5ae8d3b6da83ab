/** The differentiable ops: the only layer that calls the backend. */
export * from './creation.js';
export * from './shape.js';
export {
  add, sub, mul, div, maximum, minimum, equal, squaredDifference, relu, sigmoid, tanh, exp, log,
  neg, abs, sqrt, square, affine, clipByValue, broadcastShapes,
} from './arithmetic.js';
export { sum, mean, max, min, argMax, sumToShape } from './reduce.js';
export { matMul, dense } from './linalg.js';
export { softmax, softmaxCrossEntropy, dropout } from './nn.js';
export { adamUpdate, sgdUpdate, rmspropUpdate } from './optim.js';
