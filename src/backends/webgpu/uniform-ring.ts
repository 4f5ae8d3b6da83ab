/**
 * The uniform ring: every dispatch's parameters (its uniform struct) in one GPU buffer,
 * bound as binding 0 of each bind group at a dynamic offset, so a bind group names storage
 * buffers only and is cached by them (bind-groups.ts).
 *
 * Owns: the ring buffer (`dispatchesPerSubmit` slots, each `align` bytes: 256 or the
 * device's minUniformBufferOffsetAlignment if larger) and its CPU mirror. `push` fills the
 * next slot of the mirror and leaves its offset in `dynamicOffsets`; `upload` writes the
 * used part of the mirror to the GPU with a single writeBuffer just before the batch is
 * submitted, and `rewind` restarts the slots at zero after the submit: a later writeBuffer
 * is ordered after the submitted work on the queue, so no slot is overwritten while a
 * dispatch that reads it is pending. The batching core submits before a slot would run
 * past the ring (at most `dispatchesPerSubmit` dispatches a batch).
 *
 * Frees: the ring buffer on `destroy` (the context's dispose).
 */
import { USAGE } from './buffer-pool.js';

/** Bytes of a dispatch's uniform struct as bound (64 words). */
export const UNIFORM_SLOT_BYTES = 256;

const NO_FLOATS: readonly number[] = [];

export class UniformRing {
  /** The ring on the GPU (binding 0 of every bind group, UNIFORM_SLOT_BYTES at a dynamic offset). */
  readonly buffer: GPUBuffer;
  /** Bytes between slots. */
  private readonly align: number;
  private readonly mirror: ArrayBuffer;
  private readonly u32: Uint32Array;
  private readonly f32: Float32Array;
  /** Bytes of the mirror filled since the last submit: the next slot's offset. */
  private used = 0;
  /** The offset of the slot `push` filled last, as setBindGroup takes dynamic offsets. */
  readonly dynamicOffsets = new Uint32Array(1);

  constructor(private readonly device: GPUDevice, slots: number) {
    this.align = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
    const ringBytes = this.align * slots;
    this.buffer = device.createBuffer({ label: 'sora uniform ring', size: ringBytes, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    this.mirror = new ArrayBuffer(ringBytes);
    this.u32 = new Uint32Array(this.mirror);
    this.f32 = new Float32Array(this.mirror);
  }

  /**
   * Fills the next slot with `ints` (as 32-bit words) then `floats`, and sets
   * `dynamicOffsets[0]` to it. Throws, naming `kernel`, past UNIFORM_SLOT_BYTES.
   */
  push(kernel: string, ints: ArrayLike<number>, floats: ArrayLike<number> | null): void {
    const slotOffset = this.used;
    const wordBase = slotOffset / 4;
    const words = floats ?? NO_FLOATS;
    if ((ints.length + words.length) * 4 > UNIFORM_SLOT_BYTES) {
      throw new Error(`webgpu ${kernel}: ${ints.length + words.length} uniform words exceed the ${UNIFORM_SLOT_BYTES}-byte slot`);
    }
    for (let i = 0; i < ints.length; i++) this.u32[wordBase + i] = ints[i];
    for (let i = 0; i < words.length; i++) this.f32[wordBase + ints.length + i] = words[i];
    this.used += this.align;
    this.dynamicOffsets[0] = slotOffset;
  }

  /** Writes the slots filled since the last submit to the GPU (queued before the submit that reads them). */
  upload(): void {
    if (this.used > 0) this.device.queue.writeBuffer(this.buffer, 0, this.mirror, 0, this.used);
  }

  /** The batch was submitted: the next dispatch takes slot 0 again. */
  rewind(): void { this.used = 0; }

  destroy(): void { this.buffer.destroy(); }
}
