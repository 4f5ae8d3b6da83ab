/**
 * The normalization family of TF ops: FusedBatchNorm V1-V3 (inference form: one output, as
 * TF.js gives), LRN, Softmax and LogSoftmax on the last axis, EuclideanNorm.
 */
import type { Tensor } from '../../core/tensor.js';
import { batchNorm, euclideanNorm, localResponseNormalization, logSoftmax, reshape, softmax } from '../../ops/index.js';
import type { OpEntry, OpTable } from '../types.js';
import { arity, dataFormat, tidy, unary } from './args.js';
import { hostInts, tensorInput } from './util.js';

// Inputs x, scale, offset, mean, variance. TF.js runs the inference form for every variant and
// gives only y; the batch statistics outputs of training graphs are not produced. NCHW puts the
// per-channel vectors on axis 1 (TF.js ignores data_format and would broadcast them on the last axis).
const FUSED_BATCH_NORM: OpEntry = {
  run: (inputs, ctx) => {
    arity(inputs, 5, ctx);
    const format = dataFormat(ctx, ['NHWC', 'NCHW'], 'NHWC');
    const x = tensorInput(inputs, 0, ctx);
    const epsilon = ctx.attrs.float('epsilon', 0.001);
    const [scale, offset, mean, variance] = [1, 2, 3, 4].map((i) => tensorInput(inputs, i, ctx)) as [Tensor, Tensor, Tensor, Tensor];
    if (format === 'NHWC' || x.rank < 3) return [batchNorm(x, mean, variance, offset, scale, epsilon)];
    return [tidy(() => {
      const shape = (t: Tensor): Tensor => reshape(t, [t.size, ...new Array<number>(x.rank - 2).fill(1)]);
      return batchNorm(x, shape(mean), shape(variance), shape(offset), shape(scale), epsilon);
    })];
  },
};

/** Handlers of the normalization family, keyed by TF op name. */
export const NORMALIZATION: OpTable = {
  EuclideanNorm: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      return [euclideanNorm(tensorInput(inputs, 0, ctx), hostInts(inputs, 1, ctx), ctx.attrs.bool('keep_dims', false))];
    },
  },
  FusedBatchNorm: FUSED_BATCH_NORM,
  FusedBatchNormV2: FUSED_BATCH_NORM,
  FusedBatchNormV3: FUSED_BATCH_NORM,
  LRN: {
    run: (inputs, ctx) => {
      arity(inputs, 1, ctx);
      const a = ctx.attrs;
      const x = tensorInput(inputs, 0, ctx);
      return [localResponseNormalization(x, a.int('depth_radius', 5), a.float('bias', 1), a.float('alpha', 1), a.float('beta', 0.5))];
    },
  },
  Softmax: unary((x) => softmax(x)),
  LogSoftmax: unary((x) => logSoftmax(x)),
};
