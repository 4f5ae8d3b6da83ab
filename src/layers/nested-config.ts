/**
 * Deserializing a layer nested in another layer's config (an RNN's cell, a stack's cells, a
 * wrapper's layer) without importing serialization.ts, which imports every layer class: its
 * deserializeLayer hands itself down in the customObjects it passes to fromConfig, under a
 * symbol key, as it hands down the model classes.
 */
import type { Layer } from './base.js';

type Deserialize = (entry: { className?: unknown; config?: unknown }, where: string, customObjects: Record<string, unknown>) => Layer;
const DESERIALIZE = Symbol('sora.deserializeLayer');
type WithDeserializer = Record<string, unknown> & { [DESERIALIZE]?: Deserialize };

/** customObjects carrying `deserialize` for nested layer configs (kept when they already carry one). */
export function withLayerDeserializer(customObjects: Record<string, unknown>, deserialize: Deserialize): Record<string, unknown> {
  return (customObjects as WithDeserializer)[DESERIALIZE] ? customObjects : { ...customObjects, [DESERIALIZE]: deserialize };
}

/** A layer from a nested {className, config}, through the deserializer customObjects carry. */
export function deserializeNested(entry: unknown, where: string, customObjects: Record<string, unknown> = {}): Layer {
  const deserialize = (customObjects as WithDeserializer)[DESERIALIZE];
  if (!deserialize) {
    throw new Error(`${where}: a nested layer config is deserialized by the model loader (loadLayersModel, ` +
      'serialization.deserialize); it was not given one');
  }
  return deserialize(entry as { className?: unknown; config?: unknown }, where, customObjects);
}
