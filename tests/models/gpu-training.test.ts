/**
 * Training on the webgpu backend, in headless Chromium (SwiftShader) and Deno (lavapipe):
 * a short MNIST fit, parity with wasm, and recovery from device loss mid-fit
 * (tests/gpu/mnist-fit.ts). A missing runtime fails with the install line, never skips.
 */
import { describeInRuntimes } from '../runtimes/suite.js';
import { REPO_ROOT } from '../runtimes/server.js';

const CASES = [
  "'auto' passes over a CPU adapter for wasm; setBackend('webgpu') still takes it",
  'tensor.dataSync() on webgpu is a clear error pointing to await data()',
  'mnist fit on webgpu',
  'webgpu and wasm end within 0.5% accuracy',
  'a webgpu fit reads nothing back between steps, only at epoch ends',
  'a NaN loss on webgpu names its batch and leaves the weights as before that step',
  'device lost mid-fit resumes on wasm (mirror every epoch)',
  'device lost mid-fit resumes on wasm (mirror every 20)',
];

describeInRuntimes({
  title: 'training on webgpu', entry: 'tests/models/gpu/mnist-fit.ts', cases: CASES,
  timeoutMs: 8 * 60_000, options: { root: REPO_ROOT },
});
