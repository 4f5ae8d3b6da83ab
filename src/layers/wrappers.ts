/**
 * Layers that wrap a layer, as TF.js has them (tfjs-layers wrappers.ts): the Wrapper base,
 * TimeDistributed (the layer on every time step) and Bidirectional (a recurrent layer run
 * both ways). A wrapper owns its inner layers: their weights are its weights (fit trains
 * them, save writes them), named as TF.js names them ('<wrapper>/kernel' for TimeDistributed,
 * '<wrapper>/forward_<layer>/kernel' for Bidirectional), and its config nests the layer's.
 */
import type { Tensor } from '../core/tensor.js';
import { ENGINE } from '../core/engine.js';
import * as ops from '../ops/index.js';
import { Layer, type Kwargs, type LayerArgs, type LayerVariable, type SymbolicShape } from './base.js';
import { shapeString, toList, type SymbolicTensor } from './graph.js';
import { checkChoice } from './arg-checks.js';
import { deserializeNested } from './nested-config.js';
import { RNN, buildInScope, stateSizes, statesAsInputs } from './recurrent-base.js';

const firstShape = (shape: SymbolicShape | SymbolicShape[]): SymbolicShape =>
  (Array.isArray(shape[0]) ? shape[0] : shape) as SymbolicShape;

/** The config of a wrapper (TF.js's WrapperLayerArgs): the layer it wraps. */
export interface WrapperLayerArgs extends LayerArgs {
  /** The layer to wrap (required). */
  layer: Layer;
}

/** The base of the layers that wrap a layer (tf.layers.Wrapper): its weights are the inner layer's. */
export abstract class Wrapper extends Layer {
  /** Marks call() as sora's own. */
  static override readonly soraCall = true;
  /** The wrapped layer. */
  readonly layer: Layer;

  /** A wrapper around args.layer, which must be a Layer. */
  constructor(args: WrapperLayerArgs) {
    super(args);
    if (!(args?.layer instanceof Layer)) {
      throw new Error(`${this.getClassName()} ${this.name}: the config needs a layer to wrap (a Layer instance); received ` +
        `layer=${args?.layer === null ? 'null' : (args?.layer as object)?.constructor?.name ?? typeof args?.layer}`);
    }
    this.layer = args.layer;
    if (args.trainable === false) this.layer.trainable = false;
  }

  /** As TF.js's: a wrapper is trainable when its layer is, and setting it sets the layer's. */
  override get trainable(): boolean { return this.layer?.trainable ?? this.trainableFlag; }
  override set trainable(value: boolean) {
    this.trainableFlag = value;
    if (this.layer) this.layer.trainable = value;
  }

  /** The inner layer's trainable weights. */
  override get trainableWeights(): LayerVariable[] { return this.layer.trainableWeights; }
  /** The inner layer's non-trainable weights. */
  override get nonTrainableWeights(): LayerVariable[] { return this.layer.nonTrainableWeights; }
  /** The inner layer's weight penalties. */
  override regularizationLoss(): Tensor | null { return this.layer.regularizationLoss(); }

  /** Builds `inner` for `shape` with its weights named under `scope`, and takes over its constraints. */
  protected buildInner(inner: Layer, scope: string, shape: SymbolicShape | SymbolicShape[]): void {
    buildInScope(inner, scope, shape);
    for (const [w, c] of inner.constraints) this.constraints.set(w, c);
  }

  /** Frees the inner layer's weights too. */
  override dispose(): ReturnType<Layer['dispose']> {
    const result = super.dispose();
    const inner = this.innerLayers().reduce((n, l) => n + (l.isDisposed ? 0 : l.dispose().numDisposedVariables), 0);
    return { ...result, numDisposedVariables: result.numDisposedVariables + inner };
  }

  /** The layers this wrapper owns (disposed with it). */
  protected innerLayers(): Layer[] { return [this.layer]; }

  /** TF.js's config: the layer as {className, config}, then the wrapper's own fields. */
  override getConfig(): Record<string, unknown> {
    return { layer: { className: this.layer.getClassName(), config: this.layer.getConfig() }, ...super.getConfig() };
  }

  /** A wrapper from a saved config: the nested layer is deserialized first. */
  static override fromConfig<T extends Layer>(cls: new (config: Record<string, unknown>) => T, config: Record<string, unknown>,
    customObjects: Record<string, unknown> = {}): T {
    const layer = config.layer instanceof Layer ? config.layer
      : deserializeNested(config.layer, `${(cls as unknown as typeof Layer).className}.fromConfig`, customObjects);
    return new cls({ ...config, layer });
  }
}

/**
 * The layer class behind layers.timeDistributed: the wrapped layer applied to every time step of
 * [batch, steps, ...], as one call on the steps folded into the batch ([batch * steps, ...]),
 * as Keras does (TF.js calls the layer once per step: the same outputs, except that a
 * batchNormalization in training takes its statistics over all steps at once, as in Keras).
 * The input mask passes through, as in TF.js.
 */
export class TimeDistributed extends Wrapper {
  /** 'TimeDistributed', the class name in saved configs. */
  static override className = 'TimeDistributed';

  /** A timeDistributed layer; `layer` is required. */
  constructor(args: WrapperLayerArgs) {
    super(args);
    this.supportsMasking = true;
  }

  private childShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = firstShape(inputShape);
    if (shape.length < 3) {
      throw new Error(`TimeDistributed ${this.name}: expects an input of rank 3 or more ([batch, steps, ...]); received ` +
        `shape ${shapeString(shape)}`);
    }
    return [shape[0], ...shape.slice(2)];
  }

  /** Builds the inner layer for one step's shape [batch, ...], its weights named under this layer, as TF.js does. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    this.buildInner(this.layer, this.name, this.childShape(inputShape));
    super.build(inputShape);
  }

  /** [batch, steps, ...the inner layer's output for one step]. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const child = this.layer.computeOutputShape(this.childShape(inputShape));
    if (Array.isArray(child[0])) throw new Error(`TimeDistributed ${this.name}: the wrapped layer must have one output`);
    const out = child as SymbolicShape;
    return [out[0], firstShape(inputShape)[1], ...out.slice(1)];
  }

  /** The inner layer on [batch * steps, ...], reshaped back to [batch, steps, ...]. */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = toList(inputs)[0];
    this.childShape(x.shape);
    const [batch, steps] = x.shape;
    // The mask is per step ([batch, steps]); no step of the inner layer can use it, as in TF.js (whose
    // Dense and Conv2D ignore it).
    const { mask: _, ...rest } = kwargs;
    return ENGINE.tidy(() => {
      const folded = ops.reshape(x, [batch * steps, ...x.shape.slice(2)]);
      const y = toList(this.layer.callOnTensors(folded, rest))[0];
      return ops.reshape(y, [batch, steps, ...y.shape.slice(1)]);
    });
  }
}

/** How Bidirectional combines the two directions' outputs (null: both outputs, as a list). */
export type BidirectionalMergeMode = 'sum' | 'mul' | 'concat' | 'ave';
const MERGE_MODES = ['sum', 'mul', 'concat', 'ave'] as const;

/** The config of layers.bidirectional (TF.js's BidirectionalLayerArgs). */
export interface BidirectionalLayerArgs extends WrapperLayerArgs {
  /** The recurrent layer to run forwards and backwards (simpleRNN, lstm, gru, rnn). */
  layer: RNN;
  /** How the two outputs combine: 'concat' (default), 'sum', 'mul', 'ave', or null for a list of both. */
  mergeMode?: BidirectionalMergeMode | null;
}

/** A copy of `layer` from its config with `overrides` (a layers.rnn's cell, or a stack's cells, copied too). */
function copyLayer(layer: Layer, overrides: Record<string, unknown>): Layer {
  const config: Record<string, unknown> = { ...layer.getConfig(), ...overrides };
  const owner = layer as Layer & { cell?: unknown; cells?: unknown };
  if ('cell' in config && owner.cell instanceof Layer) config.cell = copyLayer(owner.cell, {});
  if ('cells' in config && Array.isArray(owner.cells)) config.cells = owner.cells.map((c: Layer) => copyLayer(c, {}));
  const cls = layer.constructor as typeof Layer;
  return cls.fromConfig(cls as unknown as new (config: Record<string, unknown>) => Layer, config);
}

/**
 * The layer class behind layers.bidirectional: as TF.js's, two copies of the recurrent layer made
 * from its config, 'forward_<name>' and 'backward_<name>' (goBackwards flipped), both fed the
 * input and its mask; their outputs merged by mergeMode (the backward sequence reversed back
 * into time order), then with returnState the forward states and the backward states. An
 * initialState lists the forward states then the backward ones.
 */
export class Bidirectional extends Wrapper {
  /** 'Bidirectional', the class name in saved configs. */
  static override className = 'Bidirectional';
  /** How the two outputs combine; null: both, as a list. */
  readonly mergeMode: BidirectionalMergeMode | null;
  /** The copy that runs the steps in the layer's own order. */
  readonly forwardLayer: RNN;
  /** The copy that runs them the other way. */
  readonly backwardLayer: RNN;
  /** Whether each direction returns every step (the wrapped layer's returnSequences). */
  readonly returnSequences: boolean;
  /** Whether the final states follow the output (the wrapped layer's returnState). */
  readonly returnState: boolean;

  /** A bidirectional layer; `layer` (a recurrent layer) is required, mergeMode default 'concat'. */
  constructor(args: BidirectionalLayerArgs) {
    super(args);
    const where = `Bidirectional ${this.name}`;
    const given = args.layer as Layer;
    if (!(given instanceof RNN)) {
      throw new Error(`${where}: the layer must be a recurrent layer (simpleRNN, lstm, gru, rnn); received a ` +
        `${given.getClassName()} ('${given.name}')`);
    }
    this.mergeMode = args.mergeMode === undefined ? 'concat'
      : args.mergeMode === null ? null : checkChoice(where, 'mergeMode', args.mergeMode, MERGE_MODES);
    const layer = args.layer;
    this.forwardLayer = copyLayer(layer, { name: `forward_${layer.name}` }) as RNN;
    this.backwardLayer = copyLayer(layer, { name: `backward_${layer.name}`, goBackwards: !layer.goBackwards }) as RNN;
    this.returnSequences = layer.returnSequences;
    this.returnState = layer.returnState;
    this.supportsMasking = true;
    if (args.trainable === false) this.trainable = false;
  }

  /** Whether fit updates the two directions' weights; setting it sets both, as TF.js's. */
  override get trainable(): boolean { return this.trainableFlag; }
  override set trainable(value: boolean) {
    this.trainableFlag = value;
    if (this.forwardLayer) this.forwardLayer.trainable = value;
    if (this.backwardLayer) this.backwardLayer.trainable = value;
  }

  /** The forward layer's trainable weights, then the backward layer's (TF.js's order). */
  override get trainableWeights(): LayerVariable[] {
    return [...this.forwardLayer.trainableWeights, ...this.backwardLayer.trainableWeights];
  }
  /** The forward layer's non-trainable weights, then the backward layer's. */
  override get nonTrainableWeights(): LayerVariable[] {
    return [...this.forwardLayer.nonTrainableWeights, ...this.backwardLayer.nonTrainableWeights];
  }
  /** Both directions' weight penalties. */
  override regularizationLoss(): Tensor | null {
    const terms = [this.forwardLayer.regularizationLoss(), this.backwardLayer.regularizationLoss()].filter((t): t is Tensor => t !== null);
    return terms.length === 0 ? null : terms.length === 1 ? terms[0] : ops.add(terms[0], terms[1]);
  }

  protected override innerLayers(): Layer[] { return [this.forwardLayer, this.backwardLayer, this.layer]; }

  /** Builds both directions, their weights named '<this>/forward_<layer>/...' and '<this>/backward_<layer>/...' as TF.js's. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    this.checkShapes(inputShape);
    this.buildInner(this.forwardLayer, `${this.name}/${this.forwardLayer.name}`, inputShape);
    this.buildInner(this.backwardLayer, `${this.name}/${this.backwardLayer.name}`, inputShape);
    super.build(inputShape);
  }

  /** The sequence input only ([batch, steps, features]); initial states are checked by the directions' calls. */
  protected override checkShapes(shapes: SymbolicShape | SymbolicShape[]): void {
    const shape = firstShape(shapes);
    if (shape.length !== 3) {
      throw new Error(`Bidirectional ${this.name}: expected input of rank 3 ([batch, steps, features]); received shape ${shapeString(shape)}`);
    }
  }

  /**
   * On symbolic tensors, an initialState given as symbolic tensors becomes more inputs of the node
   * ([x, ...forward states, ...backward states]), as TF.js's Bidirectional.apply makes them.
   */
  override apply(inputs: Tensor, kwargs?: Kwargs): Tensor;
  override apply(inputs: Tensor[], kwargs?: Kwargs): Tensor | Tensor[];
  override apply(inputs: SymbolicTensor, kwargs?: Kwargs): SymbolicTensor;
  override apply(inputs: SymbolicTensor[], kwargs?: Kwargs): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs?: Kwargs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  override apply(inputs: unknown, kwargs: Kwargs = {}): unknown {
    const moved = statesAsInputs(inputs, kwargs, `Bidirectional ${this.name}`);
    if (!moved) return super.apply(inputs as Tensor, kwargs);
    this.checkStateCount(moved[0].length - 1);
    return super.apply(...moved);
  }

  /**
   * Checks the input's rank, the initial states (count and [batch, size] each) and the mask's shape
   * on the tensors given, before the layer is built or anything runs.
   */
  override callOnTensors(inputs: Tensor | Tensor[], kwargs: Kwargs, inGraph = false): Tensor | Tensor[] {
    const list = toList(inputs);
    const x = list[0];
    if (x?.shape) {
      this.checkShapes(x.shape);
      const given = list.length > 1 ? list.slice(1) : kwargs.initialState != null ? toList(kwargs.initialState as Tensor | Tensor[]) : null;
      if (given) {
        this.checkStateCount(given.length);
        const sizes = stateSizes(this.forwardLayer.cell);
        given.forEach((s, i) => {
          const size = sizes[i % sizes.length];
          if (s?.shape?.length !== 2 || s.shape[0] !== x.shape[0] || s.shape[1] !== size) {
            throw new Error(`Bidirectional ${this.name}: initialState[${i}] (${i < sizes.length ? 'forward' : 'backward'}) must have ` +
              `shape [${x.shape[0]}, ${size}] (batch, units); received ${s?.shape ? `[${s.shape}]` : typeof s}`);
          }
        });
      }
      const mask = (Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask) as Tensor | null | undefined;
      if (mask && !(mask.shape[0] === x.shape[0] && mask.shape[1] === x.shape[1] && mask.size === x.shape[0] * x.shape[1])) {
        throw new Error(`Bidirectional ${this.name}: the mask must have shape [${x.shape[0]}, ${x.shape[1]}] (batch, steps); ` +
          `received [${mask.shape}]`);
      }
    }
    return super.callOnTensors(inputs, kwargs, inGraph);
  }

  private checkStateCount(count: number): void {
    const expected = 2 * stateSizes(this.forwardLayer.cell).length;
    if (count !== expected) {
      throw new Error(`Bidirectional ${this.name}: initialState must list the forward layer's states then the backward ` +
        `layer's (${expected} tensors); received ${count}`);
    }
  }

  /** The output shape(s): merged (concat doubles the last axis) or both with mergeMode null, then the states. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const shapes = this.forwardLayer.computeOutputShape(firstShape(inputShape));
    const list = (Array.isArray(shapes[0]) ? shapes : [shapes]) as SymbolicShape[];
    const output = list[0].slice();
    const states = list.slice(1);
    let outputs: SymbolicShape[];
    if (this.mergeMode === 'concat') {
      const last = output.length - 1;
      output[last] = output[last] === null ? null : (output[last] as number) * 2;
      outputs = [output];
    } else outputs = this.mergeMode === null ? [output, output.slice()] : [output];
    if (this.returnState) return [...outputs, ...states, ...states.map((s) => s.slice())];
    return outputs.length === 1 ? outputs[0] : outputs;
  }

  /** As TF.js's: the input mask for each output with returnSequences (else null), null for each state. */
  override computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | Tensor[] | null): Tensor | Tensor[] | null {
    const m = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    const output = this.returnSequences ? m : null;
    const outputs = this.mergeMode === null ? [output, output] : [output];
    if (this.returnState) {
      const none = stateSizes(this.forwardLayer.cell).map(() => null);
      return [...outputs, ...none, ...none] as Tensor[];
    }
    return outputs.length === 1 ? outputs[0] : outputs as Tensor[];
  }

  /** Both directions over the input (and its mask), merged; kwargs.initialState: forward states then backward states. */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const list = toList(inputs);
    const x = list[0];
    if (list.length > 1 && kwargs.initialState != null) {
      throw new Error(`Bidirectional ${this.name}: give initialState either in kwargs or after the input in a list, not both`);
    }
    const states = list.length > 1 ? list.slice(1) : kwargs.initialState != null ? toList(kwargs.initialState as Tensor | Tensor[]) : null;
    if (states) this.checkStateCount(states.length);
    const mask = (Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask) ?? null;
    const { initialState: _, mask: __, ...rest } = kwargs;
    const common: Kwargs = mask ? { ...rest, mask } : rest;
    const half = states ? states.length / 2 : 0;
    return ENGINE.tidy(() => {
      const fwd = toList(this.forwardLayer.callOnTensors(x, states ? { ...common, initialState: states.slice(0, half) } : common));
      const bwd = toList(this.backwardLayer.callOnTensors(x, states ? { ...common, initialState: states.slice(half) } : common));
      const y = fwd[0];
      // The backward layer's sequence is in its processing order (last step first): back to time order.
      const yRev = this.returnSequences ? ops.reverse(bwd[0], 1) : bwd[0];
      const merged: Tensor[] = this.mergeMode === 'concat' ? [ops.concat([y, yRev], -1)]
        : this.mergeMode === 'sum' ? [ops.add(y, yRev)]
          : this.mergeMode === 'ave' ? [ops.mul(ops.add(y, yRev), 0.5)]
            : this.mergeMode === 'mul' ? [ops.mul(y, yRev)] : [y, yRev];
      const out = this.returnState ? [...merged, ...fwd.slice(1), ...bwd.slice(1)] : merged;
      return out.length === 1 ? out[0] : out;
    });
  }

  /** Resets both directions' states (stateful layers), as TF.js's. */
  resetStates(): void {
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }

  /** The config as TF.js saves it: mergeMode and the wrapped layer's config. */
  override getConfig(): Record<string, unknown> { return { mergeMode: this.mergeMode, ...super.getConfig() }; }
}
