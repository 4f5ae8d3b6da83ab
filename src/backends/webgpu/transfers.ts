/**
 * Values in and out of GPU buffers, ordered with the open batch of kernels.
 *
 * Writes (`write`) never submit. A buffer that no unsubmitted command uses is written with
 * queue.writeBuffer at once. A buffer that the open batch uses is staged: a queued
 * writeBuffer would run before the commands still waiting in the open encoder, so the values
 * go to a buffer they do not use (the storage pool never hands those out) and are copied
 * over inside the batch, after them (counted as stagedWrites).
 *
 * Reads (`read`) copy into a mapped staging buffer at the end of the open batch, submit it,
 * map, and then await the error log, so a failed batch throws instead of reading back zeros.
 *
 * Owns: the staging pool (MAP_READ buffers), whose buffers come back to it after each read.
 * Frees: idle staging buffers past 64 MiB as they are released, all of them on `trim` (the
 * context's dispose); an upload buffer goes back to the storage pool, held until the batch
 * that copies from it is submitted.
 */
import { BufferPool, type PooledBuffer, USAGE } from './buffer-pool.js';
import type { Counters } from './counters.js';
import type { DeviceLoss } from './device-loss.js';
import type { ErrorLog } from './error-log.js';

const MAP_MODE_READ = 0x1; // GPUMapMode.READ

/** What transfers need of the batching core (context.ts). */
export interface OpenBatch {
  /** Whether commands encoded but not yet submitted use this buffer. */
  pendingUse(buffer: PooledBuffer): boolean;
  /** The open batch's encoder, with no compute pass open (a batch is opened if none is). */
  copyEncoder(): GPUCommandEncoder;
  /** The serial of the open batch, which a buffer it uses records (PooledBuffer.batch). */
  serial(): number;
  submit(): void;
}

export class Transfers {
  private readonly staging: BufferPool;

  constructor(private readonly device: GPUDevice, private readonly storage: BufferPool, private readonly batch: OpenBatch,
    private readonly loss: DeviceLoss, private readonly errors: ErrorLog, private readonly counters: Counters) {
    this.staging = new BufferPool(device, USAGE.MAP_READ | USAGE.COPY_DST, 'sora staging',
      { maxBytes: device.limits.maxBufferSize, maxIdleBytes: 64 * 1024 * 1024, inOpenBatch: (entry) => batch.pendingUse(entry) });
  }

  /** `data` (4-byte elements) into the start of `buffer`, after every kernel queued so far. */
  write(buffer: PooledBuffer, data: ArrayBufferView, kernel: string): void {
    this.loss.assertAlive(kernel);
    if (!this.batch.pendingUse(buffer)) {
      this.device.queue.writeBuffer(buffer.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      return;
    }
    const upload = this.storage.acquire(data.byteLength);
    this.device.queue.writeBuffer(upload.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    this.batch.copyEncoder().copyBufferToBuffer(upload.buffer, 0, buffer.buffer, 0, data.byteLength);
    const serial = this.batch.serial();
    upload.batch = serial;
    buffer.batch = serial;
    this.storage.release(upload);
    this.counters.stagedWrites++;
  }

  /** The first `bytes` of `buffer`, after every kernel queued so far (submits the open batch). */
  async read(buffer: PooledBuffer, bytes: number): Promise<ArrayBuffer> {
    this.loss.assertAlive('read');
    this.counters.reads++;
    const staging = this.staging.acquire(bytes);
    this.batch.copyEncoder().copyBufferToBuffer(buffer.buffer, 0, staging.buffer, 0, bytes);
    this.batch.submit();
    try {
      await staging.buffer.mapAsync(MAP_MODE_READ, 0, bytes);
    } catch (error) {
      await this.loss.settle();
      this.loss.assertAlive('read');
      throw new Error(`webgpu read: mapping the staging buffer failed: ${(error as Error).message}`);
    }
    const copy = staging.buffer.getMappedRange(0, bytes).slice(0);
    staging.buffer.unmap();
    this.staging.release(staging);
    await this.errors.check();
    return copy;
  }

  /** The open batch was submitted: staging buffers it held become reusable. */
  submitted(): void { this.staging.submitted(); }

  /** Destroys the idle staging buffers; for dispose, after the last submit. */
  trim(): void { this.staging.trim(); }
}
