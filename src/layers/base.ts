/**
 * Layer, as TF.js has it (tf.layers.Layer): subclass it with build / call /
 * computeOutputShape / getConfig and a static className. `apply` on real tensors calls the
 * layer; on symbolic tensors (tf.input, another layer's output) it adds a node to the graph
 * and returns symbolic outputs. Weights are made by addWeight when the layer is built and
 * named '<layer>/<weight>'.
 */
import { ENGINE } from '../core/engine.js';
import { Tensor, Variable } from '../core/tensor.js';
import type { DType } from '../backends/backend.js';
import * as ops from '../ops/index.js';
import { getInitializer, type Initializer } from '../training/initializers.js';
import type { Regularizer } from '../training/regularizers.js';
import { Node, SymbolicTensor, isSymbolic, shapeString, toList, type Kwargs, type SymbolicShape } from './graph.js';
import { resolveInitializer } from './config.js';
import { asLayerWeight, type Constraint, type LayerVariable } from './layer-weight.js';
import { customCall } from './call-convention.js';
import { uniqueName } from './layer-names.js';
import { inNameScope, weightPrefix } from './name-scopes.js';

export type { SymbolicShape };
export type Shape = SymbolicShape;

/** Keyword arguments of a call; `training` is set by fit (true) and predict / evaluate (false). */
export type { Kwargs };

/** The options every layer takes (TF.js's LayerArgs); all are optional. */
export interface LayerArgs {
  /** The layer's name; default a unique one from its class ('dense_Dense1'). */
  name?: string;
  /** Whether fit updates the layer's weights; default true. */
  trainable?: boolean;
  /**
   * Shape of one example (without the batch), on the first layer; default none (the shape comes from the
   * previous layer).
   */
  inputShape?: (number | null)[];
  /** The input shape with the batch axis (null for any), instead of inputShape; default none. */
  batchInputShape?: (number | null)[];
  /** With inputShape, the fixed batch size; default none (any batch size). */
  batchSize?: number;
  /** The dtype of the layer's weights and outputs; default 'float32'. */
  dtype?: DType;
  /** Ignored keys of a saved config are accepted (Keras writes more than sora reads). */
  [key: string]: unknown;
}

export interface DisposeResult { refCountAfterDispose: number; numDisposedVariables: number }

/** A weight constraint, applied after each optimizer step. */
export type { Constraint, LayerVariable };
export { uniqueName };

const isShapeList = (s: unknown): s is SymbolicShape[] => Array.isArray(s) && s.length > 0 && s.every(Array.isArray);

/**
 * The base class of every layer (tf.layers.Layer): subclass it with `build` (create weights with addWeight),
 * `call` and `computeOutputShape`, and register it with serialization.registerClass to load saved models that
 * use it.
 */
export class Layer {
  /** The class name a saved config uses for this layer class (TF.js's static className). */
  static className = 'Layer';
  /** This class's call() is sora's own (see customCall). */
  static readonly soraCall = true;
  /** The layer's name, unique within a model; default from LayerArgs.name or the class name. */
  readonly name: string;
  protected trainableFlag: boolean;
  /** The input shape with the batch axis, when given by inputShape or batchInputShape; else null. */
  batchInputShape: SymbolicShape | null = null;
  /** The dtype of the layer's weights and outputs; default 'float32'. */
  readonly dtype: DType;
  /** Whether build() has run and the weights exist. */
  built = false;
  /** The input shape the layer was built for (batch dimension null). */
  protected builtShape: SymbolicShape | SymbolicShape[] | null = null;
  /** One node per call on symbolic tensors. */
  readonly inboundNodes: Node[] = [];
  protected readonly weightList: LayerVariable[] = [];
  private readonly penalties: { weight: Variable; regularizer: Regularizer }[] = [];
  /** The constraint of each weight that has one, applied after each optimizer step. */
  readonly constraints = new Map<Variable, Constraint>();
  /** TF.js's flag: the layer passes a mask through (computeMask returns it) rather than refusing one. */
  supportsMasking = false;
  private disposedFlag = false;
  private callHook: ((inputs: Tensor | Tensor[], kwargs: Kwargs) => void) | null = null;
  /** The name given at construction (a wrapper or an RNN builds an inner layer under another name: see buildInScope). */
  private readonly constructedName: string;

  /** Sets the common options (LayerArgs); subclasses pass their args on. */
  constructor(args: LayerArgs = {}) {
    const className = this.getClassName();
    if (args === null || typeof args !== 'object') throw new Error(`${className}: expected a config object; received ${args}`);
    this.name = typeof args.name === 'string' ? args.name : uniqueName(className);
    this.constructedName = this.name;
    this.trainableFlag = args.trainable ?? true;
    this.dtype = args.dtype ?? 'float32';
    if (args.batchInputShape) this.batchInputShape = args.batchInputShape.slice();
    else if (args.inputShape) {
      if (!Array.isArray(args.inputShape) || args.inputShape.some((d) => d !== null && (!Number.isInteger(d) || d <= 0))) {
        throw new Error(`${className}: inputShape must be an array of positive integers; received ${JSON.stringify(args.inputShape)}`);
      }
      this.batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    }
  }

  /** The class name saved in model.json (the static className, as TF.js registers it). */
  getClassName(): string {
    const ctor = this.constructor as typeof Layer;
    return Object.hasOwn(ctor, 'className') ? ctor.className : ctor.name;
  }
  /** The layer's class name, as getClassName() gives it. */
  get className(): string { return this.getClassName(); }

  /** Whether fit updates this layer's weights; setting it to false freezes them. */
  get trainable(): boolean { return this.trainableFlag; }
  set trainable(value: boolean) { this.trainableFlag = value; }

  /** Trainable weights first, as TF.js orders them (getWeights / setWeights follow this order). */
  get weights(): LayerVariable[] { return [...this.trainableWeights, ...this.nonTrainableWeights]; }
  /** The weights fit updates (none while the layer is frozen). */
  get trainableWeights(): LayerVariable[] { return this.trainable ? this.weightList.filter((w) => w.trainable) : []; }
  /** The weights fit leaves alone (all of them while the layer is frozen). */
  get nonTrainableWeights(): LayerVariable[] {
    return this.trainable ? this.weightList.filter((w) => !w.trainable) : this.weightList.slice();
  }

  /** Create the weights for inputs of this shape; called once, before the first call. */
  build(inputShape: SymbolicShape | SymbolicShape[]): void {
    this.builtShape = inputShape;
    this.built = true;
  }

  /**
   * The output shape for an input shape, null meaning any size; the base returns the input shape, and a
   * subclass that changes it overrides this.
   */
  computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] { return inputShape; }

  /**
   * The layer's computation on concrete tensors; a subclass overrides it. kwargs carry `training` and any
   * extra arguments.
   */
  call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor | Tensor[] { return inputs; }

  /**
   * Runs the layer: on tensors it builds the weights if needed and returns tensors; on symbolic tensors (from
   * sora.input) it adds the layer to a graph for sora.model. kwargs default to none.
   */
  apply(inputs: Tensor, kwargs?: Kwargs): Tensor;
  apply(inputs: Tensor[], kwargs?: Kwargs): Tensor | Tensor[];
  apply(inputs: SymbolicTensor, kwargs?: Kwargs): SymbolicTensor;
  apply(inputs: SymbolicTensor[], kwargs?: Kwargs): SymbolicTensor | SymbolicTensor[];
  apply(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs?: Kwargs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  apply(inputs: unknown, kwargs: Kwargs = {}): unknown {
    if (isSymbolic(inputs)) return this.applySymbolic(inputs, kwargs);
    const list = toList(inputs);
    if (list.length === 0 || !list.every((t) => t instanceof Tensor)) {
      throw new Error(`${this.name}.apply: expected a Tensor, a SymbolicTensor (tf.input) or a list of them; received ` +
        `${Array.isArray(inputs) ? `[${list.map((t) => (t as object)?.constructor?.name ?? typeof t)}]` : typeof inputs}`);
    }
    return this.callOnTensors(inputs as Tensor | Tensor[], kwargs);
  }

  /**
   * Build on first use, check the input shapes, call. Inside a model (`inGraph`), a custom
   * layer's call gets one input as a list of one, as TF.js gives it.
   */
  callOnTensors(inputs: Tensor | Tensor[], kwargs: Kwargs, inGraph = false): Tensor | Tensor[] {
    this.assertNotDisposed();
    for (const t of toList(inputs)) t.assertAlive(this.name);
    const shapes = Array.isArray(inputs) ? inputs.map((t) => [null, ...t.shape.slice(1)]) : [null, ...inputs.shape.slice(1)];
    return inNameScope(this.name, () => {
      if (!this.built) this.buildOnce(shapes);
      this.checkShapes(shapes, Array.isArray(inputs) ? inputs.map((t) => t.shape) : inputs.shape);
      return this.call(inGraph && !Array.isArray(inputs) && customCall(this) ? [inputs] : inputs, kwargs);
    });
  }

  private buildOnce(shapes: SymbolicShape | SymbolicShape[]): void {
    this.build(shapes);
    this.built = true;
    this.builtShape ??= shapes;
  }

  /** A shape against the one the layer was built for; names the layer and both shapes. */
  protected checkShapes(shapes: SymbolicShape | SymbolicShape[], received: SymbolicShape | SymbolicShape[] = shapes): void {
    const expected = this.builtShape;
    if (!expected) return;
    const one = (e: SymbolicShape, s: SymbolicShape, r: SymbolicShape, which: string) => {
      if (s.length !== e.length || e.some((d, i) => i > 0 && d !== null && s[i] !== null && d !== s[i])) {
        throw new Error(`${this.name}: expected input${which} of shape ${shapeString(e)}, received ${shapeString(r)}`);
      }
    };
    if (isShapeList(expected) !== isShapeList(shapes)) {
      throw new Error(`${this.name}: expected ${isShapeList(expected) ? `a list of ${expected.length} inputs` : 'one input'}, ` +
        `received ${isShapeList(shapes) ? `a list of ${shapes.length}` : 'one'}`);
    }
    if (isShapeList(expected)) {
      const list = shapes as SymbolicShape[];
      if (list.length !== expected.length) {
        throw new Error(`${this.name}: expected ${expected.length} inputs, received ${list.length}`);
      }
      expected.forEach((e, i) => one(e, list[i], (received as SymbolicShape[])[i], ` ${i}`));
    } else one(expected, shapes as SymbolicShape, received as SymbolicShape, '');
  }

  private applySymbolic(inputs: SymbolicTensor | SymbolicTensor[], kwargs: Kwargs): SymbolicTensor | SymbolicTensor[] {
    this.assertNotDisposed();
    const list = toList(inputs);
    const shapes = Array.isArray(inputs) ? list.map((t) => t.shape) : list[0].shape;
    if (!this.built) inNameScope(this.name, () => this.buildOnce(shapes));
    this.checkShapes(shapes);
    const outShape = this.computeOutputShape(shapes);
    const outShapes = isShapeList(outShape) ? outShape : [outShape];
    const nodeIndex = this.inboundNodes.length;
    const outputs = outShapes.map((shape, i) => new SymbolicTensor(this.dtype, shape, this, nodeIndex, i,
      `${this.name}/${nodeIndex}${outShapes.length > 1 ? `:${i}` : ''}`));
    this.inboundNodes.push(new Node(this, list, outputs, !Array.isArray(inputs), { ...kwargs }));
    for (const t of list) t.consumers.push(this);
    return isShapeList(outShape) ? outputs : outputs[0];
  }

  private connectedNode(what: string): Node {
    if (this.inboundNodes.length === 0) throw new Error(`${this.name}: the layer is not connected to a graph, so it has no ${what}`);
    if (this.inboundNodes.length > 1) {
      throw new Error(`${this.name}: the layer is called ${this.inboundNodes.length} times (a shared layer), so its ` +
        `${what} is ambiguous; read it from each call's output`);
    }
    return this.inboundNodes[0];
  }

  /** The symbolic input(s) of the layer's one call. */
  get input(): SymbolicTensor | SymbolicTensor[] {
    const node = this.connectedNode('input');
    return node.singleInput ? node.inputs[0] : node.inputs;
  }

  /** The layer's output symbolic tensor (or list), once it has been applied in a graph. */
  get output(): SymbolicTensor | SymbolicTensor[] {
    const node = this.connectedNode('output');
    return node.outputs.length === 1 ? node.outputs[0] : node.outputs;
  }

  /** The shape of the layer's output, once it has been applied in a graph. */
  get outputShape(): SymbolicShape | SymbolicShape[] {
    if (this.inboundNodes.length === 0) {
      if (this.builtShape) return this.computeOutputShape(this.builtShape);
      throw new Error(`${this.name}: the layer has never been called, so it has no defined output shape`);
    }
    const shapes = this.inboundNodes.map((n) => (n.outputs.length === 1 ? n.outputs[0].shape : n.outputs.map((t) => t.shape)));
    if (shapes.some((s) => JSON.stringify(s) !== JSON.stringify(shapes[0]))) {
      throw new Error(`${this.name}: the layer has several inbound nodes with different output shapes`);
    }
    return shapes[0];
  }

  /**
   * TF.js's addWeight(name, shape, dtype?, initializer?, regularizer?, trainable?, constraint?):
   * a variable named '<layer>/<name>', initialized now.
   */
  addWeight(name: string, shape: number[], dtype: DType = 'float32', initializer?: Initializer | string,
    regularizer?: Regularizer | null, trainable = true, constraint?: Constraint | null): LayerVariable {
    if (this.weightList.some((w) => w.originalName === name)) throw new Error(`${this.name}: duplicate weight name '${name}'`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(`${this.name}.addWeight('${name}'): shape must be known non-negative integers; received ${JSON.stringify(shape)}`);
    }
    const init = initializer === undefined ? getInitializer(this.name, undefined, 'glorotUniform')
      : resolveInitializer(`${this.name}.addWeight('${name}')`, initializer, 'glorotUniform');
    const initial = init.apply(shape);
    const value = dtype !== initial.dtype ? ops.cast(initial, dtype) : initial;
    const v = ENGINE.makeVariable(value, `${weightPrefix(this.name, this.constructedName)}/${name}`, trainable) as LayerVariable;
    if (value !== initial) value.dispose();
    initial.dispose();
    asLayerWeight(v, name, null);
    this.weightList.push(v);
    if (regularizer) this.penalties.push({ weight: v, regularizer });
    if (constraint) this.constraints.set(v, constraint);
    return v;
  }

  /** The sum of this layer's weight penalties, or null. */
  regularizationLoss(): Tensor | null {
    let total: Tensor | null = null;
    for (const { weight, regularizer } of this.penalties) {
      const term = regularizer.apply(weight);
      total = total ? ops.add(total, term) : term;
    }
    return total;
  }

  /** The number of weight values the layer holds; it must be built. */
  countParams(): number {
    if (!this.built) throw new Error(`${this.name}: the layer is not built yet, so its weights do not exist; call it or add it to a model first`);
    return this.weights.reduce((acc, w) => acc + w.size, 0);
  }

  /** Copies of the weights' values (the caller disposes them). */
  getWeights(trainableOnly = false): Tensor[] {
    this.assertNotDisposed();
    return (trainableOnly ? this.trainableWeights : this.weights).map((w) => ops.clone(w));
  }

  /** Set every weight at once; counts and shapes are checked before any changes. */
  setWeights(weights: Tensor[]): void {
    this.assertNotDisposed();
    const own = this.weights;
    if (!Array.isArray(weights) || weights.length !== own.length) {
      throw new Error(`${this.name}.setWeights: expected ${own.length} weights (${own.map((w) => w.name).join(', ')}), ` +
        `received ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    own.forEach((w, i) => {
      const given = weights[i];
      if (!(given instanceof Tensor) || given.shape.join() !== w.shape.join()) {
        throw new Error(`${this.name}.setWeights: weight ${i} (${w.name}) has shape [${w.shape}], received ` +
          `${given instanceof Tensor ? `[${given.shape}]` : typeof given}`);
      }
    });
    own.forEach((w, i) => {
      const given = weights[i].dtype === w.dtype ? weights[i] : ops.cast(weights[i], w.dtype);
      w.assign(given);
      if (given !== weights[i]) given.dispose();
    });
  }

  /** The config TF.js's getConfig returns (camelCase; model.json holds it in snake_case). */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable };
    if (this.batchInputShape) config.batchInputShape = this.batchInputShape;
    config.dtype = this.dtype;
    return config;
  }

  /** TF.js's static fromConfig(cls, config): a layer from its (camelCase) config. */
  static fromConfig<T extends Layer>(cls: new (config: Record<string, unknown>) => T, config: Record<string, unknown>): T {
    return new cls(config);
  }

  /**
   * TF.js's call hook: a custom layer's call() runs `this.invokeCallHook(inputs, kwargs)` first,
   * which calls the hook set by setCallHook (none by default).
   */
  invokeCallHook(inputs: Tensor | Tensor[], kwargs: Kwargs = {}): void { this.callHook?.(inputs, kwargs); }
  /** Sets the function a custom layer's call() runs first through invokeCallHook (TF.js's call hook). */
  setCallHook(hook: (inputs: Tensor | Tensor[], kwargs: Kwargs) => void): void { this.callHook = hook; }
  /** Removes the call hook set by setCallHook. */
  clearCallHook(): void { this.callHook = null; }

  /**
   * The output mask, as TF.js computes it: the input mask as given (undefined when none) when
   * the layer supportsMasking, else null (and an error when a mask is given to a layer that does not support masking).
   */
  computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | Tensor[] | null): Tensor | Tensor[] | null | undefined {
    if (!this.supportsMasking) {
      if (mask !== undefined && mask !== null && (!Array.isArray(mask) || mask.some((m) => m != null))) {
        throw new TypeError(`${this.name}: the layer does not support masking, but was given an input mask; ` +
          'set this.supportsMasking = true in its constructor to pass the mask through');
      }
      return null;
    }
    return mask;
  }

  /** 'layer', or 'model' for a model (error messages). */
  protected kindName(): string { return 'layer'; }

  /** True once dispose() has run: the weights are gone and the layer refuses to be called. */
  get isDisposed(): boolean { return this.disposedFlag; }

  /** TF.js's check: a disposed layer (or model) is not used again. */
  assertNotDisposed(where = this.name): void {
    if (this.disposedFlag) {
      throw new Error(`${where}: ${this.kindName()} '${this.name}' is disposed (dispose() freed its weights); ` +
        'make or load it again to use it');
    }
  }

  /** Frees the weights; the layer cannot be used afterwards (a second dispose is an error, as in TF.js). */
  dispose(): DisposeResult {
    this.assertNotDisposed(`${this.name}.dispose`);
    this.disposedFlag = true;
    const count = this.weightList.length;
    for (const w of this.weightList) w.dispose();
    this.weightList.length = 0;
    this.built = false;
    this.builtShape = null;
    return { refCountAfterDispose: 0, numDisposedVariables: count };
  }
}

/** The layer that made a symbolic tensor: every GraphLayer in a graph is a Layer (the graph names only what it needs). */
export function sourceLayerOf(t: SymbolicTensor): Layer {
  return t.sourceLayer as Layer;
}
