/**
 * Embedding (tf.layers.embedding): rows of an [inputDim, outputDim] table looked up by integer
 * ids, its gradient the scatter-add of gather's; with maskZero it makes the mask (id != 0) that
 * later layers receive as kwargs.mask.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { Initializer } from '../training/initializers.js';
import type { Regularizer } from '../training/regularizers.js';
import { getConstraint, serializeConstraint, type Constraint } from '../training/constraints.js';
import { Layer, type LayerArgs, type LayerVariable, type SymbolicShape } from './base.js';
import { resolveInitializer, resolveRegularizer, serializeInitializer, serializeRegularizer } from './config.js';
import { checkPositiveInt, oneInput } from './arg-checks.js';

/** The config of layers.embedding (TF.js's EmbeddingLayerArgs): inputDim and outputDim are required. */
export interface EmbeddingArgs extends LayerArgs {
  /** The vocabulary size: ids are in [0, inputDim). */
  inputDim: number;
  /** The length of each id's vector. */
  outputDim: number;
  /** How the table starts; default 'randomUniform' (in [-0.05, 0.05]). */
  embeddingsInitializer?: unknown;
  /** A penalty on the table added to the loss; default none. */
  embeddingsRegularizer?: unknown;
  /** A penalty on the output; TF.js cannot run a layer with one, and sora refuses it; default none. */
  activityRegularizer?: unknown;
  /** A constraint applied to the table after each step; default none. */
  embeddingsConstraint?: unknown;
  /** Whether id 0 is padding: the layer then makes the mask id != 0 for the next layers; default false. */
  maskZero?: boolean;
  /** The length of the sequences (a list for rank > 2 ids), when fixed; default none (any length). */
  inputLength?: number | number[];
}

/** The layer class behind layers.embedding. */
export class Embedding extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Embedding', the class name in saved configs. */
  static override className = 'Embedding';
  /** The vocabulary size. */
  declare readonly inputDim: number;
  /** The length of each vector. */
  declare readonly outputDim: number;
  /** Whether id 0 is masked out. */
  declare readonly maskZero: boolean;
  /** The fixed sequence length(s), or null. */
  declare readonly inputLength: number | number[] | null;
  /** How the table starts. */
  declare readonly embeddingsInitializer: Initializer;
  /** The penalty on the table, or null. */
  declare readonly embeddingsRegularizer: Regularizer | null;
  /** The constraint on the table, or null. */
  declare readonly embeddingsConstraint: Constraint | null;
  /** The [inputDim, outputDim] table, once built. */
  embeddings: LayerVariable | null = null;

  /** An embedding layer from its config (see layers.embedding for the defaults). */
  constructor(args: EmbeddingArgs) {
    super(args);
    const where = `embedding ${this.name}`;
    this.inputDim = checkPositiveInt(where, 'inputDim', args.inputDim);
    this.outputDim = checkPositiveInt(where, 'outputDim', args.outputDim);
    const length = args.inputLength ?? null;
    const lengths = length === null ? [null] : [length].flat();
    for (const d of lengths) if (d !== null) checkPositiveInt(where, 'inputLength', d);
    this.inputLength = length;
    // As TF.js: without inputShape, the input is [batch, ...inputLength] (or [batch, null]).
    this.batchInputShape ??= [args.batchSize ?? null, ...lengths];
    this.embeddingsInitializer = resolveInitializer(where, args.embeddingsInitializer, 'randomUniform');
    this.embeddingsRegularizer = resolveRegularizer(where, args.embeddingsRegularizer);
    // TF.js takes one and then refuses every call of the layer ("not supported yet").
    if (args.activityRegularizer != null) throw new Error(`${where}: activityRegularizer is not supported`);
    this.embeddingsConstraint = getConstraint(where, args.embeddingsConstraint);
    this.maskZero = args.maskZero ?? false;
    this.supportsMasking = this.maskZero;
  }

  /** Checks the ids' shape against inputLength, then creates the [inputDim, outputDim] table named 'embeddings'. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    this.computeOutputShape(inputShape);
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], 'float32', this.embeddingsInitializer,
      this.embeddingsRegularizer, true, this.embeddingsConstraint);
    super.build(inputShape);
  }

  /** The ids' shape with the fixed lengths filled in, and outputDim appended. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const lengths = this.inputLength === null ? shape.slice(1) : [this.inputLength].flat();
    if (lengths.length !== shape.length - 1 || lengths.some((d, i) => shape[i + 1] !== null && d !== shape[i + 1])) {
      throw new Error(`embedding ${this.name}: inputLength is ${this.inputLength}, received ids of shape ${JSON.stringify(shape)}`);
    }
    return [shape[0], ...lengths, this.outputDim];
  }

  /**
   * The rows of the table at the ids, truncated to integers as TF.js casts them. Ids of a length
   * other than inputLength, and an id outside [0, inputDim), are errors naming the layer and the
   * value, before the lookup. The ids are read where the backend reads synchronously; on webgpu
   * they are not checked (nor are they by TF.js's webgl and wasm backends).
   */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = oneInput(inputs);
    const shape = this.computeOutputShape(x.shape);
    const values = x.ref.backend.syncReadable ? x.dataSync() as ArrayLike<number> : [];
    for (let i = 0; i < values.length; i++) {
      const id = Math.trunc(values[i]);
      if (!(id >= 0 && id < this.inputDim)) {
        throw new Error(`embedding ${this.name}: ids must be in [0, inputDim=${this.inputDim}); received ${values[i]} at ${i}`);
      }
    }
    return ops.reshape(ops.gather(this.embeddings!, ops.reshape(ops.cast(x, 'int32'), [x.size])), shape as number[]);
  }

  /** With maskZero, ids != 0 (bool, the ids' shape); else null. */
  override computeMask(inputs: Tensor | Tensor[]): Tensor | null {
    return this.maskZero ? ops.notEqual(oneInput(inputs), 0) : null;
  }

  /** The layer's config as TF.js saves it. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
      embeddingsRegularizer: serializeRegularizer(this.embeddingsRegularizer), activityRegularizer: null,
      embeddingsConstraint: serializeConstraint(this.embeddingsConstraint), maskZero: this.maskZero, inputLength: this.inputLength,
    };
  }
}
