/**
 * The classes loading knows without registerClass: sora's layers and models by the class
 * names TF.js and Keras write. A function, not a table filled at import time, so that
 * importing sora runs no registration code and bundles keep only what they use.
 */
import { Activation, Dense, Dropout, Flatten, InputLayer } from '../layers/core.js';
import { Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply } from '../layers/merge.js';
import type { SerializableClass } from '../layers/serialization.js';
import { Functional, LayersModel } from './functional.js';
import { Sequential } from './sequential.js';
import { ownEntry } from '../lookup.js';

export function builtinClass(className: string): SerializableClass | undefined {
  const classes: Record<string, unknown> = {
    InputLayer, Dense, Flatten, Activation, Dropout, Add, Multiply, Average, Maximum, Minimum, Concatenate, Dot,
    Model: LayersModel, Functional, Sequential,
  };
  return ownEntry(classes, className) as SerializableClass | undefined;
}
