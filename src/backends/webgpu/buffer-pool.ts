/**
 * GPUBuffers recycled by size class. Creating a buffer is an allocation in the GPU driver
 * (and in Chromium a round trip to the GPU process), so a training step must not create
 * any: freed buffers go back here and the next request of the same class reuses one.
 *
 * Classes are 256 bytes, then 2^k and 1.5 * 2^k bytes: at most a third of a buffer is
 * slack. A freed buffer may still be read by commands that are encoded but not yet
 * submitted; that is safe because everything later is ordered after them on the queue,
 * except `queue.writeBuffer`, which the context guards with `PooledBuffer.batch`.
 */

export interface PooledBuffer {
  readonly buffer: GPUBuffer;
  /** Capacity in bytes (the size class). */
  readonly bytes: number;
  /** Serial of the last command batch that referenced it (see GPUContext.write). */
  batch: number;
}

export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const power = 2 ** Math.ceil(Math.log2(bytes));
  const threeQuarters = power * 0.75;
  return bytes <= threeQuarters ? threeQuarters : power;
}

export class BufferPool {
  private readonly idle = new Map<number, PooledBuffer[]>();
  private idleBytes = 0;
  private created = 0;

  /**
   * @param maxBytes the largest buffer the device allows; a class above it falls back to
   *   the exact (4-byte rounded) size.
   * @param maxIdleBytes idle capacity kept for reuse; buffers freed beyond it are destroyed.
   */
  constructor(private readonly device: GPUDevice, private readonly usage: number,
    private readonly label: string, private readonly maxBytes: number,
    private readonly maxIdleBytes = 256 * 1024 * 1024) {}

  acquire(bytes: number): PooledBuffer {
    let capacity = sizeClass(bytes);
    if (capacity > this.maxBytes) capacity = Math.ceil(bytes / 4) * 4;
    const list = this.idle.get(capacity);
    const reused = list?.pop();
    if (reused) {
      this.idleBytes -= capacity;
      return reused;
    }
    this.created++;
    const buffer = this.device.createBuffer({ label: `${this.label} ${capacity}B`, size: capacity, usage: this.usage });
    return { buffer, bytes: capacity, batch: -1 };
  }

  release(entry: PooledBuffer): void {
    if (this.idleBytes + entry.bytes > this.maxIdleBytes) {
      entry.buffer.destroy();
      return;
    }
    let list = this.idle.get(entry.bytes);
    if (!list) this.idle.set(entry.bytes, list = []);
    list.push(entry);
    this.idleBytes += entry.bytes;
  }

  stats(): { created: number; idleBuffers: number; idleBytes: number } {
    let idleBuffers = 0;
    for (const list of this.idle.values()) idleBuffers += list.length;
    return { created: this.created, idleBuffers, idleBytes: this.idleBytes };
  }

  /** Destroys the idle buffers (live ones belong to their storages). */
  trim(): void {
    for (const list of this.idle.values()) for (const entry of list) entry.buffer.destroy();
    this.idle.clear();
    this.idleBytes = 0;
  }
}
