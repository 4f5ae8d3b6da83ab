/**
 * complex64 tensors: tf.complex, tf.real, tf.imag (the magnitude tf.abs takes of them is
 * unary.ts's complexAbs).
 *
 * Representation: a complex64 tensor of shape S owns a float32 storage of 2 * size(S)
 * values, (re, im) interleaved, the layout TF.js's data() returns. Two zero-copy views
 * relate it to float32: viewAsReal (complex64 S -> float32 [...S, 2]) and viewAsComplex
 * (the inverse; both in complex-views.ts). Everything else is written with float32 ops on
 * those views, so complex values need no kernel family of their own, run on every backend,
 * and have gradients: the gradient of a complex64 tensor is complex64 (dL/dre + i dL/dim),
 * carried through the views.
 *
 * The ops that take complex64 operands are those TF.js's cpu backend takes them for: add,
 * sub, mul (binary.ts), reshape, expandDims, squeeze, transpose, concat, stack, clone, tf.cast
 * (shape.ts), zerosLike / onesLike, mean, abs, real, imag and the fft family. Other ops
 * refuse complex64 inputs with an error naming the op (registry.ts, or refuseComplex at the
 * entry of a composition); tests/ops/complex-operands.test.ts checks both against TF.js.
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import { viewAsComplex, viewAsReal } from './complex-views.js';
import { add } from './binary.js';
import { fill, tensor, type TensorLike } from '../creation.js';
import { register, run1, spec } from '../registry.js';
import { clone, concat, reshape, slice } from '../structure/shape.js';
import { describe, toTensor } from '../util.js';

type NoAttrs = Record<string, never>;

export { viewAsComplex, viewAsReal };

const COMPLEX = register<NoAttrs>({
  name: 'complex',
  inputs: ['real', 'imag'],
  infer([real, imag]) {
    for (const [name, t] of [['real', real], ['imag', imag]] as const) {
      if (t.dtype !== 'float32') throw new Error(`complex: ${name} must be float32; received ${describe(t)}`);
    }
    if (real.shape.join() !== imag.shape.join()) {
      throw new Error(`complex: real and imag must have one shape; received real ${describe(real)}, imag ${describe(imag)}`);
    }
    return spec(real.shape, 'complex64');
  },
  compose: ([real, imag]) => [ENGINE.tidy(() =>
    viewAsComplex(concat([reshape(real, [...real.shape, 1]), reshape(imag, [...imag.shape, 1])], real.rank)))],
  grad: 'composed',
});

/** A Tensor argument, or values (number, nested array, typed array) made into a float32 one. */
export function floatArgument(op: string, name: string, value: Tensor | TensorLike): { tensor: Tensor; made: boolean } {
  return toTensor(op, name, value, 'float32', (values) => tensor(values as TensorLike, undefined, 'float32'));
}

/** Runs `f` on arguments made tensors (TF.js's convertToTensor), then frees the ones it made. */
export function withArguments(args: { tensor: Tensor; made: boolean }[], f: (...ts: Tensor[]) => Tensor): Tensor {
  try {
    return f(...args.map((a) => a.tensor));
  } finally {
    for (const a of args) if (a.made) a.tensor.dispose();
  }
}

/** tf.complex(real, imag): float32 tensors (or values) of one shape made into complex64. */
export function complex(real: Tensor | TensorLike, imag: Tensor | TensorLike): Tensor {
  return withArguments([floatArgument('complex', 'real', real), floatArgument('complex', 'imag', imag)],
    (re, im) => run1(COMPLEX, [re, im], {}));
}

function partOp(op: 'real' | 'imag') {
  return register<NoAttrs>({
    name: op,
    inputs: ['input'],
    complex: true,
    infer([x]) {
      if (x.dtype !== 'complex64' && x.dtype !== 'float32') throw new Error(`${op}: input must be complex64 or float32; received ${describe(x)}`);
      return spec(x.shape, 'float32');
    },
    compose: ([x]) => {
      if (x.dtype !== 'complex64') return [op === 'real' ? clone(x) : fill(x.shape, 0)];
      return [ENGINE.tidy(() => {
        const begin = new Array<number>(x.rank + 1).fill(0);
        begin[x.rank] = op === 'real' ? 0 : 1;
        return reshape(slice(viewAsReal(x), begin, [...x.shape, 1]), x.shape);
      })];
    },
    grad: 'composed',
  });
}
const REAL = partOp('real');
const IMAG = partOp('imag');

/** tf.real: the real parts (float32); a float32 input (or values) is its own real part. */
export const real = (input: Tensor | TensorLike): Tensor => withArguments([floatArgument('real', 'input', input)], (x) => run1(REAL, [x], {}));
/** tf.imag: the imaginary parts (float32); zeros for a float32 input (or values). */
export const imag = (input: Tensor | TensorLike): Tensor => withArguments([floatArgument('imag', 'input', input)], (x) => run1(IMAG, [x], {}));

/** a + b for complex64 a, b of one shape (the engine sums gradients of complex tensors with it). */
export function addComplex(a: Tensor, b: Tensor): Tensor {
  return ENGINE.tidy(() => viewAsComplex(add(viewAsReal(a), viewAsReal(b))));
}
