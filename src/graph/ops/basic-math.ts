/**
 * The basic_math family of TF ops: elementwise functions of one tensor, the activations
 * (Relu6, Prelu, LeakyRelu with its 'alpha'), ClipByValue (bounds read on the host) and the
 * complex parts.
 */
import {
  abs, acos, acosh, asin, asinh, atan, atan2, atanh, ceil, clipByValue, complex, cos, cosh, elu, erf, exp, expm1, floor, imag,
  isFinite, isInf, isNaN, leakyRelu, log, log1p, neg, prelu, real, reciprocal, relu, relu6, round, rsqrt, selu, sigmoid, sign, sin,
  sinh, softplus, sqrt, square, tan, tanh,
} from '../../ops/index.js';
import type { OpTable } from '../types.js';
import { arity, binary, unary } from './args.js';
import { hostNumber, tensorInput } from './util.js';

/** Handlers of the basic_math family, keyed by TF op name. */
export const BASIC_MATH: OpTable = {
  Abs: unary(abs),
  ComplexAbs: unary(abs),
  Acos: unary(acos),
  Acosh: unary(acosh),
  Asin: unary(asin),
  Asinh: unary(asinh),
  Atan: unary(atan),
  Atan2: binary(atan2),
  Atanh: unary(atanh),
  Ceil: unary(ceil),
  ClipByValue: {
    valueInputs: [1, 2],
    run: (inputs, ctx) => {
      arity(inputs, 3, ctx);
      return [clipByValue(tensorInput(inputs, 0, ctx), hostNumber(inputs, 1, ctx), hostNumber(inputs, 2, ctx))];
    },
  },
  Complex: binary(complex),
  Cos: unary(cos),
  Cosh: unary(cosh),
  Elu: unary(elu),
  Erf: unary(erf),
  Exp: unary(exp),
  Expm1: unary(expm1),
  Floor: unary(floor),
  Imag: unary(imag),
  IsFinite: unary(isFinite),
  IsInf: unary(isInf),
  IsNan: unary(isNaN),
  LeakyRelu: {
    run: (inputs, ctx) => {
      arity(inputs, 1, ctx);
      return [leakyRelu(tensorInput(inputs, 0, ctx), ctx.attrs.float('alpha', 0.2))];
    },
  },
  Log: unary(log),
  Log1p: unary(log1p),
  Neg: unary(neg),
  Prelu: binary(prelu),
  Real: unary(real),
  Reciprocal: unary(reciprocal),
  Relu: unary(relu),
  Relu6: unary(relu6),
  Round: unary(round),
  Rsqrt: unary(rsqrt),
  Selu: unary(selu),
  Sigmoid: unary(sigmoid),
  Sign: unary(sign),
  Sin: unary(sin),
  Sinh: unary(sinh),
  Softplus: unary(softplus),
  Sqrt: unary(sqrt),
  Square: unary(square),
  Tan: unary(tan),
  Tanh: unary(tanh),
};
