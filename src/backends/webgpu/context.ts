/**
 * The machinery under the webgpu kernels: shader modules and the pipeline cache (kept in
 * pipelines.ts), command batching, the uniform ring, buffer pools, read-back, error surfacing and device loss.
 *
 * Batching: kernels encode dispatches into one open command encoder (consecutive dispatches
 * share one compute pass) and nothing is submitted until a read, a flush,
 * `dispatchesPerSubmit` dispatches, or more than MAX_HELD_BYTES of freed buffers waiting on
 * the open batch (buffer-pool.ts). Uploads never submit: a write to a buffer that the open
 * batch uses is staged (written to a buffer the batch does not use, then copied inside the
 * batch, in order). A training step therefore reaches the GPU as a few submits and no
 * read-back.
 *
 * Uniforms: each dispatch's parameters take one aligned slot of a CPU mirror of a uniform
 * ring buffer; the used part of the mirror goes to the GPU with a single writeBuffer just
 * before the batch is submitted. Slots restart at zero after every submit: a later
 * writeBuffer is ordered after the submitted work on the queue, so no slot is overwritten
 * while a dispatch that reads it is pending. The slot is a dynamic offset of binding 0, so
 * a bind group names buffers only and is cached by them (shader, buffer ids), for as long as
 * its buffers live; a loop that reuses its tensors' buffers creates no bind group.
 *
 * Variants: a kernel family asks `variant(family, key, make)` for its pipeline variant (the
 * key is a number or short string it computes from op codes and flags); the variant keeps
 * its resolved pipeline, so a dispatch (`run`) builds no pipeline key and no bind-group
 * entries once warm. `dispatch(spec)` is the one-object form for tests.
 *
 * Shaders compile on first use: a shader module is created when the first pipeline of its
 * shader is (a kernel's first dispatch, or compile()'s warm-up), so creating the backend
 * costs nothing per shader, and a shader that fails to compile breaks only its own kernels.
 *
 * Errors: a module is checked as it is created (getCompilationInfo plus an error scope,
 * naming the file, line and message); once that check has failed, every kernel using the
 * shader throws at dispatch, naming the kernel and the shader. Pipeline creation and every
 * batch run inside validation/internal error scopes; their results are awaited by read()
 * and flush(), which throw an Error naming the shader or the kernels of the batch (a
 * shader's compile error first), so a failure never reads back as zeros.
 */
import { SHADERS, type ShaderName } from './shaders.generated.js';
import { BufferPool, bufferId, type PooledBuffer } from './buffer-pool.js';
import { Pipelines, type PipelineRecord, type PipelineRequest } from './pipelines.js';

// GPUBufferUsage / GPUMapMode values, spelled out so this module loads where WebGPU's
// globals do not exist (Node imports it through the dispatcher).
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const MAP_MODE_READ = 0x1;

export interface Binding {
  buffer: PooledBuffer;
  /** The shader writes this binding (var<storage, read_write>); the shader's declaration decides, this documents it. */
  writable: boolean;
}

/** What a kernel variant is: a shader entry point with its override constants. */
export interface VariantSpec {
  /** Names the kernel in error messages, e.g. 'binary add'. */
  kernel: string;
  shader: ShaderName;
  entryPoint?: string;
  constants?: Record<string, number>;
}

/**
 * One pipeline variant of a kernel, made once per (family, key) by `GPUContext.variant`, so
 * a dispatch neither builds a pipeline key nor looks one up by string; its pipeline is
 * resolved on the first run.
 */
export interface KernelVariant {
  readonly kernel: string;
  readonly shader: ShaderName;
  readonly entryPoint: string;
  readonly constants: Record<string, number>;
  record: PipelineRecord | null;
}

export interface DispatchSpec {
  /** Names the kernel in error messages. */
  kernel: string;
  shader: ShaderName;
  entryPoint?: string;
  constants?: Record<string, number>;
  /** Storage bindings 1..n, in the shader's order (binding 0 is the uniform struct). */
  bindings: Binding[];
  /** Uniform words in struct order: integers first (stored as 32-bit words), then floats; UNIFORM_SLOT_BYTES at most. */
  ints: ArrayLike<number>;
  floats?: ArrayLike<number>;
  /** Workgroups in x, y and (default 1) z. */
  workgroups: readonly [number, number] | readonly [number, number, number];
}

/** Bytes of a dispatch's uniform struct as bound (64 words). */
export const UNIFORM_SLOT_BYTES = 256;
/** Freed buffers held for the open batch past this many bytes submit it (buffer-pool.ts). */
const MAX_HELD_BYTES = 256 * 1024 * 1024;
/** Cached bind groups past this count are all dropped (a workload that keeps changing buffers). */
const MAX_BIND_GROUPS = 4096;

export interface LostInfo { reason: string; message: string }

export class GPUContext {
  readonly limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupsPerDimension: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupStorageSize: number;
  };
  readonly storagePool: BufferPool;
  private readonly stagingPool: BufferPool;
  private readonly shaders: Pipelines;
  /** Tiny storage buffer bound where a shader's optional input is absent. */
  readonly dummy: PooledBuffer;

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** Kernel and shader names of the open batch's dispatches, in pairs: its error message names them. */
  private batchKernels: string[] = [];
  private batchSerial = 0;
  private dispatchesInBatch = 0;

  private readonly uniformAlign: number;
  private readonly uniformRing: GPUBuffer;
  private readonly uniformMirror: ArrayBuffer;
  private readonly uniformU32: Uint32Array;
  private readonly uniformF32: Float32Array;
  private uniformUsed = 0;

  private readonly pendingChecks = new Set<Promise<void>>();
  private readonly errors: string[] = [];
  private lostInfo: LostInfo | null = null;
  private readonly lostCallbacks = new Set<(info: LostInfo) => void>();
  private disposed = false;
  private counters = { submits: 0, dispatches: 0, reads: 0, bindGroups: 0, stagedWrites: 0 };

  /** Bind groups by `shader,id,id,...` of their storage buffers; and the keys naming each buffer id. */
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bindGroupKeys = new Map<number, string[]>();
  private readonly dynamicOffset = new Uint32Array(1);
  /** Kernel variants by family, then by the family's own key (see `variant`). */
  private readonly variants = new Map<string, Map<number | string, KernelVariant>>();
  private readonly noFloats: number[] = [];

  /**
   * `sources` is the WGSL of each shader; tests pass a broken one to check that a shader
   * error stays with its kernels.
   */
  constructor(readonly device: GPUDevice, readonly dispatchesPerSubmit: number, private readonly ownsDevice: boolean,
    sources: Readonly<Record<ShaderName, string>> = SHADERS) {
    this.shaders = new Pipelines(device, sources, (check) => this.track(check), (message) => this.errors.push(message));
    const l = device.limits;
    this.limits = {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    };
    const maxStorage = Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
    const inOpenBatch = (entry: PooledBuffer) => this.pendingUse(entry);
    this.storagePool = new BufferPool(device, USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST, 'sora storage',
      { maxBytes: maxStorage, inOpenBatch, onDestroy: (entry) => this.forgetBindGroups(entry) });
    this.stagingPool = new BufferPool(device, USAGE.MAP_READ | USAGE.COPY_DST, 'sora staging',
      { maxBytes: l.maxBufferSize, maxIdleBytes: 64 * 1024 * 1024, inOpenBatch });
    this.dummy = { buffer: device.createBuffer({ label: 'sora dummy binding', size: 16, usage: USAGE.STORAGE }), bytes: 16,
      id: bufferId(), batch: -1 };

    this.uniformAlign = Math.max(256, l.minUniformBufferOffsetAlignment);
    const ringBytes = this.uniformAlign * dispatchesPerSubmit;
    this.uniformRing = device.createBuffer({ label: 'sora uniform ring', size: ringBytes, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    this.uniformMirror = new ArrayBuffer(ringBytes);
    this.uniformU32 = new Uint32Array(this.uniformMirror);
    this.uniformF32 = new Float32Array(this.uniformMirror);

    device.lost.then((info) => this.handleLost(info.reason ?? 'unknown', info.message ?? ''));
    device.addEventListener?.('uncapturederror', (event) => {
      this.errors.push(`uncaptured WebGPU error: ${(event as GPUUncapturedErrorEvent).error.message}`);
    });
  }

  // ---- shaders and pipelines (pipelines.ts) ----

  /** Compiles pipelines ahead of use (async, off the critical path); rejects naming the shader. */
  compilePipelines(list: PipelineRequest[]): Promise<void> { return this.shaders.compilePipelines(list); }

  get pipelineCount(): number { return this.shaders.pipelineCount; }

  // ---- grids ----

  /** Splits a 1D workgroup count into a 2D grid when it exceeds the per-dimension limit. */
  grid(count: number, kernel: string): readonly [number, number] {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (count <= max) return [count, 1];
    const y = Math.ceil(count / max);
    if (y > max) throw new Error(`webgpu ${kernel}: ${count} workgroups exceed ${max} x ${max} (maxComputeWorkgroupsPerDimension)`);
    return [Math.ceil(count / y), y];
  }

  // ---- batching ----

  private openEncoder(): GPUCommandEncoder {
    if (!this.encoder) {
      this.device.pushErrorScope('validation');
      this.encoder = this.device.createCommandEncoder({ label: `sora batch ${this.batchSerial}` });
    }
    return this.encoder;
  }

  private openPass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.openEncoder().beginComputePass();
    return this.pass;
  }

  private closePass(): GPUCommandEncoder {
    if (this.pass) { this.pass.end(); this.pass = null; }
    return this.openEncoder();
  }

  /** Whether commands encoded but not yet submitted reference this buffer. */
  pendingUse(buffer: PooledBuffer): boolean {
    return this.encoder !== null && buffer.batch === this.batchSerial;
  }

  /**
   * The variant `key` of a kernel family (a number or short string the family computes from
   * its op code and flags), made by `make` on first use.
   */
  variant(family: string, key: number | string, make: () => VariantSpec): KernelVariant {
    let byKey = this.variants.get(family);
    if (!byKey) this.variants.set(family, byKey = new Map());
    const known = byKey.get(key);
    if (known) return known;
    const spec = make();
    const variant: KernelVariant = { kernel: spec.kernel, shader: spec.shader, entryPoint: spec.entryPoint ?? 'main',
      constants: spec.constants ?? {}, record: null };
    byKey.set(key, variant);
    return variant;
  }

  /** A dispatch described in one object (tests, and kernels that have no variant cache). */
  dispatch(spec: DispatchSpec): void {
    let key = `${spec.shader}:${spec.entryPoint ?? 'main'}:${spec.kernel}`;
    for (const name in spec.constants ?? {}) key += `,${name}=${spec.constants![name]}`;
    const [x, y, z = 1] = spec.workgroups;
    this.run(this.variant('dispatch', key, () => spec), spec.bindings.map((b) => b.buffer), spec.ints, spec.floats ?? null, x, y, z);
  }

  /** `run` on `count` workgroups in a line, split into a 2D grid past the per-dimension limit (see `grid`). */
  runLine(variant: KernelVariant, buffers: PooledBuffer[], ints: ArrayLike<number>, floats: ArrayLike<number> | null,
    count: number): void {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (count <= max) { this.run(variant, buffers, ints, floats, count, 1); return; }
    const [x, y] = this.grid(count, variant.kernel);
    this.run(variant, buffers, ints, floats, x, y);
  }

  /**
   * Encodes one dispatch of `variant` on a grid of x * y * z workgroups: storage bindings
   * 1..n are `buffers` (in the shader's order; the shader's declarations say which it
   * writes), the uniform struct is `ints` (as 32-bit words) then `floats`.
   */
  run(variant: KernelVariant, buffers: PooledBuffer[], ints: ArrayLike<number>, floats: ArrayLike<number> | null,
    x: number, y: number, z = 1): void {
    this.assertAlive(variant.kernel);
    if (x === 0 || y === 0 || z === 0) return;
    this.shaders.assertCompiles(variant.shader, variant.kernel);
    const record = variant.record ?? (variant.record = this.shaders.pipeline(variant.shader, variant.entryPoint, variant.constants));
    if (record.failed) throw new Error(record.failed);
    if (this.dispatchesInBatch >= this.dispatchesPerSubmit || this.storagePool.pendingBytes > MAX_HELD_BYTES) this.submit();
    this.openEncoder(); // its error scope must cover the bind group created below

    const scratch = this.aliasScratch(record.writable, buffers);

    const slotOffset = this.uniformUsed;
    const wordBase = slotOffset / 4;
    const words = floats ?? this.noFloats;
    if ((ints.length + words.length) * 4 > UNIFORM_SLOT_BYTES) {
      throw new Error(`webgpu ${variant.kernel}: ${ints.length + words.length} uniform words exceed the ${UNIFORM_SLOT_BYTES}-byte slot`);
    }
    for (let i = 0; i < ints.length; i++) this.uniformU32[wordBase + i] = ints[i];
    for (let i = 0; i < words.length; i++) this.uniformF32[wordBase + ints.length + i] = words[i];
    this.uniformUsed += this.uniformAlign;

    const bindGroup = this.bindGroup(variant.shader, record.layout, buffers, scratch);
    if (scratch) {
      const encoder = this.closePass();
      for (const [i, temp] of scratch) encoder.copyBufferToBuffer(buffers[i].buffer, 0, temp.buffer, 0, temp.bytes);
    }
    const pass = this.openPass();
    pass.setPipeline(record.pipeline);
    this.dynamicOffset[0] = slotOffset;
    pass.setBindGroup(0, bindGroup, this.dynamicOffset, 0, 1);
    pass.dispatchWorkgroups(x, y, z);
    for (let i = 0; i < buffers.length; i++) buffers[i].batch = this.batchSerial;
    if (scratch) {
      const encoder = this.closePass();
      for (const [i, temp] of scratch) {
        encoder.copyBufferToBuffer(temp.buffer, 0, buffers[i].buffer, 0, temp.bytes);
        temp.batch = this.batchSerial;
        this.storagePool.release(temp);
      }
    }
    this.batchKernels.push(variant.kernel, variant.shader);
    this.dispatchesInBatch++;
    this.counters.dispatches++;
  }

  /**
   * The bind group of these buffers (a scratch buffer standing in where aliasing needs one)
   * for the shader's layout: cached, created on first use. Binding 0 is the uniform ring at
   * a dynamic offset, so the same group serves every dispatch on the same buffers.
   */
  private bindGroup(shader: ShaderName, layout: GPUBindGroupLayout, buffers: PooledBuffer[],
    scratch: Map<number, PooledBuffer> | null): GPUBindGroup {
    let key: string = shader;
    for (let i = 0; i < buffers.length; i++) key += `,${(scratch?.get(i) ?? buffers[i]).id}`;
    const known = this.bindGroups.get(key);
    if (known) return known;
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.uniformRing, offset: 0, size: UNIFORM_SLOT_BYTES } }];
    for (let i = 0; i < buffers.length; i++) {
      entries.push({ binding: i + 1, resource: { buffer: (scratch?.get(i) ?? buffers[i]).buffer } });
    }
    const group = this.device.createBindGroup({ label: `sora ${shader}`, layout, entries });
    this.counters.bindGroups++;
    if (this.bindGroups.size >= MAX_BIND_GROUPS) {
      this.bindGroups.clear();
      this.bindGroupKeys.clear();
    }
    this.bindGroups.set(key, group);
    for (let i = 0; i < buffers.length; i++) {
      const id = (scratch?.get(i) ?? buffers[i]).id;
      const keys = this.bindGroupKeys.get(id);
      if (keys) keys.push(key); else this.bindGroupKeys.set(id, [key]);
    }
    return group;
  }

  /** Drops the cached bind groups that name a buffer about to be destroyed. */
  private forgetBindGroups(entry: PooledBuffer): void {
    const keys = this.bindGroupKeys.get(entry.id);
    if (!keys) return;
    for (const key of keys) this.bindGroups.delete(key);
    this.bindGroupKeys.delete(entry.id);
  }

  /**
   * WebGPU forbids binding one buffer as writable storage and as any other binding of the
   * same dispatch. Such calls (in-place unary, out === a, ...) write through a scratch
   * buffer: copy in, dispatch, copy back. Returns binding index -> scratch, or null.
   */
  private aliasScratch(writable: readonly boolean[], buffers: PooledBuffer[]): Map<number, PooledBuffer> | null {
    let scratch: Map<number, PooledBuffer> | null = null;
    for (let i = 0; i < buffers.length; i++) {
      const own = buffers[i];
      if (!writable[i] || own === this.dummy) continue;
      for (let j = 0; j < buffers.length; j++) {
        if (j !== i && buffers[j] === own) {
          (scratch ??= new Map()).set(i, this.storagePool.acquire(own.bytes));
          break;
        }
      }
    }
    return scratch;
  }

  submit(): void {
    if (!this.encoder) return;
    const encoder = this.closePass();
    if (this.uniformUsed > 0) this.device.queue.writeBuffer(this.uniformRing, 0, this.uniformMirror, 0, this.uniformUsed);
    this.device.queue.submit([encoder.finish()]);
    const kernels = this.batchKernels;
    this.track(this.device.popErrorScope().then((error) => {
      if (error) this.errors.push(`webgpu backend: a batch of kernels failed (${summarize(kernels)}): ${error.message}`);
    }));
    this.encoder = null;
    this.batchKernels = [];
    this.batchSerial++;
    this.dispatchesInBatch = 0;
    this.uniformUsed = 0;
    this.counters.submits++;
    this.storagePool.submitted();
    this.stagingPool.submitted();
  }

  private track(check: Promise<void>): void {
    const tracked = check.catch((error: unknown) => { this.errors.push(String((error as Error)?.message ?? error)); })
      .finally(() => this.pendingChecks.delete(tracked));
    this.pendingChecks.add(tracked);
  }

  /** Awaits outstanding error scopes and throws the first error recorded since the last check. */
  async checkErrors(): Promise<void> {
    while (this.pendingChecks.size > 0) await Promise.all([...this.pendingChecks]);
    if (this.errors.length > 0) {
      // A shader that failed to compile is the cause of its failed pipelines, and a failed
      // pipeline of the failed batches that used it: report causes first.
      const all = this.errors.splice(0);
      const rank = (e: string) => (e.includes('failed to compile') ? 0 : e.includes('creating the pipeline') ? 1 : 2);
      const [first, ...rest] = [...all].sort((a, b) => rank(a) - rank(b));
      throw new Error(rest.length > 0 ? `${first} (and ${rest.length} more)` : first);
    }
  }

  // ---- memory ----

  /** `data` (4-byte elements) into the start of `buffer`, after every kernel queued so far. */
  write(buffer: PooledBuffer, data: ArrayBufferView, kernel: string): void {
    this.assertAlive(kernel);
    if (!this.pendingUse(buffer)) {
      this.device.queue.writeBuffer(buffer.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      return;
    }
    // A queued writeBuffer runs before the commands still waiting in the open encoder, and
    // they use this buffer: write the values to a buffer they do not use (the pool never
    // hands those out) and copy it over inside the batch, after them.
    const upload = this.storagePool.acquire(data.byteLength);
    this.device.queue.writeBuffer(upload.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    this.closePass().copyBufferToBuffer(upload.buffer, 0, buffer.buffer, 0, data.byteLength);
    upload.batch = this.batchSerial;
    buffer.batch = this.batchSerial;
    this.storagePool.release(upload);
    this.counters.stagedWrites++;
  }

  async read(buffer: PooledBuffer, bytes: number): Promise<ArrayBuffer> {
    this.assertAlive('read');
    this.counters.reads++;
    const staging = this.stagingPool.acquire(bytes);
    this.closePass().copyBufferToBuffer(buffer.buffer, 0, staging.buffer, 0, bytes);
    this.submit();
    try {
      await staging.buffer.mapAsync(MAP_MODE_READ, 0, bytes);
    } catch (error) {
      await this.settleLoss();
      this.assertAlive('read');
      throw new Error(`webgpu read: mapping the staging buffer failed: ${(error as Error).message}`);
    }
    const copy = staging.buffer.getMappedRange(0, bytes).slice(0);
    staging.buffer.unmap();
    this.stagingPool.release(staging);
    await this.checkErrors();
    return copy;
  }

  async flush(): Promise<void> {
    this.assertAlive('flush');
    this.submit();
    await this.device.queue.onSubmittedWorkDone();
    await this.checkErrors();
    this.assertAlive('flush');
  }

  // ---- loss and disposal ----

  private handleLost(reason: string, message: string): void {
    if (this.lostInfo) return;
    this.lostInfo = { reason, message };
    this.encoder = null;
    this.pass = null;
    if (this.disposed) return;
    for (const callback of this.lostCallbacks) {
      try { callback(this.lostInfo); } catch (error) { console.error('webgpu onLost callback threw', error); }
    }
  }

  /** Gives device.lost a moment to settle after a failed map (destroy() resolves it async). */
  private async settleLoss(): Promise<void> {
    await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, 50))]);
  }

  onLost(callback: (info: LostInfo) => void): () => void {
    this.lostCallbacks.add(callback);
    if (this.lostInfo && !this.disposed) {
      const info = this.lostInfo;
      queueMicrotask(() => callback(info));
    }
    return () => { this.lostCallbacks.delete(callback); };
  }

  get lost(): LostInfo | null { return this.lostInfo; }

  assertAlive(kernel: string): void {
    if (this.disposed) throw new Error(`webgpu ${kernel}: the backend was disposed`);
    if (this.lostInfo) {
      throw new Error(`webgpu ${kernel}: the GPU device was lost (${this.lostInfo.reason}` +
        `${this.lostInfo.message ? `: ${this.lostInfo.message}` : ''}); its tensors are gone. ` +
        'Create a new webgpu backend, or fall back to wasm.');
    }
  }

  /**
   * Counters since creation: submits, dispatches, read-backs, bind groups created, writes
   * staged inside a batch; shader modules and pipelines compiled; storage buffers created
   * and destroyed, and the bytes idle in the pool and held for the open batch.
   */
  stats(): { submits: number; dispatches: number; reads: number; bindGroups: number; stagedWrites: number; modules: number;
    pipelines: number; buffersCreated: number; buffersDestroyed: number; idleBytes: number; heldBytes: number } {
    const pool = this.storagePool.stats();
    return { ...this.counters, modules: this.shaders.moduleCount, pipelines: this.shaders.pipelineCount, buffersCreated: pool.created,
      buffersDestroyed: pool.destroyed, idleBytes: pool.idleBytes, heldBytes: pool.heldBytes };
  }

  dispose(): void {
    if (this.disposed) return;
    if (!this.lostInfo) this.submit();
    this.disposed = true;
    this.storagePool.trim();
    this.stagingPool.trim();
    this.uniformRing.destroy();
    this.dummy.buffer.destroy();
    if (this.ownsDevice) this.device.destroy();
  }
}

function summarize(names: string[]): string {
  const counts = new Map<string, number>();
  for (let i = 0; i < names.length; i += 2) {
    const k = `${names[i]} (${names[i + 1]}.wgsl)`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(', ');
}
