/**
 * Each pretrained graph model of @vladmandic/human on sora's webgpu backend in headless Chromium
 * (SwiftShader's adapter): one page (tests/graph/human-models-page.ts, bundled) loads the served
 * model.json over http with sora.loadGraphModel, runs executeAsync on the input Node serves (a crop of
 * the package's photo, scaled as the human library scales it) and returns every output; Node compares
 * them with TF.js's prediction (cpu, computed here while the page runs): equal names, shapes and
 * dtypes, values within 1e-4 * max(1, |TF.js's|), and the page's tensor count back where it was.
 * Models run in sequence in the one page. A missing Chromium or WebGPU fails every test, never skips.
 * HUMAN_MODELS_BISECT=1 (a diagnosis, slow on SwiftShader): a model whose outputs differ also gets the
 * first node whose value leaves TF.js's named in its failure, found by re-running the model for chunks
 * of its nodes. HUMAN_MODELS=a,b (by hand) runs only those models.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { bundle } from '../runtimes/bundle.js';
import { type ChromiumSession, launchChromium, modulePage } from '../runtimes/chromium.js';
import { type StaticServer, startServer } from '../runtimes/server.js';
import {
  compareModelOutputs, describeDifferences, firstDivergingNode, HUMAN_MODEL_CASES, type ModelOutput, modelInput, tfjsPredict,
} from './human-models.js';
import type { PageRunRequest, PageRunResult } from './human-models-page.js';

const ENTRY = fileURLToPath(new URL('./human-models-page.ts', import.meta.url));
const BISECT = process.env.HUMAN_MODELS_BISECT === '1';
/** SwiftShader runs the shaders on the CPU: CenterNet (512 x 512) is the slowest model. */
const MODEL_TIMEOUT_MS = BISECT ? 600_000 : 120_000;

type PageApi = {
  init(): Promise<{ backend: string; description: string }>;
  run(request: PageRunRequest): Promise<PageRunResult>;
  runNodes(request: PageRunRequest, nodes: string[]): Promise<PageRunResult>;
};

function fromBase64(text: string, dtype: string): Float32Array | Int32Array | Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (dtype === 'float32') return new Float32Array(copy.buffer);
  if (dtype === 'int32') return new Int32Array(copy.buffer);
  return copy;
}

describe('the human package\'s graph models on sora\'s webgpu backend in headless Chromium, against TF.js (cpu)', () => {
  let server: StaticServer | undefined;
  let session: ChromiumSession | undefined;
  let page: Page;
  const log: string[] = [];

  beforeAll(async () => {
    const code = await bundle(ENTRY);
    server = await startServer({ files: { '/__sora/index.html': { body: modulePage('/__sora/human-models.js') }, '/__sora/human-models.js': { body: code } } });
    session = await launchChromium();
    page = await session.browser.newPage();
    page.on('console', (message) => { log.push(message.text()); if (log.length > 50) log.shift(); });
    page.on('pageerror', (error) => log.push(`page error: ${(error as Error).message ?? error}`));
    await page.goto(`${server.origin}/__sora/index.html`, { waitUntil: 'load' });
    await page.waitForFunction('globalThis.soraHumanModels !== undefined', { timeout: 30_000 }).catch(() => {
      throw new Error(`the page did not load its bundle:\n${log.join('\n')}`);
    });
    const backend = await page.evaluate(() => (globalThis as unknown as { soraHumanModels: PageApi }).soraHumanModels.init());
    console.log(`[human-models webgpu] ${backend.backend}: ${backend.description}`);
    expect(backend.backend, 'sora selected webgpu in Chromium').toBe('webgpu');
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  const only = process.env.HUMAN_MODELS?.split(',');
  for (const spec of HUMAN_MODEL_CASES.filter((c) => !only || only.includes(c.name))) {
    it(`${spec.name}: every output as TF.js's (1e-4), and no tensor left behind`, async () => {
      expect(page, 'the page opened').toBeDefined();
      const input = modelInput(spec.name);
      const inputPath = `/__sora/inputs/${spec.name}.bin`;
      server!.files.set(inputPath, { body: new Uint8Array(input.values.buffer, input.values.byteOffset, input.values.byteLength) });
      const request: PageRunRequest = {
        model: spec.name, url: `${server!.origin}/node_modules/@vladmandic/human/models/${spec.name}.json`, inputUrl: inputPath,
        inputName: input.name, shape: input.shape, dtype: input.dtype,
      };
      // The page predicts in Chromium while TF.js computes the oracle here.
      const running = page.evaluate((r) => (globalThis as unknown as { soraHumanModels: PageApi }).soraHumanModels.run(r), request);
      const oracle = await tfjsPredict(spec.name, input);
      const result = await running;
      onTestFinished(() => { server!.files.delete(inputPath); });
      if (!result.ok) throw new Error(`${spec.name} on webgpu: ${result.error}\n${log.slice(-10).join('\n')}`);
      expect.soft(result.outputNodes, 'outputNodes').toEqual(oracle.outputNodes);
      const outputs: ModelOutput[] = result.outputs!.map((o) => ({ name: o.name, dtype: o.dtype, shape: o.shape, values: fromBase64(o.bytes, o.dtype) }));
      const differences = compareModelOutputs(outputs, oracle.outputs);
      console.log(`[human-models webgpu] ${spec.name}: sora load ${result.loadMs!.toFixed(0)} ms, predict ${result.predictMs!.toFixed(0)} ms; ` +
        `TF.js cpu ${oracle.ms.toFixed(0)} ms\n${describeDifferences(spec.name, differences)}`);
      if (BISECT && differences.some((d) => d.problems.length > 0)) {
        const found = await firstDivergingNode(spec.name, input, async (nodes) => {
          const r = await page.evaluate((q, n) => (globalThis as unknown as { soraHumanModels: PageApi }).soraHumanModels.runNodes(q, n), request, nodes);
          if (!r.ok) throw new Error(r.error);
          return r.outputs!.map((o) => ({ name: o.name, dtype: o.dtype, shape: o.shape, values: fromBase64(o.bytes, o.dtype) }));
        });
        console.log(`[human-models webgpu] ${spec.name} bisection: ${found}`);
        expect.soft(found, 'bisection').toBe('');
      }
      for (const d of differences) expect.soft(d.problems, `output ${d.name}`).toEqual([]);
      const tensors = result.tensors!;
      expect.soft(tensors.afterPredict, 'tensors after predict (outputs and input aside)').toBe(tensors.loaded + 1);
      expect(tensors.end, 'tensors after dispose').toBe(tensors.start);
    }, MODEL_TIMEOUT_MS);
  }
});
