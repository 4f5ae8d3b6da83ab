/**
 * Shape arithmetic through the executor: Shape -> StridedSlice -> Pack -> Reshape (as HandTrack
 * computes its reshapes), ConcatV2 of shape pieces, GatherV2 of a shape, Fill and Range of host
 * values. The graph runs with the same outputs as TF.js, and without reading a single tensor back
 * (no data(), no dataSync()): every value input is known on the host, so the chain would run on
 * webgpu, which cannot read synchronously, under execute() too.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as sora from '../../src/index.js';
import {
  constant, differ, n, placeholder, readAll, soraExecutor, soraFeeds, type TestGraph, tfjsOutputs, type Weight,
} from './executor-fixture.js';
import { attr } from './op-harness.js';

const int = (values: number[], shape = [values.length]): Weight => ({ dtype: 'int32', shape, values });

function chain(): TestGraph {
  const weights: Record<string, Weight> = {};
  const T = { T: attr.type('int32') };
  const nodes = [
    placeholder('x', 'float32', [-1, -1, 3]),
    n('shape', 'Shape', ['x'], { T: attr.type('float32'), out_type: attr.type('int32') }),
    constant('b0', int([0]), weights), constant('b1', int([1]), weights), constant('b2', int([2]), weights),
    constant('one', int([1]), weights), constant('three', int([3], []), weights), constant('axis0', int([0], []), weights),
    constant('pick', int([1, 0]), weights), constant('zero', int([0], []), weights), constant('fillv', int([7], []), weights),
    constant('threes', int([3]), weights),
    n('rows', 'StridedSlice', ['shape', 'b0', 'b1', 'one'], { ...T, Index: attr.type('int32'), shrink_axis_mask: attr.i(1) }),
    n('cols', 'StridedSlice', ['shape', 'b1', 'b2', 'one'], { ...T, Index: attr.type('int32'), shrink_axis_mask: attr.i(1) }),
    n('packed', 'Pack', ['cols', 'rows', 'three'], { ...T, N: attr.i(3), axis: attr.i(0) }),
    n('swapped', 'Reshape', ['x', 'packed'], { T: attr.type('float32'), Tshape: attr.type('int32') }),
    n('head', 'StridedSlice', ['shape', 'b0', 'b2', 'one'], { ...T, Index: attr.type('int32') }),
    n('joined', 'ConcatV2', ['head', 'threes', 'one', 'axis0'], { ...T, N: attr.i(3), Tidx: attr.type('int32') }),
    n('gathered', 'GatherV2', ['shape', 'pick', 'zero'], { Tparams: attr.type('int32'), Tindices: attr.type('int32') }),
    n('expanded', 'ExpandDims', ['rows', 'zero'], T),
    n('cast', 'Cast', ['gathered'], { SrcT: attr.type('int32'), DstT: attr.type('int32') }),
    n('filled', 'Fill', ['cast', 'fillv'], T),
    n('counted', 'Range', ['zero', 'cols', 'rows'], { Tidx: attr.type('int32') }),
    n('y', 'Reshape', ['x', 'joined'], { T: attr.type('float32'), Tshape: attr.type('int32') }),
  ];
  return { nodes, weights };
}

describe('shape arithmetic on host values, through the executor', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('gives TF.js\'s outputs and reads nothing back', async () => {
    const g = chain();
    const outputs = ['swapped', 'y', 'joined', 'gathered', 'expanded', 'filled', 'counted', 'packed'];
    const x = { dtype: 'float32' as const, shape: [2, 5, 3], values: Array.from({ length: 30 }, (_, i) => i / 7) };
    const want = await tfjsOutputs(g, { x }, outputs);
    await sora.setBackend('wasm');
    const before = sora.memory().numTensors;
    const executor = soraExecutor(g);
    await executor.foldConstants();
    const feeds = soraFeeds({ x });
    const data = vi.spyOn(sora.Tensor.prototype, 'data');
    const dataSync = vi.spyOn(sora.Tensor.prototype, 'dataSync');
    const got = executor.execute(feeds, outputs);
    const reads = data.mock.calls.length + dataSync.mock.calls.length;
    vi.restoreAllMocks();
    expect(reads, 'tensors read back while the shape arithmetic ran').toBe(0);
    expect(differ(await readAll(got), want)).toBe('');
    sora.dispose([...feeds.values()]);
    executor.dispose();
    expect(sora.memory().numTensors).toBe(before);
  });

  it('reads a computed last-input axis (ConcatV2, valueInputs [-1]) through the executor, not in the handler', async () => {
    const g: TestGraph = {
      nodes: [
        placeholder('a', 'float32', [2, 2]), placeholder('b', 'float32', [2, 2]), placeholder('axis', 'int32', []),
        n('joined', 'ConcatV2', ['a', 'b', 'axis'], { T: attr.type('float32'), N: attr.i(2), Tidx: attr.type('int32') }),
      ],
    };
    const feedsIn = {
      a: { dtype: 'float32' as const, shape: [2, 2], values: [1, 2, 3, 4] },
      b: { dtype: 'float32' as const, shape: [2, 2], values: [5, 6, 7, 8] },
      axis: { dtype: 'int32' as const, shape: [], values: [1] },
    };
    const want = await tfjsOutputs(g, feedsIn, ['joined']);
    await sora.setBackend('wasm');
    const executor = soraExecutor(g);
    const feeds = soraFeeds(feedsIn);
    // The executor reads the axis with data() before the handler runs; the handler never falls back to dataSync.
    const dataSync = vi.spyOn(sora.Tensor.prototype, 'dataSync');
    const got = await executor.executeAsync(feeds, ['joined']);
    const syncReads = dataSync.mock.calls.length;
    vi.restoreAllMocks();
    expect(syncReads, 'synchronous reads of the axis').toBe(0);
    expect(differ(await readAll(got), want)).toBe('');
    sora.dispose([...feeds.values(), ...got]);
    executor.dispose();
  });
});
