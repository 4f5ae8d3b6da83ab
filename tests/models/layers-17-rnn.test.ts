/**
 * Issue 17's recurrent layers against TF.js (cpu): simpleRNN, lstm, gru and layers.rnn over
 * cells (stacked, a user's cell) with TF.js's weights predict what TF.js predicts, in every
 * mode (returnSequences, returnState, goBackwards, masks from embedding maskZero, stateful,
 * initialState); the same SGD steps give the same weights; files move both ways.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { expectClose, expectRoundTrips, expectSamePredictions, expectSameWeights, fitBoth, twin, values, type TF } from './layers-16-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});

const batch = 3, steps = 5, features = 4;

/** [batch, length] ids, zeros (padding) at the ends of some rows and at the start of one. */
function ids(rows: number, length: number, vocab: number): number[] {
  return Array.from({ length: rows * length }, (_, i) => {
    const row = Math.floor(i / length), col = i % length;
    if (col >= length - (row % 3) || (row === 1 && col === 0)) return 0;
    return 1 + ((i * 7 + 3) % (vocab - 1));
  });
}

type LayerKind = 'simpleRNN' | 'lstm' | 'gru';
const KINDS: LayerKind[] = ['simpleRNN', 'lstm', 'gru'];

describe('simpleRNN, lstm, gru against TF.js: predictions with the same weights', () => {
  for (const kind of KINDS) {
    for (const options of [
      { returnSequences: false },
      { returnSequences: true },
      { returnSequences: true, goBackwards: true },
      { goBackwards: true, activation: 'relu', recurrentActivation: 'sigmoid' },
      { useBias: false, returnSequences: true, recurrentActivation: 'tanh', activation: 'sigmoid' },
    ]) {
      it(`${kind} ${JSON.stringify(options)}`, () => {
        const opts = kind === 'simpleRNN' ? { ...options, recurrentActivation: undefined } : options;
        const build = (tf: TF) => tf.sequential({ layers: [
          tf.layers[kind]({ units: 3, inputShape: [steps, features], biasInitializer: 'randomNormal', ...opts }),
        ] });
        const { ours, theirs } = twin(build);
        expectSamePredictions(ours, theirs, [batch, steps, features], `${kind}`);
      });
    }
  }
});
