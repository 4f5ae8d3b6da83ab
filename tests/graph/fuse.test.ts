/**
 * The executor's fusing pass (src/graph/fuse.ts): a conv / depthwise / matmul followed by a bias add
 * and an activation runs as one fused op. Hand-written graphs check each chain form against the
 * unfused run (and that values read elsewhere, or requested, stop a chain); then each of the eleven
 * human models predicts with and without the pass, within 1e-5 relative, and the number of chains
 * the pass fused in each is counted (and printed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import { FUSED_OPS, setGraphFusion, type FusedNode } from '../../src/graph/fuse.js';
import type { OpEntry } from '../../src/graph/types.js';
import { constant, n, placeholder, soraExecutor, type TestGraph, type Weight } from './executor-fixture.js';
import { HUMAN_MODEL_CASES, humanModelUrl, modelInput, readModelJson } from './human-models.js';
import { attr } from './op-harness.js';

/** Fused nodes run while `fn` runs: one entry per fused node, the ops of the chain it stands for. */
async function countFused<T>(fn: () => Promise<T> | T): Promise<{ value: T; chains: string[][] }> {
  const chains: string[][] = [];
  const saved = new Map<OpEntry, OpEntry['run']>();
  for (const entry of FUSED_OPS.values()) {
    const run = entry.run;
    saved.set(entry, run);
    (entry as { run: OpEntry['run'] }).run = (inputs, ctx) => {
      chains.push((ctx.node as FusedNode).fusion.nodes.map((node) => node.op));
      return run(inputs, ctx);
    };
  }
  try {
    return { value: await fn(), chains };
  } finally {
    for (const [entry, run] of saved) (entry as { run: OpEntry['run'] }).run = run;
  }
}

function values(seed: number, size: number, scale = 1): number[] {
  const out: number[] = [];
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push(((s / 2147483648) * 2 - 1) * scale);
  }
  return out;
}

function w(shape: number[], seed: number): Weight {
  return { dtype: 'float32', shape, values: values(seed, shape.reduce((a, b) => a * b, 1)) };
}

const conv = (name: string, x: string, f: string, op = 'Conv2D') =>
  n(name, op, [x, f], { T: attr.type('float32'), strides: attr.ints([1, 1, 1, 1]), padding: attr.s('SAME'), data_format: attr.s('NHWC') });

/** Runs a graph's outputs with the pass on and off; returns both and the chains fused. */
async function both(g: TestGraph, feeds: Record<string, { shape: number[]; values: number[] }>, outputs: string[]) {
  const run = () => {
    const ex = soraExecutor(g);
    ex.foldConstantsSync();
    const inputs = new Map(Object.entries(feeds).map(([k, v]) => [k, sora.tensor(v.values, v.shape)]));
    try {
      return ex.execute(inputs, outputs).map((t) => {
        const out = { shape: t.shape, values: Array.from(t.dataSync() as Float32Array) };
        t.dispose();
        return out;
      });
    } finally {
      for (const t of inputs.values()) t.dispose();
      ex.dispose();
    }
  };
  setGraphFusion(false);
  const plain = run();
  setGraphFusion(true);
  const { value: fused, chains } = await countFused(run);
  return { plain, fused, chains };
}

function expectClose(a: { shape: number[]; values: number[] }[], b: { shape: number[]; values: number[] }[], rel = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    expect(x.shape).toEqual(b[i]!.shape);
    x.values.forEach((v, j) => {
      const u = b[i]!.values[j]!;
      if (Number.isNaN(u)) expect(v).toBeNaN();
      else expect(Math.abs(v - u), `output ${i} [${j}]: ${v} vs ${u}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(u)));
    });
  });
}

describe('the fusing pass on hand-written graphs', () => {
  beforeAll(async () => {
    await sora.setBackend('wasm');
  });
  afterAll(() => setGraphFusion(true));

  const x = { shape: [1, 5, 7, 3], values: values(7, 105, 2) };

  it('Conv2D -> AddV2 (per-channel constant) -> Relu6 becomes one node, equal to the unfused run', async () => {
    const weights: Record<string, Weight> = {};
    const g: TestGraph = {
      weights,
      nodes: [
        placeholder('x', 'float32', [1, 5, 7, 3]),
        constant('f', w([3, 3, 3, 4], 1), weights),
        constant('b', w([1, 1, 1, 4], 2), weights),
        conv('c', 'x', 'f'),
        n('a', 'AddV2', ['b', 'c'], { T: attr.type('float32') }),
        n('r', 'Relu6', ['a'], { T: attr.type('float32') }),
      ],
    };
    const { plain, fused, chains } = await both(g, { x }, ['r']);
    expect(chains).toEqual([['Conv2D', 'AddV2', 'Relu6']]);
    expectClose(fused, plain);
  });

  it('depthwise -> BiasAdd, MatMul -> BiasAdd -> Prelu, and conv -> LeakyRelu (its alpha) each fuse', async () => {
    const weights: Record<string, Weight> = {};
    const g: TestGraph = {
      weights,
      nodes: [
        placeholder('x', 'float32', [1, 5, 7, 3]),
        placeholder('m', 'float32', [2, 3]),
        constant('df', w([3, 3, 3, 2], 3), weights),
        constant('db', w([6], 4), weights),
        conv('d', 'x', 'df', 'DepthwiseConv2dNative'),
        n('dba', 'BiasAdd', ['d', 'db'], { T: attr.type('float32') }),
        constant('mw', w([3, 4], 5), weights),
        constant('mb', w([4], 6), weights),
        constant('alpha', w([4], 7), weights),
        n('mm', 'MatMul', ['m', 'mw'], { T: attr.type('float32'), transpose_a: attr.b(false), transpose_b: attr.b(false) }),
        n('mba', 'BiasAdd', ['mm', 'mb'], { T: attr.type('float32') }),
        n('mp', 'Prelu', ['mba', 'alpha'], { T: attr.type('float32') }),
        constant('cf', w([1, 1, 3, 5], 8), weights),
        conv('c', 'x', 'cf'),
        n('lr', 'LeakyRelu', ['c'], { T: attr.type('float32'), alpha: attr.f(0.3) }),
      ],
    };
    const feeds = { x, m: { shape: [2, 3], values: values(9, 6, 3) } };
    const { plain, fused, chains } = await both(g, feeds, ['dba', 'mp', 'lr']);
    expect(chains.map((c) => c.join('+')).sort()).toEqual(['Conv2D+LeakyRelu', 'DepthwiseConv2dNative+BiasAdd', 'MatMul+BiasAdd+Prelu']);
    expectClose(fused, plain);
  });

  it('a value read elsewhere, a requested intermediate, or a bias that is not per channel stops the chain', async () => {
    const weights: Record<string, Weight> = {};
    const g: TestGraph = {
      weights,
      nodes: [
        placeholder('x', 'float32', [1, 5, 7, 3]),
        constant('f', w([3, 3, 3, 4], 1), weights),
        constant('b', w([4], 2), weights),
        constant('big', w([1, 5, 7, 4], 3), weights),
        // c1 feeds two nodes: nothing fuses into it.
        conv('c1', 'x', 'f'),
        n('r1', 'Relu', ['c1'], { T: attr.type('float32') }),
        n('s1', 'Sigmoid', ['c1'], { T: attr.type('float32') }),
        // c2 -> a2 -> e2, where a2 is requested: only c2 + a2 fuse.
        conv('c2', 'x', 'f'),
        n('a2', 'BiasAdd', ['c2', 'b'], { T: attr.type('float32') }),
        n('e2', 'Elu', ['a2'], { T: attr.type('float32') }),
        // c3 + a full-size constant: not a bias; the Relu after it stays too.
        conv('c3', 'x', 'f'),
        n('a3', 'Add', ['c3', 'big'], { T: attr.type('float32') }),
        n('r3', 'Relu', ['a3'], { T: attr.type('float32') }),
      ],
    };
    const { plain, fused, chains } = await both(g, { x }, ['r1', 's1', 'a2', 'e2', 'r3']);
    expect(chains.map((c) => c.join('+'))).toEqual(['Conv2D+BiasAdd']);
    expectClose(fused, plain);
    // Asking for the conv itself: nothing of that chain fuses, and its value is the conv's.
    const alone = await both(g, { x }, ['c2', 'e2']);
    expect(alone.chains).toEqual([]);
    expectClose(alone.fused, alone.plain);
  });

  it('a custom op registered for a chain\'s op after a fused run wins from the next run on', async () => {
    const weights: Record<string, Weight> = {};
    const g: TestGraph = {
      weights,
      nodes: [
        placeholder('x', 'float32', [1, 5, 7, 3]),
        constant('f', w([1, 1, 3, 2], 1), weights),
        conv('c', 'x', 'f'),
        n('r', 'Relu', ['c'], { T: attr.type('float32') }),
      ],
    };
    const ex = soraExecutor(g);
    ex.foldConstantsSync();
    const xt = sora.tensor(x.values, x.shape);
    const run = () => {
      const [y] = ex.execute(new Map([['x', xt]]), ['r']);
      const v = Array.from(y!.dataSync() as Float32Array);
      y!.dispose();
      return v;
    };
    try {
      const first = await countFused(run);
      expect(first.chains).toEqual([['Conv2D', 'Relu']]);
      expect(Math.min(...first.value)).toBeGreaterThanOrEqual(0);
      sora.registerOp('Relu', (node) => sora.neg(node.inputs[0]!));
      try {
        const custom = await countFused(run);
        expect(custom.chains).toEqual([]);
        expect(Math.min(...custom.value)).toBeLessThan(0);
      } finally {
        sora.deregisterOp('Relu');
      }
      const again = await countFused(run);
      expect(again.chains).toEqual([['Conv2D', 'Relu']]);
      expect(again.value).toEqual(first.value);
    } finally {
      xt.dispose();
      ex.dispose();
    }
  });

  it('a converted _FusedConv2D with BiasAdd and no activation takes the Relu6 after it', async () => {
    const weights: Record<string, Weight> = {};
    const g: TestGraph = {
      weights,
      nodes: [
        placeholder('x', 'float32', [1, 5, 7, 3]),
        constant('f', w([3, 3, 3, 4], 1), weights),
        constant('b', w([4], 2), weights),
        n('c', '_FusedConv2D', ['x', 'f', 'b'], {
          T: attr.type('float32'), strides: attr.ints([1, 2, 2, 1]), padding: attr.s('VALID'), data_format: attr.s('NHWC'),
          fused_ops: attr.strings(['BiasAdd']), num_args: attr.i(1),
        }),
        n('r', 'Relu6', ['c'], { T: attr.type('float32') }),
      ],
    };
    const { plain, fused, chains } = await both(g, { x }, ['r']);
    expect(chains).toEqual([['_FusedConv2D', 'Relu6']]);
    expectClose(fused, plain);
  });
});

describe('the fusing pass on the human models (wasm): outputs as without it (1e-5 relative)', () => {
  beforeAll(async () => {
    await sora.setBackend('wasm');
  });
  const counts: Record<string, string> = {};
  afterAll(() => {
    setGraphFusion(true);
    console.log(`fused chains per model: ${JSON.stringify(counts)}`);
  });

  it('handlandmark-lite with a chain\'s bias add requested: that value as unfused, the chain ending there', async () => {
    const nodes = readModelJson('handlandmark-lite').modelTopology.node;
    const byName = new Map(nodes.map((node) => [node.name, node]));
    const add = nodes.find((node) => node.op === 'AddV2' && (node.input ?? []).some((i) => byName.get(i)?.op === 'Conv2D'))!;
    expect(add, 'a Conv2D -> AddV2 chain').toBeDefined();
    const input = modelInput('handlandmark-lite');
    const model = await sora.loadGraphModel(humanModelUrl('handlandmark-lite'));
    const x = sora.tensor(input.values, input.shape, input.dtype);
    const fetch = [add.name, ...model.outputNodes];
    const predict = async (): Promise<Float32Array[]> => {
      const list = model.execute({ [input.name]: x }, fetch) as sora.Tensor[];
      const data = list.map((t) => Float32Array.from(t.dataSync() as Float32Array));
      sora.dispose(list);
      return data;
    };
    try {
      setGraphFusion(false);
      const plain = await predict();
      setGraphFusion(true);
      const { value: fused, chains } = await countFused(predict);
      const whole = await countFused(async () => model.execute({ [input.name]: x }));
      sora.dispose(whole.value as sora.Tensor[]);
      // The requested AddV2 ends its chain: as many chains as with the default outputs, one Relu6 less in them.
      const size = (list: string[][]) => list.reduce((n, c) => n + c.length, 0);
      expect(chains.length).toBe(whole.chains.length);
      expect(size(chains)).toBe(size(whole.chains) - 1);
      fused.forEach((values, i) => {
        const want = plain[i]!;
        for (let j = 0; j < want.length; j++)
          expect(Math.abs(values[j]! - want[j]!), `output ${fetch[i]} [${j}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[j]!)));
      });
    } finally {
      x.dispose();
      model.dispose();
      setGraphFusion(true);
    }
  }, 60_000);

  for (const spec of HUMAN_MODEL_CASES) {
    it(`${spec.name}`, async () => {
      const input = modelInput(spec.name);
      const model = await sora.loadGraphModel(humanModelUrl(spec.name));
      const x = sora.tensor(input.values, input.shape, input.dtype);
      const predict = async (): Promise<Float32Array[]> => {
        const out = await model.executeAsync({ [input.name]: x });
        const list = (Array.isArray(out) ? out : [out]) as sora.Tensor[];
        const data = await Promise.all(list.map(async (t) => Float32Array.from(await t.data() as Float32Array)));
        sora.dispose(list);
        return data;
      };
      try {
        setGraphFusion(false);
        const start = sora.memory().numTensors;
        const plain = await predict();
        setGraphFusion(true);
        const { value: fused, chains } = await countFused(predict);
        expect(sora.memory().numTensors).toBe(start);
        counts[spec.name] = `${chains.length} (${chains.reduce((a, c) => a + c.length, 0)} nodes)`;
        expect(fused.length).toBe(plain.length);
        fused.forEach((values, i) => {
          const want = plain[i]!;
          expect(values.length).toBe(want.length);
          let worst = 0;
          for (let j = 0; j < want.length; j++) {
            if (Number.isNaN(want[j]!) && Number.isNaN(values[j]!)) continue;
            worst = Math.max(worst, Math.abs(values[j]! - want[j]!) / Math.max(1, Math.abs(want[j]!)));
          }
          expect(worst, `output ${i}`).toBeLessThanOrEqual(1e-5);
        });
      } finally {
        x.dispose();
        model.dispose();
      }
    }, 180_000);
  }
});
