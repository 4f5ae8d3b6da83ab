/**
 * Issue 15: every public op takes tensor-likes (numbers, nested arrays, typed arrays) where it
 * takes tensors, as TF.js's convertToTensor. Generated from the public exports and the table
 * in tensor-likes-table.ts: each op called with values gives what it gives for Tensors of
 * those values, leaves nothing behind but its result (also when it throws), and a public
 * function missing from the table fails the test.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import { Tensor } from '../../src/core/tensor.js';
import { ARGUMENTS, NO_TENSOR_ARGUMENTS, OP_NAMESPACES, T } from './tensor-likes-table.js';

type Fn = (...args: unknown[]) => unknown;
const lib = sora as unknown as Record<string, unknown>;

function publicOps(): string[] {
  const names = Object.keys(lib).filter((k) => typeof lib[k] === 'function' && /^[a-z]/.test(k));
  for (const ns of OP_NAMESPACES) {
    const members = lib[ns] as Record<string, unknown>;
    for (const k of Object.keys(members)) if (typeof members[k] === 'function') names.push(`${ns}.${k}`);
  }
  return names;
}

function lookUp(name: string): Fn {
  const [head, member] = name.split('.');
  return (member ? (lib[head] as Record<string, Fn>)[member] : lib[head]) as Fn;
}

/** The arguments with each T made a Tensor ('tensor') or left as its values ('values'). */
function build(arg: unknown, as: 'tensor' | 'values'): unknown {
  if (arg instanceof T) return as === 'values' ? arg.values : sora.tensor(arg.values as number[], undefined, arg.dtype);
  if (Array.isArray(arg)) return arg.map((a) => build(a, as));
  // A config object (tf.fused.conv2d({ x, filter, ... })): its tensor fields too.
  if (arg && typeof arg === 'object') return Object.fromEntries(Object.entries(arg).map(([k, v]) => [k, build(v, as)]));
  return arg;
}

function tensorsIn(value: unknown, out: Tensor[] = []): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) tensorsIn(v, out);
  return out;
}

function read(tensors: Tensor[]): unknown[] {
  return tensors.map((x) => ({ dtype: x.dtype, shape: x.shape, values: Array.from(x.dataSync()) }));
}

describe('the table covers every public op', () => {
  it('each public function is in ARGUMENTS or NO_TENSOR_ARGUMENTS', () => {
    const missing = publicOps().filter((n) => !(n in ARGUMENTS) && !(n in NO_TENSOR_ARGUMENTS));
    expect(missing).toEqual([]);
  });
  it('the table names only public functions', () => {
    const ops = new Set(publicOps());
    expect([...Object.keys(ARGUMENTS), ...Object.keys(NO_TENSOR_ARGUMENTS)].filter((n) => !ops.has(n))).toEqual([]);
  });
});

for (const backend of ['reference', 'wasm'] as const) {
  describe(`on ${backend}: each op with values equals the op with Tensors, and leaks nothing`, () => {
    beforeAll(async () => { await sora.setBackend(backend); });
    for (const [name, args] of Object.entries(ARGUMENTS)) {
      it(name, async () => {
        const op = lookUp(name);
        const tensorArgs = build(args, 'tensor') as unknown[];
        const expected = read(tensorsIn(await op(...tensorArgs)));
        const before = sora.memory().numTensors;
        const result = await op(...(build(args, 'values') as unknown[]));
        const made = tensorsIn(result);
        expect(sora.memory().numTensors - before).toBe(new Set(made.map((x) => x.id)).size);
        expect(read(made)).toEqual(expected);
        sora.dispose(made);
        sora.dispose(tensorsIn(tensorArgs));
      });
    }
  });
}

describe('values an op cannot take', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  it('an op that throws on values frees the tensors it made', () => {
    const cases: [string, () => unknown][] = [
      ['matMul', () => sora.matMul([[1, 2]], [[1, 2]])],
      ['concat', () => sora.concat([[1, 2], [[3]]])],
      ['gather', () => sora.gather([1, 2], [5])],
      ['sparseToDense', () => sora.sparseToDense([0, 1], [1, 2, 3], [4])],
      ['add', () => sora.add([1, 2], [1, 2, 3])],
      ['abs', () => sora.abs([[1, 2], [3]])],
    ];
    for (const [op, run] of cases) {
      const before = sora.memory().numTensors;
      expect(run, op).toThrow(new RegExp(op));
      expect(sora.memory().numTensors, op).toBe(before);
    }
  });
  it('null, undefined, objects and functions are refused naming the op and argument', () => {
    expect(() => sora.abs(null as never)).toThrow(/abs: expected 'x' to be a Tensor/);
    expect(() => sora.matMul([[1]], {} as never)).toThrow(/matMul: expected 'b' to be a Tensor/);
    expect(() => sora.concat([[1], undefined as never])).toThrow(/concat: expected 'tensors\[1\]' to be a Tensor/);
  });
  it('chained methods take values for their tensor arguments', () => {
    const x = sora.tensor1d([1, 2]);
    const before = sora.memory().numTensors;
    const y = x.add([10, 20]).mul(2);
    expect(Array.from(y.dataSync())).toEqual([22, 44]);
    expect(sora.memory().numTensors - before).toBe(2); // x.add's result and y (no made tensor stays)
  });
});
