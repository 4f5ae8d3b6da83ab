/** The wrapper layer factories under TF.js's names (spread into sora.layers), and their classes by saved name. */
import { Bidirectional, TimeDistributed, type BidirectionalLayerArgs, type WrapperLayerArgs } from './wrappers.js';

export const wrapperLayers = {
  /**
   * A layer applying `layer` to every time step of [batch, steps, ...] (tf.layers.timeDistributed); `layer` is
   * required, and its weights are this layer's (named '<timeDistributed>/kernel', as TF.js saves them).
   * @example
   * ```js
   * const layer = sora.layers.timeDistributed({ layer: sora.layers.dense({ units: 8 }), inputShape: [10, 16] });
   * ```
   */
  timeDistributed: (args: WrapperLayerArgs) => new TimeDistributed(args),
  /**
   * A recurrent layer run over the sequence forwards and backwards (tf.layers.bidirectional); `layer` (simpleRNN,
   * lstm, gru or rnn) is required, mergeMode default 'concat' ('sum', 'mul', 'ave', or null for both outputs).
   * @example
   * ```js
   * const layer = sora.layers.bidirectional({ layer: sora.layers.lstm({ units: 64 }), mergeMode: 'concat' });
   * ```
   */
  bidirectional: (args: BidirectionalLayerArgs) => new Bidirectional(args),
};

/** The wrapper classes by the names saved configs use. */
export function wrapperLayersClass(className: string): unknown {
  const classes: Record<string, unknown> = { TimeDistributed, Bidirectional };
  return Object.hasOwn(classes, className) ? classes[className] : undefined;
}
