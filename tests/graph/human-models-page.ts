/**
 * The browser side of tests/graph/human-models-webgpu.test.ts, bundled for headless Chromium: it
 * puts `soraHumanModels` on the page, whose `init` selects sora's webgpu backend and whose `run`
 * loads one model over http (sora.loadGraphModel on the served model.json), fetches the input the
 * test serves, runs executeAsync on every output node, and returns the outputs (base64 bytes) with
 * the tensor counts before load, after load, after predict and after dispose. Node compares them
 * with TF.js's prediction. Errors come back as values, so each model's test fails with the message.
 */
import * as sora from '../../src/index.js';
import { loaderOf } from './human-models-loader.js';

/** What `run` is given. */
export interface PageRunRequest { model: string; url: string; inputUrl: string; inputName: string; shape: number[]; dtype: 'float32' | 'int32' }

/** One output: node name, dtype, shape, and its bytes (float32 or int32, little-endian) in base64. */
export interface PageOutput { name: string; dtype: string; shape: number[]; bytes: string }

/** What `run` returns. */
export interface PageRunResult {
  ok: boolean;
  error?: string;
  outputNodes?: string[];
  outputs?: PageOutput[];
  loadMs?: number;
  predictMs?: number;
  /** numTensors before load, after load, after predict less the outputs (the input is counted), after dispose. */
  tensors?: { start: number; loaded: number; afterPredict: number; end: number };
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function init(): Promise<{ backend: string; description: string }> {
  await sora.setBackend('webgpu');
  const env = sora.env();
  return { backend: sora.getBackend(), description: String(env.description ?? '') };
}

async function run(request: PageRunRequest, nodes?: string[]): Promise<PageRunResult> {
  try {
    const response = await fetch(request.inputUrl);
    if (!response.ok) throw new Error(`input ${request.inputUrl}: HTTP ${response.status}`);
    const buffer = await response.arrayBuffer();
    const values = request.dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer);
    const start = sora.memory().numTensors;
    let started = performance.now();
    const model = await loaderOf(sora)(request.url);
    const loadMs = performance.now() - started;
    const loaded = sora.memory().numTensors;
    const outputs: PageOutput[] = [];
    let predictMs = 0, afterPredict = -1;
    const outputNodes = nodes ?? model.outputNodes.slice();
    try {
      const x = sora.tensor(values, request.shape, request.dtype);
      try {
        started = performance.now();
        const result = await model.executeAsync({ [request.inputName]: x }, outputNodes);
        const list = (Array.isArray(result) ? result : [result]) as sora.Tensor[];
        // Read back before stopping the clock: webgpu queues work and data() waits for it.
        const data: (Float32Array | Int32Array | Uint8Array)[] = [];
        for (const t of list) data.push((await t.data()) as Float32Array | Int32Array | Uint8Array);
        predictMs = performance.now() - started;
        afterPredict = sora.memory().numTensors - list.length;
        list.forEach((t, i) => {
          const typed = data[i]!;
          outputs.push({ name: outputNodes[i] ?? `#${i}`, dtype: t.dtype, shape: t.shape.slice(), bytes: toBase64(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength)) });
        });
        sora.dispose(list);
      } finally {
        x.dispose();
      }
    } finally {
      model.dispose();
    }
    return { ok: true, outputNodes, outputs, loadMs, predictMs, tensors: { start, loaded, afterPredict, end: sora.memory().numTensors } };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

/**
 * The outputs of the named nodes (output 0 of each) for the same input: what a bisection reads to find the
 * first node whose value leaves TF.js's. Each call loads and runs the model afresh.
 */
async function runNodes(request: PageRunRequest, nodes: string[]): Promise<PageRunResult> {
  return run(request, nodes);
}

(globalThis as { soraHumanModels?: unknown }).soraHumanModels = { init, run, runNodes };
