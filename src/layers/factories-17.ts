/** The layer factories of embedding.ts and core-sequence.ts under TF.js's names (spread into sora.layers). */
import type { LayerArgs } from './base.js';
import { Embedding, type EmbeddingArgs } from './embedding.js';
import { Masking, RepeatVector } from './core-sequence.js';

export const layers17 = {
  /**
   * A layer mapping integer ids in [0, inputDim) to learned vectors of length outputDim (tf.layers.embedding);
   * float ids are truncated, embeddingsInitializer default 'randomUniform', maskZero default false (true makes
   * id 0 padding, masked for the next layers), inputLength default none (any length).
   */
  embedding: (args: EmbeddingArgs) => new Embedding(args),
  /** A layer repeating each [batch, features] input n times into [batch, n, features] (tf.layers.repeatVector). */
  repeatVector: (args: LayerArgs & { n: number }) => new RepeatVector(args),
  /**
   * A layer masking the time steps whose features all equal maskValue (default 0), zeroing them and passing
   * the mask to the next layers (tf.layers.masking).
   */
  masking: (args?: LayerArgs & { maskValue?: number }) => new Masking(args),
};

