/**
 * tf.fused: conv2d, depthwiseConv2d and matMul with a bias and an activation after them, as
 * TF.js's fused ops take them (one config object). The bias and activation go into the
 * kernel's epilogue when the op can put them there (an NHWC image, a bias of one value per
 * output channel, an activation the epilogue has whose slope its output gives); otherwise
 * they are the ops they stand for, after the unfused op. 'prelu' always runs after, as
 * tf.prelu with `preluActivationWeights`. Gradients flow through either form.
 */
import { DEFAULT_LEAKY_ALPHA } from '../../backends/backend.js';
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Argument, type Input } from '../inputs.js';
import { prelu } from '../math/activations.js';
import { dense, matMul as plainMatMul } from '../linalg/matmul.js';
import { reshape } from '../structure/shape.js';
import type { DataFormat, Pair } from './args.js';
import { asNHWC, CONV2D, conv2dGeometry, conv2d as plainConv2d } from './conv2d.js';
import { depthwiseGeometry, depthwiseOp, depthwiseConv2d as plainDepthwise } from './depthwise.js';
import { epilogue, fusable, LINEAR, type EpilogueAttrs } from './epilogue.js';
import type { ConvGeometry, ConvPadding, DimRoundingMode } from './geometry.js';
import { run1 } from '../registry.js';

export type FusedActivation = 'linear' | 'relu' | 'relu6' | 'elu' | 'prelu' | 'leakyrelu' | 'sigmoid';
const ACTIVATIONS: readonly FusedActivation[] = ['linear', 'relu', 'relu6', 'elu', 'prelu', 'leakyrelu', 'sigmoid'];

interface FusedCommon {
  bias?: Input;
  activation?: FusedActivation;
  preluActivationWeights?: Input;
  leakyreluAlpha?: number;
}
export interface FusedConv2DConfig extends FusedCommon {
  x: Input;
  filter: Input;
  strides: Pair;
  pad: ConvPadding;
  dataFormat?: DataFormat;
  dilations?: Pair;
  dimRoundingMode?: DimRoundingMode;
}
export interface FusedMatMulConfig extends FusedCommon {
  a: Input;
  b: Input;
  transposeA?: boolean;
  transposeB?: boolean;
}

/** The epilogue attributes of a TF.js activation name ('prelu' is linear here: it runs after). */
function epilogueOf(op: string, activation: unknown, leakyreluAlpha: unknown, preluWeights: Tensor | undefined): EpilogueAttrs {
  if (!ACTIVATIONS.includes(activation as FusedActivation)) {
    throw new Error(`${op}: activation must be one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}; received ${JSON.stringify(activation)}`);
  }
  if (activation === 'prelu' && !preluWeights) throw new Error(`${op}: activation 'prelu' needs preluActivationWeights`);
  if (leakyreluAlpha !== undefined && typeof leakyreluAlpha !== 'number') {
    throw new Error(`${op}: leakyreluAlpha must be a number; received ${JSON.stringify(leakyreluAlpha)}`);
  }
  switch (activation) {
    case 'prelu': case 'linear': return LINEAR;
    case 'leakyrelu': return { activation: 'leakyRelu', alpha: leakyreluAlpha ?? DEFAULT_LEAKY_ALPHA };
    default: return { activation: activation as EpilogueAttrs['activation'], alpha: DEFAULT_LEAKY_ALPHA };
  }
}

/** The optional tensors of a config made tensors (float32 values), with the op run on them. */
function withOptional<T>(op: string, named: [string, Input | undefined][], f: (ts: (Tensor | undefined)[]) => T): T {
  const given = named.filter(([, v]) => v !== undefined) as Argument[];
  return withInputs(op, given.map(([n, v]) => [n, v, 'float32']), (made) => {
    let i = 0;
    return f(named.map(([, v]) => (v === undefined ? undefined : made[i++])));
  });
}

/** The rest of the epilogue after the unfused op: bias (broadcast), activation, then prelu. */
function after(y: Tensor, bias: Tensor | undefined, epi: EpilogueAttrs, preluWeights: Tensor | undefined): Tensor {
  const z = epilogue(y, bias, epi);
  return preluWeights ? prelu(z, preluWeights) : z;
}

/** A bias the kernel epilogue takes: one value per output channel (any rank), else null. */
function channelBias(bias: Tensor | undefined, channels: number): Tensor | null | undefined {
  if (!bias) return undefined;
  return bias.size === channels && bias.shape[bias.rank - 1] === channels ? reshape(bias, [channels]) : null;
}

type Runner = (x4: Tensor, filter: Tensor, bias: Tensor | undefined, g: ConvGeometry, epi: EpilogueAttrs) => Tensor;

function fusedImage(op: string, config: FusedConv2DConfig, geometry: typeof conv2dGeometry, run: Runner,
  unfused: (x: Tensor, filter: Tensor) => Tensor): Tensor {
  if (config === null || typeof config !== 'object') throw new Error(`${op}: expected a config object { x, filter, strides, pad, ... }`);
  const { strides, pad, dataFormat = 'NHWC', dilations = [1, 1], dimRoundingMode, activation = 'linear', leakyreluAlpha } = config;
  return withOptional(op, [['x', config.x], ['filter', config.filter], ['bias', config.bias], ['preluActivationWeights', config.preluActivationWeights]],
    ([x, filter, bias, weights]) => {
      if (!x || !filter) throw new Error(`${op}: the config needs x and filter`);
      const g = geometry({ op, x, filter, strides, pad, dataFormat, dilations, dimRoundingMode });
      const epi = epilogueOf(op, activation, leakyreluAlpha, weights);
      return ENGINE.tidy(() => {
        const fit = dataFormat === 'NHWC' && fusable(epi) ? channelBias(bias, g.outChannels) : null;
        if (fit === null) return after(unfused(x, filter), bias, epi, weights);
        const y = asNHWC(x, 'NHWC', (x4) => run(x4, filter, fit, g, epi));
        return weights ? prelu(y, weights) : y;
      });
    });
}

/** conv2d, then bias and activation, as one op where the backend can (tf.fused.conv2d). */
export function fusedConv2d(config: FusedConv2DConfig): Tensor {
  return fusedImage('fused.conv2d', config, conv2dGeometry,
    (x4, filter, bias, g, epi) => run1(CONV2D, bias ? [x4, filter, bias] : [x4, filter], { g, ...epi }),
    (x, filter) => plainConv2d(x, filter, config.strides, config.pad, config.dataFormat, config.dilations, config.dimRoundingMode));
}

/** depthwiseConv2d, then bias and activation (tf.fused.depthwiseConv2d). */
export function fusedDepthwiseConv2d(config: FusedConv2DConfig): Tensor {
  return fusedImage('fused.depthwiseConv2d', config, depthwiseGeometry, depthwiseOp,
    (x, filter) => plainDepthwise(x, filter, config.strides, config.pad, config.dataFormat, config.dilations, config.dimRoundingMode));
}

/** matMul, then bias and activation (tf.fused.matMul); one GEMM with its epilogue for the rank-2 relu / linear case. */
export function fusedMatMul(config: FusedMatMulConfig): Tensor {
  const op = 'fused.matMul';
  if (config === null || typeof config !== 'object') throw new Error(`${op}: expected a config object { a, b, ... }`);
  const { transposeA = false, transposeB = false, activation = 'linear', leakyreluAlpha } = config;
  return withOptional(op, [['a', config.a], ['b', config.b], ['bias', config.bias], ['preluActivationWeights', config.preluActivationWeights]],
    ([a, b, bias, weights]) => {
      if (!a || !b) throw new Error(`${op}: the config needs a and b`);
      const epi = epilogueOf(op, activation, leakyreluAlpha, weights);
      return ENGINE.tidy(() => {
        const gemm = a.rank === 2 && b.rank === 2 && !transposeA && !transposeB && a.dtype === 'float32' && b.dtype === 'float32' &&
          (epi.activation === 'linear' || epi.activation === 'relu') && a.shape[1] === b.shape[0];
        const fit = gemm ? channelBias(bias, b.shape[1]) : null;
        if (fit === null) return after(plainMatMul(a, b, transposeA, transposeB), bias, epi, weights);
        const y = dense(a, b, fit ?? null, epi.activation as 'linear' | 'relu');
        return weights ? prelu(y, weights) : y;
      });
    });
}

/** TF.js's tf.fused namespace: conv2d, depthwiseConv2d and matMul with a fused bias and activation. */
export const fused = { conv2d: fusedConv2d, depthwiseConv2d: fusedDepthwiseConv2d, matMul: fusedMatMul };
