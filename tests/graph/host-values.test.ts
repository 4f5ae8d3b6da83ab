import { describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import { Attrs } from '../../src/graph/attrs.js';
import { peekHostValues, setHostValues } from '../../src/graph/ops/util.js';
import { directContext } from './op-harness.js';

describe('host values of graph inputs', () => {
  it('are recorded for plain tensors, never for a Variable (assign would leave them stale)', () => {
    const t = sora.tensor([2, 3], [2], 'int32');
    setHostValues(t, Int32Array.of(2, 3));
    expect(Array.from(peekHostValues(t) as Int32Array)).toEqual([2, 3]);
    const v = sora.variable(sora.tensor([2, 3], [2], 'int32'));
    setHostValues(v, Int32Array.of(2, 3));
    expect(peekHostValues(v)).toBeUndefined();
    sora.dispose([t, v]);
  });

  it('a Reshape whose shape input is a Variable reads its current values after assign', async () => {
    const reshape = GRAPH_OPS.get('Reshape')!;
    const node = { name: 'r', op: 'Reshape', inputs: [], attrs: new Attrs({}, "node 'r' (Reshape)") };
    const x = sora.range(0, 6, 1, 'float32');
    const shape = sora.variable(sora.tensor([2, 3], [2], 'int32'));
    const a = (await reshape.run([x, shape], directContext(node)))[0] as sora.Tensor;
    expect(a.shape).toEqual([2, 3]);
    shape.assign(sora.tensor([3, 2], [2], 'int32'));
    const b = (await reshape.run([x, shape], directContext(node)))[0] as sora.Tensor;
    expect(b.shape).toEqual([3, 2]);
    sora.dispose([x, shape, a, b]);
  });
});
