/**
 * fitDataset on the webgpu backend in headless Chromium (SwiftShader) and Deno (lavapipe):
 * parity with fit, NaN pinning and device-loss recovery for streamed batches, and csv read
 * over fetch / file:// (tests/data/gpu/fit-dataset.ts). A missing runtime fails with the
 * install line.
 */
import { describeInRuntimes } from '../runtimes/suite.js';
import { REPO_ROOT } from '../runtimes/server.js';

const CASES = [
  'fitDataset on webgpu matches fit over the same batches',
  'evaluate on webgpu returns its scalars on the device, reading nothing back',
  'a NaN in a streamed batch on webgpu names it and leaves the weights as before it',
  'device lost mid-fitDataset resumes on wasm from the kept batches',
  'tf.data.csv streams over fetch (Chromium) and file:// (Deno)',
];

describeInRuntimes({
  title: 'fitDataset on webgpu', entry: 'tests/data/gpu/fit-dataset.ts', cases: CASES,
  timeoutMs: 5 * 60_000, options: { root: REPO_ROOT },
});
