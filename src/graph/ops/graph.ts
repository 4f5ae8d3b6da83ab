/**
 * The graph family of TF ops: identities, a tensor's shape, size and rank, Print and NoOp.
 * Placeholder and Const are the executor's. Shape, ShapeN, Size and Rank record their host
 * values, so the shape arithmetic that follows them runs on the host.
 */
import { ENGINE } from '../../core/engine.js';
import type { OpTable } from '../types.js';
import { entry, expectInputs, hostTensor } from './host.js';
import { tensorInput, tensorInputs } from './util.js';

/** Returns input 0 unchanged: the executor counts uses by object, so nothing is copied or freed twice. */
const identity = entry((inputs, ctx) => {
  expectInputs(inputs, ctx, 1, Infinity);
  return [tensorInput(inputs, 0, ctx)];
});

/** Handlers of the graph family, keyed by TF op name. */
export const GRAPH: OpTable = {
  Identity: identity,
  Snapshot: identity,
  StopGradient: identity,
  // TF.js runs FakeQuantWithMinMaxVars as an identity (it ignores min and max); sora does the same.
  FakeQuantWithMinMaxVars: identity,
  // The executor feeds a PlaceholderWithDefault that is given an input; otherwise its default flows on.
  PlaceholderWithDefault: identity,
  IdentityN: entry((inputs, ctx) => tensorInputs(inputs, ctx)),
  Shape: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    const x = tensorInput(inputs, 0, ctx);
    return [ENGINE.tidy(() => hostTensor(x.shape, [x.rank], 'int32'))];
  }),
  ShapeN: entry((inputs, ctx) => ENGINE.tidy(() => tensorInputs(inputs, ctx).map((x) => hostTensor(x.shape, [x.rank], 'int32')))),
  Size: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [hostTensor([tensorInput(inputs, 0, ctx).size], [], 'int32')];
  }),
  Rank: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [hostTensor([tensorInput(inputs, 0, ctx).rank], [], 'int32')];
  }),
  // No outputs: a NoOp only orders other nodes through control inputs.
  NoOp: entry(() => []),
  Print: entry(async (inputs, ctx) => {
    const x = tensorInput(inputs, 0, ctx);
    const message = ctx.attrs.string('message', '');
    const summarize = ctx.attrs.int('summarize', 3);
    console.warn(`${ctx.node.name}: the graph has a Print op (debugging output, it slows the model down)`);
    console.log(message);
    for (const t of tensorInputs(inputs, ctx, 1)) console.log(Array.from(await t.data() as ArrayLike<number>).slice(0, summarize));
    return [x];
  }, { async: true }),
};
