/**
 * The recurrent op built from ops, step by step, where the backend has no recurrent kernel:
 * the same equations as the kernel (kernel-params.ts), the same layouts and mask rule, its
 * gradient what autograd makes of the ops (each is recorded). TF.js's rnn() runs this way;
 * it is also the oracle the kernel path is tested against.
 */
import type { RecurrentActivation, RecurrentCellKind } from '../../backends/backend.js';
import type { Tensor } from '../../core/tensor.js';
import { add, mul, sub, where } from '../math/binary.js';
import { clipByValue, relu, sigmoid, tanh } from '../math/unary.js';
import { matMul } from '../linalg/matmul.js';
import { stack, unstack } from '../structure/rearrange.js';
import { reshape, slice } from '../structure/shape.js';

/** The activation as ops; hardSigmoid is Keras's (and TF.js's) clip(0.2 x + 0.5, 0, 1). */
export function activate(activation: RecurrentActivation, x: Tensor): Tensor {
  switch (activation) {
    case 'tanh': return tanh(x);
    case 'sigmoid': return sigmoid(x);
    case 'hardSigmoid': return clipByValue(add(mul(x, 0.2), 0.5), 0, 1);
    case 'relu': return relu(x);
    case 'linear': return x;
  }
}

export interface ComposedRecurrent {
  cell: RecurrentCellKind;
  activation: RecurrentActivation;
  recurrentActivation: RecurrentActivation;
  resetAfter: boolean;
  /** [batch, steps, G * units]: x W + b, steps already in processing order. */
  xProj: Tensor;
  recurrentKernel: Tensor;
  /** gru resetAfter: [3 * units]; else null. */
  recurrentBias: Tensor | null;
  h0: Tensor;
  c0: Tensor | null;
  /** bool [batch, steps] in processing order, or null. */
  mask: Tensor | null;
  recurrentDropoutMask: Tensor | null;
}

/** Columns [from, from + count) of a [rows, cols] matrix. */
const columns = (m: Tensor, from: number, count: number): Tensor => slice(m, [0, from], [m.shape[0], count]);

/** hSeq [batch, steps, units] and cSeq (lstm), one step at a time. */
export function composedRecurrent(a: ComposedRecurrent): { hSeq: Tensor; cSeq: Tensor | null } {
  const [batch, steps] = a.xProj.shape;
  const units = a.h0.shape[1];
  const act = (x: Tensor) => activate(a.activation, x);
  const gate = (x: Tensor) => activate(a.recurrentActivation, x);
  const U = a.recurrentKernel;
  const block = (m: Tensor, k: number) => columns(m, k * units, units);
  // gru resetAfter false: z and r read hr U_zr, the candidate (r * hr) U_h.
  const Uzr = a.cell === 'gru' && !a.resetAfter ? columns(U, 0, 2 * units) : null;
  const Uh = a.cell === 'gru' && !a.resetAfter ? columns(U, 2 * units, units) : null;
  const projections = unstack(a.xProj, 1);
  const masks = a.mask === null ? null : unstack(reshape(a.mask, [batch, steps, 1]), 1);
  let h = a.h0;
  let c = a.c0;
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let t = 0; t < steps; t++) {
    const p = projections[t];
    const hr = a.recurrentDropoutMask === null ? h : mul(h, a.recurrentDropoutMask);
    let hNew: Tensor;
    let cNew: Tensor | null = null;
    if (a.cell === 'simple') {
      hNew = act(add(p, matMul(hr, U)));
    } else if (a.cell === 'lstm') {
      const z = add(p, matMul(hr, U));
      const i = gate(block(z, 0)), f = gate(block(z, 1)), g = act(block(z, 2)), o = gate(block(z, 3));
      cNew = add(mul(f, c!), mul(i, g));
      hNew = mul(o, act(cNew));
    } else {
      let recurrent = matMul(hr, Uzr ?? U);
      if (a.recurrentBias !== null) recurrent = add(recurrent, a.recurrentBias);
      const z = gate(add(block(p, 0), block(recurrent, 0)));
      const r = gate(add(block(p, 1), block(recurrent, 1)));
      const candidate = Uh !== null ? matMul(mul(r, hr), Uh) : mul(r, block(recurrent, 2));
      const n = act(add(block(p, 2), candidate));
      hNew = add(mul(z, h), mul(sub(1, z), n));
    }
    if (masks !== null) {
      hNew = where(masks[t], hNew, h);
      if (cNew !== null) cNew = where(masks[t], cNew, c!);
    }
    h = hNew;
    hs.push(h);
    if (cNew !== null) {
      c = cNew;
      cs.push(c);
    }
  }
  return { hSeq: stack(hs, 1), cSeq: a.cell === 'lstm' ? stack(cs, 1) : null };
}
