// tests/package/app/train.js in TF.js's API: the same data, model, training and prediction.
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

export async function trainAndPredictTfjs(tf, tfl, backend) {
  await tf.setBackend(backend);
  const train = points(512, 1), test = points(256, 2);
  const model = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [2], units: 16, activation: 'relu' }),
    tfl.layers.dense({ units: 2, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.tensor2d(train.xs, [512, 2]);
  const y = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 2);
  await model.fit(x, y, { epochs: 40, batchSize: 32, verbose: 0 });
  const predicted = tf.tidy(() => model.predict(tf.tensor2d(test.xs, [256, 2])).argMax(-1));
  const classes = await predicted.data();
  let correct = 0;
  for (let i = 0; i < 256; i++) if (classes[i] === test.labels[i]) correct++;
  console.log(`accuracy ${correct / 256}`);
}
