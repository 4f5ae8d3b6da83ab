/**
 * dilation2d, the grayscale morphological dilation (TF.js's tf.dilation2d): out[b, y, x, c] =
 * max over the window's taps (fy, fx) of x[b, iy, ix, c] + filter[fy, fx, c], windows placed as
 * a depthwise convolution's (strides, 'same' / 'valid', dilations). Reads outside the image
 * take no part (the padding is -Infinity). A composition on every backend (im2col, add, max),
 * recorded op by op, so its gradient routes dy to each window's arg-max, as TF.js's does.
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { add } from '../math/binary.js';
import { max } from '../reduce/reduce.js';
import { register, run1, spec } from '../registry.js';
import { reshape } from '../structure/shape.js';
import { chain, describe } from '../util.js';
import { checkFits, checkFloat32, type Pair } from './args.js';
import { convGeometry, type ConvGeometry } from './geometry.js';
import { im2col } from './taps.js';

const DILATION2D = register<{ g: ConvGeometry }>({
  name: 'dilation2d',
  inputs: ['x', 'filter'],
  infer([x, filter], { g }) {
    const want = [[x, [g.batch, g.inHeight, g.inWidth, g.inChannels]], [filter, [g.filterHeight, g.filterWidth, g.inChannels]]] as const;
    for (const [t, shape] of want) {
      if (t.dtype !== 'float32' || t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new Error(`dilation2d: expected a float32 tensor of shape [${shape}] for this geometry; received ${describe(t)}`);
      }
    }
    return spec([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
  },
  compose: ([x, filter], { g }) => {
    const taps = g.filterHeight * g.filterWidth;
    const cols = reshape(im2col(x, g, -Infinity), [g.batch, g.outHeight, g.outWidth, taps, g.inChannels]);
    return [max(add(cols, reshape(filter, [taps, g.inChannels])), 3)];
  },
  grad: 'composed',
});

/**
 * The morphological dilation of x ([batch, height, width, depth] or rank 3) by a structuring
 * function filter [filterHeight, filterWidth, depth] (tf.dilation2d); pad 'same' or 'valid',
 * dilations default 1; NHWC only, as TF.js.
 */
export function dilation2d(x: Input, filter: Input, strides: Pair, pad: 'valid' | 'same', dilations: Pair = [1, 1],
  dataFormat: 'NHWC' = 'NHWC'): Tensor {
  const op = 'dilation2d';
  if (!(x instanceof Tensor && filter instanceof Tensor)) {
    return withInputs(op, [['x', x, 'float32'], ['filter', filter, 'float32']], ([a, b]) => dilation2d(a, b, strides, pad, dilations, dataFormat));
  }
  if (x.rank !== 4 && x.rank !== 3) throw new Error(`${op}: x must be rank 4 (or 3: one image); received x ${describe(x)}`);
  if (filter.rank !== 3) throw new Error(`${op}: filter must be rank 3 [filterHeight, filterWidth, depth]; received filter ${describe(filter)}`);
  checkFloat32(op, 'x', x);
  checkFloat32(op, 'filter', filter);
  if (dataFormat !== 'NHWC') throw new Error(`${op}: dataFormat must be 'NHWC' (as TF.js); received ${JSON.stringify(dataFormat)}`);
  if (pad !== 'same' && pad !== 'valid') throw new Error(`${op}: pad must be 'same' or 'valid'; received pad=${JSON.stringify(pad)}`);
  const x4 = x.rank === 4 ? x.shape : [1, ...x.shape];
  if (x4[3] !== filter.shape[2]) {
    throw new Error(`${op}: x has depth ${x4[3]} (shape [${x.shape}]) but the filter's depth is ${filter.shape[2]} (filter shape [${filter.shape}])`);
  }
  const g = checkFits(op, convGeometry({
    op, xShape: x4, filterHeight: filter.shape[0], filterWidth: filter.shape[1], outChannels: x4[3], strides, dilations, pad,
  }), pad);
  if (x.rank === 4) return run1(DILATION2D, [x, filter], { g });
  return ENGINE.tidy(() => reshape(run1(DILATION2D, [reshape(x, x4), filter], { g }), [g.outHeight, g.outWidth, g.outChannels]));
}

declare module '../../core/tensor.js' {
  interface Tensor { dilation2d(filter: Input, strides: Pair, pad: 'valid' | 'same', dilations?: Pair, dataFormat?: 'NHWC'): Tensor }
}
chain({
  dilation2d(filter: Input, strides: Pair, pad: 'valid' | 'same', dilations?: Pair, dataFormat?: 'NHWC') {
    return dilation2d(this, filter, strides, pad, dilations, dataFormat);
  },
});
