/**
 * The batching core of the webgpu backend: kernels encode dispatches into one open command
 * encoder (consecutive dispatches share one compute pass) and nothing is submitted until a
 * read, a flush, `dispatchesPerSubmit` dispatches, or more than MAX_HELD_BYTES of freed
 * buffers waiting on the open batch (buffer-pool.ts). Uploads never submit (transfers.ts).
 * A training step therefore reaches the GPU as a few submits and no read-back.
 *
 * Owns: the open encoder and pass, the batch's serial and its kernel names (each batch runs
 * inside a validation error scope, pushed as its encoder opens and popped at its submit, so
 * a failure names the kernels of the batch), the storage pool, and the dummy binding. It
 * composes the rest, each in its own module:
 *   pipelines.ts     shader modules (compiled on first use) and the pipeline cache
 *   variants.ts      kernel variants by (family, key), each keeping its resolved pipeline
 *   uniform-ring.ts  every dispatch's uniform struct, a slot at a dynamic offset
 *   bind-groups.ts   bind groups cached by (shader, buffer ids); scratch for aliasing
 *   transfers.ts     writes (staged inside the batch when it uses the buffer), read-backs
 *   error-log.ts     errors held until read() or flush() throws them
 *   device-loss.ts   device loss, onLost callbacks, disposal, assertAlive
 *   counters.ts      what stats() reports
 *
 * Frees: on dispose (after a last submit unless the device is lost), the idle and held
 * buffers of both pools, the uniform ring and the dummy, and the device when it opened it.
 * Live storages keep their buffers until the backend frees them.
 */
import { BufferPool, bufferId, type PooledBuffer, USAGE } from './buffer-pool.js';
import { BindGroupCache } from './bind-groups.js';
import { type GPUStats, gpuStats, newCounters } from './counters.js';
import { DeviceLoss, type LostInfo } from './device-loss.js';
import { ErrorLog } from './error-log.js';
import { Pipelines, type PipelineRequest } from './pipelines.js';
import { SHADERS, type ShaderName } from './shaders.generated.js';
import { Transfers } from './transfers.js';
import { UniformRing } from './uniform-ring.js';
import { type KernelVariant, KernelVariants, type VariantSpec } from './variants.js';

export type { GPUStats } from './counters.js';
export type { LostInfo } from './device-loss.js';
export type { KernelVariant, VariantSpec } from './variants.js';

export interface Binding {
  buffer: PooledBuffer;
  /** The shader writes this binding (var<storage, read_write>); the shader's declaration decides, this documents it. */
  writable: boolean;
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

/** Freed buffers held for the open batch past this many bytes submit it (buffer-pool.ts). */
const MAX_HELD_BYTES = 256 * 1024 * 1024;

export class GPUContext {
  readonly limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupsPerDimension: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupStorageSize: number;
  };
  readonly storagePool: BufferPool;
  private readonly shaders: Pipelines;
  /** Tiny storage buffer bound where a shader's optional input is absent. */
  readonly dummy: PooledBuffer;

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** Kernel and shader names of the open batch's dispatches, in pairs: its error message names them. */
  private batchKernels: string[] = [];
  private batchSerial = 0;
  private dispatchesInBatch = 0;

  private readonly counters = newCounters();
  private readonly errors = new ErrorLog();
  private readonly loss: DeviceLoss;
  private readonly uniforms: UniformRing;
  private readonly bindGroups: BindGroupCache;
  private readonly transfers: Transfers;
  private readonly variants = new KernelVariants();

  /**
   * `sources` is the WGSL of each shader; tests pass a broken one to check that a shader
   * error stays with its kernels.
   */
  constructor(readonly device: GPUDevice, readonly dispatchesPerSubmit: number, private readonly ownsDevice: boolean,
    sources: Readonly<Record<ShaderName, string>> = SHADERS) {
    this.shaders = new Pipelines(device, sources, (check) => this.errors.track(check), (message) => this.errors.push(message));
    const l = device.limits;
    this.limits = {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    };
    const maxStorage = Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
    this.storagePool = new BufferPool(device, USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST, 'sora storage',
      { maxBytes: maxStorage, inOpenBatch: (entry) => this.pendingUse(entry), onDestroy: (entry) => this.bindGroups.forget(entry) });
    this.loss = new DeviceLoss(device, () => { this.encoder = null; this.pass = null; });
    this.transfers = new Transfers(device, this.storagePool, {
      pendingUse: (buffer) => this.pendingUse(buffer),
      copyEncoder: () => this.closePass(),
      serial: () => this.batchSerial,
      submit: () => this.submit(),
    }, this.loss, this.errors, this.counters);
    this.dummy = { buffer: device.createBuffer({ label: 'sora dummy binding', size: 16, usage: USAGE.STORAGE }), bytes: 16,
      id: bufferId(), batch: -1 };
    this.uniforms = new UniformRing(device, dispatchesPerSubmit);
    this.bindGroups = new BindGroupCache(device, this.uniforms.buffer, this.storagePool, this.dummy, this.counters);
    this.errors.listen(device);
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
   * its op code and flags), made by `make` on first use (variants.ts).
   */
  variant(family: string, key: number | string, make: () => VariantSpec): KernelVariant {
    return this.variants.get(family, key, make);
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
    this.loss.assertAlive(variant.kernel);
    if (x === 0 || y === 0 || z === 0) return;
    this.shaders.assertCompiles(variant.shader, variant.kernel);
    const record = variant.record ?? (variant.record = this.shaders.pipeline(variant.shader, variant.entryPoint, variant.constants));
    if (record.failed) throw new Error(record.failed);
    if (this.dispatchesInBatch >= this.dispatchesPerSubmit || this.storagePool.pendingBytes > MAX_HELD_BYTES) this.submit();
    this.openEncoder(); // its error scope must cover the bind group created below

    const scratch = this.bindGroups.aliasScratch(record.writable, buffers);
    this.uniforms.push(variant.kernel, ints, floats);
    const bindGroup = this.bindGroups.get(variant.shader, record.layout, buffers, scratch);
    if (scratch) {
      const encoder = this.closePass();
      for (const [i, temp] of scratch) encoder.copyBufferToBuffer(buffers[i].buffer, 0, temp.buffer, 0, temp.bytes);
    }
    const pass = this.openPass();
    pass.setPipeline(record.pipeline);
    pass.setBindGroup(0, bindGroup, this.uniforms.dynamicOffsets, 0, 1);
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

  submit(): void {
    if (!this.encoder) return;
    const encoder = this.closePass();
    this.uniforms.upload();
    this.device.queue.submit([encoder.finish()]);
    this.errors.trackBatch(this.device.popErrorScope(), this.batchKernels);
    this.encoder = null;
    this.batchKernels = [];
    this.batchSerial++;
    this.dispatchesInBatch = 0;
    this.uniforms.rewind();
    this.counters.submits++;
    this.storagePool.submitted();
    this.transfers.submitted();
  }

  /** Awaits outstanding error scopes and throws the first error recorded since the last check. */
  checkErrors(): Promise<void> { return this.errors.check(); }

  // ---- memory (transfers.ts) ----

  /** `data` (4-byte elements) into the start of `buffer`, after every kernel queued so far. */
  write(buffer: PooledBuffer, data: ArrayBufferView, kernel: string): void { this.transfers.write(buffer, data, kernel); }

  read(buffer: PooledBuffer, bytes: number): Promise<ArrayBuffer> { return this.transfers.read(buffer, bytes); }

  async flush(): Promise<void> {
    this.assertAlive('flush');
    this.submit();
    await this.device.queue.onSubmittedWorkDone();
    await this.checkErrors();
    this.assertAlive('flush');
  }

  // ---- loss and disposal (device-loss.ts) ----

  onLost(callback: (info: LostInfo) => void): () => void { return this.loss.onLost(callback); }

  get lost(): LostInfo | null { return this.loss.lost; }

  assertAlive(kernel: string): void { this.loss.assertAlive(kernel); }

  /**
   * Counters since creation: submits, dispatches, read-backs, bind groups created, writes
   * staged inside a batch; shader modules and pipelines compiled; storage buffers created
   * and destroyed, and the bytes idle in the pool and held for the open batch.
   */
  stats(): GPUStats { return gpuStats(this.counters, this.shaders, this.storagePool); }

  dispose(): void {
    if (this.loss.disposed) return;
    if (!this.loss.lost) this.submit();
    this.loss.markDisposed();
    this.storagePool.trim();
    this.transfers.trim();
    this.uniforms.destroy();
    this.dummy.buffer.destroy();
    if (this.ownsDevice) this.device.destroy();
  }
}
