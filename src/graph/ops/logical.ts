/** The logical family of TF ops: comparisons (bool out), logical connectives, Select and BitwiseAnd. */
import {
  bitwiseAnd, equal, greater, greaterEqual, less, lessEqual, logicalAnd, logicalNot, logicalOr, notEqual, where as select,
} from '../../ops/index.js';
import type { OpEntry, OpTable } from '../types.js';
import { arity, binary, unary } from './args.js';
import { tensorInput } from './util.js';

// TF.js runs Select and SelectV2 alike, as tf.where (broadcasting condition, a and b).
const SELECT: OpEntry = {
  run: (inputs, ctx) => {
    arity(inputs, 3, ctx);
    return [select(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), tensorInput(inputs, 2, ctx))];
  },
};

/** Handlers of the logical family, keyed by TF op name. */
export const LOGICAL: OpTable = {
  Equal: binary(equal),
  NotEqual: binary(notEqual),
  Greater: binary(greater),
  GreaterEqual: binary(greaterEqual),
  Less: binary(less),
  LessEqual: binary(lessEqual),
  LogicalAnd: binary(logicalAnd),
  LogicalNot: unary(logicalNot),
  LogicalOr: binary(logicalOr),
  Select: SELECT,
  SelectV2: SELECT,
  BitwiseAnd: binary(bitwiseAnd),
};
