/**
 * GraphModel: a TF.js graph model (tensorflowjs_converter's 'graph-model' format) loaded for
 * inference, with TF.js's API (tfjs-converter's GraphModel): load, predict, execute,
 * executeAsync, inputs / outputs, signature keys, save and dispose.
 *
 * Loading decodes the weights into tensors keyed by Const node name (as TF.js names them),
 * parses the GraphDef once (parse.ts) and hands both to the executor (executor.ts), which plans
 * the graph and folds its constants. Every run's inputs and outputs are resolved and checked
 * here (names, signature keys, dtypes, shapes, inputs the outputs need) before anything runs,
 * so a bad call throws an Error naming the input and allocates nothing.
 */
import { ENGINE } from '../core/engine.js';
import { Tensor } from '../core/tensor.js';
import { weightTensor } from '../io/helpers.js';
import { checkArtifacts } from '../io/model-json.js';
import { getLoadHandler, getSaveHandler } from '../io/router.js';
import type { LoadHandler, LoadHandlerSync, LoadOptions, ModelArtifacts, SaveHandler, SaveResult } from '../io/types.js';
import { concatBytes, decodeWeights, isArrayBuffer } from '../io/weights.js';
import { HOST_FLOATS, isPromise } from './body.js';
import { GraphExecutor, type TensorInfo } from './executor.js';
import { setHostValues } from './ops/util.js';
import { parseGraph } from './parse.js';
import {
  FORBIDDEN_KEYS, type SignatureEntry, canonicalTensorName, checkConstNodes, checkPlaceholder, readSignature, splitTensorName,
} from './signature.js';
import type { GraphNode } from './types.js';

/** Tensors by name (TF.js's NamedTensorMap): a model's inputs by node name or signature key, or its structured outputs. */
export type NamedTensorMap = Record<string, Tensor>;
/** Tensors lists by name (TF.js's NamedTensorsMap): GraphModel.weights, one tensor per Const node. */
export type NamedTensorsMap = Record<string, Tensor[]>;
/** Where a GraphModel loads from: a URL, a LoadHandler (async) or a LoadHandlerSync (TF.js's io.IOHandlerSync). */
export type GraphModelSource = string | LoadHandler | LoadHandlerSync;
/** predict's options (TF.js's ModelPredictConfig); a graph model ignores them, as TF.js does. */
export interface ModelPredictConfig {
  /** Ignored: a graph model runs the batch it is given. */
  batchSize?: number;
  /** Ignored. */
  verbose?: boolean;
}
/** GraphModel.save's options (TF.js's io.SaveConfig); a graph model saves its artifacts as loaded. */
export interface SaveConfig {
  /** Ignored: a graph model has no trainable weights. */
  trainableOnly?: boolean;
  /** Ignored: a graph model has no optimizer. */
  includeOptimizer?: boolean;
}

/**
 * A graph model for inference, as TF.js's tf.GraphModel: made by loadGraphModel or loadGraphModelSync (or
 * `new GraphModel(url).load()`), run with predict / execute / executeAsync, freed with dispose.
 * @example
 * ```js
 * const model = await sora.loadGraphModel('file://models/movenet/model.json');
 * const keypoints = model.predict(sora.zeros([1, 192, 192, 3], 'int32'));
 * ```
 */
export class GraphModel {
  private executor: GraphExecutor | undefined;
  private nodes = new Map<string, GraphNode>();
  private artifacts: ModelArtifacts | undefined;
  private weightMap: NamedTensorsMap = Object.create(null) as NamedTensorsMap;
  private signatureDef: object | undefined;
  private signatureInputs: SignatureEntry[] = [];
  private signatureOutputs: SignatureEntry[] = [];
  private structuredOutputKeys: string[] | undefined;
  private version = 'n/a';
  private readonly missingCache = new Map<string, string[]>();
  private disposed = false;
  private loading = false;
  private readonly loadOptions: LoadOptions;
  /**
   * The most iterations a loop of the graph (a While, or a TF1 Enter/Merge/NextIteration loop) may run in
   * one executeAsync before it is stopped with an Error naming the loop, every loop tensor freed (not in
   * TF.js, whose loops run unbounded). Default 1e6.
   */
  maxLoopIterations = 1e6;

  /**
   * A model to be loaded from `modelUrl` (a URL as loadGraphModel takes it, or a handler) with `load()`;
   * `loadOptions` (fetchFunc, requestInit, weightPathPrefix, onProgress) default to none.
   */
  constructor(private readonly modelUrl: GraphModelSource, loadOptions: LoadOptions = {}) {
    this.loadOptions = loadOptions ?? {};
  }

  /** The GraphDef's version, '<producer>.<minConsumer>' as TF.js prints it. */
  get modelVersion(): string {
    return this.version;
  }

  /** The names execute takes inputs by, in the order a Tensor[] is read: signature keys when the model has a signature. */
  get inputNodes(): string[] {
    return this.signatureInputs.length > 0 ? this.signatureInputs.map((e) => e.key) : this.loaded().inputs.map((i) => i.name);
  }

  /** The default outputs' names, in the order predict returns them: signature keys when the model has a signature. */
  get outputNodes(): string[] {
    return this.signatureOutputs.length > 0 ? this.signatureOutputs.map((e) => e.key) : this.loaded().outputs.map((o) => o.name);
  }

  /** The model's inputs: node name, declared shape (-1 for unknown dims) and dtype. */
  get inputs(): TensorInfo[] {
    if (this.signatureInputs.length === 0) return this.loaded().inputs.map((i) => ({ ...i, shape: i.shape?.slice() }));
    return this.signatureInputs.map((entry) => {
      const node = this.nodes.get(entry.node)!;
      const shape = node.attrs.has('shape') ? node.attrs.shape('shape') : entry.shape;
      const dtype = node.attrs.has('dtype') ? node.attrs.dtype('dtype') : (entry.dtype ?? 'float32');
      return { name: node.name, shape: shape?.slice(), dtype };
    });
  }

  /** The model's default outputs: node name (with ':n' for an output other than the first), shape when known, dtype. */
  get outputs(): TensorInfo[] {
    if (this.signatureOutputs.length === 0) return this.loaded().outputs.map((o) => ({ ...o, shape: o.shape?.slice() }));
    return this.signatureOutputs.map((entry) => ({ name: entry.node, shape: entry.shape?.slice(), dtype: entry.dtype ?? 'float32' }));
  }

  /** The weights by Const node name, one tensor each (TF.js's NamedTensorsMap); they belong to the model. */
  get weights(): NamedTensorsMap {
    this.loaded();
    return this.weightMap;
  }

  /** The model.json's userDefinedMetadata, as given. */
  get metadata(): Record<string, unknown> | undefined {
    return this.artifacts?.userDefinedMetadata;
  }

  /** The SignatureDef (from model.json's signature, or userDefinedMetadata.signature), as given. */
  get signature(): object | undefined {
    return this.signatureDef;
  }

  /** TF.js's name for `signature`. */
  get modelSignature(): object | undefined {
    return this.signatureDef;
  }

  /** The keys predict returns a structured model's outputs under (userDefinedMetadata.structuredOutputKeys). */
  get modelStructuredOutputKeys(): string[] | undefined {
    return this.structuredOutputKeys?.slice();
  }

  private loaded(): GraphExecutor {
    if (this.disposed) throw new Error('GraphModel: the model was disposed');
    if (this.executor === undefined) throw new Error('GraphModel: the model is not loaded yet; call load() (or use loadGraphModel)');
    return this.executor;
  }

  private where(): string {
    return typeof this.modelUrl === 'string' ? `GraphModel(${this.modelUrl})` : 'GraphModel';
  }

  /**
   * Loads the artifacts from the model's URL or handler, decodes the weights and plans the graph: a Promise
   * of true for an async handler (every URL), true at once for a LoadHandlerSync.
   */
  load(): Promise<boolean> | boolean {
    if (this.executor !== undefined || this.disposed || this.loading) throw new Error(`${this.where()}: load() was already called`);
    this.loading = true;
    const source = this.modelUrl;
    let handler: LoadHandler | LoadHandlerSync;
    if (source !== null && typeof source === 'object') {
      if (typeof (source as LoadHandler).load !== 'function') {
        throw new Error(`${this.where()}: the handler has no load() method, so the model cannot be loaded`);
      }
      handler = source;
    } else {
      handler = getLoadHandler(source as string, this.loadOptions);
    }
    const result = handler.load();
    if (isPromise<ModelArtifacts>(result)) {
      return (async () => {
        // Both at once: a load that fails is then reported, never left unhandled while the backend starts.
        const [artifacts] = await Promise.all([result, ENGINE.ready()]);
        const executor = this.prepare(artifacts);
        try {
          await executor.foldConstants();
        } catch (error) {
          this.dispose();
          throw error;
        }
        return true;
      })();
    }
    return this.loadSync(result);
  }

  /** Builds the model from artifacts already in memory, synchronously (TF.js's GraphModel.loadSync). */
  loadSync(artifacts: ModelArtifacts): boolean {
    const executor = this.prepare(artifacts);
    try {
      executor.foldConstantsSync();
    } catch (error) {
      this.dispose();
      throw error;
    }
    return true;
  }

  /** Checks the artifacts, decodes the weights, parses the graph and makes the executor; on any error frees what it made. */
  private prepare(given: ModelArtifacts): GraphExecutor {
    if (this.executor !== undefined || this.disposed) throw new Error(`${this.where()}: the model is already loaded`);
    const where = this.where();
    if (given === null || typeof given !== 'object') {
      throw new Error(`${where}: expected model artifacts, got ${given === null ? 'null' : typeof given}`);
    }
    const data = given.weightData as ArrayBuffer | ArrayBuffer[] | undefined;
    const artifacts: ModelArtifacts = {
      ...given,
      weightSpecs: given.weightSpecs ?? [],
      weightData: Array.isArray(data) ? concatBytes(data) : data ?? new ArrayBuffer(0),
    };
    if (artifacts.format === 'layers-model') {
      throw new Error(`${where}: this is a TF.js layers model (format 'layers-model'), not a graph model; ` +
        'load it with sora.loadLayersModel');
    }
    if (!isArrayBuffer(artifacts.weightData)) throw new Error(`${where}: expected weightData to be an ArrayBuffer`);
    checkArtifacts(artifacts, where);
    const topology = artifacts.modelTopology as { node?: unknown; versions?: { producer?: unknown; minConsumer?: unknown } };
    if (!Array.isArray(topology.node)) {
      throw new Error(`${where}: modelTopology is not a TensorFlow GraphDef (it has no 'node' list)` +
        `${'class_name' in topology || 'model_config' in topology ? '; it looks like a layers model: use sora.loadLayersModel' : ''}`);
    }
    const graph = parseGraph(artifacts.modelTopology, where);
    const nodes = new Map<string, GraphNode>();
    for (const node of graph.nodes) nodes.set(node.name, node);
    const metadata = artifacts.userDefinedMetadata;
    const signature = (metadata?.signature ?? artifacts.signature) as object | undefined;
    const signatureInputs = readSignature(signature, 'inputs', nodes, where);
    const signatureOutputs = readSignature(signature, 'outputs', nodes, where);
    let structured: string[] | undefined;
    if (metadata?.structuredOutputKeys != null) {
      const keys = metadata.structuredOutputKeys;
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string' && !FORBIDDEN_KEYS.has(k))) {
        throw new Error(`${where}: userDefinedMetadata.structuredOutputKeys must be a list of names, got ` +
          `${JSON.stringify(keys)?.slice(0, 80)}`);
      }
      structured = keys.slice();
    }
    checkConstNodes(graph, artifacts, where);
    const initializer = artifacts.modelInitializer as { node?: unknown } | undefined;
    if (Array.isArray(initializer?.node) && initializer.node.length > 0) {
      // TF.js runs this graph once (it fills hash tables the main graph reads); running the main graph without it would
      // silently read empty tables, so such a model is refused until initializers are supported.
      throw new Error(`${where}: the model has an initializer graph (modelInitializer, ${initializer.node.length} nodes: ` +
        'hash tables filled before the first run), which sora does not run yet');
    }

    const weights = new Map<string, Tensor>();
    try {
      for (const [name, decoded] of decodeWeights(artifacts, where)) {
        const t = weightTensor(decoded, `${where}: weight '${name}'`);
        weights.set(name, t);
        const { dtype, values } = decoded;
        if (dtype === 'int32' || dtype === 'bool') setHostValues(t, (values as Int32Array | Uint8Array).slice());
        else if (dtype === 'float32' && (values as Float32Array).length <= HOST_FLOATS) {
          setHostValues(t, (values as Float32Array).slice());
        }
        else if (dtype === 'string') {
          const decoder = new TextDecoder();
          setHostValues(t, (values as Uint8Array[]).map((bytes) => decoder.decode(bytes)));
        }
      }
    } catch (error) {
      for (const t of weights.values()) t.dispose();
      throw error;
    }
    let executor: GraphExecutor;
    try {
      executor = new GraphExecutor(graph, weights, where);
    } catch (error) {
      for (const t of weights.values()) t.dispose();
      throw error;
    }
    const weightMap = Object.create(null) as NamedTensorsMap;
    for (const [name, t] of weights) weightMap[name] = [t];

    this.executor = executor;
    this.nodes = nodes;
    this.artifacts = artifacts;
    this.weightMap = weightMap;
    this.signatureDef = signature;
    this.signatureInputs = signatureInputs;
    this.signatureOutputs = signatureOutputs;
    this.structuredOutputKeys = structured;
    const versions = topology.versions;
    this.version = `${versions?.producer}.${versions?.minConsumer}`;
    return executor;
  }

  /**
   * Saves the model as it was loaded (same topology, weight specs and weight bytes) to a URL ('file://dir',
   * 'indexeddb://name', 'localstorage://name', 'downloads://name') or a SaveHandler.
   */
  async save(handlerOrURL: string | SaveHandler, config?: SaveConfig): Promise<SaveResult> {
    void config;
    this.loaded();
    const handler = getSaveHandler(handlerOrURL);
    if (typeof handler?.save !== 'function') throw new Error(`${this.where()}.save: the handler has no save() method`);
    return handler.save(this.artifacts!);
  }

  /**
   * Runs the model on `inputs` (one Tensor, a Tensor[] in inputNodes order, or tensors by input name or
   * signature key) and returns the default outputs: one Tensor, a Tensor[] for several, or tensors by
   * key when the model has structured outputs. `config` is ignored, as in TF.js.
   */
  predict(inputs: Tensor | Tensor[] | NamedTensorMap, config?: ModelPredictConfig): Tensor | Tensor[] | NamedTensorMap {
    void config;
    return this.structure(this.execute(inputs, this.outputNodes));
  }

  /** predict for models with control flow or ops that read values back (NonMaxSuppression, Where). */
  async predictAsync(inputs: Tensor | Tensor[] | NamedTensorMap, config?: ModelPredictConfig):
    Promise<Tensor | Tensor[] | NamedTensorMap> {
    void config;
    return this.structure(await this.executeAsync(inputs, this.outputNodes));
  }

  private structure(result: Tensor | Tensor[]): Tensor | Tensor[] | NamedTensorMap {
    const keys = this.structuredOutputKeys;
    if (keys === undefined) return result;
    const list = Array.isArray(result) ? result : [result];
    const out = Object.create(null) as NamedTensorMap;
    list.forEach((t, i) => { out[keys[i] ?? String(i)] = t; });
    return out;
  }

  /**
   * Runs the graph synchronously for `inputs` and returns the tensors of `outputs` (node names such as
   * 'Identity' or 'Identity:1', or signature keys; default outputNodes): one Tensor for one output, else a
   * Tensor[] in the order asked. Throws for a graph that needs executeAsync, as TF.js does.
   */
  execute(inputs: Tensor | Tensor[] | NamedTensorMap, outputs?: string | string[]): Tensor | Tensor[] {
    const executor = this.loaded();
    const { feed, fetch } = this.resolve(inputs, outputs, 'execute');
    const result = executor.execute(feed, fetch, { maxLoopIterations: this.maxLoopIterations });
    return result.length > 1 ? result : result[0]!;
  }

  /** execute for graphs with control flow and ops that read values back; the same inputs, outputs and checks. */
  async executeAsync(inputs: Tensor | Tensor[] | NamedTensorMap, outputs?: string | string[]): Promise<Tensor | Tensor[]> {
    const executor = this.loaded();
    const { feed, fetch } = this.resolve(inputs, outputs, 'executeAsync');
    const result = await executor.executeAsync(feed, fetch, { maxLoopIterations: this.maxLoopIterations });
    return result.length > 1 ? result : result[0]!;
  }

  /**
   * The executor's feed (graph tensor name -> tensor) and fetch list for a call, with every check that can
   * be made before the graph runs: input names, counts, tensors alive, dtypes and shapes against the
   * Placeholders, output names, and the Placeholders the outputs need.
   */
  private resolve(inputs: Tensor | Tensor[] | NamedTensorMap, outputs: string | string[] | undefined, method: string):
    { feed: Map<string, Tensor>; fetch: string[] } {
    const at = `${this.where()}.${method}`;
    const byKey = new Map(this.signatureInputs.map((e) => [e.key, e]));
    const given: [string, unknown][] = [];
    if (inputs instanceof Tensor || Array.isArray(inputs)) {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const names = this.inputNodes;
      if (list.length !== names.length) {
        throw new Error(`${at}: the model has ${names.length} input${names.length === 1 ? '' : 's'} ` +
          `[${names.join(', ')}], but ${list.length} tensor${list.length === 1 ? ' was' : 's were'} given`);
      }
      list.forEach((t, i) => given.push([names[i]!, t]));
    } else if (inputs !== null && typeof inputs === 'object') {
      for (const key of Object.keys(inputs)) given.push([key, (inputs as NamedTensorMap)[key]]);
    } else {
      throw new Error(`${at}: expected a Tensor, a Tensor[] or tensors by input name, got ${inputs === null ? 'null' : typeof inputs}`);
    }

    const feed = new Map<string, Tensor>();
    const fed = new Set<string>();
    for (const [key, value] of given) {
      const entry = byKey.get(key);
      const tensorName = canonicalTensorName(entry?.tensor ?? key);
      const [nodeName] = splitTensorName(tensorName);
      const node = this.nodes.get(nodeName);
      if (FORBIDDEN_KEYS.has(key) || node === undefined) {
        throw new Error(`${at}: unknown input '${key}': the graph has no node '${nodeName}'` +
          `${byKey.size > 0 ? ' and the signature no such key' : ''}; the model's inputs are [${this.inputNodes.join(', ')}]`);
      }
      const label = entry !== undefined && entry.key !== node.name ? `input '${key}' (node '${node.name}')` : `input '${key}'`;
      if (!(value instanceof Tensor)) {
        const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
        throw new Error(`${at}: ${label} must be a Tensor, got ${got}`);
      }
      if (value.isDisposed) throw new Error(`${at}: ${label} is a disposed tensor`);
      if (feed.has(tensorName)) throw new Error(`${at}: ${label} is given twice (as two names of one graph tensor)`);
      checkPlaceholder(node, value, label, at, entry);
      feed.set(tensorName, value);
      fed.add(nodeName);
    }

    const wanted = outputs === undefined || outputs === null || (Array.isArray(outputs) && outputs.length === 0)
      ? this.outputNodes : Array.isArray(outputs) ? outputs : [outputs];
    const byOutputKey = new Map(this.signatureOutputs.map((e) => [e.key, e]));
    const fetch = wanted.map((name) => {
      if (typeof name !== 'string') throw new Error(`${at}: expected output names (strings), got ${JSON.stringify(name)}`);
      const tensorName = canonicalTensorName(byOutputKey.get(name)?.tensor ?? name);
      const [nodeName] = splitTensorName(tensorName);
      if (FORBIDDEN_KEYS.has(name) || !this.nodes.has(nodeName)) {
        throw new Error(`${at}: unknown output '${name}': the graph has no node '${nodeName}'` +
          `${byOutputKey.size > 0 ? ' and the signature no such key' : ''}; the model's outputs are [${this.outputNodes.join(', ')}]`);
      }
      return tensorName;
    });

    const missing = this.neededPlaceholders(fetch, fed);
    if (missing.length > 0) {
      const names = missing.map((n) => {
        const entry = this.signatureInputs.find((e) => e.node === n);
        return entry !== undefined && entry.key !== n ? `'${entry.key}' (node '${n}')` : `'${n}'`;
      });
      throw new Error(`${at}: missing input${missing.length === 1 ? '' : 's'} ${names.join(', ')}, which the outputs ` +
        `[${wanted.join(', ')}] need; the model's inputs are [${this.inputNodes.join(', ')}]`);
    }
    return { feed, fetch };
  }

  /** The Placeholders (without a default) that the outputs depend on and that are not fed; cached per (outputs, fed) pair. */
  private neededPlaceholders(fetch: readonly string[], fed: ReadonlySet<string>): string[] {
    const key = `${fetch.join('\u0000')}\u0001${[...fed].sort().join('\u0000')}`;
    let missing = this.missingCache.get(key);
    if (missing === undefined) {
      missing = this.walkPlaceholders(fetch, fed);
      if (this.missingCache.size >= 64) this.missingCache.clear();
      this.missingCache.set(key, missing);
    }
    return missing;
  }

  private walkPlaceholders(fetch: readonly string[], fed: ReadonlySet<string>): string[] {
    const seen = new Set<string>();
    const stack = fetch.map((name) => splitTensorName(name)[0]);
    const missing: string[] = [];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name) || fed.has(name)) continue;
      seen.add(name);
      const node = this.nodes.get(name);
      if (node === undefined) continue;
      if (node.op === 'Placeholder') missing.push(name);
      for (const input of node.inputs) stack.push(input.node);
    }
    return missing.sort();
  }

  /**
   * The intermediate tensors kept by the last run, by node name (TF.js's debugging aid under its
   * KEEP_INTERMEDIATE_TENSORS flag, off by default): sora keeps none, so this is always empty.
   */
  getIntermediateTensors(): NamedTensorsMap {
    this.loaded();
    return Object.create(null) as NamedTensorsMap;
  }

  /** Frees the intermediate tensors getIntermediateTensors returns: there are none, so this does nothing. */
  disposeIntermediateTensors(): void {}

  /** Frees the weights and everything the executor holds; the model cannot run afterwards. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const executor = this.executor;
    this.executor = undefined;
    if (executor !== undefined) executor.dispose();
    // The executor owns the weights; a weight it left alive (or one of a model whose executor failed) is freed here.
    for (const list of Object.values(this.weightMap)) for (const t of list) if (!t.isDisposed) t.dispose();
    this.weightMap = Object.create(null) as NamedTensorsMap;
  }
}
