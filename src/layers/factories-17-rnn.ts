/** The recurrent layer factories under TF.js's names (spread into sora.layers), and the classes TF.js's tf.layers holds. */
import { RNN, RNNCell, StackedRNNCells, type RNNLayerArgs, type StackedRNNCellsArgs } from './recurrent-base.js';
import {
  GRUCell, LSTMCell, SimpleRNNCell, type GRUCellLayerArgs, type LSTMCellLayerArgs, type SimpleRNNCellLayerArgs,
} from './recurrent-cells.js';
import { GRU, LSTM, SimpleRNN, type GRULayerArgs, type LSTMLayerArgs, type SimpleRNNLayerArgs } from './recurrent.js';

export const recurrentLayers = {
  /** The base class of recurrent layers (tf.layers.RNN); layers.rnn makes one. */
  RNN: RNN as typeof RNN,
  /** The base class of recurrent cells (tf.layers.RNNCell): subclass it with build, call and stateSize for layers.rnn. */
  RNNCell: RNNCell as typeof RNNCell,
  /**
   * A recurrent layer running `cell` (an RNNCell, or a list of them stacked) over the steps of [batch, steps,
   * features] (tf.layers.rnn); returnSequences, returnState, goBackwards and stateful default false.
   * @example
   * ```js
   * const layer = sora.layers.rnn({ cell: [sora.layers.lstmCell({ units: 8 }), sora.layers.gruCell({ units: 4 })] });
   * ```
   */
  rnn: (args: RNNLayerArgs) => new RNN(args),
  /**
   * A fully connected recurrent layer, h = activation(x W + b + h U) (tf.layers.simpleRNN); units is required,
   * activation default 'tanh', kernelInitializer 'glorotNormal', recurrentInitializer 'orthogonal'.
   */
  simpleRNN: (args: SimpleRNNLayerArgs) => new SimpleRNN(args),
  /**
   * A Long Short-Term Memory layer (tf.layers.lstm); units is required, activation default 'tanh',
   * recurrentActivation 'hardSigmoid' (TF.js's default), unitForgetBias false; masks from the previous layer skip steps.
   * @example
   * ```js
   * const lstm = sora.layers.lstm({ units: 64, returnSequences: true });
   * ```
   */
  lstm: (args: LSTMLayerArgs) => new LSTM(args),
  /**
   * A Gated Recurrent Unit layer (tf.layers.gru); units is required, activation default 'tanh',
   * recurrentActivation 'hardSigmoid', resetAfter false (TF.js's form; true takes Keras's [2, 3 * units] bias).
   */
  gru: (args: GRULayerArgs) => new GRU(args),
  /** The cell of simpleRNN, one step of [x, h] (tf.layers.simpleRNNCell); units is required. */
  simpleRNNCell: (args: SimpleRNNCellLayerArgs) => new SimpleRNNCell(args),
  /** The cell of lstm, one step of [x, h, c] (tf.layers.lstmCell); units is required. */
  lstmCell: (args: LSTMCellLayerArgs) => new LSTMCell(args),
  /** The cell of gru, one step of [x, h] (tf.layers.gruCell); units is required. */
  gruCell: (args: GRUCellLayerArgs) => new GRUCell(args),
  /** Several cells run as one, each fed by the previous one's output (tf.layers.stackedRNNCells). */
  stackedRNNCells: (args: StackedRNNCellsArgs) => new StackedRNNCells(args),
};

/** The recurrent classes by the names saved configs use. */
export function recurrentLayersClass(className: string): unknown {
  const classes: Record<string, unknown> = { RNN, SimpleRNN, LSTM, GRU, SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells };
  return Object.hasOwn(classes, className) ? classes[className] : undefined;
}
