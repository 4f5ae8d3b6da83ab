/**
 * The webgpu backend's machinery in headless Chromium (SwiftShader) and Deno (lavapipe):
 * readSync's refusal, the buffer limit, batched submits, pool reuse, 2D grids past 65535
 * workgroups, write ordering, aliasing, typed-array write conversion, copyStrided rank,
 * errors that name their shader, lazy shader compilation (a broken shader breaks only its
 * kernels), device loss, dispose, and a caller's own device
 * (tests/runtimes/entries/webgpu-behaviour.ts). A missing runtime fails, never skips.
 */
import { expect } from 'vitest';
import { describeInRuntimes } from '../runtimes/suite.js';

const CASES = [
  'readSync throws and points to await tensor.data()',
  'alloc over the storage buffer limit throws naming the size and the limit',
  'kernels are batched: 300 dispatches reach the GPU in a handful of submits',
  'the buffer pool reuses freed buffers: repeated steps create none',
  'more than 65535 workgroups split into a 2D grid (16M-element affine)',
  'a write after queued kernels does not overtake them',
  'in-place calls (output bound as an input) go through a scratch copy',
  'int32 and float32 storages round-trip, and writes convert like typed arrays',
  'copyStrided up to rank 8 after merging; more throws naming the rank',
  'a pipeline that fails validation surfaces as an Error naming the shader',
  'shaders compile on first use: a new backend has compiled none, each kernel compiles only its own',
  'a shader that fails to compile breaks only its kernels, and the errors name it',
  'compile() warms the pipeline cache that a training step then uses',
  'a CPU adapter is flagged, and refused when allowCpuAdapter is false',
  'device loss: onLost fires, kernels and reads throw a clear Error',
  'dispose() destroys an owned device without reporting a loss',
  'a device passed in is used as is and left alive by dispose()',
];

describeInRuntimes({
  title: 'webgpu backend behaviour', entry: 'tests/runtimes/entries/webgpu-behaviour.ts', cases: CASES,
  timeoutMs: 4 * 60_000,
  runCheck: {
    name: 'runs every case of the entry (the list here matches it)',
    check: (run) => expect((run.summary as { names: string[] }).names).toEqual(CASES),
  },
});
