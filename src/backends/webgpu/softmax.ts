/**
 * WebGPU glue of the row kernels softmax and softmaxCrossEntropy (shaders of the same
 * names). Narrow rows (<= 64 columns) take one invocation each with no barrier (entry
 * `softmax_rows` / `xent_rows`); wider rows a workgroup each (`main`, 64 invocations up to
 * 1024 columns, else 256), combining in workgroup memory.
 */
import type { SoftmaxCrossEntropyParams } from '../backend.js';
import type { GPUContext, VariantSpec } from './context.js';
import type { PipelineRequest } from './pipelines.js';
import { bufferOf, type GPUStorage } from './storage.js';

/** Invocations per workgroup of the one-row-per-invocation entries. */
const NARROW_WORKGROUP = 64;
const NARROW_COLS = 64;

/** 0: an invocation per row; 1: a 64-wide workgroup per row; 2: a 256-wide one. */
const widthClass = (cols: number) => (cols <= NARROW_COLS ? 0 : cols <= 1024 ? 1 : 2);

function layout(width: number, narrowEntry: string): { entryPoint: string; constants: Record<string, number> } {
  return width === 0 ? { entryPoint: narrowEntry, constants: { WORKGROUP_SIZE: NARROW_WORKGROUP } }
    : { entryPoint: 'main', constants: { WORKGROUP_SIZE: width === 1 ? 64 : 256 } };
}

const xentSpec = (width: number, sparse: number, grad: number): VariantSpec => {
  const { entryPoint, constants } = layout(width, 'xent_rows');
  return { kernel: 'softmaxCrossEntropy', shader: 'softmaxCrossEntropy', entryPoint,
    constants: { ...constants, SPARSE: sparse, HAS_GRAD: grad } };
};

/** Pipelines of this family that a dense-network training step uses (for compile()). */
export function softmaxWarmUp(): PipelineRequest[] { return [xentSpec(0, 0, 1)]; }

function rowGroups(rows: number, width: number): number {
  return width === 0 ? Math.ceil(rows / NARROW_WORKGROUP) : rows;
}

export function softmaxKernel(context: GPUContext, x: GPUStorage, out: GPUStorage, rows: number, cols: number): void {
  if (rows === 0 || cols === 0) return;
  const width = widthClass(cols);
  const variant = context.variant('softmax', width, () => ({ kernel: 'softmax', shader: 'softmax', ...layout(width, 'softmax_rows') }));
  context.runLine(variant, [bufferOf(x, 'softmax'), bufferOf(out, 'softmax')], [rows, cols], null, rowGroups(rows, width));
}

export function softmaxCrossEntropyKernel(context: GPUContext, p: SoftmaxCrossEntropyParams<GPUStorage>): void {
  const { rows, cols } = p;
  if (rows === 0) return;
  const k = 'softmaxCrossEntropy';
  const width = widthClass(cols), sparse = +p.sparse, grad = +(p.grad !== null);
  const variant = context.variant(k, width * 4 + sparse * 2 + grad, () => xentSpec(width, sparse, grad));
  context.runLine(variant,
    [bufferOf(p.logits, k), bufferOf(p.labels, k), bufferOf(p.loss, k), p.grad ? bufferOf(p.grad, k) : context.dummy],
    [rows, cols], [p.gradScale], rowGroups(rows, width));
}
