/**
 * tf.einsum(equation, ...tensors): the common patterns as sums, transposes and GEMMs —
 * transposes ('ij->ji'), sums ('ij->i'), matrix and batched matrix products ('bij,bjk->bik',
 * one batched matMul), outer products ('i,j->ij'), dot products ('i,i->'), and chains of more
 * operands, folded left to right. A letter repeated within one operand (diagonals, traces) and ellipses are
 * rejected with an error, as TF.js does. Gradients are those of the ops it is made of.
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import { matMul } from './matmul.js';
import { sum } from '../reduce/reduce.js';
import { reshape, transpose } from '../structure/shape.js';
import { checkTensor, describe, sizeOf } from '../util.js';
import { withInputs, type Input } from '../inputs.js';

interface Term { letters: string; t: Tensor }

function parse(equation: string, count: number): { inputs: string[]; output: string } {
  if (typeof equation !== 'string') throw new Error(`einsum: equation must be a string; received ${typeof equation}`);
  const clean = equation.replace(/\s+/g, '');
  if (clean.includes('.')) throw new Error(`einsum: ellipses are not supported; received '${equation}'`);
  const [lhs, rhs, extra] = clean.split('->');
  if (extra !== undefined) throw new Error(`einsum: more than one '->' in '${equation}'`);
  const inputs = lhs.split(',');
  if (inputs.length !== count) throw new Error(`einsum: '${equation}' names ${inputs.length} operands; received ${count} tensors`);
  for (const letters of [...inputs, rhs ?? '']) {
    if (!/^[a-zA-Z]*$/.test(letters)) throw new Error(`einsum: '${letters}' in '${equation}' is not a run of letters`);
    if (new Set(letters).size !== letters.length) {
      throw new Error(`einsum: a letter repeats within '${letters}' in '${equation}' (diagonals and traces are not supported)`);
    }
  }
  // Without '->', the output is every letter used once, in alphabetical order (numpy's rule).
  const all = inputs.join('');
  const output = rhs ?? [...new Set(all)].filter((l) => all.indexOf(l) === all.lastIndexOf(l)).sort().join('');
  for (const l of output) {
    if (!all.includes(l)) throw new Error(`einsum: output letter '${l}' of '${equation}' appears in no operand`);
  }
  return { inputs, output };
}

/** Sums away the letters of `term` not in `keep`. */
function sumOut(term: Term, keep: Set<string>): Term {
  const axes = [...term.letters].flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (axes.length === 0) return term;
  return { letters: [...term.letters].filter((l) => keep.has(l)).join(''), t: sum(term.t, axes) };
}

function permuted(term: Term, order: string): Tensor {
  const perm = [...order].map((l) => term.letters.indexOf(l));
  return perm.every((p, i) => p === i) ? term.t : transpose(term.t, perm);
}

/** Two terms contracted over their shared letters not in `keep`. */
function contract(a: Term, b: Term, keep: Set<string>, size: Map<string, number>): Term {
  const batch = [...a.letters].filter((l) => b.letters.includes(l) && keep.has(l)).join('');
  const shared = [...a.letters].filter((l) => b.letters.includes(l) && !keep.has(l)).join('');
  const aOnly = [...a.letters].filter((l) => !b.letters.includes(l)).join('');
  const bOnly = [...b.letters].filter((l) => !a.letters.includes(l)).join('');
  const extent = (letters: string) => sizeOf([...letters].map((l) => size.get(l)!));
  const [nb, m, k, n] = [extent(batch), extent(aOnly), extent(shared), extent(bOnly)];
  const left = reshape(permuted(a, batch + aOnly + shared), [nb, m, k]);
  const right = reshape(permuted(b, batch + shared + bOnly), [nb, k, n]);
  // One batched product: [nb, m, k] x [nb, k, n] is one gemm call with batch strides.
  const letters = batch + aOnly + bOnly;
  return { letters, t: reshape(matMul(left, right), [...letters].map((l) => size.get(l)!)) };
}

/**
 * Einstein summation over the tensors as the equation says, e.g. 'ij,jk->ik' for a matrix product
 * (tf.einsum).
 */
export function einsum(equation: string, ...tensors: Input[]): Tensor {
  return withInputs('einsum', tensors.map((t, i) => [`tensors[${i}]`, t]), (list) => einsumOf(equation, ...list));
}
function einsumOf(equation: string, ...tensors: Tensor[]): Tensor {
  tensors.forEach((t, i) => checkTensor('einsum', `tensors[${i}]`, t));
  const { inputs, output } = parse(equation, tensors.length);
  const size = new Map<string, number>();
  inputs.forEach((letters, i) => {
    const t = tensors[i];
    if (t.rank !== letters.length) throw new Error(`einsum: operand ${i} '${letters}' needs rank ${letters.length}; received ${describe(t)}`);
    if (t.dtype !== 'float32') throw new Error(`einsum: operands must be float32; operand ${i} is ${describe(t)}`);
    [...letters].forEach((l, axis) => {
      const known = size.get(l);
      if (known !== undefined && known !== t.shape[axis]) {
        throw new Error(`einsum: letter '${l}' has size ${known} and ${t.shape[axis]} in '${equation}'`);
      }
      size.set(l, t.shape[axis]);
    });
  });
  return ENGINE.tidy(() => {
    const needed = (from: number) => new Set([...output, ...inputs.slice(from).join('')]);
    let term = sumOut({ letters: inputs[0], t: tensors[0] }, needed(1));
    for (let i = 1; i < tensors.length; i++) {
      const keep = needed(i + 1);
      const next = sumOut({ letters: inputs[i], t: tensors[i] }, new Set([...keep, ...term.letters]));
      term = contract(sumOut(term, new Set([...keep, ...next.letters])), next, keep, size);
    }
    term = sumOut(term, new Set(output));
    const result = permuted(term, output);
    return result === tensors[0] ? reshape(result, result.shape) : result;
  });
}
