/** The graph-model runtime's public face: loading, GraphModel, and custom ops. */
export { GraphModel } from './model.js';
export type { GraphModelSource, ModelPredictConfig, NamedTensorMap, NamedTensorsMap, SaveConfig } from './model.js';
export { loadGraphModel, loadGraphModelSync } from './load.js';
export type { TensorInfo } from './executor.js';
export { registerOp, deregisterOp, getRegisteredOp } from './custom-ops.js';
export type { CustomOpNode, OpExecutor, RegisteredOp } from './custom-ops.js';
