/**
 * TF.js's two core RNN ops (tf.basicLSTMCell, tf.multiRNNCell), from tf.contrib.rnn: one step
 * of an LSTM whose kernel holds the input and recurrent weights stacked, with the gates in the
 * order i (input), j (new input), f (forget), o (output) -- not the i, f, c, o of the LSTM
 * layer -- and a stack of such cells. Compositions of matMul, slice and the activations, so
 * their gradients are those ops' (recorded by the registry), as in TF.js.
 */
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { matMul } from '../linalg/matmul.js';
import { add, broadcastShapes, mul } from '../math/binary.js';
import { sigmoid, tanh } from '../math/unary.js';
import { concat, slice } from '../structure/shape.js';
import { checkTensor, describe } from '../util.js';

const BASIC = 'basicLSTMCell';

function checkFloat32(op: string, name: string, t: Tensor): void {
  checkTensor(op, name, t);
  if (t.dtype !== 'float32') throw new Error(`${op}: expected '${name}' to be float32; received ${describe(t)}`);
}

function checkMatrix(op: string, name: string, t: Tensor, rows: number | null, cols: number | null, what: string): void {
  checkFloat32(op, name, t);
  if (t.rank !== 2 || (rows !== null && t.shape[0] !== rows) || (cols !== null && t.shape[1] !== cols)) {
    throw new Error(`${op}: expected '${name}' of shape [${rows ?? 'batch'}, ${cols ?? '?'}] (${what}); received ${describe(t)}`);
  }
}

/** Every check of basicLSTMCell, before any kernel runs: the shapes must chain as TF.js's ops chain them. */
function checkCell(forgetBias: Tensor, lstmKernel: Tensor, lstmBias: Tensor, data: Tensor, c: Tensor, h: Tensor): void {
  checkMatrix(BASIC, 'data', data, null, null, '[batch, inputSize]');
  const [batch, inputSize] = data.shape;
  checkMatrix(BASIC, 'h', h, batch, null, '[batch, units], batch from data');
  const units = h.shape[1];
  checkFloat32(BASIC, 'c', c);
  checkMatrix(BASIC, 'lstmKernel', lstmKernel, inputSize + units, 4 * units,
    `[inputSize + units, 4 * units] with inputSize ${inputSize} from data and units ${units} from h`);
  checkFloat32(BASIC, 'lstmBias', lstmBias);
  checkFloat32(BASIC, 'forgetBias', forgetBias);
  const fits = (name: string, t: Tensor, target: number[]): void => {
    let shape: readonly number[];
    try {
      shape = broadcastShapes(BASIC, t.shape, target);
    } catch {
      shape = [];
    }
    if (shape.length !== target.length || shape.some((d, k) => d !== target[k])) {
      throw new Error(`${BASIC}: expected '${name}' to broadcast to [${target}]; received ${describe(t)}`);
    }
  };
  fits('lstmBias', lstmBias, [batch, 4 * units]);
  fits('forgetBias', forgetBias, [batch, units]);
  fits('c', c, [batch, units]); // as TF.js's mul broadcasts it: a [1, units] state serves every row
}

/**
 * tf.basicLSTMCell(forgetBias, lstmKernel, lstmBias, data, c, h): one LSTM step, `[newC, newH]`.
 * [data, h] (`[batch, inputSize + units]`) times lstmKernel (`[inputSize + units, 4 * units]`)
 * plus lstmBias gives the gates i, j, f, o; newC = c * sigmoid(f + forgetBias) + sigmoid(i) *
 * tanh(j) and newH = tanh(newC) * sigmoid(o). forgetBias is a scalar (or broadcasts to
 * [batch, units]); every argument takes values too.
 */
export function basicLSTMCell(forgetBias: Input, lstmKernel: Input, lstmBias: Input, data: Input, c: Input,
  h: Input): [Tensor, Tensor] {
  return withInputs(BASIC, [['forgetBias', forgetBias], ['lstmKernel', lstmKernel], ['lstmBias', lstmBias],
    ['data', data], ['c', c], ['h', h]], ([fb, kernel, bias, x, c0, h0]) => {
    checkCell(fb, kernel, bias, x, c0, h0);
    const units = h0.shape[1], batch = x.shape[0];
    const gates = add(matMul(concat([x, h0], 1), kernel), bias);
    const gate = (k: number): Tensor => slice(gates, [0, k * units], [batch, units]);
    const newC = add(mul(sigmoid(gate(0)), tanh(gate(1))), mul(c0, sigmoid(add(fb, gate(2)))));
    const newH = mul(tanh(newC), sigmoid(gate(3)));
    return [newC, newH];
  });
}

/** A cell of tf.multiRNNCell: (data, c, h) => [newC, newH], such as a bound tf.basicLSTMCell. */
export type LSTMCellFunc = (data: Tensor, c: Tensor, h: Tensor) => [Tensor, Tensor];

/**
 * tf.multiRNNCell(lstmCells, data, c, h): a stack of cells, each cell's new h the next cell's
 * input; `[newC, newH]`, one state per cell. c and h hold one state per cell (entries past
 * the last cell are ignored, as TF.js ignores them).
 */
export function multiRNNCell(lstmCells: LSTMCellFunc[], data: Input, c: Input[], h: Input[]): [Tensor[], Tensor[]] {
  const op = 'multiRNNCell';
  if (!Array.isArray(lstmCells) || lstmCells.length === 0) {
    throw new Error(`${op}: expected 'lstmCells' to be a non-empty array of cell functions; received ${
      Array.isArray(lstmCells) ? 'an empty array' : String(lstmCells)}`);
  }
  lstmCells.forEach((cell, k) => {
    if (typeof cell !== 'function') throw new Error(`${op}: expected 'lstmCells[${k}]' to be a function; received ${typeof cell}`);
  });
  for (const [name, states] of [['c', c], ['h', h]] as const) {
    if (!Array.isArray(states) || states.length < lstmCells.length) {
      throw new Error(`${op}: expected '${name}' to be an array of ${lstmCells.length} states (one per cell); received ${
        Array.isArray(states) ? `${states.length}` : String(states)}`);
    }
  }
  const count = lstmCells.length;
  const args: [string, unknown][] = [['data', data]];
  for (let k = 0; k < count; k++) args.push([`c[${k}]`, c[k]], [`h[${k}]`, h[k]]);
  return withInputs(op, args, ([x, ...states]) => {
    // The cells are the caller's, but no LSTM takes complex numbers: say so under this op's name.
    [x, ...states].forEach((t, i) => {
      if (t.dtype === 'complex64') throw new Error(`${op}: expected '${args[i]![0]}' to be real; received ${describe(t)}`);
    });
    const newC: Tensor[] = [], newH: Tensor[] = [];
    let input = x;
    for (let k = 0; k < count; k++) {
      const out = lstmCells[k](input, states[2 * k], states[2 * k + 1]);
      if (!Array.isArray(out) || !(out[0] instanceof Tensor) || !(out[1] instanceof Tensor)) {
        throw new Error(`${op}: lstmCells[${k}] must return [newC, newH], two tensors; received ${String(out)}`);
      }
      newC.push(out[0]);
      newH.push(out[1]);
      input = out[1];
    }
    return [newC, newH] as [Tensor[], Tensor[]];
  });
}
