/**
 * The one allocator of the wasm backend's linear memory (threads, later, must allocate
 * from here too). Blocks are 64-byte aligned (a cache line, and f32x4 alignment).
 *
 * A training loop asks for the same sizes every step, so the fast path is an exact-size
 * free list: after the first step nothing new is carved. Freed blocks also merge with free
 * neighbours (and a free block at the top returns to the bump pointer), so a loop that
 * alternates batch sizes (fit, then evaluate) reuses memory instead of fragmenting it. On a
 * miss, the smallest free block that fits is split before the bump pointer moves. Linear
 * memory never shrinks (wasm cannot), but the arena stops growing once a pattern repeats.
 */
const ALIGN = 64;

export class Arena {
  private top: number;
  /** Free blocks by start, and by end (for merging with the block before). */
  private readonly sizeAt = new Map<number, number>();
  private readonly startEndingAt = new Map<number, number>();
  /** Free block starts by size. */
  private readonly bySize = new Map<number, Set<number>>();
  liveBytes = 0;
  freeBytes = 0;

  constructor(base: number, private readonly ensure: (endByte: number) => void) {
    this.top = Math.ceil(Math.max(base, ALIGN) / ALIGN) * ALIGN;
  }

  /** Bytes the arena has carved from linear memory so far. */
  get highWater(): number { return this.top; }

  alloc(requested: number): number {
    const bytes = Math.ceil(Math.max(requested, 1) / ALIGN) * ALIGN;
    let ptr = this.takeFree(bytes);
    if (ptr < 0) {
      ptr = this.top;
      this.ensure(ptr + bytes);
      this.top = ptr + bytes;
    }
    this.liveBytes += bytes;
    return ptr;
  }

  free(ptr: number, requested: number): void {
    const bytes = Math.ceil(Math.max(requested, 1) / ALIGN) * ALIGN;
    this.liveBytes -= bytes;
    let start = ptr, size = bytes;
    const before = this.startEndingAt.get(start);
    if (before !== undefined) { size += this.sizeAt.get(before)!; this.remove(before); start = before; }
    const afterSize = this.sizeAt.get(start + size);
    if (afterSize !== undefined) { this.remove(start + size); size += afterSize; }
    if (start + size === this.top) { this.top = start; return; }
    this.insert(start, size);
  }

  private takeFree(bytes: number): number {
    const exact = this.bySize.get(bytes);
    if (exact && exact.size > 0) {
      const ptr = exact.values().next().value as number;
      this.remove(ptr);
      return ptr;
    }
    if (this.freeBytes < bytes) return -1;
    let best = -1, bestSize = Infinity;
    for (const [size, starts] of this.bySize) {
      if (size > bytes && size < bestSize && starts.size > 0) { bestSize = size; best = starts.values().next().value as number; }
    }
    if (best < 0) return -1;
    this.remove(best);
    this.insert(best + bytes, bestSize - bytes);
    return best;
  }

  private insert(start: number, size: number): void {
    this.sizeAt.set(start, size);
    this.startEndingAt.set(start + size, start);
    let set = this.bySize.get(size);
    if (!set) { set = new Set(); this.bySize.set(size, set); }
    set.add(start);
    this.freeBytes += size;
  }

  private remove(start: number): void {
    const size = this.sizeAt.get(start)!;
    this.sizeAt.delete(start);
    this.startEndingAt.delete(start + size);
    // An emptied size class leaves the map: the best-fit scan in takeFree walks every class,
    // and keeping empty ones made it linear in every size ever freed (a tanh RNN ran 30x slower).
    const set = this.bySize.get(size)!;
    set.delete(start);
    if (set.size === 0) this.bySize.delete(size);
    this.freeBytes -= size;
  }
}
