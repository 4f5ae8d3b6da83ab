/**
 * The dynamic family of TF ops: those whose output shape depends on input values (the
 * non-max suppressions, Where, ListDiff). Each reads values back, so each is async and runs only
 * under executeAsync, as in TF.js. The thresholds are value inputs.
 */
import type { Tensor } from '../../core/tensor.js';
import { cast, image, scalar, setdiff1dAsync, whereAsync } from '../../ops/index.js';
import type { GraphValue, OpContext, OpEntry, OpTable } from '../types.js';
import { entry, expectInputs } from './host.js';
import { hostInt, hostNumber, tensorInput, where } from './util.js';

interface NmsArgs {
  boxes: Tensor;
  scores: Tensor;
  maxOutputSize: number;
  iouThreshold: number;
  scoreThreshold: number;
}

/** The inputs every NonMaxSuppression version shares, checked. */
function nmsArgs(inputs: readonly GraphValue[], ctx: OpContext, count: number): NmsArgs {
  expectInputs(inputs, ctx, count);
  const boxes = tensorInput(inputs, 0, ctx);
  const scores = tensorInput(inputs, 1, ctx);
  if (boxes.rank !== 2 || boxes.shape[1] !== 4) throw new Error(`${where(ctx)}: boxes must have shape [n, 4], got [${boxes.shape}]`);
  if (scores.rank !== 1 || scores.shape[0] !== boxes.shape[0]) {
    throw new Error(`${where(ctx)}: scores must have shape [${boxes.shape[0]}], got [${scores.shape}]`);
  }
  const maxOutputSize = hostInt(inputs, 2, ctx);
  if (maxOutputSize < 0) throw new Error(`${where(ctx)}: max_output_size must not be negative, got ${maxOutputSize}`);
  const iouThreshold = hostNumber(inputs, 3, ctx);
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new Error(`${where(ctx)}: iou_threshold must be in [0, 1], got ${iouThreshold}`);
  const scoreThreshold = count > 4 ? hostNumber(inputs, 4, ctx) : Number.NEGATIVE_INFINITY;
  return { boxes, scores, maxOutputSize, iouThreshold, scoreThreshold };
}

const nmsV3: OpEntry = entry(async (inputs, ctx) => {
  const a = nmsArgs(inputs, ctx, 5);
  return [await image.nonMaxSuppressionAsync(a.boxes, a.scores, a.maxOutputSize, a.iouThreshold, a.scoreThreshold)];
}, { async: true, valueInputs: [2, 3, 4] });

/** Handlers of the dynamic family, keyed by TF op name. */
export const DYNAMIC: OpTable = {
  NonMaxSuppressionV2: entry(async (inputs, ctx) => {
    const a = nmsArgs(inputs, ctx, 4);
    return [await image.nonMaxSuppressionAsync(a.boxes, a.scores, a.maxOutputSize, a.iouThreshold)];
  }, { async: true, valueInputs: [2, 3] }),
  NonMaxSuppressionV3: nmsV3,
  NonMaxSuppressionV4: entry(async (inputs, ctx) => {
    const a = nmsArgs(inputs, ctx, 5);
    const pad = ctx.attrs.bool('pad_to_max_output_size', false);
    const out = await image.nonMaxSuppressionPaddedAsync(a.boxes, a.scores, a.maxOutputSize, a.iouThreshold, a.scoreThreshold, pad);
    return [out.selectedIndices, out.validOutputs];
  }, { async: true, valueInputs: [2, 3, 4] }),
  NonMaxSuppressionV5: entry(async (inputs, ctx) => {
    const a = nmsArgs(inputs, ctx, 6);
    const sigma = hostNumber(inputs, 5, ctx);
    if (sigma < 0) throw new Error(`${where(ctx)}: soft_nms_sigma must not be negative, got ${sigma}`);
    // TF.js ignores pad_to_max_output_size here, and so does sora (outputs as TF.js gives them).
    const out = await image.nonMaxSuppressionWithScoreAsync(a.boxes, a.scores, a.maxOutputSize, a.iouThreshold, a.scoreThreshold, sigma);
    // TF's third output, valid_outputs, which TF.js leaves out: the number selected.
    return [out.selectedIndices, out.selectedScores, scalar(out.selectedIndices.size, 'int32')];
  }, { async: true, valueInputs: [2, 3, 4, 5] }),
  Where: entry(async (inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    const condition = tensorInput(inputs, 0, ctx);
    if (condition.dtype === 'string') throw new Error(`${where(ctx)}: condition must be numeric or bool, got a string tensor`);
    const flags = condition.dtype === 'bool' ? condition : cast(condition, 'bool');
    try {
      return [await whereAsync(flags)];
    } finally {
      if (flags !== condition) flags.dispose();
    }
  }, { async: true }),
  ListDiff: entry(async (inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const x = tensorInput(inputs, 0, ctx);
    const y = tensorInput(inputs, 1, ctx);
    if (x.rank !== 1 || y.rank !== 1) throw new Error(`${where(ctx)}: x and y must be 1-D, got [${x.shape}] and [${y.shape}]`);
    return setdiff1dAsync(x, y);
  }, { async: true }),
};
