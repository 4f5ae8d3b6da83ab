/**
 * The 'fused_ops' of _FusedConv2D, FusedDepthwiseConv2dNative and _FusedMatMul read as TF.js
 * reads them: [extra op, activation], lower-cased; BiasAdd takes one argument (two with Prelu:
 * bias, alpha); FusedBatchNorm is refused; an activation sora's fused ops lack is an Error.
 */
import type { Tensor } from '../../core/tensor.js';
import type { FusedActivation } from '../../ops/conv/fused.js';
import type { GraphValue, OpContext } from '../types.js';
import { tensorInputs, where } from './util.js';

const ACTIVATIONS: readonly string[] = ['relu', 'relu6', 'elu', 'prelu', 'leakyrelu', 'sigmoid'];

/** What a fused node adds after its conv or matmul. */
export interface FusedTail {
  /** The bias (BiasAdd's argument), if any. */
  bias?: Tensor;
  /** The activation ('linear' when none). */
  activation: FusedActivation;
  /** Prelu's alpha, if the activation is 'prelu'. */
  preluActivationWeights?: Tensor;
  /** LeakyRelu's slope ('leakyrelu_alpha', 0.2 by default). */
  leakyreluAlpha: number;
}

/**
 * Reads the fused tail of a node whose arguments start at input `first`. `shiftPrelu` is the
 * conv rule (without BiasAdd, the one argument is Prelu's alpha); _FusedMatMul keeps the order.
 */
export function fusedTail(inputs: readonly GraphValue[], ctx: OpContext, first: number, shiftPrelu: boolean): FusedTail {
  const fusedOps = ctx.attrs.strings('fused_ops', []).map((s) => s.toLowerCase());
  if (fusedOps.length > 2) throw new Error(`${where(ctx)}: fused_ops [${fusedOps.join(', ')}] has more than two ops`);
  const [extra, activation] = fusedOps;
  if (extra === 'fusedbatchnorm') throw new Error(`${where(ctx)}: fused_ops with FusedBatchNorm is not supported (as in TF.js)`);
  if (extra !== undefined && extra !== 'biasadd') throw new Error(`${where(ctx)}: fused_ops must start with BiasAdd, got '${extra}'`);
  if (activation !== undefined && !ACTIVATIONS.includes(activation)) {
    throw new Error(`${where(ctx)}: fused activation '${activation}' is not supported (one of ${ACTIVATIONS.join(', ')})`);
  }
  const numArgs = ctx.attrs.int('num_args', inputs.length - first);
  if (inputs.length !== first + numArgs) {
    throw new Error(`${where(ctx)}: num_args is ${numArgs}, so expected ${first + numArgs} inputs, got ${inputs.length}`);
  }
  const isPrelu = activation === 'prelu';
  if (extra === 'biasadd' && numArgs !== (isPrelu ? 2 : 1)) {
    const need = isPrelu ? ' and Prelu need two extra arguments (bias, alpha)' : ' needs one extra argument (bias)';
    throw new Error(`${where(ctx)}: fused BiasAdd${need}, got ${numArgs}`);
  }
  let [bias, alpha]: (Tensor | undefined)[] = tensorInputs(inputs, ctx, first);
  if (extra === undefined && shiftPrelu) {
    alpha = bias;
    bias = undefined;
  }
  if (isPrelu && alpha === undefined) throw new Error(`${where(ctx)}: the fused Prelu has no alpha argument`);
  return {
    bias, activation: (activation ?? 'linear') as FusedActivation, preluActivationWeights: isPrelu ? alpha : undefined,
    leakyreluAlpha: ctx.attrs.float('leakyrelu_alpha', 0.2),
  };
}
