/** The convolutional LSTM factories under TF.js's names (spread into sora.layers). */
import { ConvLSTM2D, ConvLSTM2DCell, type ConvLSTM2DArgs, type ConvLSTM2DCellArgs } from './conv-recurrent.js';

export const convRecurrentLayers = {
  /**
   * A convolutional LSTM over [batch, steps, rows, cols, channels] (tf.layers.convLstm2d): an LSTM whose
   * products are 2-D convolutions; filters and kernelSize are required, strides 1, padding 'valid',
   * dataFormat 'channelsLast', activation 'tanh', recurrentActivation 'hardSigmoid', kernelInitializer
   * 'glorotNormal', recurrentInitializer 'orthogonal'; returnSequences, returnState, goBackwards and stateful
   * default false.
   * @example
   * ```js
   * const layer = sora.layers.convLstm2d({ filters: 8, kernelSize: 3, padding: 'same', returnSequences: true });
   * ```
   */
  convLstm2d: (args: ConvLSTM2DArgs) => new ConvLSTM2D(args),
  /** The cell of convLstm2d, one step of [x, h, c] (tf.layers.convLstm2dCell); filters and kernelSize are required. */
  convLstm2dCell: (args: ConvLSTM2DCellArgs) => new ConvLSTM2DCell(args),
};

/** The convolutional recurrent classes by the names saved configs use. */
export function convRecurrentLayersClass(className: string): unknown {
  const classes: Record<string, unknown> = { ConvLSTM2D, ConvLSTM2DCell };
  return Object.hasOwn(classes, className) ? classes[className] : undefined;
}
