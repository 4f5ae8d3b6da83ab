/**
 * GPUBuffers recycled by size class. Creating a buffer is an allocation in the GPU driver
 * (and in Chromium a round trip to the GPU process), so a training step must not create
 * any: freed buffers go back here and the next request of the same class reuses one.
 *
 * Classes are 256 bytes, then 2^k and 1.5 * 2^k bytes: at most a third of a buffer is
 * slack. A storage's `bytes` is its buffer's class, so the bytes the backend reports are
 * the bytes it holds.
 *
 * Lifetimes: a buffer freed while commands that are encoded but not yet submitted use it
 * (`inOpenBatch`) is held until that batch is submitted (`submitted()`): destroying it
 * would fail the submit, and handing it out again would let a `queue.writeBuffer` to it
 * land before those commands. After the submit both are safe: the queue orders later
 * writes after the submitted work, and a destroyed buffer lives until that work is done.
 * So `acquire` never returns a buffer the open batch uses.
 */

// GPUBufferUsage values, spelled out so this module loads where WebGPU's globals do not
// exist (Node imports it through the dispatcher).
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;

export interface PooledBuffer {
  readonly buffer: GPUBuffer;
  /** Capacity in bytes (the size class). */
  readonly bytes: number;
  /** Unique per buffer for the backend's lifetime (bind groups are cached by it). */
  readonly id: number;
  /** Serial of the last command batch that referenced it (GPUContext.pendingUse). */
  batch: number;
}

export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const power = 2 ** Math.ceil(Math.log2(bytes));
  const threeQuarters = power * 0.75;
  return bytes <= threeQuarters ? threeQuarters : power;
}

let nextBufferId = 1;
/** A fresh id for a buffer made outside a pool (the context's dummy binding). */
export function bufferId(): number { return nextBufferId++; }

export interface PoolOptions {
  /** The largest buffer the device allows; a class above it falls back to the exact (4-byte rounded) size. */
  maxBytes: number;
  /** Idle capacity kept for reuse; buffers freed beyond it are destroyed (once no unsubmitted command uses them). */
  maxIdleBytes?: number;
  /** Whether commands not yet submitted use this buffer. */
  inOpenBatch: (entry: PooledBuffer) => boolean;
  /** Called just before a buffer is destroyed (the bind-group cache drops the groups that name it). */
  onDestroy?: (entry: PooledBuffer) => void;
}

export class BufferPool {
  private readonly idle = new Map<number, PooledBuffer[]>();
  private idleBytes = 0;
  /** Freed while the open batch used them: neither reused nor destroyed until it is submitted. */
  private held: PooledBuffer[] = [];
  private heldBytes = 0;
  private created = 0;
  private destroyed = 0;
  private readonly maxBytes: number;
  private readonly maxIdleBytes: number;

  constructor(private readonly device: GPUDevice, private readonly usage: number, private readonly label: string,
    private readonly options: PoolOptions) {
    this.maxBytes = options.maxBytes;
    this.maxIdleBytes = options.maxIdleBytes ?? 256 * 1024 * 1024;
  }

  /** The capacity a request of `bytes` gets. */
  capacity(bytes: number): number {
    const capacity = sizeClass(bytes);
    return capacity > this.maxBytes ? Math.ceil(bytes / 4) * 4 : capacity;
  }

  /** A buffer of at least `bytes`, never one that unsubmitted commands use. */
  acquire(bytes: number): PooledBuffer {
    const capacity = this.capacity(bytes);
    const reused = this.idle.get(capacity)?.pop();
    if (reused) {
      this.idleBytes -= capacity;
      return reused;
    }
    this.created++;
    const buffer = this.device.createBuffer({ label: `${this.label} ${capacity}B`, size: capacity, usage: this.usage });
    return { buffer, bytes: capacity, id: bufferId(), batch: -1 };
  }

  release(entry: PooledBuffer): void {
    if (this.options.inOpenBatch(entry)) {
      this.held.push(entry);
      this.heldBytes += entry.bytes;
      return;
    }
    this.keep(entry);
  }

  /** The open batch was submitted: the buffers it held become reusable (or are destroyed past the cap). */
  submitted(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const entry of held) this.keep(entry);
  }

  /** Bytes freed but held for the open batch (the context submits early when they pile up). */
  get pendingBytes(): number { return this.heldBytes; }

  private keep(entry: PooledBuffer): void {
    if (this.idleBytes + entry.bytes > this.maxIdleBytes) {
      this.destroy(entry);
      return;
    }
    let list = this.idle.get(entry.bytes);
    if (!list) this.idle.set(entry.bytes, list = []);
    list.push(entry);
    this.idleBytes += entry.bytes;
  }

  private destroy(entry: PooledBuffer): void {
    this.options.onDestroy?.(entry);
    entry.buffer.destroy();
    this.destroyed++;
  }

  stats(): { created: number; destroyed: number; idleBuffers: number; idleBytes: number; heldBytes: number } {
    let idleBuffers = 0;
    for (const list of this.idle.values()) idleBuffers += list.length;
    return { created: this.created, destroyed: this.destroyed, idleBuffers, idleBytes: this.idleBytes, heldBytes: this.heldBytes };
  }

  /** Destroys the idle and held buffers (live ones belong to their storages); for dispose, after the last submit. */
  trim(): void {
    for (const list of this.idle.values()) for (const entry of list) this.destroy(entry);
    for (const entry of this.held) this.destroy(entry);
    this.idle.clear();
    this.held = [];
    this.idleBytes = 0;
    this.heldBytes = 0;
  }
}
