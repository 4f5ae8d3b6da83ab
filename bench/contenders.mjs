/**
 * The contenders of bench/suite.mjs: sora on its wasm builds and webgpu, TF.js on its wasm
 * and webgpu backends. Each is { name, lib, setup() } where setup makes that backend active
 * and resolves the API the suite calls (the libraries' shared public names, plus
 * `crossEntropy(logits, labels)`, the mean softmax cross-entropy) and `describe()`: what runs
 * (backend, wasm build, threads, adapter) for the results file.
 */

/** sora's contenders. `fused` is its softmax + cross-entropy op (dist/ops/nn.js). */
export function soraContenders(sora, fused, { variants = ['simd', 'relaxed'], webgpu = false } = {}) {
  const api = (describe) => ({
    ...sora,
    crossEntropy: (logits, labels) => fused(logits, labels, false),
    describe,
  });
  const list = variants.map((variant) => ({
    name: `sora wasm ${variant}`, lib: 'sora',
    setup: async () => {
      // One thread, as the rows' label says (TF.js's wasm backend runs one thread here too).
      await sora.setBackend('wasm', { variant, threads: 1 });
      return api(() => ({ lib: 'sora', backend: 'wasm', wasmBuild: variant, threads: 1, adapter: null, description: sora.env().description }));
    },
  }));
  if (webgpu) {
    list.push({
      name: 'sora webgpu', lib: 'sora',
      setup: async () => {
        await sora.setBackend('webgpu');
        const description = sora.env().description;
        return api(() => ({ lib: 'sora', backend: 'webgpu', wasmBuild: null, threads: null, adapter: description.replace(/^webgpu \((.*)\)$/, '$1'), description }));
      },
    });
  }
  return list;
}

/** TF.js's contenders: `wasm` is @tensorflow/tfjs-backend-wasm's module when loaded. */
export function tfjsContenders(tf, { wasm = null, webgpu = false } = {}) {
  const api = (describe) => ({
    ...tf,
    crossEntropy: (logits, labels) => tf.losses.softmaxCrossEntropy(labels, logits),
    describe,
  });
  const list = [];
  if (wasm) {
    list.push({
      name: 'tfjs wasm', lib: 'tfjs',
      setup: async () => {
        if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not start its wasm backend');
        await tf.ready();
        const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
        const threaded = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
        const threads = threaded ? wasm.getThreadsCount() : 1;
        const build = `tfjs-backend-wasm${threaded && simd ? '-threaded-simd' : simd ? '-simd' : ''}.wasm`;
        return api(() => ({ lib: 'tfjs', backend: 'wasm', wasmBuild: build, threads, adapter: null, description: `TF.js ${tf.version.tfjs} wasm` }));
      },
    });
  }
  if (webgpu) {
    list.push({
      name: 'tfjs webgpu', lib: 'tfjs',
      setup: async () => {
        if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start its webgpu backend');
        await tf.ready();
        const info = tf.backend().adapterInfo;
        const adapter = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'webgpu' : 'webgpu';
        return api(() => ({ lib: 'tfjs', backend: 'webgpu', wasmBuild: null, threads: null, adapter, description: `TF.js ${tf.version.tfjs} webgpu` }));
      },
    });
  }
  return list;
}
