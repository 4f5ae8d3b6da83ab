/**
 * LayersModel (tf.model / tf.LayersModel): a graph of layers from symbolic inputs to
 * outputs. It is a Layer too, so a model can be applied inside another model. Sequential
 * (./sequential.ts) is one of these with one input and one output. Training lives in
 * ./fit.ts, saving in ./save.ts, summary in ./summary.ts.
 */
import type { Tensor, Variable } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { SaveHandler, SaveResult } from '../io/index.js';
import type { History } from '../training/callbacks.js';
import { Layer, sourceLayerOf, type Constraint, type DisposeResult, type Kwargs, type LayerVariable } from '../layers/base.js';
import { InputLayer } from '../layers/core.js';
import { SymbolicTensor, layersByDepth, topologicalNodes, runNodes, type Node, type SymbolicShape } from '../layers/graph.js';
import { resolveCompile, type CompileArgs, type Compiled } from './compile.js';
import type { Optimizer } from '../training/optimizers/fused.js';
import { predictTensors, standardize, type GraphModel, type TensorOrList } from './training.js';
import { evaluate, evaluateDataset, fit, fitDataset, trainOnBatch, type FitArgs, type FitDatasetArgs } from './fit.js';
import { summary } from './summary.js';
import { functionalConfig, functionalFromConfig, saveModel } from './save.js';
import { withModelClasses } from '../layers/serialization.js';
import { LastOutputMasks } from './layer-masks.js';
import type { Dataset } from '../data/dataset.js';

let modelCount = 0;
const unique = <T>(list: T[]): T[] => [...new Set(list)];

/**
 * The config of tf.model: `inputs` and `outputs` (symbolic tensors from sora.input and layer.apply), and
 * `name` (default: a unique 'model_N').
 */
export interface ContainerArgs { inputs: SymbolicTensor | SymbolicTensor[]; outputs: SymbolicTensor | SymbolicTensor[]; name?: string }

/**
 * A model as a graph of layers (tf.LayersModel): compile it, then fit, evaluate, predict and save it;
 * sora.model and sora.sequential make one, loadLayersModel loads one, and since it is a Layer it can be
 * applied inside another model.
 */
export class LayersModel extends Layer implements GraphModel {
  /** Marks call() as sora's own: a model runs its graph on the inputs it is given. */
  static override readonly soraCall = true;
  /** 'Model', the class name TF.js saves a functional model under. */
  static override className = 'Model';
  /** The model's symbolic inputs. */
  inputs: SymbolicTensor[] = [];
  /** The model's symbolic outputs. */
  outputs: SymbolicTensor[] = [];
  protected nodes: Node[] = [];
  protected graphLayers: Layer[] = [];
  /** Set it to true (a callback's onEpochEnd or onBatchEnd) to end fit after the current batch or epoch. */
  stopTraining = false;
  /** True while fit or fitDataset runs: a second one is refused, as in TF.js. */
  isTraining = false;
  /** What compile set up (optimizer, losses, metrics), or null before compile. */
  compiled: Compiled | null = null;

  /**
   * Builds a model from ContainerArgs (the inputs and outputs of a graph); sora.model() is the usual way, and
   * `name` defaults to a unique 'model_N'.
   */
  constructor(args: ContainerArgs | { name?: string }) {
    super({ name: args?.name ?? `model${++modelCount}` });
    this.supportsMasking = true;
    if ('inputs' in args || 'outputs' in args) {
      const a = args as ContainerArgs;
      this.setGraph(Array.isArray(a.inputs) ? a.inputs : [a.inputs], Array.isArray(a.outputs) ? a.outputs : [a.outputs]);
    }
  }

  /** Find the nodes from inputs to outputs; every input must be a tf.input. */
  protected setGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): void {
    const where = `model '${this.name}'`;
    if (!inputs.length || !outputs.length) throw new Error(`${where}: expected at least one input and one output`);
    inputs.forEach((t, i) => {
      if (!(t instanceof SymbolicTensor)) {
        throw new Error(`${where}: inputs[${i}] must be a symbolic tensor from tf.input(); received ${(t as object)?.constructor?.name ?? typeof t}`);
      }
      if (!(t.sourceLayer instanceof InputLayer)) {
        throw new Error(`${where}: inputs[${i}] ('${t.name}') comes from layer '${t.sourceLayer.name}', not from tf.input(); ` +
          'a model input must be an input tensor');
      }
    });
    outputs.forEach((t, i) => {
      if (!(t instanceof SymbolicTensor)) {
        throw new Error(`${where}: outputs[${i}] must be a symbolic tensor (a layer's apply() on tf.input()); received ` +
          `${(t as object)?.constructor?.name ?? typeof t}`);
      }
    });
    const nodes = topologicalNodes(where, inputs, outputs);
    const layers = layersByDepth(inputs, outputs, nodes) as Layer[];
    const names = new Map<string, Layer>();
    for (const layer of layers) {
      if (names.has(layer.name)) throw new Error(`${where}: two different layers are named '${layer.name}'; layer names must be unique in a model`);
      names.set(layer.name, layer);
    }
    this.inputs = inputs;
    this.outputs = outputs;
    this.nodes = nodes;
    this.graphLayers = layers;
    this.built = true;
    this.builtShape = inputs.length === 1 ? inputs[0].shape : inputs.map((t) => t.shape);
  }

  /** The layers in graph order (input layers first), as TF.js lists them. */
  get layers(): Layer[] { return this.graphLayers; }
  /** The names of the input layers. */
  get inputNames(): string[] { return this.inputs.map((t) => t.sourceLayer.name); }
  /** The names of the output layers. */
  get outputNames(): string[] { return this.outputs.map((t) => t.sourceLayer.name); }
  /** The input layers. */
  get inputLayers(): Layer[] { return this.inputs.map(sourceLayerOf); }
  /** The layers whose outputs are the model's. */
  get outputLayers(): Layer[] { return this.outputs.map(sourceLayerOf); }

  /** The symbolic input, or the list when there are several. */
  override get input(): SymbolicTensor | SymbolicTensor[] { return this.inputs.length === 1 ? this.inputs[0] : this.inputs; }
  /** The symbolic output, or the list when there are several. */
  override get output(): SymbolicTensor | SymbolicTensor[] { return this.outputs.length === 1 ? this.outputs[0] : this.outputs; }
  /** The output shape (or one per output), with null for the batch axis. */
  override get outputShape(): SymbolicShape | SymbolicShape[] {
    return this.outputs.length === 1 ? this.outputs[0].shape : this.outputs.map((t) => t.shape);
  }

  /**
   * Whether fit updates the model's weights; setting it freezes or unfreezes every layer (the
   * transfer-learning recipe).
   */
  override get trainable(): boolean { return this.trainableFlag; }
  /** Freezing a model freezes every layer in it (the transfer-learning recipe). */
  override set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const layer of this.graphLayers ?? []) layer.trainable = value;
  }

  /** Trainable weights first, then the frozen ones, as TF.js orders a model's weights. */
  override get weights(): LayerVariable[] { return [...this.trainableWeights, ...this.nonTrainableWeights]; }
  /** The weights fit updates. */
  override get trainableWeights(): LayerVariable[] {
    return this.trainable ? unique(this.graphLayers.flatMap((l) => l.trainableWeights)) : [];
  }
  /** The weights fit leaves alone (those of frozen layers). */
  override get nonTrainableWeights(): LayerVariable[] {
    const frozen = this.graphLayers.flatMap((l) => l.nonTrainableWeights);
    return unique(this.trainable ? frozen : [...this.graphLayers.flatMap((l) => l.trainableWeights), ...frozen]);
  }

  /**
   * The sum of the layers' weight penalties (their kernelRegularizer and biasRegularizer) as a scalar, or
   * null when no layer has one; fit adds it to the loss.
   */
  override regularizationLoss(): Tensor | null {
    let total: Tensor | null = null;
    for (const layer of this.graphLayers) {
      const penalty = layer.regularizationLoss();
      if (penalty) total = total ? ops.add(total, penalty) : penalty;
    }
    return total;
  }

  /**
   * The constraint of each weight that has one (kernelConstraint, biasConstraint), which the optimizer step
   * applies after updating.
   */
  constraintsOf(): Map<Variable, Constraint> {
    const all = new Map<Variable, Constraint>();
    for (const layer of this.graphLayers) {
      const own = layer instanceof LayersModel ? layer.constraintsOf() : layer.constraints;
      for (const [w, c] of own) all.set(w, c);
    }
    return all;
  }

  /** A layer by name or by index in `layers`. */
  getLayer(nameOrIndex?: string | number, index?: number): Layer {
    const at = typeof nameOrIndex === 'number' ? nameOrIndex : nameOrIndex === undefined ? index : undefined;
    if (at !== undefined) {
      if (!Number.isInteger(at) || at < 0 || at >= this.layers.length) {
        throw new Error(`${this.name}.getLayer: index ${at} is out of range; the model has ${this.layers.length} layers`);
      }
      return this.layers[at];
    }
    const found = this.layers.find((l) => l.name === nameOrIndex);
    if (!found) throw new Error(`${this.name}.getLayer: no layer named '${nameOrIndex}'; the layers are ${this.layers.map((l) => l.name).join(', ')}`);
    return found;
  }

  /**
   * Run the graph on input tensors (one per model input); `masks` (one per input, a model used as
   * a layer) feed its layers, and `outputMasks` receives the outputs' masks.
   */
  execute(xs: Tensor[], training: boolean, masks?: (Tensor | null | undefined)[], outputMasks?: (Tensor | null)[]): Tensor[] {
    const feed = new Map<number, Tensor>(this.inputs.map((t, i) => [t.id, xs[i]]));
    const maskFeed = masks && new Map(this.inputs.map((t, i) => [t.id, masks[i]]));
    return runNodes(this.nodes, feed, this.outputs, { training }, maskFeed, outputMasks);
  }

  /** The model's output shape (or one per output), with null for the batch axis. */
  override computeOutputShape(): SymbolicShape | SymbolicShape[] { return this.outputShape; }

  /** The output masks of the last call as a layer (layer-masks.ts). */
  private readonly outputMasks = new LastOutputMasks();

  /** As a layer inside another model, with masks in and out (layer-masks.ts). */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const outs = this.outputMasks.call(Array.isArray(inputs) ? inputs : [inputs], kwargs.mask as Tensor | Tensor[] | null,
      (xs, masks, outputMasks) => this.execute(xs, kwargs.training ?? false, masks, outputMasks));
    return outs.length === 1 ? outs[0] : outs;
  }

  /** The output masks of the inner graph, passed on as Keras's are. */
  override computeMask(inputs: Tensor | Tensor[], mask?: Tensor | Tensor[] | null): Tensor | Tensor[] | null {
    return this.outputMasks.take(Array.isArray(inputs) ? inputs : [inputs], mask,
      (xs, masks, outputMasks) => this.execute(xs, false, masks, outputMasks));
  }

  /**
   * Sets the optimizer, loss and metrics for training and evaluation, as TF.js's compile (see CompileArgs);
   * it must come before fit, fitDataset and evaluate.
   * @example
   * ```js
   * model.compile({ optimizer: sora.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
   * ```
   */
  compile(args: CompileArgs): void {
    const compiled = resolveCompile(args, this.outputNames, this.outputs.map((t) => t.shape));
    compiled.losses.forEach((loss, i) => {
      const layer = this.outputs[i].sourceLayer as Layer & { activation?: string };
      if (loss.fromLogits && layer.activation === 'softmax') {
        console.warn(`${this.name}.compile: loss ${loss.id} has fromLogits: true, but the last layer (${layer.name}) ` +
          'applies softmax, so the model outputs probabilities, not logits. Remove the softmax activation or set fromLogits: false.');
      }
    });
    if (this.compiled && this.compiled.optimizer !== compiled.optimizer) this.compiled.optimizer.dispose();
    this.compiled = compiled;
  }
  /** The optimizer compile set, or null before compile. */
  get optimizer(): Optimizer | null { return this.compiled?.optimizer ?? null; }
  /** The names of the logged values: 'loss', then each metric (as TF.js keys them, e.g. 'acc'). */
  get metricsNames(): string[] { return this.compiled?.keys.slice() ?? []; }

  /**
   * Runs the model on inputs (a tensor, a list with one per input, or a dict by input name) in batches and
   * returns the outputs; `batchSize` defaults to 32, as in TF.js. The caller disposes the result.
   * @example
   * ```js
   * const probabilities = model.predict(sora.tensor2d([[0.1, 0.2, 0.3, 0.4]]));
   * probabilities.print();
   * ```
   */
  predict(x: TensorOrList, args: { batchSize?: number } = {}): Tensor | Tensor[] {
    this.assertNotDisposed(`${this.name}.predict`);
    const xs = standardize('predict', 'inputs', x, this.inputs, this.inputNames);
    const outs = predictTensors(this, xs, args.batchSize ?? 32);
    return outs.length === 1 ? outs[0] : outs;
  }
  /** predict on the inputs as one batch, however many examples (tf.LayersModel.predictOnBatch). */
  predictOnBatch(x: TensorOrList): Tensor | Tensor[] { return this.predict(x, { batchSize: Number.MAX_SAFE_INTEGER }); }

  /**
   * Trains the model on tensors for a number of epochs and resolves to the History of the loss and metrics
   * per epoch; the FitArgs defaults are TF.js's (epochs 1, batchSize 32, verbose 1, shuffle true,
   * validationSplit 0).
   * @example
   * ```js
   * const history = await model.fit(xs, ys, { epochs: 10, batchSize: 32, validationSplit: 0.2 });
   * console.log(history.history.loss);
   * ```
   */
  fit(x: TensorOrList, y: TensorOrList, args: FitArgs = {}): Promise<History> {
    return this.training('fit', () => fit(this, x, y, args));
  }
  /**
   * Trains the model on a sora.data Dataset of {xs, ys} batches (tf.LayersModel.fitDataset); `epochs` is
   * required and the other FitDatasetArgs have TF.js's defaults (verbose 1, every batch of the dataset per
   * epoch).
   */
  fitDataset(dataset: Dataset<unknown>, args: FitDatasetArgs): Promise<History> {
    return this.training('fitDataset', () => fitDataset(this, dataset, args));
  }

  /** One fit at a time, on a model that is not disposed (TF.js's isTraining and assertNotDisposed). */
  private async training(where: string, run: () => Promise<History>): Promise<History> {
    this.assertNotDisposed(`${this.name}.${where}`);
    if (this.isTraining) {
      throw new Error(`${this.name}.${where}: the model is already training (another fit() or fitDataset() call is ongoing); ` +
        'await the first call before starting another, or train a second model');
    }
    this.isTraining = true;
    try {
      return await run();
    } finally {
      this.isTraining = false;
    }
  }

  /**
   * The loss and metrics on x and y as scalar tensors, computed synchronously in batches as TF.js returns
   * them; `batchSize` defaults to 32.
   */
  evaluate(x: TensorOrList, y: TensorOrList, args: { batchSize?: number } = {}): Tensor | Tensor[] {
    this.assertNotDisposed(`${this.name}.evaluate`);
    return evaluate(this, x, y, args);
  }
  /**
   * The loss and metrics over a Dataset of {xs, ys} batches; `batches` defaults to every batch of the
   * dataset.
   */
  evaluateDataset(dataset: Dataset<unknown>, args: { batches?: number } = {}): Promise<Tensor | Tensor[]> {
    try { this.assertNotDisposed(`${this.name}.evaluateDataset`); } catch (error) { return Promise.reject(error); }
    return evaluateDataset(this, dataset, args);
  }
  /**
   * One gradient step on one batch (tf.LayersModel.trainOnBatch); resolves to the loss, or the loss and
   * metrics, as numbers.
   */
  trainOnBatch(x: TensorOrList, y: TensorOrList): Promise<number | number[]> {
    try { this.assertNotDisposed(`${this.name}.trainOnBatch`); } catch (error) { return Promise.reject(error); }
    return trainOnBatch(this, x, y);
  }

  /**
   * Prints a table of the layers, their output shapes and parameter counts (tf.LayersModel.summary);
   * lineLength defaults to 65 for a Sequential model and 98 otherwise, positions to TF.js's column stops,
   * printFn to console.log.
   */
  summary(lineLength?: number, positions?: number[], printFn: (line: string) => void = console.log): void {
    summary(this, lineLength, positions, printFn);
  }

  /** The number of weight values in the model, trainable or not. */
  override countParams(): number { return this.weights.reduce((a, w) => a + w.size, 0); }

  /** The model's topology as TF.js writes it in model.json (layers, inbound nodes, input and output layers). */
  override getConfig(): Record<string, unknown> { return functionalConfig(this, this.nodes); }

  /**
   * Builds a model from a config written by getConfig (or TF.js), with customObjects for classes not
   * registered (default none).
   */
  static override fromConfig<T extends Layer>(cls: new (config: Record<string, unknown>) => T, config: Record<string, unknown>,
    customObjects: Record<string, unknown> = {}): T {
    // Called directly (not through the loader), nested models can still be these two classes.
    const known = withModelClasses(customObjects, (className) =>
      className === 'Model' ? LayersModel as never : className === 'Functional' ? Functional as never : undefined);
    const { inputs, outputs, name } = functionalFromConfig(config, known);
    return new (cls as unknown as typeof LayersModel)({ inputs, outputs, name }) as unknown as T;
  }

  /** The Keras-style topology TF.js writes (and reads) in model.json. */
  toJSON(): Record<string, unknown> { return saveModel.topology(this); }

  /**
   * Saves the topology and weights in the TF.js layers format to a URL ('file://dir', 'indexeddb://name',
   * 'localstorage://name', 'downloads://name', http(s)) or a SaveHandler, and resolves to what was saved.
   * @example
   * ```js
   * await model.save('file://./my-model');        // Node: model.json + weights.bin
   * const again = await sora.loadLayersModel('file://./my-model/model.json');
   * ```
   */
  save(handlerOrUrl: string | SaveHandler): Promise<SaveResult> { return saveModel.save(this, handlerOrUrl); }

  protected override kindName(): string { return 'model'; }

  /**
   * Frees the weights of every layer and the optimizer's state. The model cannot be used
   * afterwards: predict, evaluate and fit throw, and a fit that is running stops with that
   * error at its next batch (as in TF.js). A second dispose is an error, as in TF.js.
   */
  override dispose(): DisposeResult {
    this.assertNotDisposed(`${this.name}.dispose`);
    const count = this.weights.length;
    for (const layer of this.graphLayers) if (layer !== this && !layer.isDisposed) layer.dispose();
    this.compiled?.optimizer.dispose();
    super.dispose();
    return { refCountAfterDispose: 0, numDisposedVariables: count };
  }
}

/** Keras 2.4+ saves functional models as 'Functional'. */
export class Functional extends LayersModel {
  /** 'Functional', the class name Keras 3 saves functional models under (loaded as a LayersModel). */
  static override className = 'Functional';
}

/**
 * Creates a functional model (tf.model) from symbolic inputs to outputs, so layers can form any graph
 * (several inputs or outputs, shared layers); `name` defaults to a unique 'model_N'.
 * @example
 * ```js
 * const input = sora.input({ shape: [4] });
 * const hidden = sora.layers.dense({ units: 8, activation: 'relu' }).apply(input);
 * const output = sora.layers.dense({ units: 1 }).apply(hidden);
 * const model = sora.model({ inputs: input, outputs: output });
 * ```
 */
export function model(args: ContainerArgs): LayersModel {
  if (!args || typeof args !== 'object' || !('inputs' in args) || !('outputs' in args)) {
    throw new Error('model: expected { inputs, outputs } (symbolic tensors from tf.input and layer.apply)');
  }
  return new LayersModel(args);
}
