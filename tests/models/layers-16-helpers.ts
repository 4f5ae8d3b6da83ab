/**
 * Differential helpers for the layers of issue 16: one model-building function run on TF.js
 * (cpu) and on sora, TF.js's weights copied into sora, then predictions, fit steps and
 * save / load compared.
 */
import { expect } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TF = any;

/** max |a - b| <= atol + rtol * |b| for every entry, naming `what` and the worst index. */
export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-4): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < b.length; i++) {
    const excess = Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i]));
    if (!(excess <= worstExcess)) { worst = i; worstExcess = Number.isNaN(excess) ? Infinity : excess; }
  }
  if (worst >= 0) expect(a[worst], `${what}[${worst}] (sora ${a[worst]}, tfjs ${b[worst]})`).toBeCloseTo(b[worst], 5);
}

/** Deterministic values in [-1, 1) of a shape (a sine pattern; no library randomness). */
export function values(shape: number[], phase = 0): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + phase) * 0.9 + Math.cos(i * 0.31 + phase) * 0.1);
}

/** [rows, length] token ids in [1, vocab), zeros (padding) at the ends of some rows and at the start of one. */
export function ids(rows: number, length: number, vocab: number): number[] {
  return Array.from({ length: rows * length }, (_, i) => {
    const row = Math.floor(i / length), col = i % length;
    if (col >= length - (row % 3) || (row === 1 && col === 0)) return 0;
    return 1 + ((i * 7 + 3) % (vocab - 1));
  });
}

/** The same model in both libraries, sora's weights set to TF.js's. */
export function twin(build: (tf: TF) => TF): { theirs: TF; ours: TF } {
  const theirs = build(tfjs);
  const ours = build(sora);
  expect(ours.layers.length).toBe(theirs.layers.length);
  theirs.layers.forEach((layer: TF, i: number) => {
    const ws = layer.getWeights();
    expect(ours.layers[i].weights.map((w: TF) => w.shape), `layer ${i} weight shapes`).toEqual(ws.map((w: TF) => w.shape));
    ours.layers[i].setWeights(ws.map((w: TF) => sora.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
  });
  return { theirs, ours };
}

/** Both models' predictions on x agree. */
export function expectSamePredictions(ours: TF, theirs: TF, shape: number[], what: string, atol = 1e-5): void {
  const x = values(shape);
  const a = ours.predict(sora.tensor(x, shape)), b = theirs.predict(tfjs.tensor(x, shape));
  expect(a.shape, `${what}: output shape`).toEqual(b.shape);
  expectClose(a.dataSync(), b.dataSync(), `${what}: prediction`, atol);
}

/** Every layer's weights (moving statistics included) agree, by layer and weight name. */
export function expectSameWeights(ours: TF, theirs: TF, what: string, atol = 1e-5): void {
  theirs.layers.forEach((layer: TF, i: number) => {
    const ws = layer.getWeights(), os = ours.layers[i].getWeights();
    expect(os.length, `${what}: layer ${layer.name} weight count`).toBe(ws.length);
    ws.forEach((w: TF, j: number) => expectClose(os[j].dataSync(), w.dataSync(), `${what}: ${layer.name} weight ${j} (${layer.weights[j].name})`, atol));
  });
}

/** The same SGD fit (full batch, no shuffle) on both; weights compared after. */
export async function fitBoth(ours: TF, theirs: TF, xShape: number[], yShape: number[], epochs = 3): Promise<void> {
  const x = values(xShape, 0.3), y = values(yShape, 1.1);
  for (const [tf, model] of [[tfjs, theirs], [sora, ours]] as const) {
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    await model.fit(tf.tensor(x, xShape), tf.tensor(y, yShape), { epochs, batchSize: xShape[0], shuffle: false, verbose: 0 });
  }
}

/** What TF.js's model.save hands a save handler, weightData as one buffer. */
export async function tfjsArtifacts(model: TF): Promise<TF> {
  let captured: TF;
  await model.save(tfjs.io.withSaveHandler(async (artifacts: TF) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const data = captured.weightData;
  return { ...captured, weightData: Array.isArray(data) ? tfjs.io.concatenateArrayBuffers(data) : data };
}

/** What sora's model.save hands a save handler. */
export async function soraArtifacts(model: TF): Promise<TF> {
  let captured: TF;
  await model.save(sora.io.withSaveHandler(async (artifacts: TF) => { captured = artifacts; }));
  return captured;
}

/** A TF.js model saved and loaded in sora, and a sora model saved and loaded in TF.js: both predict as before. */
export async function expectRoundTrips(ours: TF, theirs: TF, shape: number[], what: string): Promise<void> {
  const intoSora = await sora.loadLayersModel(sora.io.fromMemory(await tfjsArtifacts(theirs)));
  expectSamePredictions(intoSora, theirs, shape, `${what} (TF.js file loaded in sora)`);
  const intoTfjs = await tfjs.loadLayersModel(tfjs.io.fromMemory(await soraArtifacts(ours)));
  expectSamePredictions(ours, intoTfjs, shape, `${what} (sora file loaded in TF.js)`);
}
