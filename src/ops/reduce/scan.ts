/**
 * Scans: cumsum and cumprod along one axis (TF.js's exclusive and reverse flags), one `scan`
 * kernel call on the [outer, length, inner] view of x. cumsum's gradient is the reverse
 * cumsum of dy; cumprod has none, as in TF.js.
 */
import type { ScanOp } from '../../backends/backend.js';
import type { Tensor } from '../../core/tensor.js';
import { register, run1, spec, type OpDef } from '../registry.js';
import { cast } from '../structure/shape.js';
import { chain, checkTensor, describe, produce, resolveAxis, sizeOf, storageOf } from '../util.js';
import { withInputs, type Input } from '../inputs.js';

interface ScanAttrs { axis: number; exclusive: boolean; reverse: boolean }

function scanOp(op: ScanOp, name: 'cumsum' | 'cumprod'): OpDef<ScanAttrs> {
  return register<ScanAttrs>({
    name,
    inputs: ['x'],
    infer([x]) {
      if (x.dtype === 'bool') throw new Error(`${name}: x must be float32 or int32; received ${describe(x)}`);
      return spec(x.shape, x.dtype);
    },
    kernel: {
      available: (backend) => backend.scan !== undefined,
      run: (backend, [x], { axis, exclusive, reverse }) => [produce(x.shape, x.dtype, (out) => backend.scan(op,
        storageOf(x, name), out, sizeOf(x.shape.slice(0, axis)), x.shape[axis], sizeOf(x.shape.slice(axis + 1)),
        exclusive, reverse))],
    },
    grad: op === 'sum' ? ([dy], _, { axis, exclusive, reverse }) => [cumsum(dy, axis, exclusive, !reverse)] : 'none',
  });
}

const CUMSUM = scanOp('sum', 'cumsum');
const CUMPROD = scanOp('prod', 'cumprod');

function scan(def: OpDef<ScanAttrs>, x: Tensor, axis: number, exclusive: boolean, reverse: boolean): Tensor {
  checkTensor(def.name, 'x', x);
  if (x.rank === 0) throw new Error(`${def.name}: x must have rank >= 1; received ${describe(x)}`);
  const attrs = { axis: resolveAxis(def.name, axis, x.rank), exclusive: Boolean(exclusive), reverse: Boolean(reverse) };
  // TF.js scans 'bool' as int32.
  if (x.dtype !== 'bool') return run1(def, [x], attrs);
  const asInt = cast(x, 'int32');
  try { return run1(def, [asInt], attrs); } finally { asInt.dispose(); }
}

/** tf.cumsum(x, axis = 0, exclusive = false, reverse = false). */
export function cumsum(x: Input, axis = 0, exclusive = false, reverse = false): Tensor {
  return withInputs('cumsum', [['x', x]], ([t]) => cumsumOf(t, axis, exclusive, reverse));
}
function cumsumOf(x: Tensor, axis = 0, exclusive = false, reverse = false): Tensor {
  return scan(CUMSUM, x, axis, exclusive, reverse);
}

/** tf.cumprod(x, axis = 0, exclusive = false, reverse = false); not differentiable, as in TF.js. */
export function cumprod(x: Input, axis = 0, exclusive = false, reverse = false): Tensor {
  return withInputs('cumprod', [['x', x]], ([t]) => cumprodOf(t, axis, exclusive, reverse));
}
function cumprodOf(x: Tensor, axis = 0, exclusive = false, reverse = false): Tensor {
  return scan(CUMPROD, x, axis, exclusive, reverse);
}

declare module '../../core/tensor.js' {
  interface Tensor {
    cumsum(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
    cumprod(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
  }
}
chain({
  cumsum(axis?: number, exclusive?: boolean, reverse?: boolean) { return cumsum(this, axis, exclusive, reverse); },
  cumprod(axis?: number, exclusive?: boolean, reverse?: boolean) { return cumprod(this, axis, exclusive, reverse); },
});
