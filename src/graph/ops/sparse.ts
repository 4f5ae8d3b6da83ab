/**
 * The sparse family of TF ops: SparseFillEmptyRows, SparseReshape and the sparse segment
 * reductions, through sora.sparse. They read index values, so they run where the backend reads
 * synchronously (as TF.js runs them).
 */
import type { Tensor } from '../../core/tensor.js';
import { sparse } from '../../ops/index.js';
import type { OpTable } from '../types.js';
import { entry, expectInputs } from './host.js';
import { tensorInput, tensorInputs } from './util.js';

/** Handlers of the sparse family, keyed by TF op name. */
export const SPARSE: OpTable = {
  SparseFillEmptyRows: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 4);
    const [indices, values, denseShape, fallback] = tensorInputs(inputs, ctx) as [Tensor, Tensor, Tensor, Tensor];
    const out = sparse.sparseFillEmptyRows(indices, values, denseShape, fallback);
    return [out.outputIndices, out.outputValues, out.emptyRowIndicator, out.reverseIndexMap];
  }),
  SparseReshape: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    const out = sparse.sparseReshape(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), tensorInput(inputs, 2, ctx));
    return [out.outputIndices, out.outputShape];
  }),
  SparseSegmentMean: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    return [sparse.sparseSegmentMean(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), tensorInput(inputs, 2, ctx))];
  }),
  SparseSegmentSum: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    return [sparse.sparseSegmentSum(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), tensorInput(inputs, 2, ctx))];
  }),
};
