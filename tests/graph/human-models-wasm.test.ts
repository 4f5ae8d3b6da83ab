/**
 * Each pretrained graph model of @vladmandic/human loads in sora (loadGraphModel on its file:// URL)
 * and predicts, on the wasm backend, what TF.js (cpu) predicts from the same files on the same input:
 * every output node, equal shapes and dtypes, values within 1e-4 * max(1, |TF.js's|) (or, for the rare
 * value where TF.js's own wasm backend is farther than that from its cpu backend, no farther). The input is a
 * crop of the package's photo scaled as the human library scales it (tests/graph/human-models.ts).
 * execute (sync) gives executeAsync's values exactly, or is refused naming executeAsync where the graph
 * has control flow (HandTrack), as TF.js's is. Loading, predicting and disposing leaves sora's tensor
 * count where it was. A model that cannot run
 * (a missing op, an executor defect) fails here, naming why; nothing is skipped. HUMAN_MODELS_BISECT=1
 * (a diagnosis): a model whose outputs differ also gets the first node whose value leaves TF.js's named.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import {
  compareModelOutputs, describeDifferences, firstDivergingNode, HUMAN_MODEL_CASES, humanModelUrl, type ModelOutput, modelInput,
  readOutputs, tfjsPredict,
} from './human-models.js';

const BISECT = process.env.HUMAN_MODELS_BISECT === '1';
/** TF.js's cpu backend takes up to ~20 s on CenterNet (512 x 512) and HandTrack; sora's wasm far less. */
const MODEL_TIMEOUT_MS = BISECT ? 600_000 : 180_000;

describe('the human package\'s graph models on sora\'s wasm backend, against TF.js (cpu)', () => {
  beforeAll(async () => {
    await sora.setBackend('wasm');
  });

  for (const spec of HUMAN_MODEL_CASES) {
    const sync = spec.async ? 'execute refused (control flow)' : 'execute as executeAsync';
    it(`${spec.name}: every output as TF.js's (1e-4), ${sync}, and no tensor left behind`, async () => {
      const input = modelInput(spec.name);
      const oracle = await tfjsPredict(spec.name, input);
      const spread = await tfjsPredict(spec.name, input, 'wasm');
      expect(sora.getBackend()).toBe('wasm');
      const start = sora.memory().numTensors;
      const model = await sora.loadGraphModel(humanModelUrl(spec.name));
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
          outputs.push(...await readOutputs(oracle.outputNodes, list));
          sora.dispose(list);
          // As the human library runs most of them: execute (sync) gives executeAsync's values exactly; a graph
          // with control flow or read-back ops refuses it, naming executeAsync, as TF.js's does.
          if (spec.async) {
            expect(() => model.execute({ [input.name]: x }, oracle.outputNodes), 'execute').toThrow(/executeAsync/);
          } else {
            const syncResult = model.execute({ [input.name]: x }, oracle.outputNodes);
            const syncList = Array.isArray(syncResult) ? syncResult : [syncResult];
            syncList.forEach((t, i) => {
              const want = Array.from(outputs[i]?.values ?? []);
              expect.soft(Array.from(t.dataSync() as Float32Array), `execute's ${oracle.outputNodes[i]}`).toEqual(want);
            });
            sora.dispose(syncList);
          }
          expect.soft(sora.memory().numTensors, 'tensors after execute (the input aside)').toBe(loaded + 1);
        } finally {
          x.dispose();
        }
      } finally {
        model.dispose();
      }
      const differences = compareModelOutputs(outputs, oracle.outputs, spread.outputs);
      console.log(`[human-models wasm] ${spec.name}: sora ${predictMs.toFixed(0)} ms, TF.js cpu ${oracle.ms.toFixed(0)} ms (with load)\n` +
        describeDifferences(spec.name, differences));
      if (BISECT && differences.some((d) => d.problems.length > 0)) {
        const found = await firstDivergingNode(spec.name, input, async (nodes) => {
          const again = await sora.loadGraphModel(humanModelUrl(spec.name));
          const x = sora.tensor(input.values, input.shape, input.dtype);
          try {
            const list = (await again.executeAsync({ [input.name]: x }, nodes)) as sora.Tensor[];
            const values = await readOutputs(nodes, list);
            sora.dispose(list);
            return values;
          } finally {
            x.dispose();
            again.dispose();
          }
        });
        console.log(`[human-models wasm] ${spec.name} bisection: ${found}`);
        expect.soft(found, 'bisection').toBe('');
      }
      for (const d of differences) expect.soft(d.problems, `output ${d.name}`).toEqual([]);
      // The input x is counted in afterPredict; every intermediate of the run is freed by then.
      expect.soft(afterPredict, 'tensors after predict (outputs and input aside)').toBe(loaded + 1);
      expect(sora.memory().numTensors, 'tensors after dispose').toBe(start);
    }, MODEL_TIMEOUT_MS);
  }
});
