// The program a user writes, in plain JavaScript so every bundler takes it as it is: pick a
// backend with 'auto', train a small classifier (is a point inside a circle?) and predict
// held-out points. Reports on the protocol of tests/runtimes/protocol.ts (console lines), so
// the same file runs in headless Chromium, Node and Deno. `sora` is the package's namespace,
// however the entry imported it.
const emit = (kind, payload) => console.log(`${kind} ${JSON.stringify(payload)}`);

/** Points in [-1, 1]^2 from a fixed LCG, labelled 1 inside the circle of radius 0.7. */
function points(count, seed) {
  let state = seed >>> 0;
  const next = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 4294967296 * 2 - 1; };
  const xs = new Float32Array(count * 2);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const a = next(), b = next();
    xs[2 * i] = a; xs[2 * i + 1] = b;
    labels[i] = a * a + b * b < 0.49 ? 1 : 0;
  }
  return { xs, labels };
}

export async function trainAndPredict(sora) {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => { warnings.push(args.map(String).join(' ')); warn(...args); };
  try {
    const started = Date.now();
    await sora.setBackend('auto');
    const env = sora.env();
    emit('SORA_INFO', { backend: sora.getBackend(), description: env.description, relaxed: env.wasmRelaxedSimd,
      autoSkipped: env.autoSkipped, warnings });
    const train = points(512, 1), test = points(256, 2);
    const model = sora.sequential({ layers: [
      sora.layers.dense({ inputShape: [2], units: 16, activation: 'relu' }),
      sora.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: sora.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = sora.tensor2d(train.xs, [512, 2]);
    const y = sora.oneHot(sora.tensor1d(train.labels, 'int32'), 2);
    await model.fit(x, y, { epochs: 40, batchSize: 32, verbose: 0 });
    const predicted = sora.tidy(() => model.predict(sora.tensor2d(test.xs, [256, 2])).argMax(-1));
    const classes = await predicted.data();
    let correct = 0;
    for (let i = 0; i < 256; i++) if (classes[i] === test.labels[i]) correct++;
    const accuracy = correct / 256;
    sora.dispose([x, y, predicted]);
    const ok = accuracy >= 0.9;
    emit('SORA_RESULT', { name: 'trains and predicts', ok, ms: Date.now() - started,
      ...(ok ? {} : { error: `held-out accuracy ${accuracy} is below 0.9` }) });
    emit('SORA_DONE', { accuracy, backend: sora.getBackend(), description: env.description, warnings });
  } catch (error) {
    emit('SORA_FATAL', String(error?.stack ?? error));
  } finally {
    console.warn = warn;
  }
  const deno = globalThis.Deno;
  if (deno) deno.exit(0);
}
