/**
 * The recurrent layers as TF.js has them: SimpleRNN, LSTM and GRU, each an RNN over its built-in
 * cell, its config the cell's fields with the RNN's flags (TF.js's layout: no nested cell).
 */
import type { ActivationName } from './activations.js';
import { RNN, type RNNLayerArgs } from './recurrent-base.js';
import {
  GRUCell, LSTMCell, SimpleRNNCell, type GRUCellLayerArgs, type LSTMCellLayerArgs, type SimpleRNNCellLayerArgs,
} from './recurrent-cells.js';

/** The RNN flags every recurrent layer takes (TF.js's BaseRNNLayerArgs, without the cell). */
export type BaseRNNLayerArgs = Omit<RNNLayerArgs, 'cell'>;
/** The config of layers.simpleRNN (TF.js's SimpleRNNLayerArgs). */
export interface SimpleRNNLayerArgs extends SimpleRNNCellLayerArgs, BaseRNNLayerArgs {}
/** The config of layers.lstm (TF.js's LSTMLayerArgs). */
export interface LSTMLayerArgs extends LSTMCellLayerArgs, BaseRNNLayerArgs {}
/** The config of layers.gru (TF.js's GRULayerArgs). */
export interface GRULayerArgs extends GRUCellLayerArgs, BaseRNNLayerArgs {}

type Built = SimpleRNNCell | LSTMCell | GRUCell;

/** What simpleRNN, lstm and gru share: the cell's options read through the layer, as TF.js's getters. */
abstract class BuiltinRNN<C extends Built> extends RNN {
  declare readonly cell: C;
  /** The output and state size. */
  get units(): number { return this.cell.units; }
  /** The output (or candidate) activation. */
  get activation(): ActivationName { return this.cell.activation; }
  /** Whether the cell adds a bias. */
  get useBias(): boolean { return this.cell.useBias; }
  /** The input dropout rate. */
  get dropout(): number { return this.cell.dropout; }
  /** The recurrent dropout rate. */
  get recurrentDropout(): number { return this.cell.recurrentDropout; }
}

/** The layer class behind layers.simpleRNN: a fully connected RNN, h = activation(x W + b + h_{t-1} U). */
export class SimpleRNN extends BuiltinRNN<SimpleRNNCell> {
  /** 'SimpleRNN', the class name in saved configs. */
  static override className = 'SimpleRNN';
  /** A simpleRNN layer; units is required. */
  constructor(args: SimpleRNNLayerArgs) {
    super({ ...args, cell: new SimpleRNNCell(args) });
  }
}

/** The layer class behind layers.lstm: Long Short-Term Memory (Hochreiter 1997), gates i, f, c, o. */
export class LSTM extends BuiltinRNN<LSTMCell> {
  /** 'LSTM', the class name in saved configs. */
  static override className = 'LSTM';
  /** An lstm layer; units is required. */
  constructor(args: LSTMLayerArgs) {
    super({ ...args, cell: new LSTMCell(args) });
  }
  /** The gates' activation. */
  get recurrentActivation(): ActivationName { return this.cell.recurrentActivation; }
  /** Whether the forget gate's bias starts at 1. */
  get unitForgetBias(): boolean { return this.cell.unitForgetBias; }
}

/** The layer class behind layers.gru: Gated Recurrent Unit (Cho 2014), gates z, r, h. */
export class GRU extends BuiltinRNN<GRUCell> {
  /** 'GRU', the class name in saved configs. */
  static override className = 'GRU';
  /** A gru layer; units is required. */
  constructor(args: GRULayerArgs) {
    super({ ...args, cell: new GRUCell(args) });
  }
  /** The gates' activation. */
  get recurrentActivation(): ActivationName { return this.cell.recurrentActivation; }
  /** Keras's reset-after form. */
  get resetAfter(): boolean { return this.cell.resetAfter; }
}
