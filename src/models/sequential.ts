/**
 * Sequential: a functional model with one input and one output, grown one layer at a time
 * (as Keras 3 builds it). `add` applies the layer to the current output; the first layer's
 * inputShape makes the input. It shares the graph executor and the trainer with tf.model.
 */
import { Layer, sourceLayerOf } from '../layers/base.js';
import { input, InputLayer } from '../layers/core.js';
import { deserializeLayer, withModelClasses } from '../layers/serialization.js';
import { Functional, LayersModel } from './functional.js';
import type { SymbolicTensor } from '../layers/graph.js';
import type { Tensor } from '../core/tensor.js';
import type { TensorOrList } from './training.js';

/**
 * The config of tf.sequential: `layers` (default: none, add them later) and `name` (default: a unique
 * 'sequential_N').
 */
export interface ModelArgs { layers?: Layer[]; name?: string }

let sequentialCount = 0;

/**
 * A model that is a linear stack of layers (tf.Sequential), built by `sora.sequential()` and `add`; it has
 * every LayersModel method (compile, fit, predict, save...).
 */
export class Sequential extends LayersModel {
  /** 'Sequential', the class name in saved models. */
  static override className = 'Sequential';
  private readonly stack: Layer[] = [];

  /**
   * Builds an empty or given stack of layers; sora.sequential() is the usual way. `args` default to no layers
   * and a unique name.
   */
  constructor(args: ModelArgs = {}) {
    super({ name: args?.name ?? `sequential_${++sequentialCount}` });
    for (const layer of args?.layers ?? []) this.add(layer);
  }

  /** The layers added, without the input layer (as TF.js lists them). */
  override get layers(): Layer[] { return this.stack; }

  /**
   * Appends a layer to the stack (tf.Sequential.add); the first layer needs an inputShape (or
   * batchInputShape) unless the model already has an input.
   */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new Error(`${this.name}.add: expected a layer (sora.layers.*), received ${typeof layer}`);
    if (this.stack.includes(layer)) throw new Error(`${this.name}.add: layer ${layer.name} is already in the model`);
    let inputs: SymbolicTensor[];
    let from: SymbolicTensor;
    if (this.stack.length === 0) {
      if (layer instanceof InputLayer) {
        this.pendingInput = layer.inboundNodes[0].outputs[0];
        return;
      }
      const shape = this.pendingInput ? null : layer instanceof LayersModel ? layer.inputs[0]?.shape : layer.batchInputShape;
      if (!this.pendingInput && !shape) {
        throw new Error(`${this.name}: the first layer (${layer.name}) needs an inputShape, e.g. ` +
          `sora.layers.${layer.getClassName().charAt(0).toLowerCase() + layer.getClassName().slice(1)}({ inputShape: [784], ... })`);
      }
      from = this.pendingInput ?? input({ batchShape: shape!, name: `${layer.name}_input`, dtype: layer.dtype });
      inputs = [from];
    } else {
      inputs = this.inputs;
      from = this.outputs[0];
    }
    const output = layer.apply(from);
    if (Array.isArray(output)) {
      throw new Error(`${this.name}.add: layer ${layer.name} has ${output.length} outputs; every layer of a Sequential model ` +
        'has one output (use tf.model for several)');
    }
    this.stack.push(layer);
    this.stackOutputs.push(output);
    this.setGraph(inputs, [output]);
  }

  private readonly stackOutputs: SymbolicTensor[] = [];

  /** An InputLayer given first: its output is the model input. */
  private pendingInput: SymbolicTensor | null = null;

  /** One output: a tensor. */
  override predict(x: TensorOrList, args: { batchSize?: number } = {}): Tensor {
    return super.predict(x, args) as Tensor;
  }

  /** Remove the last layer. */
  pop(): void {
    if (this.stack.length === 0) throw new Error(`${this.name}.pop: the model has no layers`);
    this.stack.pop();
    this.stackOutputs.pop();
    if (this.stack.length === 0) {
      this.pendingInput = this.inputs[0];
      this.inputs = []; this.outputs = []; this.nodes = []; this.graphLayers = [];
    } else this.setGraph(this.inputs, [this.stackOutputs[this.stackOutputs.length - 1]]);
  }

  /** The stack's config as TF.js writes it in model.json: its name and each layer's class name and config. */
  override getConfig(): Record<string, unknown> {
    const layers = this.stack.map((l) => ({ className: l.getClassName(), config: l.getConfig() }));
    // The input shape came from an InputLayer: save it first, as Keras does.
    const sourceTensor = this.inputs[0] ?? this.pendingInput;
    const source = sourceTensor ? sourceLayerOf(sourceTensor) : undefined;
    if (source && this.stack.length && !this.stack[0].batchInputShape && !(this.stack[0] instanceof LayersModel)) {
      layers.unshift({ className: 'InputLayer', config: source.getConfig() });
    }
    return { name: this.name, layers };
  }

  /**
   * Builds a Sequential model from a config written by getConfig (or TF.js), with customObjects for classes
   * not registered (default none).
   */
  static override fromConfig<T extends Layer>(_cls: new (config: Record<string, unknown>) => T, config: Record<string, unknown>,
    customObjects: Record<string, unknown> = {}): T {
    const entries = (Array.isArray(config) ? config : config.layers) as { className: string; config: Record<string, unknown> }[] | undefined;
    if (!Array.isArray(entries) || entries.length === 0) throw new Error('Sequential.fromConfig: the config has no layers');
    const pending = entries.slice();
    // A leading InputLayer only carries the input shape.
    if (pending[0].className === 'InputLayer') {
      const shape = pending[0].config.batchInputShape ?? pending[0].config.batchShape;
      pending.shift();
      if (pending.length && !pending[0].config.batchInputShape) pending[0] = { ...pending[0], config: { ...pending[0].config, batchInputShape: shape } };
    }
    const model = new Sequential({ name: Array.isArray(config) ? undefined : config.name as string | undefined });
    // Called directly (not through the loader), nested models can still be the classes this module knows.
    const known = withModelClasses(customObjects, (className) => (className === 'Sequential' ? Sequential as never
      : className === 'Model' ? LayersModel as never : className === 'Functional' ? Functional as never : undefined));
    try {
      for (const entry of pending) model.add(deserializeLayer(entry, `Sequential '${model.name}'`, known));
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model as unknown as T;
  }
}

/**
 * Creates a Sequential model, a stack of layers where each layer's output is the next one's input
 * (tf.sequential); `args.layers` defaults to none (add them with `model.add`) and `args.name` to a unique
 * 'sequential_N'.
 * @example
 * ```js
 * const model = sora.sequential({ layers: [
 *   sora.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
 *   sora.layers.dense({ units: 3, activation: 'softmax' }),
 * ] });
 * ```
 */
export function sequential(args: ModelArgs = {}): Sequential {
  return new Sequential(args);
}
