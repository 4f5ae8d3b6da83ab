/**
 * The webgpu backend's machinery, checked inside a real runtime (Chromium or Deno): read
 * rules, limits, batching, the buffer pool, 2D grids, write ordering, aliasing, error
 * surfacing and device loss. One protocol line per case.
 */
import { createWebGPUBackend, WebGPUBackend } from '../../../src/backends/webgpu/index.js';
import { GPUContext } from '../../../src/backends/webgpu/context.js';
import { SHADERS } from '../../../src/backends/webgpu/shaders.generated.js';
import { emit, exitRuntime } from '../protocol.js';

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function rejects(promise: Promise<unknown>, pattern: RegExp, what: string): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const message = (error as Error).message;
    assert(pattern.test(message), `${what}: error "${message}" does not match ${pattern}`);
    return message;
  }
  throw new Error(`${what}: expected a rejection matching ${pattern}`);
}

function throws(fn: () => unknown, pattern: RegExp, what: string): string {
  try {
    fn();
  } catch (error) {
    const message = (error as Error).message;
    assert(pattern.test(message), `${what}: error "${message}" does not match ${pattern}`);
    return message;
  }
  throw new Error(`${what}: expected an Error matching ${pattern}`);
}

const cases: [string, (backend: WebGPUBackend) => Promise<void>][] = [];
const test = (name: string, body: (backend: WebGPUBackend) => Promise<void>) => cases.push([name, body]);

test('readSync throws and points to await tensor.data()', async (b) => {
  const s = b.alloc(4, 'float32');
  throws(() => b.readSync(s), /await tensor\.data\(\)/, 'readSync');
  b.free(s);
});

test('alloc over the storage buffer limit throws naming the size and the limit', async (b) => {
  const limit = Math.min(b.context.limits.maxStorageBufferBindingSize, b.context.limits.maxBufferSize);
  const size = Math.floor(limit / 4) + 1;
  throws(() => b.alloc(size, 'float32'), new RegExp(`${size * 4} bytes.*limit of ${limit} bytes`), 'oversized alloc');
});

test('kernels are batched: 300 dispatches reach the GPU in a handful of submits', async (b) => {
  const x = b.alloc(1000, 'float32'), y = b.alloc(1000, 'float32');
  b.fill(x, 1000, 0);
  const before = b.stats();
  for (let i = 0; i < 150; i++) { b.affine(x, y, 1000, 1, 1); b.affine(y, x, 1000, 1, 1); }
  const values = await b.read(x);
  const after = b.stats();
  assert(values[0] === 300 && values[999] === 300, `expected 300 after 300 increments, got ${values[0]}`);
  const submits = after.submits - before.submits;
  assert(submits <= Math.ceil(300 / b.context.dispatchesPerSubmit) + 1, `${submits} submits for 300 dispatches`);
  assert(after.reads - before.reads === 1, 'one read-back');
  b.free(x); b.free(y);
});

test('the buffer pool reuses freed buffers: repeated steps create none', async (b) => {
  const step = async () => {
    const a = b.alloc(5000, 'float32'), c = b.alloc(777, 'float32'), d = b.alloc(5000, 'int32');
    b.fill(a, 5000, 1); b.fill(c, 777, 2); b.fill(d, 5000, 3);
    await b.read(c);
    b.free(a); b.free(c); b.free(d);
  };
  await step();
  const created = b.stats().buffersCreated;
  for (let i = 0; i < 5; i++) await step();
  assert(b.stats().buffersCreated === created, `created ${b.stats().buffersCreated - created} new buffers`);
});

test('more than 65535 workgroups split into a 2D grid (16M-element affine)', async (b) => {
  const size = 65536 * 256 + 3;
  const x = b.alloc(size, 'float32'), y = b.alloc(size, 'float32');
  b.fill(x, size, 2);
  b.affine(x, y, size, 3, 1);
  const values = await b.read(y);
  for (const i of [0, 1, 65535 * 256, 65536 * 256, size - 1]) {
    assert(values[i] === 7, `y[${i}] = ${values[i]}, expected 7`);
  }
  b.free(x); b.free(y);
});

test('a write after queued kernels does not overtake them', async (b) => {
  const x = b.alloc(3, 'float32'), y = b.alloc(3, 'float32');
  b.write(x, Float32Array.of(1, 2, 3));
  b.unary('neg', x, y, 3);
  b.write(x, Float32Array.of(10, 20, 30)); // must land after the neg above has read x
  const got = await b.read(y);
  assert(got.join() === '-1,-2,-3', `neg read the later write: ${got.join()}`);
  const later = await b.read(x);
  assert(later.join() === '10,20,30', `x = ${later.join()}`);
  b.free(x); b.free(y);
});

test('in-place calls (output bound as an input) go through a scratch copy', async (b) => {
  const a = b.alloc(5, 'float32'), c = b.alloc(5, 'float32');
  b.write(a, Float32Array.of(1, 2, 3, 4, 5));
  b.write(c, Float32Array.of(10, 10, 10, 10, 10));
  b.binary('add', a, 5, c, 5, a, 5); // out === a
  b.binary('mul', a, 5, a, 5, c, 5); // a twice as inputs: allowed directly
  const [sum, square] = [await b.read(a), await b.read(c)];
  assert(sum.join() === '11,12,13,14,15', `a + c in place: ${sum.join()}`);
  assert(square.join() === '121,144,169,196,225', `a * a: ${square.join()}`);
  b.free(a); b.free(c);
});

test('int32 and float32 storages round-trip, and writes convert like typed arrays', async (b) => {
  const i = b.alloc(4, 'int32'), f = b.alloc(4, 'float32');
  b.write(i, Float32Array.of(1.9, -1.9, 3e9, NaN));
  b.write(f, Int32Array.of(-7, 0, 2 ** 30, 5));
  const ints = await b.read(i), floats = await b.read(f);
  assert(ints instanceof Int32Array && ints.join() === Int32Array.of(1.9, -1.9, 3e9, NaN).join(), `int32: ${ints.join()}`);
  assert(floats instanceof Float32Array && floats.join() === `-7,0,${2 ** 30},5`, `float32: ${floats.join()}`);
  b.free(i); b.free(f);
});

test('copyStrided up to rank 8 after merging; more throws naming the rank', async (b) => {
  const shape = [2, 2, 2, 2, 2, 2, 2, 2];
  const size = 256;
  const src = b.alloc(size, 'float32'), dst = b.alloc(size, 'float32');
  b.write(src, Float32Array.from({ length: size }, (_, i) => i));
  // Reverse the axis order (a full transpose): nothing merges, rank 8 stays.
  const strides = shape.map((_, i) => 2 ** (shape.length - 1 - i));
  b.copyStrided(src, dst, shape, [...strides].reverse(), 0, strides, 0);
  const got = await b.read(dst);
  for (let i = 0; i < size; i++) {
    let reversed = 0;
    for (let bit = 0; bit < 8; bit++) if (i & (1 << bit)) reversed |= 1 << (7 - bit);
    assert(got[i] === reversed, `dst[${i}] = ${got[i]}, expected ${reversed}`);
  }
  const nine = [...shape, 2];
  const nineStrides = nine.map((_, i) => 2 ** (nine.length - 1 - i));
  const big = b.alloc(512, 'float32');
  throws(() => b.copyStrided(big, big, nine, [...nineStrides].reverse(), 0, nineStrides, 0), /rank 9/, 'rank 9');
  b.free(src); b.free(dst); b.free(big);
});

test('a pipeline that fails validation surfaces as an Error naming the shader', async (b) => {
  // A misspelt override constant: every implementation must reject it (limits such as the
  // workgroup size are not validated by every implementation for override-sized shapes).
  const bad = { WG_ROWS: 8, WG_COLS: 8, TILE_K: 16, TRANSPOSE_A: 0, TRANSPOSE_B: 0, HAS_BIAS: 0, ACTIVATION: 0, TILE_Q: 1 };
  await rejects(b.compile([{ shader: 'gemm', entryPoint: 'gemm_tiled', constants: bad }]), /gemm\.wgsl/, 'compile()');
  // The same through the synchronous kernel path: the next flush/read throws, naming it.
  const x = b.alloc(16, 'float32');
  let message = '';
  try {
    b.context.dispatch({
      kernel: 'gemm', shader: 'gemm', entryPoint: 'gemm_tiled', constants: bad, ints: [1, 1, 1, 1, 1, 1, 0, 0, 0], workgroups: [1, 1],
      bindings: [{ buffer: x.pooled!, writable: false }, { buffer: x.pooled!, writable: false },
        { buffer: b.context.dummy, writable: false }, { buffer: b.context.dummy, writable: true }],
    });
    await b.flush();
  } catch (error) {
    message = (error as Error).message;
  }
  assert(/gemm\.wgsl/.test(message), `the kernel path reported "${message}"`);
  // The backend carries on after the error.
  b.fill(x, 16, 4);
  const values = await b.read(x);
  assert(values[15] === 4, 'the backend still works after a reported error');
  b.free(x);
});

test('shaders compile on first use: a new backend has compiled none, each kernel compiles only its own', async () => {
  const fresh = await createWebGPUBackend();
  assert(fresh.stats().modules === 0, `creation compiled ${fresh.stats().modules} shader modules`);
  const x = fresh.alloc(8, 'float32'), y = fresh.alloc(8, 'float32');
  fresh.fill(x, 8, -2);
  fresh.unary('relu', x, y, 8);
  fresh.unary('neg', x, y, 8); // same shader, another pipeline
  await fresh.flush();
  assert(fresh.stats().modules === 2, `fill + unary compiled ${fresh.stats().modules} modules, expected 2`);
  assert((await fresh.read(y)).join() === '2,2,2,2,2,2,2,2', 'neg after lazy compilation');
  fresh.free(x); fresh.free(y);
  fresh.dispose();
});

test('a shader that fails to compile breaks only its kernels, and the errors name it', async () => {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator!.gpu!;
  const device = await (await gpu.requestAdapter())!.requestDevice();
  // The test hook: this context embeds a select.wgsl with an undeclared identifier.
  const sources = { ...SHADERS, select: `${SHADERS.select}\nfn broken() -> u32 { return undeclared_name; }\n` };
  const broken = new WebGPUBackend(new GPUContext(device, 64, true, sources), 'webgpu (broken select)', 'blocked', true);
  const cond = broken.alloc(4, 'bool'), a = broken.alloc(4, 'float32'), b = broken.alloc(4, 'float32');
  broken.fill(cond, 4, 1); broken.fill(a, 4, 3); broken.fill(b, 4, 5);
  assert((await broken.read(b)).join() === '5,5,5,5', 'fill works before the broken shader is used');
  broken.select(cond, 4, a, 4, b, 4, b, 4);
  await rejects(broken.flush(), /select\.wgsl/, 'the first select');
  // Now known broken: the kernel throws at once, naming itself and the shader.
  throws(() => broken.select(cond, 4, a, 4, b, 4, b, 4), /webgpu select: select\.wgsl failed to compile/, 'a later select');
  broken.binary('add', a, 4, b, 4, b, 4);
  assert((await broken.read(b)).join() === '8,8,8,8', 'binary still works beside the broken shader');
  for (const s of [cond, a, b]) broken.free(s);
  broken.dispose();
});

test('compile() warms the pipeline cache that a training step then uses', async () => {
  const fresh = await createWebGPUBackend();
  await fresh.compile();
  const compiled = fresh.stats().pipelines;
  const x = fresh.alloc(64 * 64, 'float32'), y = fresh.alloc(64 * 64, 'float32'), z = fresh.alloc(64 * 64, 'float32');
  const w = fresh.alloc(64 * 64, 'float32'), bias = fresh.alloc(64, 'float32'), labels = fresh.alloc(64, 'int32');
  fresh.fill(x, 4096, 0.5); fresh.fill(y, 4096, 0.25); fresh.fill(bias, 64, 1);
  fresh.gemm({ a: x, b: y, out: z, m: 64, n: 64, k: 64, transposeA: false, transposeB: false, bias, activation: 'relu' });
  fresh.gemm({ a: x, b: y, out: z, m: 64, n: 64, k: 64, transposeA: true, transposeB: false, bias: null, activation: 'linear' });
  fresh.gemm({ a: x, b: y, out: z, m: 64, n: 64, k: 64, transposeA: false, transposeB: true, bias: null, activation: 'linear' });
  fresh.unaryBackward('relu', x, y, y, z, 4096);
  fresh.reduce('sum', x, bias, 1, 64, 64);
  fresh.softmaxCrossEntropy({ logits: x, labels: z, sparse: false, loss: bias, grad: y, rows: 64, cols: 10, gradScale: 1 / 64 });
  fresh.adam({ param: x, grad: y, m: z, v: w, size: 4096, learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7,
    correction1: 1, correction2: 1 });
  await fresh.flush();
  assert(fresh.stats().pipelines === compiled, `${fresh.stats().pipelines - compiled} pipelines were compiled on first use`);
  assert(compiled > 5, `only ${compiled} pipelines warmed`);
  for (const s of [x, y, z, w, bias, labels]) fresh.free(s);
  fresh.dispose();
});

test('a CPU adapter is flagged, and refused when allowCpuAdapter is false', async (b) => {
  // Both test runtimes have CPU adapters only (SwiftShader, lavapipe).
  assert(b.cpuAdapter, `${b.description} is not flagged as a CPU adapter`);
  assert(b.gemmVariant === 'blocked', `GEMM variant ${b.gemmVariant} on a CPU adapter`);
  await rejects(createWebGPUBackend({ allowCpuAdapter: false }), /runs on the CPU.*wasm backend is faster/, 'allowCpuAdapter: false');
});

test('device loss: onLost fires, kernels and reads throw a clear Error', async () => {
  const lost = await createWebGPUBackend();
  const storage = lost.alloc(8, 'float32');
  lost.fill(storage, 8, 1);
  await lost.read(storage);
  const fired = new Promise<string>((resolve) => lost.onLost((info) => resolve(info.reason)));
  lost.device.destroy();
  const reason = await Promise.race([fired, new Promise<string>((r) => setTimeout(() => r('timeout'), 5000))]);
  assert(reason !== 'timeout', 'onLost did not fire within 5 s of device.destroy()');
  assert(lost.lost !== null, 'backend.lost is set');
  throws(() => lost.fill(storage, 8, 2), /device was lost/, 'fill after loss');
  throws(() => lost.alloc(8, 'float32'), /device was lost/, 'alloc after loss');
  await rejects(lost.read(storage), /device was lost/, 'read after loss');
  let late = '';
  lost.onLost((info) => { late = info.reason; });
  await new Promise((r) => setTimeout(r, 10));
  assert(late !== '', 'a callback registered after the loss is called too');
  lost.free(storage);
});

test('dispose() destroys an owned device without reporting a loss', async () => {
  const owned = await createWebGPUBackend();
  let called = false;
  owned.onLost(() => { called = true; });
  owned.dispose();
  await new Promise((r) => setTimeout(r, 200));
  assert(!called, 'onLost fired for a deliberate dispose()');
  throws(() => owned.alloc(1, 'float32'), /disposed/, 'alloc after dispose');
});

test('a device passed in is used as is and left alive by dispose()', async () => {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator!.gpu!;
  const adapter = (await gpu.requestAdapter())!;
  const device = await adapter.requestDevice();
  const shared = await createWebGPUBackend({ device });
  assert(shared.device === device, 'the backend uses the given device');
  const s = shared.alloc(2, 'int32');
  shared.fill(s, 2, 9);
  assert((await shared.read(s)).join() === '9,9', 'fill on the given device');
  shared.free(s);
  shared.dispose();
  const probe = device.createBuffer({ size: 4, usage: 0x8 });
  device.pushErrorScope('validation');
  device.queue.writeBuffer(probe, 0, new Uint32Array(1));
  assert((await device.popErrorScope()) === null, 'the device still works after dispose()');
  device.destroy();
});

async function main(): Promise<void> {
  const backend = await createWebGPUBackend();
  emit('SORA_INFO', { backend: backend.description, gemm: backend.gemmVariant });
  let failed = 0;
  for (const [name, body] of cases) {
    const t0 = performance.now();
    try {
      await body(backend);
      emit('SORA_RESULT', { name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (error) {
      failed++;
      emit('SORA_RESULT', { name, ok: false, error: (error as Error).message ?? String(error), ms: Math.round(performance.now() - t0) });
    }
  }
  emit('SORA_DONE', { failed, names: cases.map(([name]) => name) });
  backend.dispose();
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? error.message : String(error));
  exitRuntime(1);
});
