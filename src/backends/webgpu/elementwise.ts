/**
 * WebGPU glue of the element-wise kernel families: unary, unaryBackward, binary, select,
 * affine, cast and fill (shaders of the same names). One invocation per output element:
 * ceil(size / 256) workgroups in a line, split 2D past the per-dimension limit. Each
 * function picks the pipeline variant (op code and dtype flags as override constants,
 * cached per variant by the context) and fills the uniform words in its shader's struct order.
 */
import { BINARY_CODES, UNARY_CODES, type BinaryOp, type UnaryOp } from '../backend.js';
import { CAST_CODES } from '../opcodes.generated.js';
import { checkBackwardOp } from '../reference/math.js';
import type { GPUContext, KernelVariant, VariantSpec } from './context.js';
import type { PipelineRequest } from './pipelines.js';
import { bufferOf, type GPUStorage } from './storage.js';

/** Invocations per workgroup. */
export const ELEMENTWISE_WORKGROUP = 256;

const groups = (size: number) => Math.ceil(size / ELEMENTWISE_WORKGROUP);

const unarySpec = (op: UnaryOp): VariantSpec =>
  ({ kernel: `unary ${op}`, shader: 'unary', constants: { OP: UNARY_CODES[op], WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } });
const unaryBackwardSpec = (op: UnaryOp): VariantSpec =>
  ({ kernel: `unaryBackward ${op}`, shader: 'unaryBackward', constants: { OP: UNARY_CODES[op], WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } });
const fillSpec: VariantSpec = { kernel: 'fill', shader: 'fill', constants: { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } };

/** Pipelines of this family that a dense-network training step uses (for compile()). */
export function elementwiseWarmUp(): PipelineRequest[] {
  return [unaryBackwardSpec('relu'), fillSpec];
}

/** out[begin..end) = f(x); the rest of out is left as it was. */
export function unaryKernel(context: GPUContext, op: UnaryOp, x: GPUStorage, out: GPUStorage, begin: number, end: number): void {
  if (end <= begin) return;
  const variant = context.variant('unary', UNARY_CODES[op], () => unarySpec(op));
  context.runLine(variant, [bufferOf(x, 'unary'), bufferOf(out, 'unary')], [begin, end], null, groups(end - begin));
}

export function unaryBackwardKernel(context: GPUContext, op: UnaryOp, dy: GPUStorage, x: GPUStorage, y: GPUStorage,
  dx: GPUStorage, size: number): void {
  checkBackwardOp('webgpu', op);
  if (size === 0) return;
  const k = 'unaryBackward';
  const variant = context.variant(k, UNARY_CODES[op], () => unaryBackwardSpec(op));
  context.runLine(variant, [bufferOf(dy, k), bufferOf(x, k), bufferOf(y, k), bufferOf(dx, k)], [size], null, groups(size));
}

/** out[begin..end) = a[i % aSize] op b[i % bSize]; INT_IN / INT_OUT pick the int32 paths. */
export function binaryKernel(context: GPUContext, op: BinaryOp, a: GPUStorage, aSize: number, b: GPUStorage, bSize: number,
  out: GPUStorage, size: number, begin: number, end: number): void {
  if (end <= begin) return;
  const intIn = +(a.dtype !== 'float32'), intOut = +(out.dtype !== 'float32');
  const variant = context.variant('binary', BINARY_CODES[op] * 4 + intIn * 2 + intOut, () => ({
    kernel: `binary ${op}`, shader: 'binary',
    constants: { OP: BINARY_CODES[op], INT_IN: intIn, INT_OUT: intOut, WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP },
  }));
  context.runLine(variant, [bufferOf(a, 'binary'), bufferOf(b, 'binary'), bufferOf(out, 'binary')],
    [size, aSize, bSize, begin, end], null, groups(end - begin));
}

/** The one variant of a kernel without op codes or flags. */
function single(context: GPUContext, family: string, spec: VariantSpec): KernelVariant {
  return context.variant(family, 0, () => spec);
}

export function selectKernel(context: GPUContext, cond: GPUStorage, condSize: number, a: GPUStorage, aSize: number,
  b: GPUStorage, bSize: number, out: GPUStorage, size: number): void {
  if (size === 0) return;
  const k = 'select';
  const variant = single(context, k, { kernel: k, shader: k, constants: { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } });
  context.runLine(variant, [bufferOf(cond, k), bufferOf(a, k), bufferOf(b, k), bufferOf(out, k)],
    [size, condSize, aSize, bSize], null, groups(size));
}

export function affineKernel(context: GPUContext, x: GPUStorage, out: GPUStorage, size: number, alpha: number, beta: number): void {
  if (size === 0) return;
  const k = 'affine';
  const variant = single(context, k, { kernel: k, shader: k, constants: { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } });
  context.runLine(variant, [bufferOf(x, k), bufferOf(out, k)], [size], [alpha, beta], groups(size));
}

export function castKernel(context: GPUContext, x: GPUStorage, out: GPUStorage, size: number): void {
  if (size === 0) return;
  const mode = x.dtype === out.dtype ? 'copy'
    : out.dtype === 'bool' ? (x.dtype === 'float32' ? 'float32ToBool' : 'int32ToBool')
    : out.dtype === 'float32' ? 'int32ToFloat32'
    : x.dtype === 'float32' ? 'float32ToInt32' : 'copy'; // bool -> int32: the 0 / 1 words
  const variant = context.variant('cast', CAST_CODES[mode], () => ({
    kernel: 'cast', shader: 'cast', constants: { MODE: CAST_CODES[mode], WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP },
  }));
  context.runLine(variant, [bufferOf(x, 'cast'), bufferOf(out, 'cast')], [size], null, groups(size));
}

const fillF32 = new Float32Array(1);
const fillI32 = new Int32Array(fillF32.buffer);

/** out[0..size) = the 32 bits a Float32Array or Int32Array would store for `value`; bool stores value != 0. */
export function fillKernel(context: GPUContext, out: GPUStorage, size: number, value: number): void {
  if (size === 0) return;
  if (out.dtype === 'bool') fillI32[0] = value !== 0 ? 1 : 0;
  else if (out.dtype === 'int32') fillI32[0] = value; else fillF32[0] = value;
  context.runLine(single(context, 'fill', fillSpec), [bufferOf(out, 'fill')], [size, fillI32[0]], null, groups(size));
}
