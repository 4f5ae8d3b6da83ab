/** Models: tf.model, tf.sequential, loading and tf.models.*, and their classes in the layer registry. */
import { registerClass } from '../layers/serialization.js';
import { BUILTIN_LAYERS } from '../layers/index.js';
import { Functional, LayersModel, model } from './functional.js';
import { Sequential, sequential } from './sequential.js';
import { modelFromJSON } from './save.js';

// Registered where loading lives, so a bundle that imports only loadLayersModel has them.
for (const cls of [...BUILTIN_LAYERS, LayersModel, Functional, Sequential]) registerClass(cls as never);

export { LayersModel, Functional, model, Sequential, sequential };
export { loadLayersModel, modelFromJSON } from './save.js';
export { SymbolicTensor } from './graph.js';
export type { ContainerArgs } from './functional.js';
export type { ModelArgs } from './sequential.js';
export type { CompileArgs, LossIdentifier, MetricIdentifier } from './compile.js';
export type { FitArgs, FitDatasetArgs } from './fit.js';

/** tf.models */
export const models = { modelFromJSON };
