/**
 * Every layer's and loss's gradient against central finite differences, on the reference
 * backend (float64 accumulation), through the same valueAndGrads the model trains with.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as sora from '../../src/index.js';
import { getLoss } from '../../src/training/losses.js';

beforeAll(async () => { await sora.setBackend('reference'); });

/** d f / d v for every value of variable v, analytic vs numeric. */
function checkVariableGrad(label: string, f: () => sora.Tensor, v: sora.Variable, tolerance = 3e-3): void {
  const { value, grads } = sora.variableGrads(f, [v]);
  value.dispose();
  const analytic = grads[v.name].dataSync();
  grads[v.name].dispose();
  const base = v.dataSync() as Float32Array;
  const eps = 1e-2;
  for (let i = 0; i < base.length; i++) {
    const at = (delta: number) => {
      const shifted = base.slice();
      shifted[i] += delta;
      const t = sora.tensor(shifted, v.shape);
      v.assign(t);
      t.dispose();
      return sora.tidy(() => f().dataSync()[0]);
    };
    const numeric = (at(eps) - at(-eps)) / (2 * eps);
    expect(Math.abs(analytic[i] - numeric), `${label} [${i}]: analytic ${analytic[i]}, numeric ${numeric}`)
      .toBeLessThan(tolerance + tolerance * Math.abs(numeric));
  }
  const t = sora.tensor(base, v.shape);
  v.assign(t);
  t.dispose();
}

describe('layer gradients (kernel, bias and input)', () => {
  const x = () => sora.tensor([[0.5, -1.2, 0.3], [1.1, 0.4, -0.7]]);
  const weightsFor = (y: sora.Tensor) => sora.tensor(Array.from({ length: y.size }, (_, i) => ((i * 37) % 11) / 11 - 0.4), y.shape);
  for (const activation of ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const) {
    it(`dense ${activation}`, () => {
      // Seeds whose weights put no ReLU pre-activation within the finite-difference step of 0.
      const layer = sora.layers.dense({ units: 4, activation, inputShape: [3], kernelInitializer: sora.initializers.glorotUniform({ seed: 3 }), biasInitializer: sora.initializers.glorotUniform({ seed: 5 }) });
      layer.build([null, 3]);
      const f = () => { const y = layer.apply(x(), { training: true }); return sora.sum(sora.mul(y, weightsFor(y))); };
      for (const w of layer.weights) checkVariableGrad(`dense ${activation} ${w.name}`, f, w);
      const input = sora.variable(x());
      checkVariableGrad(`dense ${activation} input`, () => { const y = layer.apply(input, { training: true }); return sora.sum(sora.mul(y, weightsFor(y))); }, input);
    });
  }
  it('activation and flatten layers', () => {
    const input = sora.variable(sora.tensor([[[0.2, -0.5], [1.5, 0.1]], [[-1, 0.3], [0.7, -0.2]]]));
    const act = sora.layers.activation({ activation: 'tanh' });
    const flat = sora.layers.flatten();
    checkVariableGrad('flatten+activation', () => {
      const y = act.apply(flat.apply(input));
      return sora.sum(sora.mul(y, sora.tensor([[1, 2, 3, 4], [-1, -2, 0.5, 0.25]])));
    }, input);
  });
  it('l1l2 kernel regularizer', () => {
    const layer = sora.layers.dense({ units: 2, inputShape: [3], kernelRegularizer: sora.regularizers.l1l2({ l1: 0.1, l2: 0.2 }), kernelInitializer: sora.initializers.glorotUniform({ seed: 9 }) });
    layer.build([null, 3]);
    checkVariableGrad('regularizer', () => layer.regularizationLoss()!, layer.weights[0]);
  });
});

describe('loss gradients with respect to predictions', () => {
  const logits = [[0.3, -1.1, 2.0], [0.5, 0.4, -0.2], [-1.5, 0.8, 0.1]];
  const onehot = [[0, 0, 1], [1, 0, 0], [0, 1, 0]];
  const cases: [string, string, boolean, () => sora.Tensor, number[][], boolean][] = [
    ['categoricalCrossentropy on probabilities', 'categoricalCrossentropy', false, () => sora.tensor(onehot), logits, true],
    ['categoricalCrossentropy fromLogits', 'categoricalCrossentropy', true, () => sora.tensor(onehot), logits, false],
    ['sparseCategoricalCrossentropy on probabilities', 'sparseCategoricalCrossentropy', false, () => sora.tensor1d([2, 0, 1], 'int32'), logits, true],
    ['sparseCategoricalCrossentropy fromLogits', 'sparseCategoricalCrossentropy', true, () => sora.tensor1d([2, 0, 1], 'int32'), logits, false],
    ['binaryCrossentropy on probabilities', 'binaryCrossentropy', false, () => sora.tensor([[1], [0], [1]]), [[0.3], [-0.8], [1.2]], true],
    ['binaryCrossentropy fromLogits', 'binaryCrossentropy', true, () => sora.tensor([[1], [0], [1]]), [[0.3], [-0.8], [1.2]], false],
    ['meanSquaredError', 'meanSquaredError', false, () => sora.tensor([[1, 2, 3], [0, 0, 0], [-1, 1, 0]]), logits, false],
  ];
  for (const [label, name, fromLogits, labels, raw, squash] of cases) {
    it(label, () => {
      const loss = getLoss(name, { fromLogits });
      const v = sora.variable(sora.tensor(raw));
      // Probability losses see softmax / sigmoid of the variable, so the point stays valid.
      const predictions = () => (!squash ? v : raw[0].length === 1 ? sora.sigmoid(v) : sora.softmax(v));
      checkVariableGrad(label, () => loss.compute(labels(), predictions()), v);
    });
  }
});
