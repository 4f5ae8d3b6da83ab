/**
 * The graph executor on hand-written straight-line graphs: outputs against TF.js's own graph
 * executor, constant folding, freeing (numTensors), custom ops, and the errors of bad graphs and
 * bad inputs, thrown before anything runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import { deregisterOp, registerOp } from '../../src/graph/custom-ops.js';
import { GraphExecutor } from '../../src/graph/executor.js';
import { parseGraph } from '../../src/graph/parse.js';
import { peekHostValues } from '../../src/graph/ops/util.js';
import {
  type Feed,
  type TestGraph,
  type Weight,
  constant,
  differ,
  n,
  placeholder,
  readAll,
  soraExecutor,
  soraFeeds,
  tfjsOutputs,
  topology,
} from './executor-fixture.js';
import { attr } from './op-harness.js';

const F = attr.type('float32');

/** x[2,3] -> MatMul(W[3,4]) -> BiasAdd(b) -> Relu -> Sum over axis 1; W2 = W * 2 (foldable) -> MatMul too. */
function mlp(): TestGraph {
  const weights: Record<string, Weight> = {};
  const nodes = [
    placeholder('x', 'float32', [-1, 3]),
    constant(
      'W',
      { dtype: 'float32', shape: [3, 4], values: [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8, 0.9, 1.0, -1.1, 1.2] },
      weights,
    ),
    constant('b', { dtype: 'float32', shape: [4], values: [0.5, -0.5, 0.25, 0] }, weights),
    constant('two', { dtype: 'float32', shape: [], values: [2] }, weights),
    constant('axis', { dtype: 'int32', shape: [1], values: [1] }, weights),
    n('W2', 'Mul', ['W', 'two'], { T: F }),
    n('mm', 'MatMul', ['x', 'W'], { T: F, transpose_a: attr.b(false), transpose_b: attr.b(false) }),
    n('mm2', 'MatMul', ['x', 'W2'], { T: F }),
    n('biased', 'BiasAdd', ['mm', 'b'], { T: F }),
    n('relu', 'Relu', ['biased'], { T: F }),
    n('sum', 'Sum', ['relu', 'axis'], { T: F, Tidx: attr.type('int32'), keep_dims: attr.b(false) }),
    n('both', 'AddV2', ['relu', 'mm2'], { T: F }),
  ];
  return { nodes, weights };
}

const X: Feed = { dtype: 'float32', shape: [2, 3], values: [1, -2, 3, 0.5, 0.25, -1] };

afterEach(() => {
  deregisterOp('TimesTen');
  deregisterOp('Relu');
  deregisterOp('PassThrough');
});

describe('GraphExecutor on straight-line graphs', () => {
  it('computes what TF.js computes, with execute and executeAsync, before and after folding', async () => {
    const g = mlp();
    const outputs = ['sum', 'both', 'relu'];
    const want = await tfjsOutputs(g, { x: X }, outputs);
    const before = sora.memory().numTensors;
    const exec = soraExecutor(g);
    const weightsCount = sora.memory().numTensors - before;
    expect(exec.inputs).toEqual([{ name: 'x', shape: [-1, 3], dtype: 'float32' }]);
    expect(exec.outputs.map((o) => o.name)).toEqual(['sum', 'both']);
    expect(exec.needsAsync).toBe(false);
    const x = soraFeeds({ x: X });
    expect(differ(await readAll(exec.execute(x, outputs)), want)).toBe('');
    expect(differ(await readAll(await exec.executeAsync(x, outputs)), want)).toBe('');
    expect(sora.memory().numTensors).toBe(before + weightsCount + 1);
    await exec.foldConstants();
    // W2 is folded: one more constant, kept.
    expect(sora.memory().numTensors).toBe(before + weightsCount + 2);
    expect(differ(await readAll(exec.execute(x, outputs)), want)).toBe('');
    expect(differ(await readAll(await exec.executeAsync(x, ['sum'])), [want[0]!])).toBe('');
    // Input given as 'x:0'.
    expect(differ(await readAll(exec.execute(new Map([['x:0', x.get('x')!]]), ['both'])), [want[1]!])).toBe('');
    expect(sora.memory().numTensors).toBe(before + weightsCount + 2);
    sora.dispose([...x.values()]);
    exec.dispose();
    expect(sora.memory().numTensors).toBe(before);
  });

  it('records host values of small folded results and int weights', async () => {
    const weights: Record<string, Weight> = {};
    const g: TestGraph = {
      nodes: [
        constant('a', { dtype: 'int32', shape: [2], values: [3, 4] }, weights),
        constant('c', { dtype: 'int32', shape: [2], values: [10, 20] }, weights),
        n('s', 'AddV2', ['a', 'c'], { T: attr.type('int32') }),
        placeholder('x', 'int32', [2]),
        n('y', 'Mul', ['x', 's'], { T: attr.type('int32') }),
      ],
      weights,
    };
    const exec = soraExecutor(g);
    await exec.foldConstants();
    const x = sora.tensor([1, 2], [2], 'int32');
    const [y] = exec.execute(new Map([['x', x]]), ['y', 's']);
    expect(Array.from(await y!.data())).toEqual([13, 48]);
    const [s] = exec.execute(new Map([['x', x]]), ['s']);
    // A folded constant comes back as the caller's copy, with the same values.
    expect(Array.from(await s!.data())).toEqual([13, 24]);
    s!.dispose();
    y!.dispose();
    x.dispose();
    const internal = (exec as unknown as { constants: Map<string, sora.Tensor> }).constants.get('s:0')!;
    expect(Array.from(peekHostValues(internal) as Int32Array)).toEqual([13, 24]);
    exec.dispose();
  });

  it('leaves random ops and NoOp out of folding', async () => {
    const weights: Record<string, Weight> = {};
    const g: TestGraph = {
      nodes: [
        constant('shape', { dtype: 'int32', shape: [1], values: [64] }, weights),
        n('noop', 'NoOp', ['^shape']),
        n('r', 'RandomUniform', ['shape', '^noop'], {
          dtype: F,
          T: attr.type('int32'),
          seed: attr.i(0),
          seed2: attr.i(0),
        }),
        n('y', 'Neg', ['r'], { T: F }),
      ],
      weights,
    };
    const exec = soraExecutor(g);
    const before = sora.memory().numTensors;
    await exec.foldConstants();
    exec.foldConstantsSync();
    expect(sora.memory().numTensors).toBe(before);
    const [a] = await readAll(exec.execute(new Map(), ['y']));
    const [b] = await readAll(exec.execute(new Map(), ['y']));
    expect(a!.values).not.toEqual(b!.values);
    exec.dispose();
  });

  it('folds synchronously with foldConstantsSync', async () => {
    const g = mlp();
    const want = await tfjsOutputs(g, { x: X }, ['both']);
    const exec = soraExecutor(g);
    exec.foldConstantsSync();
    const x = soraFeeds({ x: X });
    expect(differ(await readAll(exec.execute(x, ['both'])), want)).toBe('');
    sora.dispose([...x.values()]);
    exec.dispose();
  });

  it('frees every intermediate, keeps caller inputs, and returns copies of inputs, weights and constants', async () => {
    const g = mlp();
    const exec = soraExecutor(g);
    const x = soraFeeds({ x: X });
    const before = sora.memory().numTensors;
    const out = exec.execute(x, ['x', 'W', 'relu', 'relu']);
    expect(sora.memory().numTensors).toBe(before + 3);
    expect(out[0]).not.toBe(x.get('x'));
    expect(out[2]).toBe(out[3]);
    sora.dispose(out);
    expect(x.get('x')!.isDisposed).toBe(false);
    expect(sora.memory().numTensors).toBe(before);
    // The weights survive the caller disposing what it got.
    const again = exec.execute(x, ['sum']);
    expect(again[0]!.shape).toEqual([2]);
    sora.dispose(again);
    // Inside a tidy the outputs are the caller's to keep or lose, and nothing else stays.
    const kept = sora.tidy(() => exec.execute(x, ['sum'])[0]!);
    expect(kept.isDisposed).toBe(false);
    kept.dispose();
    expect(sora.memory().numTensors).toBe(before);
    sora.dispose([...x.values()]);
    exec.dispose();
  });

  it('frees a value passed through by a handler only once, after its last reader', async () => {
    registerOp('PassThrough', ({ inputs }) => inputs[0]!);
    const g: TestGraph = {
      nodes: [
        placeholder('x', 'float32', [2]),
        n('e', 'Exp', ['x'], { T: F }),
        n('p', 'PassThrough', ['e']),
        n('q', 'PassThrough', ['p']),
        n('a', 'AddV2', ['p', 'e'], { T: F }),
        n('b', 'Mul', ['a', 'q'], { T: F }),
      ],
    };
    const exec = soraExecutor(g);
    const x = sora.tensor([0, 1]);
    const before = sora.memory().numTensors;
    const [b] = exec.execute(new Map([['x', x]]), ['b']);
    expect(sora.memory().numTensors).toBe(before + 1);
    const e = [1, Math.E];
    const got = Array.from(await b!.data());
    got.forEach((v, i) => expect(v).toBeCloseTo(2 * e[i]! * e[i]!, 4));
    b!.dispose();
    // The output is a passed-through input: the caller gets a copy, the input stays.
    const [p] = exec.execute(new Map([['e', x]]), ['q']);
    expect(p).not.toBe(x);
    p!.dispose();
    expect(x.isDisposed).toBe(false);
    x.dispose();
    exec.dispose();
  });

  it('runs custom ops (registerOp) with decoded attrs, in place of a built-in', async () => {
    const seen: Record<string, unknown>[] = [];
    registerOp('TimesTen', ({ inputs, attrs }) => {
      seen.push(attrs);
      return sora.mul(sora.add(inputs[0]!, 0), 10);
    });
    registerOp('Relu', ({ inputs }) => sora.neg(inputs[0]!));
    const g: TestGraph = {
      nodes: [
        placeholder('x', 'float32', [2]),
        n('t', 'TimesTen', ['x'], { k: attr.i(3), s: attr.s('hi') }),
        n('r', 'Relu', ['t']),
      ],
    };
    const exec = soraExecutor(g);
    const x = sora.tensor([1, -2]);
    const before = sora.memory().numTensors;
    const [r] = await exec.executeAsync(new Map([['x', x]]), ['r']);
    expect(Array.from(await r!.data())).toEqual([-10, 20]);
    r!.dispose();
    expect(sora.memory().numTensors).toBe(before);
    expect(seen[0]).toMatchObject({ k: 3, s: 'hi' });
    x.dispose();
    exec.dispose();
  });

  it('uses a PlaceholderWithDefault input when not fed', async () => {
    const weights: Record<string, Weight> = {};
    const g: TestGraph = {
      nodes: [
        constant('d', { dtype: 'float32', shape: [2], values: [5, 6] }, weights),
        n('p', 'PlaceholderWithDefault', ['d'], { dtype: F, shape: attr.shape([2]) }),
        n('y', 'Neg', ['p'], { T: F }),
      ],
      weights,
    };
    const want = await tfjsOutputs(g, {}, ['y']);
    const exec = soraExecutor(g);
    expect(differ(await readAll(exec.execute(new Map(), ['y'])), want)).toBe('');
    const fed = sora.tensor([1, 2]);
    expect((await readAll(exec.execute(new Map([['p', fed]]), ['y'])))[0]!.values).toEqual([-1, -2]);
    fed.dispose();
    exec.dispose();
  });
});

describe('GraphExecutor errors, before anything runs', () => {
  it('names an unknown op, its node and registerOp', () => {
    const g: TestGraph = { nodes: [placeholder('x', 'float32'), n('w', 'WarpSpeed', ['x'])] };
    const before = sora.memory().numTensors;
    expect(() => soraExecutor(g)).toThrow(/'WarpSpeed'.*node 'w'.*registerOp\('WarpSpeed'/);
    const inFunction: TestGraph = {
      nodes: [placeholder('x', 'float32')],
      functions: [
        { signature: { name: 'f', inputArg: [{ name: 'v', type: 'DT_FLOAT' }] }, nodeDef: [n('u', 'Unheard', ['v'])] },
      ],
    };
    expect(() => soraExecutor(inFunction)).toThrow(/the op 'Unheard' \(node 'u' \(Unheard\) in function 'f'\)/);
    expect(sora.memory().numTensors).toBe(before);
  });

  it('refuses bad graphs in parseGraph, naming the node', () => {
    const parse = (nodes: unknown[]): unknown => parseGraph({ node: nodes }, 'bad.json');
    expect(() => parse([n('a', 'Neg'), n('a', 'Exp')])).toThrow(/bad.json: two nodes are named 'a'/);
    expect(() => parse([n('a', 'Neg', ['ghost'])])).toThrow(/node 'a' \(Neg\) reads 'ghost', which is not a node/);
    expect(() => parse([n('__proto__', 'Neg')])).toThrow(/'__proto__'/);
    expect(() => parse([n('a', 'Neg', ['^b', 'b']), n('b', 'Exp')])).toThrow(/data input after a control input/);
    expect(() => parse([{ name: 'a' }])).toThrow(/node 'a' has no op/);
    expect(() => parseGraph('nope', 'bad.json')).toThrow(/modelTopology must be an object/);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it('checks inputs: unknown, missing, dtype, shape, disposed', () => {
    const g = mlp();
    const exec = soraExecutor(g);
    const before = sora.memory().numTensors;
    const good = sora.tensor([[1, 2, 3]]);
    const wrongType = sora.tensor([[1, 2, 3]], [1, 3], 'int32');
    const wrongShape = sora.tensor([1, 2, 3]);
    const wrongDim = sora.tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(() => exec.execute(new Map([['y', good]]), ['sum'])).toThrow(
      /the input 'y' is not a node of the graph \(its inputs are 'x'\)/,
    );
    expect(() => exec.execute(new Map(), ['sum'])).toThrow(/need the input 'x', which was not given/);
    expect(() => exec.execute(new Map([['x', wrongType]]), ['sum'])).toThrow(
      /the input 'x' must be float32, got int32 values/,
    );
    expect(() => exec.execute(new Map([['x', wrongShape]]), ['sum'])).toThrow(
      /the input 'x' must have shape \[-1,3\], got \[3\]/,
    );
    expect(() => exec.execute(new Map([['x', wrongDim]]), ['sum'])).toThrow(/must have shape \[-1,3\], got \[2,2\]/);
    expect(() => exec.execute(new Map([['x', good]]), ['nope'])).toThrow(/the output 'nope' is not a node/);
    const gone = sora.tensor([[1, 2, 3]]);
    gone.dispose();
    expect(() => exec.execute(new Map([['x', gone]]), ['sum'])).toThrow(/disposed/);
    expect(sora.memory().numTensors).toBe(before + 4);
    sora.dispose([good, wrongType, wrongShape, wrongDim]);
    exec.dispose();
    expect(() => exec.execute(new Map(), ['sum'])).toThrow(/disposed/);
  });

  it('refuses execute() for graphs that need executeAsync, naming node and op', () => {
    const g: TestGraph = {
      nodes: [placeholder('x', 'bool', []), n('c', 'LoopCond', ['x'])],
    };
    const exec = soraExecutor(g);
    expect(exec.needsAsync).toBe(true);
    const x = sora.tensor(true, [], 'bool');
    expect(() => exec.execute(new Map([['x', x]]), ['c'])).toThrow(
      /node 'c' \(LoopCond\) is control flow; use executeAsync/,
    );
    x.dispose();
    exec.dispose();
  });

  it('refuses execute() for ops that read values back, and runs them under executeAsync', async () => {
    const g: TestGraph = { nodes: [placeholder('x', 'bool', [4]), n('w', 'Where', ['x'], { T: attr.type('bool') })] };
    const want = await tfjsOutputs(g, { x: { dtype: 'bool', shape: [4], values: [1, 0, 1, 1] } }, ['w']);
    const exec = soraExecutor(g);
    const x = sora.tensor([true, false, true, true], [4], 'bool');
    expect(() => exec.execute(new Map([['x', x]]), ['w'])).toThrow(
      /node 'w' \(Where\) reads values back.*use executeAsync/,
    );
    expect(differ(await readAll(await exec.executeAsync(new Map([['x', x]]), ['w'])), want)).toBe('');
    x.dispose();
    exec.dispose();
  });

  it('runs an async custom op under executeAsync only', async () => {
    registerOp('TimesTen', async ({ inputs }) => sora.mul(inputs[0]!, 10));
    const g: TestGraph = { nodes: [placeholder('x', 'float32', [2]), n('t', 'TimesTen', ['x'])] };
    const exec = soraExecutor(g);
    const x = sora.tensor([1, 2]);
    const before = sora.memory().numTensors;
    expect(() => exec.execute(new Map([['x', x]]), ['t'])).toThrow(
      /node 't' \(TimesTen\): the custom op is async; use executeAsync/,
    );
    const [t] = await exec.executeAsync(new Map([['x', x]]), ['t']);
    expect(Array.from(await t!.data())).toEqual([10, 20]);
    t!.dispose();
    expect(sora.memory().numTensors).toBe(before);
    x.dispose();
    exec.dispose();
  });

  it('refuses a Const without a weight or value, naming it (the caller keeps its weights)', () => {
    const before = sora.memory().numTensors;
    const parsed = parseGraph({ node: [n('c', 'Const', [], { dtype: F })] }, 'w.json');
    const w = new Map([['other', sora.tensor([1])]]);
    expect(() => new GraphExecutor(parsed, w, 'w.json')).toThrow(/w.json: Const node 'c' has no weight and no value/);
    sora.dispose([...w.values()]);
    expect(sora.memory().numTensors).toBe(before);
  });

  it('frees everything when an op throws midway', async () => {
    registerOp('TimesTen', () => {
      throw new Error('boom');
    });
    const g: TestGraph = {
      nodes: [
        placeholder('x', 'float32', [2]),
        n('e', 'Exp', ['x'], { T: F }),
        n('t', 'TimesTen', ['e']),
        n('y', 'Neg', ['t'], { T: F }),
      ],
    };
    const exec = soraExecutor(g);
    const x = sora.tensor([1, 2]);
    const before = sora.memory().numTensors;
    expect(() => exec.execute(new Map([['x', x]]), ['y'])).toThrow(/boom/);
    await expect(exec.executeAsync(new Map([['x', x]]), ['y'])).rejects.toThrow(/boom/);
    expect(sora.memory().numTensors).toBe(before);
    x.dispose();
    exec.dispose();
  });

  it('reads a model.json topology with a library of functions', () => {
    const parsed = parseGraph(
      topology({
        nodes: [n('a', 'Const')],
        functions: [
          {
            signature: {
              name: 'f',
              inputArg: [{ name: 'v', type: 'DT_FLOAT' }],
              outputArg: [{ name: 'out', type: 'DT_FLOAT' }],
            },
            nodeDef: [
              n('s', 'Switch', ['v', 'v']),
              n('m', 'Merge', ['s:output_true:0', 's:output_false:0']),
              n('i', 'IdentityN', ['m:output:0', 'm:value_index:0']),
            ],
            ret: { out: 'i:output:1' },
          },
        ],
      }),
      'lib.json',
    );
    const f = parsed.functions.get('f')!;
    expect(f.inputs).toEqual([{ name: 'v', dtype: 'float32' }]);
    expect(f.nodes.map((x) => x.op)).toEqual(['Placeholder', 'Switch', 'Merge', 'IdentityN']);
    expect(f.nodes[2]!.inputs).toEqual([
      { node: 's', output: 1, control: false },
      { node: 's', output: 0, control: false },
    ]);
    expect(f.nodes[3]!.inputs[1]).toEqual({ node: 'm', output: 1, control: false });
    expect(f.outputs).toEqual([{ name: 'out', node: 'i', output: 1 }]);
    expect(() =>
      parseGraph(
        {
          node: [],
          library: { function: [{ signature: { name: 'g', outputArg: [{ name: 'o' }] }, nodeDef: [], ret: {} }] },
        },
        'lib.json',
      ),
    ).toThrow(/function 'g': output 'o' has no entry in 'ret'/);
    expect(() =>
      parseGraph(
        { node: [], library: { function: [{ signature: { name: 'g' }, nodeDef: [n('m', 'Merge', ['q:output:0'])] }] } },
        'lib.json',
      ),
    ).toThrow(/'q' is not a node of the function/);
  });
});
