/**
 * Layers under TF.js names and config objects (sora.layers.dense({...}), ...), the Layer base
 * class to subclass, and the registry that loads them by class name.
 */
import { Layer, type LayerArgs } from './base.js';
import { Activation, Dense, Dropout, Flatten, InputLayer, input, type DenseArgs } from './core.js';
import { mergeLayers } from './merge.js';
import type { ActivationName } from './activations.js';

export { Layer, uniqueName } from './base.js';
export type { Constraint, Kwargs, LayerArgs, Shape, SymbolicShape } from './base.js';
export { InputSpec, LayerVariable } from './layer-variable.js';
export type { InputSpecArgs, LayerVariableConstructor } from './layer-variable.js';
export { Activation, Dense, Dropout, Flatten, InputLayer, input } from './core.js';
export type { DenseArgs, InputConfig } from './core.js';
export { Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply } from './merge.js';
export { deserializeLayer, fromPythonic, registerClass, registeredClass, toPythonic } from './serialization.js';
export { logitsOf } from './logits.js';

/** Factories under TF.js names: sora.layers.dense({...}), ... ; sora.layers.Layer to subclass. */
export const layers = {
  Layer,
  dense: (args: DenseArgs) => new Dense(args),
  flatten: (args?: LayerArgs) => new Flatten(args),
  activation: (args: LayerArgs & { activation: ActivationName }) => new Activation(args),
  dropout: (args: LayerArgs & { rate: number; seed?: number }) => new Dropout(args),
  inputLayer: (args: LayerArgs) => new InputLayer(args),
  input,
  ...mergeLayers,
};
