/**
 * The eleven pretrained graph models of the devDependency @vladmandic/human, as the per-model
 * differential tests use them: each model's input signature (its Placeholder), a realistic input cut
 * from the package's own photo (assets/samples.jpg: a face, an eye, a hand, a body or the whole frame,
 * resized to the model's input and scaled as the human library scales it, so activations are those of
 * real use and ArgMax / TopK / NonMaxSuppression see no ties), TF.js's prediction on it (the oracle:
 * @tensorflow/tfjs on its cpu backend, the model loaded from the same files through tf.io.fromMemory),
 * and the comparison (|a - b| <= 1e-4 * max(1, |b|)). Nothing is cached on disk.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
// @ts-expect-error: a plain ES module without type declarations
import { graphModelInventory, HUMAN_MODELS } from '../../scripts/graph-model-ops.mjs';

/** The folder of the package's model.json files and weights. */
export const HUMAN_MODEL_DIR: string = HUMAN_MODELS;

/** One model of the package as scripts/graph-model-ops.mjs lists it. */
export interface InventoryEntry { name: string; format: string; nodes: number; ops: Map<string, number>; dtypes: string[]; paths: string[] }

/** Every model.json of the package (its index models.json left out), with the ops each uses. */
export function humanModelInventory(): InventoryEntry[] {
  return graphModelInventory() as InventoryEntry[];
}

/** How the human library scales the pixels it feeds a model. */
export type PixelScale = 'unit' | 'byte' | 'signed' | 'gray-signed' | 'byte-int';

/** A region of samples.jpg in pixels (x, y of its top-left corner). */
export interface Region { x: number; y: number; width: number; height: number }

/** What each model is fed: which part of the photo, and how its pixels are scaled. */
export interface HumanModelCase {
  /** The model.json's name without '.json'. */
  name: string;
  /** The part of samples.jpg the model sees, resized (bilinear) to the model's input size. */
  region: Region;
  /** unit 0..1, byte 0..255, signed -1..1, gray-signed (weighted gray 0..1 - 0.5) * 2, byte-int 0..255 as int32. */
  scale: PixelScale;
  /** The size for a -1 spatial dim (HandTrack's input is [1, -1, -1, 3]): the size its signature names. */
  size?: [number, number];
  /** Where the human library feeds it this way (src/ of the package). */
  why: string;
}

/** Regions of samples.jpg (1280 x 1158): the top row holds portrait thumbnails, the rest is a crowd. */
const WOMAN_FACE: Region = { x: 200, y: 10, width: 72, height: 72 };
const MAN_FACE: Region = { x: 418, y: 3, width: 74, height: 74 };
const WOMAN_EYE: Region = { x: 211, y: 24, width: 28, height: 28 };
const PORTRAIT: Region = { x: 165, y: 0, width: 155, height: 155 };
const FULL_BODY: Region = { x: 0, y: 0, width: 160, height: 160 };
const HAND: Region = { x: 470, y: 75, width: 60, height: 60 };
const WHOLE: Region = { x: 0, y: 0, width: 1280, height: 1158 };

/** The eleven models, in the order of the package's folder. */
export const HUMAN_MODEL_CASES: readonly HumanModelCase[] = [
  { name: 'antispoof', region: WOMAN_FACE, scale: 'unit', why: 'face/antispoof.ts: the 0..1 face crop, resized' },
  { name: 'blazeface', region: PORTRAIT, scale: 'signed', why: 'face/blazeface.ts: frame / 127.5 - 1' },
  { name: 'centernet', region: WHOLE, scale: 'byte', why: 'object/centernet.ts: the 0..255 frame resized to 512' },
  { name: 'emotion', region: MAN_FACE, scale: 'gray-signed', why: 'gear/emotion.ts: (rgb2gray of the 0..1 face - 0.5) * 2' },
  { name: 'facemesh', region: WOMAN_FACE, scale: 'unit', why: 'face/facemeshutil.ts: face crop / 255' },
  { name: 'faceres', region: MAN_FACE, scale: 'byte', why: 'face/faceres.ts: the 0..1 face crop * 255' },
  { name: 'handlandmark-lite', region: HAND, scale: 'unit', why: 'hand/handtrack.ts: hand crop / 255' },
  { name: 'handtrack', region: WHOLE, scale: 'byte-int', size: [320, 320], why: 'hand/handtrack.ts: the frame resized, cast to int32' },
  { name: 'iris', region: WOMAN_EYE, scale: 'unit', why: 'face/iris.ts: the eye crop of the 0..1 face' },
  { name: 'liveness', region: WOMAN_FACE, scale: 'unit', why: 'face/liveness.ts: the 0..1 face crop, resized' },
  { name: 'movenet-lightning', region: FULL_BODY, scale: 'byte-int', why: 'body/movenet.ts: the padded 0..255 frame as int32' },
];

/** A model's input as its Placeholder declares it (-1 for a dim of any size). */
export interface InputSignature { name: string; shape: number[]; dtype: 'float32' | 'int32' }

/** The model.json, parsed. */
export function readModelJson(name: string): { modelTopology: { node: { name: string; op: string; attr?: Record<string, unknown> }[] }; weightsManifest: { paths: string[]; weights: unknown[] }[]; [key: string]: unknown } {
  return JSON.parse(readFileSync(join(HUMAN_MODEL_DIR, `${name}.json`), 'utf8'));
}

/** The file:// URL of a model.json, as sora.loadGraphModel takes it in Node. */
export function humanModelUrl(name: string): string {
  return pathToFileURL(join(HUMAN_MODEL_DIR, `${name}.json`)).href;
}

/** The model's single Placeholder: name, declared shape, dtype (DT_UINT8 and DT_INT32 feed int32, as TF.js maps them). */
export function inputSignature(name: string): InputSignature {
  const placeholders = readModelJson(name).modelTopology.node.filter((n) => n.op === 'Placeholder');
  if (placeholders.length !== 1) throw new Error(`${name}: expected one Placeholder, found ${placeholders.length}`);
  const node = placeholders[0]!;
  const attr = node.attr as { dtype: { type: string }; shape: { shape: { dim: { size: string }[] } } };
  const type = attr.dtype.type;
  const dtype = type === 'DT_FLOAT' ? 'float32' : type === 'DT_INT32' || type === 'DT_UINT8' ? 'int32' : null;
  if (dtype === null) throw new Error(`${name}: input ${node.name} has dtype ${type}, which these tests do not feed`);
  return { name: node.name, shape: attr.shape.shape.dim.map((d) => Number(d.size)), dtype };
}

let photo: { width: number; height: number; data: Uint8Array } | undefined;

/** samples.jpg decoded once per process (RGBA bytes). */
export function samplePhoto(): { width: number; height: number; data: Uint8Array } {
  photo ??= jpeg.decode(readFileSync(join(HUMAN_MODEL_DIR, '..', 'assets', 'samples.jpg')), { useTArray: true });
  return photo;
}

/**
 * The region resized to height x width with bilinear sampling at pixel centres (as
 * tf.image.resizeBilinear with halfPixelCenters): RGB values 0..255 as floats, row-major HWC.
 */
export function cropResize(region: Region, height: number, width: number): Float32Array {
  const image = samplePhoto();
  if (region.x < 0 || region.y < 0 || region.x + region.width > image.width || region.y + region.height > image.height) {
    throw new Error(`region ${JSON.stringify(region)} is outside the ${image.width} x ${image.height} photo`);
  }
  const out = new Float32Array(height * width * 3);
  const pixel = (x: number, y: number, c: number) => image.data[(y * image.width + x) * 4 + c]!;
  for (let oy = 0; oy < height; oy++) {
    const sy = Math.min(Math.max((oy + 0.5) * region.height / height - 0.5, 0), region.height - 1);
    const y0 = Math.floor(sy), y1 = Math.min(y0 + 1, region.height - 1), fy = sy - y0;
    for (let ox = 0; ox < width; ox++) {
      const sx = Math.min(Math.max((ox + 0.5) * region.width / width - 0.5, 0), region.width - 1);
      const x0 = Math.floor(sx), x1 = Math.min(x0 + 1, region.width - 1), fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const top = pixel(region.x + x0, region.y + y0, c) * (1 - fx) + pixel(region.x + x1, region.y + y0, c) * fx;
        const bottom = pixel(region.x + x0, region.y + y1, c) * (1 - fx) + pixel(region.x + x1, region.y + y1, c) * fx;
        out[(oy * width + ox) * 3 + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** A concrete input for one model: its name, shape (batch 1), dtype and values. */
export interface ModelInput { name: string; shape: number[]; dtype: 'float32' | 'int32'; values: Float32Array | Int32Array }

const GRAY = [0.2989, 0.587, 0.114];

/** The model's input, cut from the photo and scaled as the human library feeds it. */
export function modelInput(name: string): ModelInput {
  const spec = HUMAN_MODEL_CASES.find((c) => c.name === name);
  if (!spec) throw new Error(`no input is defined for model '${name}'`);
  const signature = inputSignature(name);
  const [batch, h, w, channels] = signature.shape;
  if (signature.shape.length !== 4 || (batch !== 1 && batch !== -1)) throw new Error(`${name}: unexpected input shape [${signature.shape}]`);
  const height = h === -1 ? spec.size?.[0] : h, width = w === -1 ? spec.size?.[1] : w;
  if (height === undefined || width === undefined) throw new Error(`${name}: input [${signature.shape}] has a free spatial dim and no size`);
  const rgb = cropResize(spec.region, height, width);
  const shape = [1, height, width, channels!];
  if (spec.scale === 'gray-signed') {
    if (channels !== 1) throw new Error(`${name}: gray input needs 1 channel, the model has ${channels}`);
    const values = new Float32Array(height * width);
    for (let i = 0; i < values.length; i++) {
      const gray = (rgb[i * 3]! * GRAY[0]! + rgb[i * 3 + 1]! * GRAY[1]! + rgb[i * 3 + 2]! * GRAY[2]!) / 255;
      values[i] = (gray - 0.5) * 2;
    }
    return { name: signature.name, shape, dtype: 'float32', values };
  }
  if (channels !== 3) throw new Error(`${name}: expected an RGB input, the model has ${channels} channels`);
  if (spec.scale === 'byte-int') {
    if (signature.dtype !== 'int32') throw new Error(`${name}: byte-int input for a ${signature.dtype} model`);
    return { name: signature.name, shape, dtype: 'int32', values: Int32Array.from(rgb, (v) => Math.round(v)) };
  }
  const map = spec.scale === 'unit' ? (v: number) => v / 255 : spec.scale === 'signed' ? (v: number) => v / 127.5 - 1 : (v: number) => v;
  return { name: signature.name, shape, dtype: 'float32', values: rgb.map(map) };
}

/** One output read back: its node name, dtype, shape and values. */
export interface ModelOutput { name: string; dtype: string; shape: number[]; values: Float32Array | Int32Array | Uint8Array | number[] }

/** The model's artifacts from disk, as tf.io.fromMemory takes them (the shards of every group, concatenated in manifest order). */
export function tfjsArtifacts(name: string): tf.io.ModelArtifacts {
  const json = readModelJson(name);
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  const buffers = paths.map((p) => readFileSync(join(HUMAN_MODEL_DIR, p)));
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) { weightData.set(b, offset); offset += b.length; }
  return {
    modelTopology: json.modelTopology, format: json.format as string, generatedBy: json.generatedBy as string,
    convertedBy: json.convertedBy as string, signature: json.signature as object, userDefinedMetadata: json.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[],
    weightData: weightData.buffer,
  };
}

/** TF.js's prediction (cpu backend, executeAsync on every output node), with the output names it used and the time it took. */
export async function tfjsPredict(name: string, input: ModelInput): Promise<{ outputs: ModelOutput[]; outputNodes: string[]; ms: number }> {
  await tf.setBackend('cpu');
  const started = performance.now();
  const model = await tf.loadGraphModel(tf.io.fromMemory(tfjsArtifacts(name)));
  const x = tf.tensor(input.values, input.shape, input.dtype);
  try {
    const outputNodes = model.outputNodes.slice();
    const result = await model.executeAsync({ [input.name]: x }, outputNodes);
    const list = Array.isArray(result) ? result : [result];
    const outputs: ModelOutput[] = [];
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!;
      outputs.push({ name: outputNodes[i]!, dtype: t.dtype, shape: t.shape.slice(), values: (await t.data()) as Float32Array | Int32Array | Uint8Array });
    }
    tf.dispose(list);
    return { outputs, outputNodes, ms: performance.now() - started };
  } finally {
    x.dispose();
    model.dispose();
  }
}

/** How far one output is from the oracle: the largest |a - b| and |a - b| / max(1, |b|), and where. */
export interface OutputDifference { name: string; maxAbs: number; maxRel: number; worstIndex: number; problems: string[] }

/** The tolerance of the issue: |a - b| <= TOLERANCE * max(1, |b|). */
export const TOLERANCE = 1e-4;

/**
 * Compares every output with the oracle's: the same names in the same order, equal shapes and dtypes,
 * values within the tolerance (NaN only where the oracle has NaN). Returns one entry per output, each
 * listing its problems (empty when it matches).
 */
export function compareModelOutputs(actual: readonly ModelOutput[], expected: readonly ModelOutput[]): OutputDifference[] {
  const out: OutputDifference[] = [];
  if (actual.length !== expected.length) {
    out.push({ name: '(outputs)', maxAbs: Infinity, maxRel: Infinity, worstIndex: -1,
      problems: [`sora returned ${actual.length} outputs [${actual.map((o) => o.name)}], TF.js ${expected.length} [${expected.map((o) => o.name)}]`] });
  }
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
    const a = actual[i]!, b = expected[i]!;
    const problems: string[] = [];
    if (a.name !== b.name) problems.push(`output #${i} is '${a.name}', TF.js's is '${b.name}'`);
    if (a.dtype !== b.dtype) problems.push(`dtype ${a.dtype}, TF.js ${b.dtype}`);
    if (JSON.stringify(a.shape) !== JSON.stringify(b.shape)) problems.push(`shape [${a.shape}], TF.js [${b.shape}]`);
    let maxAbs = 0, maxRel = 0, worstIndex = -1, bad = 0;
    if (a.values.length !== b.values.length) {
      problems.push(`${a.values.length} values, TF.js ${b.values.length}`);
    } else {
      for (let j = 0; j < b.values.length; j++) {
        const x = Number(a.values[j]), y = Number(b.values[j]);
        if (Number.isNaN(y) && Number.isNaN(x)) continue;
        const abs = Math.abs(x - y);
        const rel = Number.isNaN(abs) ? Infinity : abs / Math.max(1, Math.abs(y));
        if (worstIndex === -1 || rel > maxRel) { worstIndex = j; maxRel = rel; }
        maxAbs = Math.max(maxAbs, Number.isNaN(abs) ? Infinity : abs);
        if (!(rel <= TOLERANCE)) bad++;
      }
      if (bad > 0) {
        problems.push(`${bad} of ${b.values.length} values off by more than ${TOLERANCE} * max(1, |b|): worst at ${worstIndex}, ` +
          `sora ${a.values[worstIndex]} vs TF.js ${b.values[worstIndex]} (abs ${maxAbs.toExponential(2)}, rel ${maxRel.toExponential(2)})`);
      }
    }
    out.push({ name: b.name, maxAbs, maxRel, worstIndex, problems });
  }
  return out;
}

/** One line per output for the test log: name, shape, largest abs / rel error. */
export function describeDifferences(model: string, differences: readonly OutputDifference[]): string {
  return differences.map((d) => `${model} ${d.name}: max abs ${d.maxAbs.toExponential(2)}, max rel ${d.maxRel.toExponential(2)}` +
    (d.problems.length > 0 ? ` FAIL ${d.problems.join('; ')}` : '')).join('\n');
}

/**
 * The model's computed nodes (no Const, no Placeholder, nothing inside a TF1 loop frame) in a
 * topological order of their data inputs: the order a bisection walks.
 */
export function computedNodes(name: string): { name: string; op: string }[] {
  const nodes = readModelJson(name).modelTopology.node as { name: string; op: string; input?: string[] }[];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const inLoop = new Set<string>();
  for (const n of nodes) if (['Enter', 'Exit', 'Merge', 'Switch', 'NextIteration', 'LoopCond'].includes(n.op)) inLoop.add(n.name);
  const order: { name: string; op: string }[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (root: string) => {
    const stack: [string, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const node = byName.get(top[0])!;
      if (top[1] === 0) {
        if (state.has(node.name)) { stack.pop(); continue; }
        state.set(node.name, 'visiting');
      }
      const inputs = (node.input ?? []).filter((i) => !i.startsWith('^')).map((i) => i.split(':')[0]!);
      const next = inputs.slice(top[1]).find((i) => byName.has(i) && !state.has(i));
      if (next !== undefined) { top[1] = inputs.indexOf(next) + 1; stack.push([next, 0]); continue; }
      state.set(node.name, 'done');
      stack.pop();
      if (node.op !== 'Const' && node.op !== 'Placeholder' && !inLoop.has(node.name) && !node.name.includes('/while/')) order.push({ name: node.name, op: node.op });
    }
  };
  for (const n of nodes) visit(n.name);
  return order;
}

/** TF.js's (cpu) values of the named nodes (output 0 of each) for the input. */
export async function tfjsNodeValues(name: string, input: ModelInput, nodes: readonly string[]): Promise<ModelOutput[]> {
  await tf.setBackend('cpu');
  const model = await tf.loadGraphModel(tf.io.fromMemory(tfjsArtifacts(name)));
  const x = tf.tensor(input.values, input.shape, input.dtype);
  try {
    const result = await model.executeAsync({ [input.name]: x }, nodes.slice());
    const list = Array.isArray(result) ? result : [result];
    const outputs: ModelOutput[] = [];
    for (let i = 0; i < list.length; i++) {
      outputs.push({ name: nodes[i]!, dtype: list[i]!.dtype, shape: list[i]!.shape.slice(), values: (await list[i]!.data()) as Float32Array });
    }
    tf.dispose(list);
    return outputs;
  } finally {
    x.dispose();
    model.dispose();
  }
}

/**
 * Walks the model's computed nodes in topological order, `chunk` at a time, comparing sora's value of
 * each (from `soraNodes`) with TF.js's, and names the first node off by more than `tolerance` * max(1, |b|)
 * (a looser bar than the outputs', so float noise that grows along the graph does not stop it early).
 */
export async function firstDivergingNode(name: string, input: ModelInput, soraNodes: (nodes: string[]) => Promise<ModelOutput[]>,
  options: { chunk?: number; tolerance?: number } = {}): Promise<string> {
  const order = computedNodes(name);
  const chunk = options.chunk ?? 60, tolerance = options.tolerance ?? 1e-3;
  for (let start = 0; start < order.length; start += chunk) {
    const names = order.slice(start, start + chunk).map((n) => n.name);
    let ours: ModelOutput[];
    try {
      ours = await soraNodes(names);
    } catch (error) {
      return `sora failed fetching nodes ${start}..${start + names.length - 1}: ${(error as Error).message}`;
    }
    const theirs = await tfjsNodeValues(name, input, names);
    for (let i = 0; i < names.length; i++) {
      const d = compareModelOutputs([ours[i]!], [theirs[i]!])[0]!;
      if (d.problems.length > 0 && (d.maxRel > tolerance || d.problems.some((p) => !p.includes('values off')))) {
        const node = order[start + i]!;
        return `first node off by more than ${tolerance}: '${node.name}' (${node.op}), input ${inputsOf(name, node.name)}: ${d.problems.join('; ')}`;
      }
    }
  }
  return `no computed node is off by more than ${tolerance}`;
}

function inputsOf(model: string, node: string): string {
  const found = readModelJson(model).modelTopology.node.find((n) => n.name === node) as { input?: string[] } | undefined;
  return `[${(found?.input ?? []).join(', ')}]`;
}

export { type GraphModelLike, loaderOf } from './human-models-loader.js';
