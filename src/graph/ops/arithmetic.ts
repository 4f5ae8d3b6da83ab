/**
 * The arithmetic family of TF ops, run through sora's op registry: the broadcasting binary ops
 * (TF.js's dtype rules: int32 stays int32, Div and RealDiv on ints floor as tf.div does), BiasAdd
 * (NCHW's bias goes on axis 1) and AddN.
 */
import { add, addN, div, divNoNan, floorDiv, maximum, minimum, mod, mul, pow, reshape, squaredDifference, sub } from '../../ops/index.js';
import type { OpTable } from '../types.js';
import { arity, binary, dataFormat, tidy } from './args.js';
import { tensorInput, tensorInputs, where } from './util.js';

/** Handlers of the arithmetic family, keyed by TF op name. */
export const ARITHMETIC: OpTable = {
  Add: binary(add),
  AddV2: binary(add),
  BiasAdd: {
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      const x = tensorInput(inputs, 0, ctx);
      const bias = tensorInput(inputs, 1, ctx);
      if (bias.rank !== 1) throw new Error(`${where(ctx)}: the bias must be 1-D, got shape [${bias.shape.join(', ')}]`);
      if (dataFormat(ctx, ['NHWC', 'NCHW'], 'NHWC') === 'NCHW' && x.rank >= 3) {
        // TF's NCHW bias is per channel on axis 1; TF.js ignores data_format here.
        const shape = [bias.shape[0]!, ...new Array<number>(x.rank - 2).fill(1)];
        return [tidy(() => add(x, reshape(bias, shape)))];
      }
      return [add(x, bias)];
    },
  },
  AddN: {
    run: (inputs, ctx) => {
      if (inputs.length === 0) throw new Error(`${where(ctx)}: expected at least 1 input, got 0`);
      return [addN(tensorInputs(inputs, ctx))];
    },
  },
  Sub: binary(sub),
  RealDiv: binary(div),
  Div: binary(div),
  DivNoNan: binary(divNoNan),
  FloorDiv: binary(floorDiv),
  Mul: binary(mul),
  Maximum: binary(maximum),
  Minimum: binary(minimum),
  Pow: binary(pow),
  SquaredDifference: binary(squaredDifference),
  Mod: binary(mod),
  FloorMod: binary(mod),
};
