/**
 * Each pretrained graph model of @vladmandic/human loads in sora (loadGraphModel on its file:// URL)
 * and predicts, on the wasm backend, what TF.js (cpu) predicts from the same files on the same input:
 * every output node, equal shapes and dtypes, values within 1e-4 * max(1, |TF.js's|). The input is a
 * crop of the package's photo scaled as the human library scales it (tests/graph/human-models.ts).
 * Loading, predicting and disposing leaves sora's tensor count where it was. A model that cannot run
 * (a missing op, an executor defect) fails here, naming why; nothing is skipped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import {
  compareModelOutputs, describeDifferences, HUMAN_MODEL_CASES, humanModelUrl, loaderOf, type ModelOutput, modelInput, tfjsPredict,
} from './human-models.js';

/** TF.js's cpu backend takes up to ~10 s on CenterNet (512 x 512) and HandTrack; sora's wasm far less. */
const MODEL_TIMEOUT_MS = 180_000;

describe('the human package\'s graph models on sora\'s wasm backend, against TF.js (cpu)', () => {
  beforeAll(async () => {
    await sora.setBackend('wasm');
  });

  for (const spec of HUMAN_MODEL_CASES) {
    it(`${spec.name}: every output as TF.js's (1e-4), and no tensor left behind`, async () => {
      const input = modelInput(spec.name);
      const oracle = await tfjsPredict(spec.name, input);
      expect(sora.getBackend()).toBe('wasm');
      const start = sora.memory().numTensors;
      const model = await loaderOf(sora)(humanModelUrl(spec.name));
      const loaded = sora.memory().numTensors;
      const outputs: ModelOutput[] = [];
      let predictMs = 0, afterPredict = -1;
      try {
        expect.soft(model.outputNodes, 'outputNodes').toEqual(oracle.outputNodes);
        const x = sora.tensor(input.values, input.shape, input.dtype);
        try {
          const started = performance.now();
          const result = await model.executeAsync({ [input.name]: x }, oracle.outputNodes);
          const list = (Array.isArray(result) ? result : [result]) as sora.Tensor[];
          predictMs = performance.now() - started;
          afterPredict = sora.memory().numTensors - list.length;
          for (let i = 0; i < list.length; i++) {
            const t = list[i]!;
            outputs.push({ name: oracle.outputNodes[i] ?? `#${i}`, dtype: t.dtype, shape: t.shape.slice(), values: (await t.data()) as Float32Array });
          }
          sora.dispose(list);
        } finally {
          x.dispose();
        }
      } finally {
        model.dispose();
      }
      const differences = compareModelOutputs(outputs, oracle.outputs);
      console.log(`[human-models wasm] ${spec.name}: sora ${predictMs.toFixed(0)} ms, TF.js cpu ${oracle.ms.toFixed(0)} ms (with load)\n` +
        describeDifferences(spec.name, differences));
      for (const d of differences) expect.soft(d.problems, `output ${d.name}`).toEqual([]);
      // The input x is counted in afterPredict; every intermediate of the run is freed by then.
      expect.soft(afterPredict, 'tensors after predict (outputs and input aside)').toBe(loaded + 1);
      expect(sora.memory().numTensors, 'tensors after dispose').toBe(start);
    }, MODEL_TIMEOUT_MS);
  }
});
