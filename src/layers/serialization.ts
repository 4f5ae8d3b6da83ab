/**
 * Layer (de)serialization: the class registry (tf.serialization.registerClass), a layer from
 * its {className, config}, and the one place where model.json's snake_case meets TF.js's
 * camelCase configs (the same conversion as tfjs-layers: keys, and string values other than
 * names).
 */
import type { Layer } from './base.js';
import { Activation, Dense, Dropout, Flatten, InputLayer } from './core.js';
import { Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply } from './merge.js';
import { layers16Class } from './factories-16.js';
import { convLayersClass } from './factories-conv.js';
import { Embedding } from './embedding.js';
import { Masking, RepeatVector } from './core-sequence.js';
import { recurrentLayersClass } from './factories-17-rnn.js';
import { wrapperLayersClass } from './factories-17-wrappers.js';
import { withLayerDeserializer } from './nested-config.js';
import { ownEntry, setOwn } from '../core/lookup.js';

/**
 * A class that serialization.registerClass accepts: a constructor with a static `className`, the name a saved
 * model's config uses to find it.
 */
export interface SerializableClass {
  /** The name a saved config gives the class, which serialization.registerClass registers it under. */
  className: string;
  /** Builds an instance from a saved config (and custom objects), as TF.js's static fromConfig. */
  fromConfig(cls: unknown, config: Record<string, unknown>, customObjects?: Record<string, unknown>): unknown;
  new (...args: never[]): unknown;
}

const REGISTRY = new Map<string, SerializableClass>();

/** tf.serialization.registerClass: make `cls` loadable by its static className. */
export function registerClass<T extends SerializableClass>(cls: T): T {
  if (typeof cls !== 'function') throw new Error(`registerClass: expected a class; received ${typeof cls}`);
  if (!Object.hasOwn(cls, 'className') || typeof cls.className !== 'string' || cls.className === '') {
    throw new Error(`registerClass: class ${cls.name} needs a static className, e.g. static className = '${cls.name}'`);
  }
  REGISTRY.set(cls.className, cls);
  return cls;
}

/** The classes a model file may name. */
export type ClassLookup = (className: string) => SerializableClass | undefined;

/**
 * The layer classes loading knows without registerClass, by the class names TF.js and Keras
 * write. A function, not a table filled at import time, so that importing sora runs no
 * registration code and bundles keep only what they use.
 */
function builtinLayerClass(className: string): SerializableClass | undefined {
  const classes: Record<string, unknown> = {
    InputLayer, Dense, Flatten, Activation, Dropout, Add, Multiply, Average, Maximum, Minimum, Concatenate, Dot, Embedding,
    RepeatVector, Masking,
  };
  if (Object.hasOwn(classes, className)) return classes[className] as SerializableClass;
  return (layers16Class(className) ?? convLayersClass(className) ?? recurrentLayersClass(className) ??
    wrapperLayersClass(className)) as SerializableClass | undefined;
}

/**
 * The model classes (Model, Functional, Sequential) live above the layers, and a model's
 * fromConfig deserializes layers that may be models again. So the loader that knows them
 * (src/models/load.ts, or a model class's own fromConfig) hands them down inside the
 * customObjects it passes, under this key, and every nested fromConfig passes them on.
 */
const MODEL_CLASSES = Symbol('sora.modelClasses');
type WithModelClasses = Record<string, unknown> & { [MODEL_CLASSES]?: ClassLookup };

/** customObjects carrying `lookup` for the model classes (kept when customObjects already carries one). */
export function withModelClasses(customObjects: Record<string, unknown>, lookup: ClassLookup): Record<string, unknown> {
  return (customObjects as WithModelClasses)[MODEL_CLASSES] ? customObjects : { ...customObjects, [MODEL_CLASSES]: lookup };
}

/**
 * A class by name: registered ones first (a registered class may replace a built-in one), then
 * the built-in layers, then the model classes carried in customObjects.
 */
export function registeredClass(className: string, customObjects: Record<string, unknown> = {}): SerializableClass | undefined {
  return REGISTRY.get(className) ?? builtinLayerClass(className) ?? (customObjects as WithModelClasses)[MODEL_CLASSES]?.(className);
}

/** A layer from a camelCase {className, config}; an unknown class is an error naming it. */
export function deserializeLayer(entry: { className?: unknown; config?: unknown }, where: string,
  customObjects: Record<string, unknown> = {}): Layer {
  const className = entry?.className;
  if (typeof className !== 'string') throw new Error(`${where}: a layer entry has no class_name: ${JSON.stringify(entry)?.slice(0, 120)}`);
  // Own names only: a class_name of 'constructor' or '__proto__' is unknown, not Object's.
  const cls = (ownEntry(customObjects ?? {}, className) as SerializableClass | undefined) ?? registeredClass(className, customObjects);
  if (!cls) {
    const name = (entry.config as { name?: string } | undefined)?.name;
    throw new Error(`${where}: unknown layer class '${className}'${name ? ` (layer '${name}')` : ''}. A custom layer must be ` +
      `registered before loading: tf.serialization.registerClass(${className}) with static className = '${className}'`);
  }
  return cls.fromConfig(cls, (entry.config ?? {}) as Record<string, unknown>,
    withLayerDeserializer(customObjects, deserializeLayer)) as Layer;
}

const toSnake = (s: string): string => {
  const snake = s.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return snake.startsWith('_') ? `private${snake}` : snake;
};
const toCamel = (s: string): string => (s.startsWith('_') ? s : s.replace(/[_]+(\w|$)/g, (_, c: string) => c.toUpperCase()));

/** Layer names at index 0 of inbound_nodes / input_layers / output_layers entries stay as they are. */
const isNameItem = (key: string | undefined, index: number, value: unknown) =>
  (key === 'inboundNodes' || key === 'inbound_nodes' || key === 'inputLayers' || key === 'input_layers' ||
    key === 'outputLayers' || key === 'output_layers') && index === 0 && typeof value === 'string';

function convert(value: unknown, key: string | undefined, keyFn: (s: string) => string, toPython: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return keyFn(value);
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item, i) => (isNameItem(key, i, item) ? item : convert(item, key, keyFn, toPython)));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const newKey = keyFn(k);
    const keepsValue = typeof v === 'string' && (k === 'name' || (toPython && k === 'className'));
    // A '__proto__' key from a file stays an own key: no config's prototype is replaced.
    setOwn(out, newKey, keepsValue ? v : convert(v, newKey, keyFn, toPython));
  }
  return out;
}

/** camelCase config -> model.json's snake_case (tfjs-layers convertTsToPythonic). */
export const toPythonic = (config: unknown): unknown => convert(config, undefined, toSnake, true);
/** model.json's snake_case -> camelCase config (tfjs-layers convertPythonicToTs). */
export const fromPythonic = (config: unknown): unknown => convert(config, undefined, toCamel, false);
