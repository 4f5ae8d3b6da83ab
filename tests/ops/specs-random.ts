/**
 * Test entries of the random ops (src/ops/random.ts): seeded draws, so every backend must
 * give the reference's values for the same seed (integers and masks exactly). Spread into
 * OP_SPECS (tests/ops/specs.ts). Distributions are tested in tests/random.test.ts.
 */
import * as sora from '../../src/index.js';
import type { OpCase } from './specs.js';

const EXACT = { atol: 0, rtol: 0 };
const c = (label: string, run: OpCase['run'], extra: Partial<OpCase> = {}): OpCase =>
  ({ label, inputs: [], run, wrt: [], ...extra });

export const RANDOM_SPECS: Record<string, OpCase[]> = {
  random: [
    c('randomUniform [3,5] in [-2, 3), seed 7', () => sora.randomUniform([3, 5], -2, 3, 'float32', 7)),
    c('randomUniformInt [33] in [-5, 9), seed "abc"', () => sora.randomUniformInt([33], -5, 9, 'abc'), { tolerance: EXACT }),
    c('randomNormal [7,9] mean 1 stdDev 2, seed 3', () => sora.randomNormal([7, 9], 1, 2, 'float32', 3)),
    c('truncatedNormal [127], seed 11', () => sora.truncatedNormal([127], 0, 1, 'float32', 11)),
    c('randomGamma [2,17] alpha 0.5 and 2.5', () => sora.randomGamma([2, 17], 0.5, 2, 'float32', 5)
      .add(sora.randomGamma([2, 17], 2.5, 1, 'float32', 6))),
    c('dropout mask on [5,7], rate 0.4, seed 13', () => sora.dropout(sora.ones([5, 7]), 0.4, 13), { tolerance: EXACT }),
    c('empty [0,3]', () => sora.randomNormal([0, 3], 0, 1, 'float32', 1)),
  ],
  multinomial: [
    c('logits [3,5], 33 samples, seed 9', () => sora.multinomial(
      sora.tensor([[0, 1, 2, -1, 0.5], [3, 3, 3, 3, 3], [-9, 0, -9, 0, 1]]), 33, 9), { tolerance: EXACT }),
    c('probabilities [7] with zeros, normalized', () => sora.multinomial(
      sora.tensor([0.1, 0, 0.3, 0, 0.2, 0.4, 0]), 17, 4, true), { tolerance: EXACT }),
  ],
};
