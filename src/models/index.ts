/** Models: tf.model, tf.sequential, loading and tf.models.* (built-in classes: ./builtins.ts). */
import { Functional, LayersModel, model } from './functional.js';
import { Sequential, sequential } from './sequential.js';
import { modelFromJSON } from './load.js';

export { LayersModel, Functional, model, Sequential, sequential };
export { loadLayersModel, modelFromJSON } from './load.js';
export { SymbolicTensor } from '../layers/graph.js';
export type { ContainerArgs } from './functional.js';
export type { ModelArgs } from './sequential.js';
export type { CompileArgs, LossIdentifier, MetricIdentifier } from './compile.js';
export type { FitArgs, FitDatasetArgs } from './fit.js';

/** TF.js's tf.models namespace: modelFromJSON, a model built from its topology JSON. */
export const models = { modelFromJSON };
