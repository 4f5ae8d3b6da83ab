/** Every kernel case, in one list: run by tests/kernels (wasm, Node) and tests/webgpu (Chromium, Deno). */
import type { KernelCase } from './harness.js';
import { cases as gemm } from './gemm.cases.js';
import { cases as elementwise } from './elementwise.cases.js';
import { cases as reduce } from './reduce.cases.js';
import { cases as softmax } from './softmax.cases.js';
import { cases as loss } from './loss.cases.js';
import { cases as optim } from './optim.cases.js';
import { cases as movement } from './movement.cases.js';
import { cases as logic } from './logic.cases.js';
import { cases as indexing } from './indexing.cases.js';
import { cases as random } from './random.cases.js';
import { cases as math } from './math.cases.js';
import { cases as conv } from './conv.cases.js';
import { cases as convWinograd } from './conv-winograd.cases.js';
import { cases as pool } from './pool.cases.js';
import { cases as recurrent } from './recurrent.cases.js';
import { cases as resize } from './resize.cases.js';

export const suites: Record<string, KernelCase[]> = { gemm, elementwise, reduce, softmax, loss, optim, movement, logic, indexing, random, math, conv, convWinograd, pool, recurrent, resize };
export const allCases: KernelCase[] = Object.values(suites).flat();
/**
 * The convolution and pooling cases, and every other one. On webgpu (Chromium and Deno) the
 * first run in tests/backends/webgpu-conv.test.ts beside its own conv cases, the rest in
 * webgpu-kernels.test.ts, so that each file stays inside its time limit (measured in
 * Chromium on a loaded machine: the conv and pool cases took about 100 s of the kernel
 * suite's 862 s); wasm and the reference run them all together.
 */
export const convCases: KernelCase[] = [...conv, ...convWinograd, ...pool];
export const casesBesideConv: KernelCase[] = allCases.filter((c) => !convCases.includes(c));
