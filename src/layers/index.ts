/**
 * Layers under TF.js names and config objects (sora.layers.dense({...}), ...), the Layer base
 * class to subclass, and the registry that loads them by class name.
 */
import { Layer, type LayerArgs } from './base.js';
import { Activation, Dense, Dropout, Flatten, InputLayer, input, type DenseArgs } from './core.js';
import { mergeLayers } from './merge.js';
import { layers16 } from './factories-16.js';
import { convLayers } from './factories-conv.js';
import { layers17 } from './factories-17.js';
import { recurrentLayers } from './factories-17-rnn.js';
import { wrapperLayers } from './factories-17-wrappers.js';
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
export {
  Conv1D, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, type BaseConvArgs, type ConvLayerArgs,
} from './conv.js';
export { Embedding, type EmbeddingArgs } from './embedding.js';
export { Masking, RepeatVector } from './core-sequence.js';
export { RNN, RNNCell, StackedRNNCells, buildInScope, type RNNLayerArgs, type StackedRNNCellsArgs } from './recurrent-base.js';
export {
  GRUCell, LSTMCell, SimpleRNNCell, type GRUCellLayerArgs, type LSTMCellLayerArgs, type SimpleRNNCellLayerArgs,
} from './recurrent-cells.js';
export {
  Bidirectional, TimeDistributed, Wrapper, type BidirectionalLayerArgs, type BidirectionalMergeMode, type WrapperLayerArgs,
} from './wrappers.js';
export { GRU, LSTM, SimpleRNN, type GRULayerArgs, type LSTMLayerArgs, type SimpleRNNLayerArgs } from './recurrent.js';
export { DepthwiseConv2D, SeparableConv2D, type DepthwiseConv2DArgs, type SeparableConv2DArgs } from './conv-depthwise.js';
export {
  AveragePooling1D, AveragePooling2D, AveragePooling3D, MaxPooling1D, MaxPooling2D, MaxPooling3D, type PoolingArgs,
} from './pooling.js';

/** Factories under TF.js names: sora.layers.dense({...}), ... ; sora.layers.Layer to subclass. */
export const layers = {
  Layer,
  /**
   * A fully connected layer, output = activation(input · kernel + bias) (tf.layers.dense); `units` is
   * required, and the defaults are TF.js's: activation default 'linear', useBias default true,
   * kernelInitializer default 'glorotUniform', biasInitializer default 'zeros', no regularizer and no
   * constraint by default.
   * @example
   * ```js
   * const layer = sora.layers.dense({ units: 10, activation: 'relu', inputShape: [784] });
   * ```
   */
  dense: (args: DenseArgs) => new Dense(args),
  /** A layer that flattens each example to one axis, keeping the batch axis (tf.layers.flatten). */
  flatten: (args?: LayerArgs) => new Flatten(args),
  /**
   * A layer that applies an activation function by name ('relu', 'softmax', ...) to its input
   * (tf.layers.activation).
   */
  activation: (args: LayerArgs & { activation: ActivationName }) => new Activation(args),
  /**
   * A layer that zeroes a fraction `rate` of its inputs during training and scales the rest by 1 / (1 -
   * rate), and passes inputs through at inference (tf.layers.dropout); `seed` defaults to a random one.
   */
  dropout: (args: LayerArgs & { rate: number; seed?: number }) => new Dropout(args),
  /**
   * The layer at the start of a model, given `inputShape` or `batchInputShape` (tf.layers.inputLayer);
   * sora.input is usually simpler.
   */
  inputLayer: (args: LayerArgs) => new InputLayer(args),
  input,
  ...mergeLayers,
  ...layers16,
  ...convLayers,
  ...layers17,
  ...recurrentLayers,
  ...wrapperLayers,
};
