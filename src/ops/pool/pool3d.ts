/**
 * tf.maxPool3d and tf.avgPool3d (NDHWC, rank 4 taken as one volume), composed from other ops
 * (compose.ts) on every backend: no backend has a 3-D pooling kernel. The geometry is TF.js's
 * computeConv3DInfo ('same', 'valid' or a number, with dimRoundingMode for a number).
 */
import type { Tensor } from '../../core/tensor.js';
import { ENGINE } from '../../core/engine.js';
import type { DimRoundingMode } from '../conv/geometry.js';
import { withInputs, type Input } from '../inputs.js';
import { register, run1, spec } from '../registry.js';
import { cast, reshape } from '../structure/shape.js';
import { checkFloat, describe } from '../util.js';
import { composePool, composePoolBackward, type PoolAxis, type PoolKind } from './compose.js';

type Triple = number | [number, number, number];
interface Pool3DAttrs { axes: PoolAxis[] }

function op3d(mode: PoolKind) {
  return register<Pool3DAttrs>({
    name: mode === 'max' ? 'maxPool3d' : 'avgPool3d',
    inputs: ['x'],
    infer([x], { axes }) {
      checkFloat(this.name, 'x', x);
      return spec([x.shape[0], ...axes.map((a) => a.out), x.shape[4]], 'float32');
    },
    compose: ([x], { axes }) => [composePool(x, axes, mode)],
    save: { inputs: [0] },
    grad: ([dy], [x], { axes }) => [composePoolBackward(dy, x, axes, mode)],
  });
}
const MAX_POOL_3D = op3d('max');
const AVG_POOL_3D = op3d('avg');

function triple(op: string, name: string, value: Triple): [number, number, number] {
  const v = typeof value === 'number' ? [value, value, value] : value;
  if (!Array.isArray(v) || v.length !== 3 || v.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`${op}: ${name} must be a positive integer or three of them; received ${name}=${JSON.stringify(value)}`);
  }
  return v as [number, number, number];
}

function round(value: number, mode: DimRoundingMode | undefined): number {
  return mode === 'floor' ? Math.floor(value) : mode === 'ceil' ? Math.ceil(value) : mode === 'round' ? Math.round(value) : Math.trunc(value);
}

/** TF.js's computeConv3DInfo for a pool, as the axes of the composition; checked first. */
function pool3dAxes(op: string, x: Tensor, filterSize: Triple, strides: Triple, pad: 'valid' | 'same' | number,
  dimRoundingMode: DimRoundingMode | undefined, dataFormat: string): PoolAxis[] {
  if (dataFormat !== 'NDHWC') throw new Error(`${op}: only dataFormat 'NDHWC' is supported (as TF.js); received dataFormat=${JSON.stringify(dataFormat)}`);
  if (x.rank !== 5) throw new Error(`${op}: x must be rank 5 (NDHWC) or 4 (DHWC); received ${describe(x)}`);
  if (dimRoundingMode !== undefined && (typeof pad !== 'number' || !Number.isInteger(pad))) {
    throw new Error(`${op}: pad must be an integer when using dimRoundingMode ${dimRoundingMode}; received pad=${JSON.stringify(pad)}`);
  }
  if (pad !== 'same' && pad !== 'valid' && !(typeof pad === 'number' && Number.isInteger(pad) && pad >= 0)) {
    throw new Error(`${op}: pad must be 'same', 'valid' or a non-negative integer; received pad=${JSON.stringify(pad)}`);
  }
  const filters = triple(op, 'filterSize', filterSize), steps = triple(op, 'strides', strides);
  const axes = filters.map((filter, i): PoolAxis => {
    const size = x.shape[i + 1], stride = steps[i];
    if (pad === 'same') {
      const out = Math.ceil(size / stride);
      return { size, out, filter, stride, dilation: 1, before: Math.floor(Math.max((out - 1) * stride + filter - size, 0) / 2) };
    }
    if (pad === 'valid') return { size, out: Math.max(Math.ceil((size - filter + 1) / stride), 0), filter, stride, dilation: 1, before: 0 };
    return { size, out: Math.max(round((size - filter + 2 * pad) / stride + 1, dimRoundingMode), 0), filter, stride, dilation: 1, before: pad };
  });
  if (axes.some((a) => a.out === 0)) {
    throw new Error(`${op}: the ${filters.join(' x ')} window leaves no output on the ${x.shape.slice(1, 4).join(' x ')} input ` +
      `with pad=${JSON.stringify(pad)} and strides=${JSON.stringify(strides)}; use a smaller window or more padding`);
  }
  return axes;
}

function pool3d(op: string, mode: PoolKind, x: Tensor, filterSize: Triple, strides: Triple, pad: 'valid' | 'same' | number,
  dimRoundingMode: DimRoundingMode | undefined, dataFormat: string): Tensor {
  if (mode === 'avg' ? x.dtype !== 'float32' : x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`${op}: x must be ${mode === 'avg' ? 'float32' : 'float32 or int32'} (as TF.js); received ${describe(x)}`);
  }
  return ENGINE.tidy(() => {
    const x5 = x.rank === 4 ? reshape(x, [1, ...x.shape]) : x;
    const axes = pool3dAxes(op, x5, filterSize, strides, pad, dimRoundingMode, dataFormat);
    // int32 gives float32, as TF.js's maxPool3d.
    const y = run1(mode === 'max' ? MAX_POOL_3D : AVG_POOL_3D, [x5.dtype === 'float32' ? x5 : cast(x5, 'float32')], { axes });
    return x.rank === 4 ? reshape(y, y.shape.slice(1)) : y;
  });
}

/**
 * tf.maxPool3d(x, filterSize, strides, pad, dimRoundingMode?, dataFormat = 'NDHWC'): the max of
 * each window of a volume batch, per channel; padding never wins.
 */
export function maxPool3d(x: Input, filterSize: Triple, strides: Triple, pad: 'valid' | 'same' | number,
  dimRoundingMode?: DimRoundingMode, dataFormat: 'NDHWC' | 'NCDHW' = 'NDHWC'): Tensor {
  return withInputs('maxPool3d', [['x', x, 'float32']], ([t]) => pool3d('maxPool3d', 'max', t, filterSize, strides, pad, dimRoundingMode, dataFormat));
}

/**
 * tf.avgPool3d(x, filterSize, strides, pad, dimRoundingMode?, dataFormat = 'NDHWC'): the mean of
 * each window's voxels inside the volume (padding not counted), per channel.
 */
export function avgPool3d(x: Input, filterSize: Triple, strides: Triple, pad: 'valid' | 'same' | number,
  dimRoundingMode?: DimRoundingMode, dataFormat: 'NDHWC' | 'NCDHW' = 'NDHWC'): Tensor {
  return withInputs('avgPool3d', [['x', x, 'float32']], ([t]) => pool3d('avgPool3d', 'avg', t, filterSize, strides, pad, dimRoundingMode, dataFormat));
}
