/**
 * The model classes loading knows without registerClass (the built-in layers are known to
 * src/layers/serialization.ts): Model, Functional and Sequential, by the class names TF.js
 * and Keras write. Only the loader (./load.ts) imports this table, so no model module imports
 * another through it.
 */
import type { SerializableClass } from '../layers/serialization.js';
import { Functional, LayersModel } from './functional.js';
import { Sequential } from './sequential.js';
import { ownEntry } from '../core/lookup.js';

export function builtinModelClass(className: string): SerializableClass | undefined {
  const classes: Record<string, unknown> = { Model: LayersModel, Functional, Sequential };
  return ownEntry(classes, className) as SerializableClass | undefined;
}
