/**
 * The webgpu backend's batching, buffer lifetimes and reduction accuracy (issue 14), checked
 * inside a real runtime (Chromium or Deno): a buffer freed while the open batch uses it
 * lives until that batch is submitted; uploads never force a submit; bind groups are reused;
 * storages report the bytes the pool reserved; sums of 10^7 float32 values stay within a
 * tight relative error. One protocol line per case.
 */
import * as sora from '../../../src/index.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../../src/backends/webgpu/index.js';
import { emit, exitRuntime } from '../protocol.js';

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** The engine's webgpu backend (sora.setBackend('webgpu') ran in main). */
const engineBackend = () => sora.backend() as unknown as WebGPUBackend;

const cases: [string, () => Promise<void>][] = [];
const test = (name: string, body: () => Promise<void>) => cases.push([name, body]);

test('40 adds of 8 MiB tensors disposed before reading: the freed buffers outlive the open batch', async () => {
  // 40 x 8 MiB freed inside one batch passes the pool's 256 MiB idle cap: a buffer destroyed
  // before the batch that writes it is submitted fails the submit.
  const size = 2 * 1024 * 1024;
  const x = sora.fill([size], 1.5);
  const sums = Array.from({ length: 40 }, () => sora.add(x, x));
  const last = sora.mul(x, 2);
  for (const y of sums) y.dispose();
  const values = await last.data();
  assert(values[0] === 3 && values[size - 1] === 3, `mul read ${values[0]}, ${values[size - 1]}`);
  const again = await x.data();
  assert(again[size - 1] === 1.5, `x reads ${again[size - 1]}`);
  x.dispose(); last.dispose();
  await engineBackend().flush();
});

test('an op with a plain-number operand does not force a submit: 50 add(x, 1) make one submit, as 50 add(x, x) do', async () => {
  const backend = engineBackend();
  const x = sora.fill([1000], 0);
  await x.data();
  const run = async (operand: (t: sora.Tensor) => number | sora.Tensor): Promise<{ submits: number; value: number }> => {
    const before = backend.stats().submits;
    let y = sora.add(x, 0);
    for (let i = 0; i < 50; i++) {
      const next = sora.add(y, operand(y));
      y.dispose();
      y = next;
    }
    const values = await y.data();
    y.dispose();
    return { submits: backend.stats().submits - before, value: values[999] };
  };
  const scalars = await run(() => 1);
  assert(scalars.value === 50, `50 add(y, 1) gave ${scalars.value}`);
  const tensors = await run((y) => y);
  assert(tensors.value === 0, `50 add(y, y) from 0 gave ${tensors.value}`);
  assert(tensors.submits === 1, `50 add(y, y) then a read made ${tensors.submits} submits`);
  assert(scalars.submits === 1, `50 add(y, 1) then a read made ${scalars.submits} submits`);
  x.dispose();
});

test('a write to a storage the open batch reads is staged in the batch: no submit, and earlier kernels see the old values', async () => {
  const b = await createWebGPUBackend();
  const x = b.alloc(3, 'float32'), y = b.alloc(3, 'float32'), z = b.alloc(3, 'float32');
  b.write(x, Float32Array.of(1, 2, 3));
  await b.flush();
  const before = b.stats().submits;
  b.unary('neg', x, y, 3);
  b.write(x, Float32Array.of(10, 20, 30));
  b.unary('neg', x, z, 3);
  b.write(x, Int32Array.of(7, 8, 9)); // converted to float32, staged the same way
  const submits = b.stats().submits - before;
  assert(submits === 0, `${submits} submits before any read`);
  const [ys, zs, xs] = [await b.read(y), await b.read(z), await b.read(x)];
  assert(ys.join() === '-1,-2,-3', `the first neg saw ${ys.join()}`);
  assert(zs.join() === '-10,-20,-30', `the second neg saw ${zs.join()}`);
  assert(xs.join() === '7,8,9', `x ends as ${xs.join()}`);
  for (const s of [x, y, z]) b.free(s);
  b.dispose();
});

test('bind groups and pipelines are reused: a repeated loop of dispatches creates none', async () => {
  const b = await createWebGPUBackend();
  const x = b.alloc(64, 'float32'), y = b.alloc(64, 'float32'), w = b.alloc(64, 'float32');
  b.fill(x, 64, 1);
  const step = () => {
    b.affine(x, y, 64, 0.5, 0);
    b.binary('add', x, 64, y, 64, w, 64);
    b.binary('mul', w, 64, y, 1, x, 64);
    b.unary('tanh', x, y, 64);
  };
  step();
  await b.read(y);
  const before = b.stats();
  assert(typeof before.bindGroups === 'number' && before.bindGroups > 0, `stats() counts no bind groups (${before.bindGroups})`);
  for (let i = 0; i < 30; i++) step();
  await b.read(y);
  const after = b.stats();
  assert(after.bindGroups === before.bindGroups, `${after.bindGroups - before.bindGroups} bind groups made for 120 repeated dispatches`);
  assert(after.pipelines === before.pipelines, `${after.pipelines - before.pipelines} pipelines made`);
  for (const s of [x, y, w]) b.free(s);
  b.dispose();
});

test('a storage reports the bytes its pooled buffer reserves, and bytesInUse adds them up', async () => {
  const b = await createWebGPUBackend();
  const start = b.bytesInUse();
  const sizes = [1, 3, 65, 1000, 3000];
  const storages = sizes.map((n) => b.alloc(n, 'float32'));
  for (const s of storages) {
    assert(s.bytes >= s.size * 4, `${s.size} values reserve ${s.bytes} bytes`);
    assert(s.bytes === s.pooled!.bytes, `storage.bytes ${s.bytes} but its buffer holds ${s.pooled!.bytes}`);
  }
  const total = storages.reduce((acc, s) => acc + s.bytes, 0);
  assert(b.bytesInUse() - start === total, `bytesInUse grew by ${b.bytesInUse() - start}, storages hold ${total}`);
  for (const s of storages) b.free(s);
  assert(b.bytesInUse() === start, `bytesInUse ${b.bytesInUse()} after freeing, was ${start}`);
  b.dispose();
});

/** |got - want| / |want| over every element. */
function worstRelative(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.abs(want[i]));
  return worst;
}

test('sum(fill([1e7], 0.1)) is 1e6 within 1e-6 relative error (blocked pairwise accumulation)', async () => {
  const x = sora.fill([1e7], 0.1);
  const total = sora.sum(x);
  const [got] = await total.data();
  const exact = 1e7 * Math.fround(0.1);
  assert(Math.abs(got - exact) / exact <= 1e-6, `sum = ${got}, expected ${exact}`);
  x.dispose(); total.dispose();
});

test('moments(add(fill([1e7], 0.1), 1000)).variance is ~0', async () => {
  const x = sora.add(sora.fill([1e7], 0.1), 1000);
  const { mean, variance } = sora.moments(x);
  const [m] = await mean.data();
  const [v] = await variance.data();
  assert(Math.abs(m - 1000.1) <= 1e-3, `mean = ${m}`);
  assert(Math.abs(v) <= 1e-6, `variance = ${v}, expected ~0`);
  x.dispose(); mean.dispose(); variance.dispose();
});

test('row and column sums of random values over 2.5e6-long axes stay within 1e-6 relative error', async () => {
  const b = engineBackend();
  // [outer 2, length 2.5e6, inner 1] (rows: the workgroup path) and [1, 2.5e6, 2] (columns: the serial path).
  const length = 2_500_000;
  const values = new Float32Array(2 * length);
  let seed = 12345;
  for (let i = 0; i < values.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; values[i] = (seed >>> 8) / 2 ** 24; }
  const x = b.alloc(values.length, 'float32');
  b.write(x, values);
  const rows = b.alloc(2, 'float32'), cols = b.alloc(2, 'float32');
  b.reduce('sum', x, rows, 2, length, 1);
  b.reduce('sum', x, cols, 1, length, 2);
  const wantRows = [0, 0], wantCols = [0, 0];
  for (let i = 0; i < values.length; i++) { wantRows[Math.floor(i / length)] += values[i]; wantCols[i % 2] += values[i]; }
  const gotRows = await b.read(rows), gotCols = await b.read(cols);
  const rowError = worstRelative(gotRows, wantRows), colError = worstRelative(gotCols, wantCols);
  assert(rowError <= 1e-6, `row sums ${gotRows.join()} vs ${wantRows.join()}: relative error ${rowError}`);
  assert(colError <= 1e-6, `column sums ${gotCols.join()} vs ${wantCols.join()}: relative error ${colError}`);
  for (const s of [x, rows, cols]) b.free(s);
});

test('a batched GEMM of 65537 products (past the 65535 grid limit in z) computes every batch', async () => {
  const b = await createWebGPUBackend();
  // m = 1, n = 2, k = 3 per batch; A broadcast over the batch (stride 0), B and C contiguous, accumulate + bias + relu6.
  const batch = 65537, m = 1, n = 2, k = 3;
  const av = Float32Array.of(0.5, -1, 2);
  const bv = Float32Array.from({ length: batch * k * n }, (_, i) => ((i * 7919) % 13) - 6);
  const cv = Float32Array.from({ length: batch * m * n }, (_, i) => ((i * 104729) % 5) - 2);
  const biasv = Float32Array.of(0.25, -0.5);
  const [a, bb, c, bias] = [b.alloc(3, 'float32'), b.alloc(bv.length, 'float32'), b.alloc(cv.length, 'float32'), b.alloc(2, 'float32')];
  b.write(a, av); b.write(bb, bv); b.write(c, cv); b.write(bias, biasv);
  b.gemm({ a, b: bb, out: c, m, n, k, transposeA: false, transposeB: false, bias, activation: 'relu6', batch, strideA: 0,
    accumulate: true });
  const got = await b.read(c);
  let bad = 0, first = -1;
  for (let t = 0; t < batch; t++) {
    for (let j = 0; j < n; j++) {
      let v = cv[t * n + j] + biasv[j];
      for (let p = 0; p < k; p++) v += av[p] * bv[t * k * n + p * n + j];
      const want = Math.min(Math.max(v, 0), 6);
      if (Math.abs(got[t * n + j] - want) > 1e-5) { bad++; if (first < 0) first = t * n + j; }
    }
  }
  assert(bad === 0, `${bad} of ${got.length} outputs wrong; first at ${first}: ${got[first]}`);
  for (const s of [a, bb, c, bias]) b.free(s);
  b.dispose();
});

async function main(): Promise<void> {
  await sora.setBackend('webgpu');
  emit('SORA_INFO', { backend: sora.env().description });
  let failed = 0;
  for (const [name, body] of cases) {
    const t0 = performance.now();
    try {
      await body();
      emit('SORA_RESULT', { name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (error) {
      failed++;
      emit('SORA_RESULT', { name, ok: false, error: (error as Error).message ?? String(error), ms: Math.round(performance.now() - t0) });
    }
  }
  emit('SORA_DONE', { failed, names: cases.map(([name]) => name) });
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? error.message : String(error));
  exitRuntime(1);
});
