/**
 * model.summary(): Keras's table. A Sequential model lists layer, output shape and
 * parameters; a graph model adds "Connected to" (each input as layer[call][tensor]).
 */
import type { Layer } from '../layers/base.js';
import { shapeString, type SymbolicShape } from '../layers/graph.js';

const shapeText = (s: SymbolicShape | SymbolicShape[]): string =>
  (Array.isArray(s[0]) ? (s as SymbolicShape[]).map(shapeString).join(', ') : shapeString(s as SymbolicShape));

/** A model is a Layer with layers of its own (functional.ts's LayersModel; named here so that summary imports no model). */
export function summary(model: Layer & { readonly layers: Layer[] }, lineLength?: number, positions?: number[], printFn: (line: string) => void = console.log): void {
  const sequential = model.getClassName() === 'Sequential';
  const width = lineLength ?? (sequential ? 65 : 98);
  const stops = positions ?? (sequential ? [0.45, 0.85, 1] : [0.33, 0.55, 0.67, 1]);
  const cols = stops.map((p) => Math.floor(p <= 1 ? p * width : p));
  const row = (fields: string[]) => {
    let line = '';
    fields.forEach((f, i) => { line = (line + f).padEnd(cols[i] - 1).slice(0, cols[i] - 1) + ' '; });
    return line.trimEnd();
  };
  printFn(`Model: ${model.name}`);
  printFn('_'.repeat(width));
  printFn(row(['Layer (type)', 'Output shape', 'Param #', ...(sequential ? [] : ['Connected to'])]));
  printFn('='.repeat(width));
  const layers = model.layers;
  const inModel = (layer: Layer) => layer.inboundNodes.filter((n) => n.outputs.length > 0);
  layers.forEach((layer, i) => {
    const params = layer.built ? String(layer.countParams()) : '0';
    const shape = (() => { try { return shapeText(layer.outputShape); } catch { return 'multiple'; } })();
    if (sequential) {
      printFn(row([`${layer.name} (${layer.getClassName()})`, shape, params]));
    } else {
      const sources = inModel(layer).flatMap((n) => n.inputs.map((t) => `${t.sourceLayer.name}[${t.nodeIndex}][${t.tensorIndex}]`));
      printFn(row([`${layer.name} (${layer.getClassName()})`, shape, params, sources[0] ?? '']));
      for (const more of sources.slice(1)) printFn(row(['', '', '', more]));
    }
    printFn(i === layers.length - 1 ? '='.repeat(width) : '_'.repeat(width));
  });
  const total = model.countParams();
  const trainable = model.trainableWeights.reduce((a, w) => a + w.size, 0);
  printFn(`Total params: ${total}`);
  printFn(`Trainable params: ${trainable}`);
  printFn(`Non-trainable params: ${total - trainable}`);
  printFn('_'.repeat(width));
}
