/**
 * The recurrent op's arguments (sequence.ts `RecurrentSequenceArgs`) and their checks: every
 * shape and dtype, before anything is allocated, each error naming the op, the argument, the
 * shape expected and the one received.
 */
import { recurrentGates, type RecurrentActivation, type RecurrentCellKind } from '../../backends/backend.js';
import { Tensor } from '../../core/tensor.js';
import { describe } from '../util.js';

export type { RecurrentActivation, RecurrentCellKind };

export interface RecurrentSequenceArgs {
  cell: RecurrentCellKind;
  /** The candidate's and the output's activation (TF.js's `activation`, default tanh). */
  activation: RecurrentActivation;
  /** The gates' activation (lstm i, f, o; gru z, r); ignored by 'simple'. */
  recurrentActivation: RecurrentActivation;
  /** gru only: false is TF.js's only form, true Keras's default (with recurrentBias). */
  resetAfter: boolean;
  /** [batch, steps, inputDim] float32. */
  x: Tensor;
  /** [inputDim, G * units], TF.js's layout, gates in TF.js's order (lstm i f c o; gru z r h). */
  kernel: Tensor;
  /** [units, G * units]. */
  recurrentKernel: Tensor;
  /** [G * units] or null (gru resetAfter: Keras's bias row 0). */
  bias: Tensor | null;
  /** gru resetAfter only: [G * units] (Keras's bias row 1), or null for none (zeros). */
  recurrentBias: Tensor | null;
  /** [batch, units]. */
  h0: Tensor;
  /** lstm only: [batch, units]; null for the other cells. */
  c0: Tensor | null;
  /** [batch, steps], bool or numeric: a nonzero value runs the step, 0 carries the state over it. */
  mask: Tensor | null;
  /** [batch, inputDim] float32: x * mask before the projection (TF.js's dpMask[0]). */
  inputDropoutMask: Tensor | null;
  /** [batch, units] float32: multiplies h_{t-1} before the recurrent product (TF.js's recDpMask[0]). */
  recurrentDropoutMask: Tensor | null;
  /** Steps run last to first; hSeq comes back in processing order, as TF.js's rnn() returns it. */
  goBackwards: boolean;
}

const OP = 'recurrentSequence';
const CELLS: readonly string[] = ['simple', 'lstm', 'gru'];
const ACTIVATIONS: readonly string[] = ['tanh', 'sigmoid', 'hardSigmoid', 'relu', 'linear'];

/** Whether the recurrent op (and every backend's kernel) computes `activation`. */
export function recurrentKernelSupports(activation: string): boolean {
  return ACTIVATIONS.includes(activation);
}

/** The sizes of a checked call. */
export interface RecurrentSizes { batch: number; steps: number; inputDim: number; units: number; gates: number }

function tensorArg(name: string, value: unknown, shape: readonly number[], dtypes: readonly string[], what: string): void {
  if (!(value instanceof Tensor)) {
    throw new Error(`${OP}: '${name}' must be a Tensor of shape [${shape}] (${what}); received ${value === null ? 'null' : typeof value}`);
  }
  value.assertAlive(OP);
  if (!dtypes.includes(value.dtype)) {
    throw new Error(`${OP}: '${name}' must be ${dtypes.join(' or ')}; received ${describe(value)}`);
  }
  if (value.rank !== shape.length || value.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${OP}: '${name}' must have shape [${shape}] (${what}); received ${describe(value)}`);
  }
}

function optionalArg(name: string, value: unknown, shape: readonly number[], dtypes: readonly string[], what: string): void {
  if (value !== null && value !== undefined) tensorArg(name, value, shape, dtypes, what);
}

function forbidden(name: string, value: unknown, why: string): void {
  if (value !== null && value !== undefined) throw new Error(`${OP}: '${name}' must be null ${why}; received a Tensor`);
}

/** Checks every argument; returns the sizes. Allocates nothing. */
export function checkRecurrentArgs(a: RecurrentSequenceArgs): RecurrentSizes {
  if (typeof a !== 'object' || a === null) throw new Error(`${OP}: expected an arguments object; received ${String(a)}`);
  if (!CELLS.includes(a.cell)) throw new Error(`${OP}: 'cell' must be one of ${CELLS.join(', ')}; received ${String(a.cell)}`);
  // A simple cell has no gates: its recurrentActivation is ignored (the op passes 'linear' on).
  for (const name of a.cell === 'simple' ? ['activation'] as const : ['activation', 'recurrentActivation'] as const) {
    if (!recurrentKernelSupports(a[name])) {
      throw new Error(`${OP}: '${name}' must be one of ${ACTIVATIONS.join(', ')}; received ${String(a[name])} ` +
        '(a cell with another activation runs as composed ops in its layer)');
    }
  }
  for (const name of ['resetAfter', 'goBackwards'] as const) {
    if (typeof a[name] !== 'boolean') throw new Error(`${OP}: '${name}' must be a boolean; received ${String(a[name])}`);
  }
  if (a.resetAfter && a.cell !== 'gru') throw new Error(`${OP}: 'resetAfter' is for cell 'gru' only; received true with cell '${a.cell}'`);
  if (!(a.x instanceof Tensor)) throw new Error(`${OP}: 'x' must be a Tensor [batch, steps, inputDim]; received ${a.x === null ? 'null' : typeof a.x}`);
  a.x.assertAlive(OP);
  if (a.x.rank !== 3 || a.x.dtype !== 'float32') {
    throw new Error(`${OP}: 'x' must be a float32 tensor of rank 3 [batch, steps, inputDim]; received ${describe(a.x)}`);
  }
  const [batch, steps, inputDim] = a.x.shape;
  // TF.js's rnn() fails on an empty sequence too (no step to stack); here the error says so.
  if (steps === 0) throw new Error(`${OP}: 'x' must have at least one step; received ${describe(a.x)}`);
  if (!(a.recurrentKernel instanceof Tensor)) {
    throw new Error(`${OP}: 'recurrentKernel' must be a Tensor [units, G * units]; received ${a.recurrentKernel === null ? 'null' : typeof a.recurrentKernel}`);
  }
  const gates = recurrentGates(a.cell);
  const units = a.recurrentKernel.shape[0] ?? 0;
  const width = gates * units;
  const cellName = `a${a.cell === 'simple' ? ' simple' : a.cell === 'lstm' ? 'n lstm' : ' gru'} cell of ${units} units, G = ${gates}`;
  tensorArg('recurrentKernel', a.recurrentKernel, [units, width], ['float32'], `[units, G * units] for ${cellName}`);
  tensorArg('kernel', a.kernel, [inputDim, width], ['float32'], `[inputDim, G * units] for x ${describe(a.x)} and ${cellName}`);
  optionalArg('bias', a.bias, [width], ['float32'], `[G * units] for ${cellName}`);
  if (a.cell === 'gru' && a.resetAfter) optionalArg('recurrentBias', a.recurrentBias, [width], ['float32'], `[G * units] for ${cellName}`);
  else forbidden('recurrentBias', a.recurrentBias, `unless cell is 'gru' with resetAfter (cell '${a.cell}', resetAfter ${a.resetAfter})`);
  tensorArg('h0', a.h0, [batch, units], ['float32'], `[batch, units] for x ${describe(a.x)} and ${units} units`);
  if (a.cell === 'lstm') tensorArg('c0', a.c0, [batch, units], ['float32'], `[batch, units] for x ${describe(a.x)} and ${units} units`);
  else forbidden('c0', a.c0, `for cell '${a.cell}' (lstm only)`);
  optionalArg('mask', a.mask, [batch, steps], ['bool', 'float32', 'int32'], `[batch, steps] for x ${describe(a.x)}`);
  optionalArg('inputDropoutMask', a.inputDropoutMask, [batch, inputDim], ['float32'], `[batch, inputDim] for x ${describe(a.x)}`);
  optionalArg('recurrentDropoutMask', a.recurrentDropoutMask, [batch, units], ['float32'], `[batch, units] for ${units} units`);
  return { batch, steps, inputDim, units, gates };
}
