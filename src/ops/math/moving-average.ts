/**
 * tf.movingAverage(v, x, decay, step?, zeroDebias = true), as TF.js's: v + (x - v)(1 - decay),
 * divided by 1 - decay^step when zero-debiased. A composition, so its gradient is that of the
 * ops it runs (recorded by the registry).
 */
import type { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { register, run1 } from '../registry.js';
import { describe } from '../util.js';
import { add, broadcastShapes, div, mul, sub } from './binary.js';
import { pow } from './pow-mod.js';

interface MovingAverageAttrs { zeroDebias: boolean }

const MOVING_AVERAGE = register<MovingAverageAttrs>({
  name: 'movingAverage',
  inputs: ['v', 'x', 'decay', 'step'],
  infer([v, x, decay, step]) {
    if (v.dtype !== x.dtype) {
      throw new Error(`movingAverage: The dtypes of the first(${v.dtype}) and second(${x.dtype}) input must match`);
    }
    if (v.shape.length !== x.shape.length || v.shape.some((d, i) => d !== x.shape[i])) {
      throw new Error(`movingAverage: Shape mismatch in v and x: v is ${describe(v)}, x is ${describe(x)}`);
    }
    for (const t of [v, decay, step]) {
      if (t && t.dtype !== 'float32' && t.dtype !== 'int32') {
        throw new Error(`movingAverage: expected float32 or int32 values; received ${describe(t)}`);
      }
    }
    let shape = broadcastShapes('movingAverage', v.shape, decay.shape);
    if (step) shape = broadcastShapes('movingAverage', shape, step.shape);
    return [{ shape, dtype: 'float32' }];
  },
  compose([v, x, decay, step], { zeroDebias }) {
    const oneMinusDecay = sub(1, decay);
    let update = mul(sub(x, v), oneMinusDecay);
    if (zeroDebias) update = div(update, sub(1, pow(decay, step)));
    return [add(v, update)];
  },
  grad: 'composed',
});

/**
 * tf.movingAverage(v, x, decay, step?, zeroDebias = true): the updated moving average of v
 * towards x, v + (x - v)(1 - decay), divided by 1 - decay^step when zeroDebias (step is then
 * required). v and x have one dtype and shape.
 */
export function movingAverage(v: Input, x: Input, decay: number | Tensor, step?: number | Tensor, zeroDebias = true): Tensor {
  if (zeroDebias && step == null) throw new Error('movingAverage: When using zeroDebias: true, step is required.');
  const args: [string, unknown][] = [['v', v], ['x', x], ['decay', decay]];
  if (zeroDebias) args.push(['step', step]);
  return withInputs('movingAverage', args, (tensors) => run1(MOVING_AVERAGE, tensors, { zeroDebias }));
}
