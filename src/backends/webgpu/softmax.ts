/**
 * WebGPU glue of the row kernels softmax and softmaxCrossEntropy (shaders of the same
 * names). Narrow rows (<= 64 columns) take one invocation each with no barrier (entry
 * `softmax_rows` / `xent_rows`); wider rows a workgroup each (`main`), combining in
 * workgroup memory. softmax's wide rows of a multiple of 4 columns read and write vec4s
 * (softmaxVec4.wgsl); its workgroup is 4 invocations on a CPU adapter (SwiftShader, lavapipe:
 * a barrier there costs a switch per invocation, so fewer invocations per row is faster:
 * 512x1000 in 60 ms with 64 and a tree, 7 ms with 4), 64 on a GPU up to 1024 columns, else 256.
 * softmaxCrossEntropy's wide rows take the same 4-invocation workgroup on a CPU adapter.
 */
import type { SoftmaxCrossEntropyParams } from '../backend.js';
import type { GPUContext, VariantSpec } from './context.js';
import type { PipelineRequest } from './pipelines.js';
import { bufferOf, type GPUStorage } from './storage.js';

/** Invocations per workgroup of the one-row-per-invocation entries. */
const NARROW_WORKGROUP = 64;
const NARROW_COLS = 64;
/** softmax's workgroup per wide row on a CPU adapter. */
const CPU_ROW_WORKGROUP = 4;

/** 0: an invocation per row; 1: a 64-wide workgroup per row; 2: a 256-wide one. */
const widthClass = (cols: number) => (cols <= NARROW_COLS ? 0 : cols <= 1024 ? 1 : 2);

function layout(width: number, narrowEntry: string): { entryPoint: string; constants: Record<string, number> } {
  return width === 0 ? { entryPoint: narrowEntry, constants: { WORKGROUP_SIZE: NARROW_WORKGROUP } }
    : { entryPoint: 'main', constants: { WORKGROUP_SIZE: width === 1 ? 64 : 256 } };
}

const xentSpec = (width: number, sparse: number, grad: number, cpu = false): VariantSpec => {
  const { entryPoint, constants } = layout(width, 'xent_rows');
  if (cpu && width > 0) constants.WORKGROUP_SIZE = CPU_ROW_WORKGROUP;
  return { kernel: 'softmaxCrossEntropy', shader: 'softmaxCrossEntropy', entryPoint,
    constants: { ...constants, SPARSE: sparse, HAS_GRAD: grad } };
};

/** Pipelines of this family that a dense-network training step uses (for compile()). */
export function softmaxWarmUp(): PipelineRequest[] { return [xentSpec(0, 0, 1)]; }

function rowGroups(rows: number, width: number): number {
  return width === 0 ? Math.ceil(rows / NARROW_WORKGROUP) : rows;
}

/** softmax's variant: key = width class * 4 + vec4 * 2 + cpu (cpu and vec4 only for wide rows). */
function softmaxSpec(width: number, vec4: boolean, cpu: boolean): VariantSpec {
  if (width === 0) return { kernel: 'softmax', shader: 'softmax', ...layout(0, 'softmax_rows') };
  const constants = { WORKGROUP_SIZE: cpu ? CPU_ROW_WORKGROUP : width === 1 ? 64 : 256 };
  return { kernel: 'softmax', shader: vec4 ? 'softmaxVec4' : 'softmax', entryPoint: 'main', constants };
}

/**
 * out = softmax of each of `rows` rows of `cols` floats of x. `cpuAdapter` picks the
 * workgroup of the wide-row entries (see the top of this file); both layouts give the same
 * results up to the order of the sums.
 */
export function softmaxKernel(context: GPUContext, x: GPUStorage, out: GPUStorage, rows: number, cols: number,
  cpuAdapter = false): void {
  if (rows === 0 || cols === 0) return;
  const width = widthClass(cols);
  const vec4 = width > 0 && cols % 4 === 0;
  const cpu = width > 0 && cpuAdapter;
  const variant = context.variant('softmax', width * 4 + +vec4 * 2 + +cpu, () => softmaxSpec(width, vec4, cpu));
  context.runLine(variant, [bufferOf(x, 'softmax'), bufferOf(out, 'softmax')], [rows, cols], null, rowGroups(rows, width));
}

/**
 * The fused softmax cross-entropy; `cpuAdapter` gives wide rows a 4-invocation workgroup, as
 * softmax's (its tree reductions then take two steps).
 */
export function softmaxCrossEntropyKernel(context: GPUContext, p: SoftmaxCrossEntropyParams<GPUStorage>,
  cpuAdapter = false): void {
  const { rows, cols } = p;
  if (rows === 0) return;
  const k = 'softmaxCrossEntropy';
  const width = widthClass(cols), sparse = +p.sparse, grad = +(p.grad !== null);
  const cpu = width > 0 && cpuAdapter;
  const variant = context.variant(k, width * 8 + +cpu * 4 + sparse * 2 + grad, () => xentSpec(width, sparse, grad, cpu));
  context.runLine(variant,
    [bufferOf(p.logits, k), bufferOf(p.labels, k), bufferOf(p.loss, k), p.grad ? bufferOf(p.grad, k) : context.dummy],
    [rows, cols], [p.gradScale], rowGroups(rows, width));
}
