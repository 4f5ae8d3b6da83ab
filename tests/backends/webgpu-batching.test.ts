/**
 * The webgpu backend's batching, buffer lifetimes and reduction accuracy (issue 14) in
 * headless Chromium (SwiftShader) and Deno (lavapipe): freed buffers outlive the batch that
 * uses them, uploads never force a submit, bind groups are reused, storages report the
 * bytes they reserve, 10^7-element sums stay accurate, and a batched GEMM splits a batch
 * past the grid limit (tests/runtimes/entries/webgpu-batching.ts). A missing runtime fails, never skips.
 */
import { expect } from 'vitest';
import { describeInRuntimes } from '../runtimes/suite.js';

const CASES = [
  '40 adds of 8 MiB tensors disposed before reading: the freed buffers outlive the open batch',
  'an op with a plain-number operand does not force a submit: 50 add(x, 1) make one submit, as 50 add(x, x) do',
  'a write to a storage the open batch reads is staged in the batch: no submit, and earlier kernels see the old values',
  'bind groups and pipelines are reused: a repeated loop of dispatches creates none',
  'a storage reports the bytes its pooled buffer reserves, and bytesInUse adds them up',
  'sum(fill([1e7], 0.1)) is 1e6 within 1e-6 relative error (blocked pairwise accumulation)',
  'moments(add(fill([1e7], 0.1), 1000)).variance is ~0',
  'row and column sums of random values over 2.5e6-long axes stay within 1e-6 relative error',
  'a batched GEMM of 65537 products (past the 65535 grid limit in z) computes every batch',
];

describeInRuntimes({
  title: 'webgpu batching and accuracy', entry: 'tests/runtimes/entries/webgpu-batching.ts', cases: CASES,
  timeoutMs: 5 * 60_000,
  runCheck: {
    name: 'runs every case of the entry (the list here matches it)',
    check: (run) => expect((run.summary as { names: string[] }).names).toEqual(CASES),
  },
});
