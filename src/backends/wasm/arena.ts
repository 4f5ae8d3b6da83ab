/**
 * The one allocator of the wasm backend's linear memory (threads, later, must allocate
 * from here too). Blocks are 64-byte aligned (a cache line, and f32x4 alignment). Freed
 * blocks go to an exact-size free list: a training loop asks for the same sizes every
 * step, so after the first step nothing new is carved. On a miss, the smallest larger free
 * block is split before the bump pointer moves; memory never shrinks.
 */
const ALIGN = 64;

export class Arena {
  private top: number;
  private readonly freeBySize = new Map<number, number[]>();
  liveBytes = 0;
  freeBytes = 0;

  constructor(base: number, private readonly ensure: (endByte: number) => void) {
    this.top = Math.ceil(Math.max(base, ALIGN) / ALIGN) * ALIGN;
  }

  alloc(requested: number): number {
    const bytes = Math.ceil(Math.max(requested, 1) / ALIGN) * ALIGN;
    this.liveBytes += bytes;
    const exact = this.freeBySize.get(bytes);
    if (exact && exact.length > 0) { this.freeBytes -= bytes; return exact.pop()!; }
    if (this.freeBytes >= bytes) {
      let bestSize = Infinity;
      for (const [size, list] of this.freeBySize) if (size > bytes && size < bestSize && list.length) bestSize = size;
      if (bestSize !== Infinity) {
        const ptr = this.freeBySize.get(bestSize)!.pop()!;
        this.freeBytes -= bestSize;
        this.release(ptr + bytes, bestSize - bytes);
        return ptr;
      }
    }
    const ptr = this.top;
    this.ensure(ptr + bytes);
    this.top = ptr + bytes;
    return ptr;
  }

  free(ptr: number, requested: number): void {
    const bytes = Math.ceil(Math.max(requested, 1) / ALIGN) * ALIGN;
    this.liveBytes -= bytes;
    this.release(ptr, bytes);
  }

  private release(ptr: number, bytes: number): void {
    let list = this.freeBySize.get(bytes);
    if (!list) { list = []; this.freeBySize.set(bytes, list); }
    list.push(ptr);
    this.freeBytes += bytes;
  }
}
