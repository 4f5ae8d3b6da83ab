/**
 * The one allocator of the wasm backend's linear memory (threads, later, must allocate
 * from here too). Blocks are 64-byte aligned and sized in multiples of 64 bytes (a cache
 * line, and f32x4 alignment): `Arena.blockBytes(n)` is what a request of n bytes reserves,
 * and `liveBytes` / `freeBytes` count those reserved bytes exactly.
 *
 * Cost: alloc and free are O(1) in the number of free blocks and of distinct free sizes
 * (a few Map operations and bit scans; bench/arena.mjs measures it flat from 10 to 10,000
 * distinct sizes).
 *
 *  - Exact fit first. A training loop asks for the same sizes every step, so a free list
 *    per exact size (a Map from size to a list) serves a repeated request with no split:
 *    after the first step nothing new is carved.
 *  - Otherwise segregated fits with bitmaps (TLSF): free blocks are also filed by size class,
 *    the first level a power of two of the size in 64-byte units, the second level one of
 *    SL_COUNT equal subdivisions of it (classes below SL_COUNT units hold one size each). A
 *    request first tries the head of its own class, then takes the first block of the
 *    smallest non-empty class whose every size fits, found by two bit scans (Math.clz32):
 *    at most 1/SL_COUNT (3%) larger than the best fit. The block is split; the rest stays free.
 *  - Freed blocks merge with free neighbours (found by start and end in Maps), and a free
 *    block reaching the top returns to the bump pointer, so a loop that alternates batch
 *    sizes (fit, then evaluate) reuses memory instead of fragmenting it.
 *  - On a miss the bump pointer moves and `ensure` grows linear memory. Linear memory never
 *    shrinks (wasm cannot), but the arena stops growing once a pattern repeats.
 */
const ALIGN = 64;
/** log2 of the second-level subdivisions per power of two. */
const SL_LOG = 5;
const SL_COUNT = 1 << SL_LOG;

/**
 * A free block. Internally starts and sizes are in 64-byte units: below 2^26 for wasm32, so
 * V8 keeps them (and the Map keys) as small integers; byte addresses past 1 GiB would be
 * heap numbers and made each Map operation several times slower.
 */
interface FreeBlock {
  start: number;
  size: number;
  fl: number;
  sl: number;
  /** Neighbours in the block's size-class list and in its exact-size list. */
  classPrev: FreeBlock | null;
  classNext: FreeBlock | null;
  samePrev: FreeBlock | null;
  sameNext: FreeBlock | null;
}

/** Index of the lowest set bit of a nonzero 32-bit word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/**
 * A Map from small integers whose delete leaves a null in place instead of removing the entry.
 * V8's Map (measured in Node 20 / V8 11.3) keeps a deleted entry in its bucket's chain until
 * the next rehash, and that comes only after as many inserts as the map has free room, so
 * deleting and re-adding the same keys (a block split at the same address every training
 * step) walks a chain that grows with the map: 5 us per set + delete at 10,000 entries
 * against 0.1 us with the entry kept. Updating a kept entry in place never grows a chain;
 * the map is rebuilt without its nulls when they outnumber the live entries (amortized O(1)).
 */
class KeptMap<V> {
  private map = new Map<number, V | null>();
  private live = 0;
  private stale = 0;

  get(key: number): V | undefined {
    const value = this.map.get(key);
    return value === null ? undefined : value;
  }
  set(key: number, value: V): void {
    const old = this.map.get(key);
    if (old === null) this.stale--;
    if (old === undefined || old === null) this.live++;
    this.map.set(key, value);
  }
  delete(key: number): void {
    const old = this.map.get(key);
    if (old === undefined || old === null) return;
    this.map.set(key, null);
    this.live--;
    this.stale++;
    if (this.stale > 64 && this.stale > this.live) {
      const next = new Map<number, V | null>();
      for (const [k, v] of this.map) if (v !== null) next.set(k, v);
      this.map = next;
      this.stale = 0;
    }
  }
}

export class Arena {
  /** The bump pointer, in units. */
  private top: number;
  private readonly byStart = new KeptMap<FreeBlock>();
  private readonly byEnd = new KeptMap<FreeBlock>();
  /** Head of the free list of each exact size (sizes with no free block are absent). */
  private readonly bySize = new KeptMap<FreeBlock>();
  /** Head of each size class's list, at fl * SL_COUNT + sl. */
  private readonly classHeads: (FreeBlock | null)[] = new Array(32 * SL_COUNT).fill(null);
  /** Bit fl: some class of first level fl is non-empty; slBitmap[fl] bit sl: class (fl, sl) is. */
  private flBitmap = 0;
  private readonly slBitmap = new Array<number>(32).fill(0);
  liveBytes = 0;
  private freeUnits = 0;
  /** Free lists inspected by alloc, for tests: constant per call, whatever the number of free blocks. */
  listsInspected = 0;

  constructor(base: number, private readonly ensure: (endByte: number) => void) {
    this.top = Math.ceil(Math.max(base, ALIGN) / ALIGN);
  }

  /** Bytes a request of `requested` bytes reserves: a multiple of 64, at least 64. */
  static blockBytes(requested: number): number {
    return Math.ceil(Math.max(requested, 1) / ALIGN) * ALIGN;
  }

  /** Bytes the arena has carved from linear memory so far. */
  get highWater(): number { return this.top * ALIGN; }
  /** Bytes in free blocks below the top. */
  get freeBytes(): number { return this.freeUnits * ALIGN; }

  /** A 64-byte aligned block of blockBytes(requested) bytes. */
  alloc(requested: number): number {
    const units = Math.ceil(Math.max(requested, 1) / ALIGN);
    let start = this.takeFree(units);
    if (start < 0) {
      start = this.top;
      this.ensure((start + units) * ALIGN);
      this.top = start + units;
    }
    this.liveBytes += units * ALIGN;
    return start * ALIGN;
  }

  /** Returns a block; `requested` is what was asked of alloc (or blockBytes of it). */
  free(ptr: number, requested: number): void {
    const units = Math.ceil(Math.max(requested, 1) / ALIGN);
    this.liveBytes -= units * ALIGN;
    let start = ptr / ALIGN, size = units;
    const before = this.byEnd.get(start);
    if (before !== undefined) { this.remove(before); start = before.start; size += before.size; }
    const after = this.byStart.get(start + size);
    if (after !== undefined) { this.remove(after); size += after.size; }
    if (start + size === this.top) { this.top = start; return; }
    this.insert(start, size);
  }

  /** Start (units) of a free block of `units` taken from the free lists, or -1. */
  private takeFree(units: number): number {
    this.listsInspected++;
    const exact = this.bySize.get(units);
    if (exact !== undefined) {
      this.remove(exact);
      return exact.start;
    }
    if (this.freeUnits < units) return -1;
    // The head of the request's own class may fit (the class spans sizes around it).
    let fl = firstLevel(units), sl = secondLevel(units, fl);
    let block = this.classHeads[fl * SL_COUNT + sl];
    this.listsInspected++;
    if (block === null || block.size < units) {
      // The first class above whose every block fits: round the request up to its class's end.
      const fb = 31 - Math.clz32(units);
      const rounded = fb < SL_LOG ? units + 1 : units + (1 << (fb - SL_LOG));
      fl = firstLevel(rounded); sl = secondLevel(rounded, fl);
      block = this.findFrom(fl, sl);
      this.listsInspected++;
      if (block === null) return -1;
    }
    this.remove(block);
    if (block.size > units) this.insert(block.start + units, block.size - units);
    return block.start;
  }

  /** Head of the first non-empty class at or above (fl, sl), by two bit scans. */
  private findFrom(fl: number, sl: number): FreeBlock | null {
    if (fl >= 32) return null;
    let slMap = sl < SL_COUNT ? this.slBitmap[fl] & (~0 << sl) : 0;
    if (slMap === 0) {
      const flMap = fl + 1 < 32 ? this.flBitmap & (~0 << (fl + 1)) : 0;
      if (flMap === 0) return null;
      fl = lowestBit(flMap);
      slMap = this.slBitmap[fl];
    }
    return this.classHeads[fl * SL_COUNT + lowestBit(slMap)];
  }

  private insert(start: number, size: number): void {
    const fl = firstLevel(size), sl = secondLevel(size, fl);
    const block: FreeBlock = { start, size, fl, sl, classPrev: null, classNext: null, samePrev: null, sameNext: null };
    this.byStart.set(start, block);
    this.byEnd.set(start + size, block);
    const index = fl * SL_COUNT + sl;
    const head = this.classHeads[index];
    block.classNext = head;
    if (head !== null) head.classPrev = block;
    this.classHeads[index] = block;
    this.slBitmap[fl] |= 1 << sl;
    this.flBitmap |= 1 << fl;
    const same = this.bySize.get(size);
    if (same !== undefined) { block.sameNext = same; same.samePrev = block; }
    this.bySize.set(size, block);
    this.freeUnits += size;
  }

  private remove(block: FreeBlock): void {
    this.byStart.delete(block.start);
    this.byEnd.delete(block.start + block.size);
    const index = block.fl * SL_COUNT + block.sl;
    if (block.classPrev !== null) block.classPrev.classNext = block.classNext;
    else this.classHeads[index] = block.classNext;
    if (block.classNext !== null) block.classNext.classPrev = block.classPrev;
    if (this.classHeads[index] === null) {
      this.slBitmap[block.fl] &= ~(1 << block.sl);
      if (this.slBitmap[block.fl] === 0) this.flBitmap &= ~(1 << block.fl);
    }
    // An emptied exact size leaves the map, so the map holds only sizes with a free block.
    if (block.samePrev !== null) block.samePrev.sameNext = block.sameNext;
    else if (block.sameNext !== null) this.bySize.set(block.size, block.sameNext);
    else this.bySize.delete(block.size);
    if (block.sameNext !== null) block.sameNext.samePrev = block.samePrev;
    this.freeUnits -= block.size;
  }
}

/**
 * Size classes of a size in 64-byte units: below SL_COUNT units one class per size (fl 0,
 * sl = units); above, fl = 1 + log2(units) - SL_LOG and sl the SL_LOG bits after the leading one.
 * wasm32's 4 GiB is 2^26 units, so fl <= 22.
 */
function firstLevel(units: number): number {
  const fb = 31 - Math.clz32(units);
  return fb < SL_LOG ? 0 : fb - SL_LOG + 1;
}
function secondLevel(units: number, fl: number): number {
  return fl === 0 ? units : (units >>> (fl - 1)) - SL_COUNT;
}
