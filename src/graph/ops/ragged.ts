/**
 * The ragged family of TF ops: RaggedGather, RaggedRange and RaggedTensorToTensor, through sora's
 * ragged ops. They read row splits, so they run where the backend reads synchronously (as TF.js runs them).
 */
import { raggedGather, raggedRange, raggedTensorToTensor } from '../../ops/index.js';
import type { RowPartitionType } from '../../ops/indexing/ragged.js';
import type { OpTable } from '../types.js';
import { entry, expectInputs } from './host.js';
import { tensorInput, tensorInputs, where } from './util.js';

const PARTITION_TYPES: ReadonlySet<string> = new Set(['FIRST_DIM_SIZE', 'VALUE_ROWIDS', 'ROW_SPLITS']);

/** Handlers of the ragged family, keyed by TF op name. */
export const RAGGED: OpTable = {
  // Inputs: the nested splits (all but the last two), the dense values, the indices. Outputs: the
  // output's nested splits (OUTPUT_RAGGED_RANK of them), then its dense values.
  RaggedGather: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3, Infinity);
    const splits = tensorInputs(inputs, ctx, 0, inputs.length - 2);
    const rank = ctx.attrs.int('OUTPUT_RAGGED_RANK');
    const out = raggedGather(splits, tensorInput(inputs, inputs.length - 2, ctx), tensorInput(inputs, inputs.length - 1, ctx), rank);
    return [...out.outputNestedSplits, out.outputDenseValues];
  }),
  RaggedRange: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    const out = raggedRange(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), tensorInput(inputs, 2, ctx));
    return [out.rtNestedSplits, out.rtDenseValues];
  }),
  RaggedTensorToTensor: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 4, Infinity);
    const types = ctx.attrs.strings('row_partition_types');
    for (const type of types) {
      if (!PARTITION_TYPES.has(type)) {
        throw new Error(`${where(ctx)}: row_partition_types holds '${type}'; expected FIRST_DIM_SIZE, VALUE_ROWIDS or ROW_SPLITS`);
      }
    }
    const partitions = tensorInputs(inputs, ctx, 3);
    return [raggedTensorToTensor(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), tensorInput(inputs, 2, ctx), partitions,
      types as RowPartitionType[])];
  }),
};
