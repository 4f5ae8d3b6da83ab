/**
 * The convolution family of TF ops (convolutions and pooling) on sora's conv and pool ops.
 * Attributes as TF writes them: 4- or 5-element strides, ksize and dilations (their spatial
 * entries taken), 'padding' SAME | VALID | EXPLICIT (with 'explicit_paddings'), 'data_format'.
 * The fused forms take their tail from fused-args.ts.
 */
import {
  avgPool, avgPool3d, conv1d, conv2d, conv2dTranspose, conv3d, depthwiseConv2d, dilation2d, fused, maxPool, maxPool3d, maxPoolWithArgmax,
} from '../../ops/index.js';
import type { OpEntry, OpTable } from '../types.js';
import { arity, dataFormat, padding, simplePadding, spatial } from './args.js';
import { fusedTail } from './fused-args.js';
import { hostInts, tensorInput, where } from './util.js';

type Pair = [number, number];
type Triple = [number, number, number];

/** Strides, dilations and padding of a 2-D conv node, with its data format. */
export function conv2dAttrs(ctx: Parameters<OpEntry['run']>[1]) {
  const format = dataFormat(ctx, ['NHWC', 'NCHW'], 'NHWC');
  const first = format === 'NCHW';
  return {
    format,
    strides: spatial(ctx, 'strides', 4, undefined, first) as Pair,
    dilations: spatial(ctx, 'dilations', 4, [1, 1, 1, 1], first) as Pair,
    pad: padding(ctx),
  };
}

const CONV2D: OpEntry = {
  run: (inputs, ctx) => {
    arity(inputs, 2, ctx);
    const { format, strides, dilations, pad } = conv2dAttrs(ctx);
    return [conv2d(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), strides, pad, format, dilations)];
  },
};

const DEPTHWISE: OpEntry = {
  run: (inputs, ctx) => {
    arity(inputs, 2, ctx);
    const { format, strides, dilations, pad } = conv2dAttrs(ctx);
    return [depthwiseConv2d(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), strides, pad, format, dilations)];
  },
};

/** _FusedConv2D and FusedDepthwiseConv2dNative: x, filter, then num_args arguments. */
function fusedConv(f: typeof fused.conv2d): OpEntry {
  return {
    run: (inputs, ctx) => {
      if (inputs.length < 2) throw new Error(`${where(ctx)}: expected at least 2 inputs, got ${inputs.length}`);
      const { format, strides, dilations, pad } = conv2dAttrs(ctx);
      const tail = fusedTail(inputs, ctx, 2, true);
      const [x, filter] = [tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx)];
      return [f({ x, filter, strides, pad, dataFormat: format, dilations, ...tail })];
    },
  };
}

/** A 2-D pool: ksize and strides (4 each), padding; NHWC only (TF.js reads NCHW as NHWC). */
function pool2d(f: typeof maxPool): OpEntry {
  return {
    run: (inputs, ctx) => {
      arity(inputs, 1, ctx);
      dataFormat(ctx, ['NHWC'], 'NHWC');
      const size = spatial(ctx, 'ksize', 4) as Pair;
      const strides = spatial(ctx, 'strides', 4) as Pair;
      return [f(tensorInput(inputs, 0, ctx), size, strides, padding(ctx))];
    },
  };
}

/** A 3-D pool: ksize and strides (5 each), SAME or VALID, NDHWC. */
function pool3d(f: typeof maxPool3d): OpEntry {
  return {
    run: (inputs, ctx) => {
      arity(inputs, 1, ctx);
      dataFormat(ctx, ['NDHWC'], 'NDHWC');
      const size = spatial(ctx, 'ksize', 5) as Triple;
      const strides = spatial(ctx, 'strides', 5) as Triple;
      return [f(tensorInput(inputs, 0, ctx), size, strides, simplePadding(ctx))];
    },
  };
}

/** Handlers of the convolution family, keyed by TF op name. */
export const CONVOLUTION: OpTable = {
  Conv1D: {
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      const format = dataFormat(ctx, ['NWC', 'NCW'], 'NWC');
      const stride = ctx.attrs.int('stride');
      const dilation = ctx.attrs.int('dilation', 1);
      return [conv1d(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), stride, simplePadding(ctx), format, dilation)];
    },
  },
  Conv2D: CONV2D,
  _FusedConv2D: fusedConv(fused.conv2d),
  FusedDepthwiseConv2dNative: fusedConv(fused.depthwiseConv2d),
  DepthwiseConv2d: DEPTHWISE,
  DepthwiseConv2dNative: DEPTHWISE,
  Conv2DBackpropInput: {
    // Inputs: the output shape (on the host), the filter, dy.
    valueInputs: [0],
    run: (inputs, ctx) => {
      arity(inputs, 3, ctx);
      const { format, strides, pad } = conv2dAttrs(ctx);
      if (format !== 'NHWC') throw new Error(`${where(ctx)}: data_format '${format}' is not supported (only NHWC)`);
      const shape = hostInts(inputs, 0, ctx);
      if (shape.length !== 4 && shape.length !== 3) {
        throw new Error(`${where(ctx)}: the output shape must have 3 or 4 entries, got [${shape.join(', ')}]`);
      }
      const [filter, dy] = [tensorInput(inputs, 1, ctx), tensorInput(inputs, 2, ctx)];
      return [conv2dTranspose(dy, filter, shape as [number, number, number, number], strides, pad)];
    },
  },
  Conv3D: {
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      const format = dataFormat(ctx, ['NDHWC', 'NCDHW'], 'NDHWC');
      const first = format === 'NCDHW';
      const strides = spatial(ctx, 'strides', 5, undefined, first) as Triple;
      const dilations = spatial(ctx, 'dilations', 5, [1, 1, 1, 1, 1], first) as Triple;
      return [conv3d(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), strides, simplePadding(ctx), format, dilations)];
    },
  },
  Dilation2D: {
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      const strides = spatial(ctx, 'strides', 4) as Pair;
      const rates = spatial(ctx, 'rates', 4) as Pair;
      return [dilation2d(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), strides, simplePadding(ctx), rates)];
    },
  },
  AvgPool: pool2d(avgPool),
  MaxPool: pool2d(maxPool),
  MaxPoolWithArgmax: {
    run: (inputs, ctx) => {
      arity(inputs, 1, ctx);
      const size = spatial(ctx, 'ksize', 4) as Pair;
      const strides = spatial(ctx, 'strides', 4) as Pair;
      const include = ctx.attrs.bool('include_batch_in_index', false);
      const { result, indexes } = maxPoolWithArgmax(tensorInput(inputs, 0, ctx), size, strides, simplePadding(ctx), include);
      return [result, indexes];
    },
  },
  AvgPool3D: pool3d(avgPool3d),
  MaxPool3D: pool3d(maxPool3d),
};
