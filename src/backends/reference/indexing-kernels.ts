/**
 * The scan, scatterRows and topk kernels over CPU arrays: the reference backend's
 * definition of them, and the wasm backend's too (run over its zero-copy views of linear
 * memory). Contracts in src/backends/backend.ts.
 *
 * Arithmetic is in the storage type, in order (float32: every step rounded with
 * Math.fround; int32: wrapping), so the WGSL kernels, which accumulate the same way, agree
 * to the bit with this definition on ordinary inputs.
 */
import type { ScanOp, ScatterMode, TypedArray } from '../backend.js';

/** scan: [outer, length, inner], along length; see Kernels.scan. */
export function scanArrays(op: ScanOp, x: TypedArray, out: TypedArray, outer: number, length: number, inner: number,
  exclusive: boolean, reverse: boolean): void {
  const isFloat = x instanceof Float32Array;
  const step = op === 'sum'
    ? (isFloat ? (a: number, b: number) => Math.fround(a + b) : (a: number, b: number) => (a + b) | 0)
    : (isFloat ? (a: number, b: number) => Math.fround(a * b) : (a: number, b: number) => Math.imul(a, b));
  const identity = op === 'sum' ? 0 : 1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = identity;
      for (let n = 0; n < length; n++) {
        const l = reverse ? length - 1 - n : n;
        const at = (o * length + l) * inner + i;
        if (exclusive) { out[at] = acc; acc = step(acc, x[at]); } else { acc = step(acc, x[at]); out[at] = acc; }
      }
    }
  }
}

/** scatterRows: out[indices[r], :] = or += updates[r, :] in row order; see Kernels.scatterRows. */
export function scatterRowsArrays(mode: ScatterMode, updates: TypedArray, indices: Int32Array, out: TypedArray,
  rowCount: number, cols: number, outRows: number): void {
  const isFloat = out instanceof Float32Array;
  for (let r = 0; r < rowCount; r++) {
    const target = indices[r];
    if (target < 0 || target >= outRows) continue;
    const from = r * cols, to = target * cols;
    if (mode === 'set') {
      out.set(updates.subarray(from, from + cols), to);
    } else if (isFloat) {
      for (let c = 0; c < cols; c++) out[to + c] = Math.fround(out[to + c] + updates[from + c]);
    } else {
      for (let c = 0; c < cols; c++) out[to + c] = (out[to + c] + updates[from + c]) | 0;
    }
  }
}

/** Whether (va, ia) comes before (vb, ib): NaN first, then larger values, then lower indices. */
function before(va: number, ia: number, vb: number, ib: number): boolean {
  const na = Number.isNaN(va), nb = Number.isNaN(vb);
  if (na !== nb) return na;
  if (!na && va !== vb) return va > vb;
  return ia < ib;
}

/**
 * Up to this k, topk keeps a sorted list of the best k (insertion); above it, a heap of the best k
 * when the row is at least TOPK_HEAP_RATIO times longer than k (CenterNet's 100 of 1.3M scores),
 * else it sorts the row.
 */
const TOPK_INSERTION_MAX = 64;
const TOPK_HEAP_RATIO = 16;
const COLUMN_BITS = 2 ** 21;

/**
 * A float64 sort key per column that orders (NaN first, larger values, lower columns) as
 * `before` does: the value's float32 bits made order-preserving and inverted, times 2^21,
 * plus the column (exact for rows of fewer than 2^21 columns).
 */
function sortKeys(x: Float32Array, base: number, cols: number, keys: Float64Array, bits: Uint32Array, word: Float32Array): void {
  for (let c = 0; c < cols; c++) {
    const v = x[base + c];
    word[0] = v === 0 ? 0 : v; // -0 ties with 0
    const raw = bits[0];
    const ordered = Number.isNaN(v) ? 0xffffffff : (raw & 0x80000000 ? ~raw >>> 0 : (raw | 0x80000000) >>> 0);
    keys[c] = (0xffffffff - ordered) * COLUMN_BITS + c;
  }
  keys.subarray(0, cols).sort();
}

/**
 * The best k of a row (in `before` order) into values / columns, sorted: a binary heap of the best
 * so far with the worst at its root, so most columns cost one comparison with the root; then the
 * heap emptied from the back. k <= cols.
 */
function bestOfRow(x: Float32Array, base: number, cols: number, k: number, values: Float64Array, columns: Int32Array): void {
  // Whether heap entry i comes after entry j (i is worse).
  const worse = (i: number, j: number): boolean => before(values[j], columns[j], values[i], columns[i]);
  const swap = (i: number, j: number): void => {
    const v = values[i], c = columns[i];
    values[i] = values[j];
    columns[i] = columns[j];
    values[j] = v;
    columns[j] = c;
  };
  const siftDown = (size: number): void => {
    for (let i = 0; ;) {
      const l = 2 * i + 1, r = l + 1;
      let w = i;
      if (l < size && worse(l, w)) w = l;
      if (r < size && worse(r, w)) w = r;
      if (w === i) return;
      swap(i, w);
      i = w;
    }
  };
  for (let c = 0; c < k; c++) {
    values[c] = x[base + c];
    columns[c] = c;
    for (let i = c; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!worse(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  }
  for (let c = k; c < cols; c++) {
    const v = x[base + c];
    if (!before(v, c, values[0], columns[0])) continue;
    values[0] = v;
    columns[0] = c;
    siftDown(k);
  }
  // The root is the worst of those left: move it behind them.
  for (let size = k - 1; size > 0; size--) {
    swap(0, size);
    siftDown(size);
  }
}

/** topk per row; see Kernels.topk. */
export function topkArrays(x: Float32Array, values: Float32Array, indices: Int32Array, rows: number, cols: number,
  k: number): void {
  if (k === 0) return;
  const heap = k > TOPK_INSERTION_MAX && cols >= k * TOPK_HEAP_RATIO;
  const sorting = k > TOPK_INSERTION_MAX && !heap && cols < COLUMN_BITS;
  const keys = sorting ? new Float64Array(cols) : null;
  const word = new Float32Array(1), bits = new Uint32Array(word.buffer);
  const bestValues = new Float64Array(k);
  const bestColumns = new Int32Array(k);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    if (heap) {
      bestOfRow(x, base, cols, k, bestValues, bestColumns);
    } else if (keys) {
      sortKeys(x, base, cols, keys, bits, word);
      for (let j = 0; j < k; j++) { bestColumns[j] = keys[j] % COLUMN_BITS; bestValues[j] = x[base + bestColumns[j]]; }
    } else {
      // Columns arrive in increasing order, so a tie never displaces an earlier column.
      let count = 0;
      for (let c = 0; c < cols; c++) {
        const v = x[base + c];
        if (count === k && !before(v, c, bestValues[k - 1], bestColumns[k - 1])) continue;
        let at = count < k ? count++ : k - 1;
        while (at > 0 && before(v, c, bestValues[at - 1], bestColumns[at - 1])) {
          bestValues[at] = bestValues[at - 1];
          bestColumns[at] = bestColumns[at - 1];
          at--;
        }
        bestValues[at] = v;
        bestColumns[at] = c;
      }
    }
    for (let j = 0; j < k; j++) {
      values[r * k + j] = bestValues[j];
      indices[r * k + j] = bestColumns[j];
    }
  }
}
