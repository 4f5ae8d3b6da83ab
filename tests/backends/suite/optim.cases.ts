/**
 * Optimizer cases: Adam, SGD (plain, momentum, Nesterov) and RMSProp (with and without a
 * moment buffer), several steps in place with a fresh gradient each step, then the parameter
 * and every state buffer read back from both backends and compared. Sizes are EDGE_SIZES
 * (vector bodies and one-lane tails); hostile gradients: zeros (Adam's 0 / (0 + eps)), a NaN
 * (poisons that element only), large values.
 */
import { assertClose, EDGE_SIZES, randomArray, withKernels, upload, type KernelBackend, type KernelCase } from './harness.js';
import type { Backend, Storage, TypedArray } from '../../../src/backends/backend.js';

const STEPS = 4;

/** A gradient for step t; hostile values in some steps when `hostile`. */
function gradient(n: number, step: number, hostile: boolean): Float32Array {
  const g = randomArray(n, n * 131 + step, -2, 2);
  if (hostile && n >= 5) {
    g[1] = 0;
    g[n - 1] = step === 1 ? NaN : 1e4;
    g[2] = step % 2 ? -1e4 : 1e-20;
  }
  return g;
}

/**
 * Upload param and state buffers (and a gradient buffer), run `step(b, storages, grad, t)`
 * STEPS times on each backend writing a new gradient before each, then compare every
 * buffer but the gradient.
 */
async function compareSteps(label: string, backend: Backend, reference: Backend, n: number,
  stateCount: number, hostile: boolean,
  step: (b: KernelBackend, param: Storage, grad: Storage, state: Storage[], t: number) => void): Promise<void> {
  const results: TypedArray[][] = [];
  for (const b of [withKernels(backend), withKernels(reference)]) {
    const param = upload(b, randomArray(n, n + 1, -1, 1));
    const state = Array.from({ length: stateCount }, (_, i) => upload(b, i === 0 ? new Float32Array(n) : randomArray(n, n + 2 + i, 0, 0.1)));
    const grad = upload(b, new Float32Array(n));
    for (let t = 1; t <= STEPS; t++) {
      b.write(grad, gradient(n, t, hostile));
      step(b, param, grad, state, t);
    }
    const got: TypedArray[] = [await b.read(param)];
    for (const s of state) got.push(await b.read(s));
    for (const s of [param, grad, ...state]) b.free(s);
    results.push(got);
  }
  const names = ['param', ...Array.from({ length: stateCount }, (_, i) => `state ${i}`)];
  results[0].forEach((got, i) => assertClose(`${label} ${names[i]}`, got, results[1][i], { atol: 1e-5, rtol: 1e-4 }));
}

export const cases: KernelCase[] = [];

for (const hostile of [false, true]) {
  const tag = hostile ? ' hostile gradients (0, NaN, +-1e4, 1e-20)' : '';
  cases.push({
    name: `adam ${STEPS} steps sizes ${EDGE_SIZES.join(',')}${tag}`,
    run: async (backend, reference) => {
      const beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, learningRate = 0.01;
      for (const n of EDGE_SIZES) {
        await compareSteps(`adam n=${n}${tag}`, backend, reference, n, 2, hostile, (b, param, grad, [m, v], t) =>
          b.adam({
            param, grad, m, v, size: n, learningRate, beta1, beta2, epsilon,
            correction1: 1 / (1 - beta1 ** t), correction2: 1 / (1 - beta2 ** t),
          }));
      }
    },
  });
  for (const [momentum, nesterov] of [[0, false], [0.9, false], [0.9, true]] as const) {
    const kind = momentum === 0 ? 'plain' : nesterov ? 'nesterov' : 'momentum';
    cases.push({
      name: `sgd ${kind} ${STEPS} steps sizes ${EDGE_SIZES.join(',')}${tag}`,
      run: async (backend, reference) => {
        for (const n of EDGE_SIZES) {
          await compareSteps(`sgd ${kind} n=${n}${tag}`, backend, reference, n, momentum === 0 ? 0 : 1, hostile,
            (b, param, grad, state, _t) => b.sgd({
              param, grad, velocity: momentum === 0 ? null : state[0], size: n, learningRate: 0.05,
              momentum, nesterov,
            }));
        }
      },
    });
  }
  for (const momentum of [0, 0.8]) {
    const kind = momentum === 0 ? 'without moment' : 'with moment';
    cases.push({
      name: `rmsprop ${kind} ${STEPS} steps sizes ${EDGE_SIZES.join(',')}${tag}`,
      run: async (backend, reference) => {
        for (const n of EDGE_SIZES) {
          // state 0 (zeros) is the moment when there is one; the mean square starts positive.
          await compareSteps(`rmsprop ${kind} n=${n}${tag}`, backend, reference, n, 2, hostile,
            (b, param, grad, [moment, meanSquare], _t) => b.rmsprop({
              param, grad, meanSquare, moment: momentum === 0 ? null : moment, size: n,
              learningRate: 0.01, decay: 0.9, momentum, epsilon: 1e-7,
            }));
        }
      },
    });
  }
}

/**
 * State that decays under zero gradients must reach exactly 0, never sit in the subnormal
 * range (slow on x86; see assembly/optim.ts): every backend stores sub-normal state as 0.
 */
const SMALLEST_NORMAL = 1.1754943508222875e-38;
cases.push({
  name: 'optimizer state below the smallest normal float is stored as 0 (adam, sgd momentum, rmsprop momentum)',
  run: async (anyBackend) => {
    const backend = withKernels(anyBackend);
    const n = 7; // params may still be tiny; only the decaying state is checked
    const start = Float32Array.from([2e-38, -2e-38, 1.3e-38, 5e-39, 1e-45, 0, 1.5e-38]);
    const zero = new Float32Array(n);
    const check = async (label: string, state: Storage[], others: Storage[]) => {
      for (const s of state) {
        const values = await backend.read(s);
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (v !== 0 && Math.abs(v) < SMALLEST_NORMAL) throw new Error(`${label}: state [${i}] is subnormal: ${v}`);
        }
      }
      for (const s of [...state, ...others]) backend.free(s);
    };
    {
      const [param, grad, m, v] = [upload(backend, zero), upload(backend, zero), upload(backend, start), upload(backend, start.map(Math.abs))];
      for (let t = 1; t <= 3; t++) {
        backend.adam({ param, grad, m, v, size: n, learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7,
          correction1: 1 / (1 - 0.9 ** t), correction2: 1 / (1 - 0.999 ** t) });
      }
      await check('adam', [m, v], [param, grad]);
    }
    {
      const [param, grad, velocity] = [upload(backend, zero), upload(backend, zero), upload(backend, start)];
      for (let t = 0; t < 3; t++) backend.sgd({ param, grad, velocity, size: n, learningRate: 0.1, momentum: 0.9, nesterov: t === 1 });
      await check('sgd', [velocity], [param, grad]);
    }
    {
      const [param, grad, meanSquare, moment] = [upload(backend, zero), upload(backend, zero), upload(backend, start.map(Math.abs)), upload(backend, start)];
      for (let t = 0; t < 3; t++) backend.rmsprop({ param, grad, meanSquare, moment, size: n, learningRate: 0.1, decay: 0.9, momentum: 0.9, epsilon: 1e-7 });
      await check('rmsprop', [meanSquare, moment], [param, grad]);
    }
  },
});
