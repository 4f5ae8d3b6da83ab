/**
 * The two zero-copy views between complex64 and float32 (complex.ts describes the layout):
 * viewAsReal (complex64 S -> float32 [...S, 2], the (re, im) pairs) and viewAsComplex (the
 * inverse), low in the op modules so that the ops that take complex64 operands (reshape,
 * transpose, concat, clone, cast in structure/shape; add, sub, mul in math/binary; mean)
 * run them on the pairs, with gradients through the views.
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import { register, run1, spec } from '../registry.js';
import { checkTensor, describe } from '../util.js';

type NoAttrs = Record<string, never>;

const VIEW_AS_REAL = register<NoAttrs>({
  name: 'viewAsReal',
  inputs: ['x'],
  complex: true,
  view: true,
  infer([x]) {
    if (x.dtype !== 'complex64') throw new Error(`viewAsReal: x must be complex64; received ${describe(x)}`);
    return spec([...x.shape, 2], 'float32');
  },
  kernel: {
    available: () => true,
    run: (_, [x], __, [out]) => {
      ENGINE.onActive(x, 'viewAsReal');
      return [ENGINE.makeView(x, out.shape, 'float32')];
    },
  },
  grad: ([dy]) => [viewAsComplex(dy)],
});

const VIEW_AS_COMPLEX = register<NoAttrs>({
  name: 'viewAsComplex',
  inputs: ['x'],
  view: true,
  infer([x]) {
    if (x.dtype !== 'float32' || x.rank < 1 || x.shape[x.rank - 1] !== 2) {
      throw new Error(`viewAsComplex: x must be float32 of shape [..., 2] (re, im pairs); received ${describe(x)}`);
    }
    return spec(x.shape.slice(0, -1), 'complex64');
  },
  kernel: {
    available: () => true,
    run: (_, [x], __, [out]) => {
      ENGINE.onActive(x, 'viewAsComplex');
      return [ENGINE.makeView(x, out.shape, 'complex64')];
    },
  },
  grad: ([dy]) => [viewAsReal(dy)],
});

/** complex64 [...S] as float32 [...S, 2]: the (re, im) pairs, sharing the storage. */
export const viewAsReal = (x: Tensor): Tensor => run1(VIEW_AS_REAL, [checkTensor('viewAsReal', 'x', x)], {});
/** float32 [...S, 2] as complex64 [...S], sharing the storage. */
export const viewAsComplex = (x: Tensor): Tensor => run1(VIEW_AS_COMPLEX, [checkTensor('viewAsComplex', 'x', x)], {});

/** f on complex64 x's (re, im) pairs, float32 [...S, 2], made complex64 again (ops that move elements). */
export function onPairs(x: Tensor, f: (pairs: Tensor) => Tensor): Tensor {
  return ENGINE.tidy(() => viewAsComplex(f(viewAsReal(x))));
}
