/**
 * The control family of TF ops: TF1 dataflow control flow (Enter, Exit, Merge, Switch, NextIteration,
 * LoopCond: the executor runs these itself, in frames; the entries here only declare them), the
 * functional While and If (which run library functions through ctx.callFunction), and the
 * TensorList and TensorArray ops, whose lists are GraphResources that own their tensors.
 */
import type { Tensor } from '../../core/tensor.js';
import type { GraphResource, GraphValue, OpContext, OpEntry, OpTable } from '../types.js';
import { TENSOR_ARRAY } from '../tensor-array.js';
import { TENSOR_LIST } from './tensor-list.js';
import { where } from './util.js';

/** An op the executor runs itself (frames and dead values are its business, not a handler's). */
const inExecutor: OpEntry = {
  async: true,
  run: (_, ctx) => {
    throw new Error(`${where(ctx)}: TF1 control flow runs only inside the graph executor's executeAsync`);
  },
};

function release(value: GraphValue): void {
  if ((value as GraphResource).kind !== undefined && !('dtype' in value)) (value as GraphResource).dispose();
  else (value as Tensor).dispose();
}

/** The truth of a predicate as TF reads it: the first value of a non-empty tensor. */
async function truth(value: GraphValue | undefined, what: string, ctx: OpContext): Promise<boolean> {
  if (value === undefined || !('dtype' in value)) throw new Error(`${where(ctx)}: ${what} must be a tensor`);
  const t = value as Tensor;
  if (t.size === 0) throw new Error(`${where(ctx)}: ${what} is empty`);
  const values = await t.data<'float32'>();
  return values[0] !== 0;
}

/** While / StatelessWhile: runs 'cond' and 'body' until cond is false, freeing each iteration's values once replaced. */
const whileLoop: OpEntry = {
  async: true,
  run: async (inputs, ctx) => {
    const cond = ctx.attrs.func('cond');
    const body = ctx.attrs.func('body');
    const args = new Set<GraphValue>(inputs);
    let current: GraphValue[] = inputs.slice();
    const freeUnless = (values: readonly GraphValue[], keep: readonly GraphValue[]): void => {
      const done = new Set<GraphValue>();
      for (const v of values) {
        if (args.has(v) || keep.includes(v) || done.has(v)) continue;
        done.add(v);
        release(v);
      }
    };
    let iterations = 0;
    try {
      for (;;) {
        const test = await ctx.callFunction(cond, current);
        let go: boolean;
        try {
          go = await truth(test[0], `the result of '${cond}'`, ctx);
        } finally {
          freeUnless(test, current);
        }
        if (!go) break;
        if (++iterations > ctx.maxLoopIterations) {
          throw new Error(
            `${where(ctx)}: the loop ran more than ${ctx.maxLoopIterations} iterations; raise maxLoopIterations if that is expected`,
          );
        }
        const next = await ctx.callFunction(body, current);
        if (next.length !== current.length) {
          freeUnless(next, current);
          throw new Error(
            `${where(ctx)}: '${body}' returned ${next.length} values for ${current.length} loop variables`,
          );
        }
        freeUnless(current, next);
        current = next;
      }
    } catch (error) {
      freeUnless(current, []);
      throw error;
    }
    return current;
  },
};

/** If / StatelessIf: input 0 picks 'then_branch' or 'else_branch', called on the other inputs. */
const ifThenElse: OpEntry = {
  async: true,
  run: async (inputs, ctx) => {
    const branch = (await truth(inputs[0], 'the condition', ctx))
      ? ctx.attrs.func('then_branch')
      : ctx.attrs.func('else_branch');
    return ctx.callFunction(branch, inputs.slice(1));
  },
};

/** Handlers of the control family, keyed by TF op name. */
export const CONTROL: OpTable = {
  Enter: inExecutor,
  Exit: inExecutor,
  Merge: inExecutor,
  Switch: inExecutor,
  NextIteration: inExecutor,
  LoopCond: inExecutor,
  RefEnter: inExecutor,
  RefExit: inExecutor,
  RefMerge: inExecutor,
  RefSwitch: inExecutor,
  RefNextIteration: inExecutor,
  While: whileLoop,
  StatelessWhile: whileLoop,
  If: ifThenElse,
  StatelessIf: ifThenElse,
  ...TENSOR_LIST,
  ...TENSOR_ARRAY,
};
