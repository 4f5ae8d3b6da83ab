/**
 * The fused optimizers (SGD, momentum, Adam, RMSProp) update every variable of a step in one
 * op call (src/ops/optim.ts): the weights and state it gives are bitwise those of one update
 * op per variable, on odd sizes; one applyGradients makes one op call; a bad group throws
 * before any variable changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import { adamUpdate, adamUpdates, rmspropUpdate, sgdUpdate } from '../../src/ops/optim.js';
import { addOpObserver } from '../../src/ops/registry.js';

const SHAPES = [[1], [3, 7], [33], [127]];
const seeded = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + k * 78.233) * 2);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

type Step = (variable: sora.Variable, grad: sora.Tensor, state: sora.Variable[], step: number) => void;
const CASES: { name: string; make: () => sora.Optimizer; slots: number; single: Step }[] = [
  { name: 'sgd', make: () => sora.train.sgd(0.1), slots: 0, single: (v, g) => sgdUpdate(v, g, null, 0.1, 0, false) },
  {
    name: 'momentum nesterov', make: () => sora.train.momentum(0.05, 0.9, true), slots: 1,
    single: (v, g, [velocity]) => sgdUpdate(v, g, velocity, 0.05, 0.9, true),
  },
  {
    name: 'adam', make: () => sora.train.adam(0.05, 0.8, 0.95, 1e-6), slots: 2,
    single: (v, g, [m, s], step) => adamUpdate(v, g, m, s, 0.05, 0.8, 0.95, 1e-6, step),
  },
  {
    name: 'rmsprop', make: () => sora.train.rmsprop(0.02), slots: 1,
    single: (v, g, [ms]) => rmspropUpdate(v, g, ms, null, 0.02, 0.9, 0, 1e-7),
  },
  {
    name: 'rmsprop momentum', make: () => sora.train.rmsprop(0.02, 0.8, 0.5), slots: 2,
    single: (v, g, [ms, mom]) => rmspropUpdate(v, g, ms, mom, 0.02, 0.8, 0.5, 1e-7),
  },
];

describe.each(['reference', 'wasm'] as const)('fused optimizer step on %s', (backend) => {
  beforeAll(async () => { await sora.setBackend(backend); });
  afterAll(() => sora.disposeVariables());

  it.each(CASES)('$name: one op call for all variables gives the per-variable weights and state bitwise', ({ make, slots, single }) => {
    const fused = SHAPES.map((s, i) => sora.variable(sora.tensor(seeded(size(s), i), s), true, `fused_${i}_${Math.random()}`));
    const each = SHAPES.map((s, i) => sora.variable(sora.tensor(seeded(size(s), i), s), true, `each_${i}_${Math.random()}`));
    const state = each.map((v) => Array.from({ length: slots }, () => sora.variable(sora.zeros(v.shape), false)));
    const optimizer = make();
    const seen: string[] = [];
    const remove = addOpObserver((name) => seen.push(name));
    try {
      for (let step = 1; step <= 3; step++) {
        const grads = SHAPES.map((s, i) => sora.tensor(seeded(size(s), 10 * step + i), s));
        seen.length = 0;
        optimizer.applyGradients(fused.map((variable, i) => ({ variable, grad: grads[i] })));
        const op = optimizer instanceof sora.SGD ? 'sgd' : optimizer instanceof sora.Adam ? 'adam' : 'rmsprop';
        // The first step also makes the state (one fill per slot); afterwards the update op is all.
        expect(step === 1 ? seen.filter((name) => name !== 'fill') : seen).toEqual([op]);
        each.forEach((v, i) => single(v, grads[i], state[i], step));
        sora.dispose(grads);
      }
    } finally {
      remove();
    }
    fused.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(each[i].dataSync())));
    const fusedState = (optimizer as unknown as { slots: Map<sora.Variable, sora.Variable[]> }).slots;
    fused.forEach((v, i) => {
      const mine = fusedState.get(v) ?? [];
      expect(mine.length).toBe(slots);
      mine.forEach((s, k) => expect(Array.from(s.dataSync())).toEqual(Array.from(state[i][k].dataSync())));
    });
    optimizer.dispose();
    sora.dispose([...fused, ...each, ...state.flat()]);
  });

  it('a bad group throws naming its variable before any variable changes', () => {
    const a = sora.variable(sora.tensor(seeded(7, 1)), true, `a_${Math.random()}`);
    const b = sora.variable(sora.tensor(seeded(5, 2)), true, `b_${Math.random()}`);
    const before = Array.from(a.dataSync());
    const z = (n: number) => sora.zeros([n]);
    const [ga, ma, va, gb, mb, vb] = [z(7), z(7), z(7), z(5), z(5), z(4)];
    sora.dispose(ga);
    const gaLive = sora.ones([7]);
    expect(() => adamUpdates([{ variable: a, grad: gaLive, state: [ma, va] }, { variable: b, grad: gb, state: [mb, vb] }],
      0.1, 0.9, 0.999, 1e-7, 1)).toThrow(/adam: variable 'b_.*' shape \[5\].*got a tensor shape \[4\]/);
    expect(Array.from(a.dataSync())).toEqual(before);
    sora.dispose([a, b, gaLive, ma, va, gb, mb, vb]);
  });
});
