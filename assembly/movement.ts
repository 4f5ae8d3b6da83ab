/**
 * Data movement: fill, cast, the strided copy (slice, concat, transpose, broadcast, reverse,
 * pad), and row gathers. Every storage dtype is 4 bytes (float32, int32, and bool as 0 / 1
 * int32 words), so these move 32-bit words; pointers are byte offsets, counts and strides
 * are elements.
 */
import {
  CAST_COPY, CAST_FLOAT32_TO_BOOL, CAST_FLOAT32_TO_INT32, CAST_INT32_TO_BOOL, CAST_INT32_TO_FLOAT32,
} from './opcodes.generated';

/** out[0..n) = the 32-bit word `word` (the host passes a float's bits, an int32, or 0 / 1). */
export function fill_words(out: usize, n: i32, word: i32): void {
  const v = i32x4.splat(word);
  const end = out + (<usize>n << 2);
  const end16 = out + (<usize>(n & ~15) << 2);
  for (; out < end16; out += 64) {
    v128.store(out, v);
    v128.store(out, v, 16);
    v128.store(out, v, 32);
    v128.store(out, v, 48);
  }
  for (; out < end; out += 4) store<i32>(out, word);
}

/**
 * JavaScript's ToInt32 of a float32 (what an Int32Array store does): truncation toward zero,
 * NaN and +-Infinity to 0, magnitudes past 2^31 wrapped modulo 2^32.
 */
// @ts-ignore: decorator
@inline function toInt32(v: f32): i32 {
  if (abs<f32>(v) < 2147483648.0) return <i32>v;
  if (!isFinite<f32>(v)) return 0;
  const t = <f64>v; // an integer: float32 values this large have no fraction
  return <i32><u32><u64>(t - Math.floor(t / 4294967296.0) * 4294967296.0);
}

/**
 * out[0..n) = x[0..n) converted by a CAST_* code: float32 to int32 by ToInt32 (above), int32
 * (or bool) to float32 rounded to nearest, to bool as value != 0 (NaN is true), copy for the
 * same word on both sides. x and out may be the same storage.
 */
export function cast(x: usize, out: usize, n: i32, mode: i32): void {
  const bytes = <usize>n << 2;
  const vectorEnd = <usize>(n & ~3) << 2;
  let i: usize = 0;
  switch (mode) {
    case CAST_COPY: {
      if (x != out) memory.copy(out, x, bytes);
      return;
    }
    case CAST_INT32_TO_FLOAT32: {
      for (; i < vectorEnd; i += 16) v128.store(out + i, f32x4.convert_i32x4_s(v128.load(x + i)));
      for (; i < bytes; i += 4) store<f32>(out + i, <f32>load<i32>(x + i));
      return;
    }
    case CAST_FLOAT32_TO_INT32: {
      const limit = f32x4.splat(2147483648.0);
      for (; i < vectorEnd; i += 16) {
        const v = v128.load(x + i);
        // Lanes at or past 2^31 in magnitude (and infinities) need the wrapping rule;
        // NaN compares false and truncates to 0 as ToInt32 does.
        if (v128.any_true(f32x4.ge(f32x4.abs(v), limit))) {
          for (let j: usize = 0; j < 16; j += 4) store<i32>(out + i + j, toInt32(load<f32>(x + i + j)));
        } else {
          v128.store(out + i, i32x4.trunc_sat_f32x4_s(v));
        }
      }
      for (; i < bytes; i += 4) store<i32>(out + i, toInt32(load<f32>(x + i)));
      return;
    }
    case CAST_FLOAT32_TO_BOOL: {
      const zero = f32x4.splat(0), one = i32x4.splat(1);
      for (; i < vectorEnd; i += 16) v128.store(out + i, v128.and(f32x4.ne(v128.load(x + i), zero), one));
      for (; i < bytes; i += 4) store<i32>(out + i, load<f32>(x + i) != 0 ? 1 : 0);
      return;
    }
    case CAST_INT32_TO_BOOL: {
      const zero = i32x4.splat(0), one = i32x4.splat(1);
      for (; i < vectorEnd; i += 16) v128.store(out + i, v128.and(i32x4.ne(v128.load(x + i), zero), one));
      for (; i < bytes; i += 4) store<i32>(out + i, load<i32>(x + i) != 0 ? 1 : 0);
      return;
    }
  }
}

/**
 * dst[r, :] = src[indices[r], :] for r < rowCount, rows of `cols` words; indices are int32
 * and in range (the op checks).
 */
export function gather_rows(src: usize, indices: usize, dst: usize, rowCount: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rowCount; r++, indices += 4, dst += rowBytes) {
    memory.copy(dst, src + <usize>load<i32>(indices) * rowBytes, rowBytes);
  }
}

/**
 * The strided copy: for every index tuple t of shape (rank axes),
 * dst[dstOffset + sum t_i * dstStrides_i] = src[srcOffset + sum t_i * srcStrides_i].
 * `dims` is host-owned scratch of 4 * rank i32 words: shape, src strides, dst strides, then
 * room for the odometer; the kernel rewrites it (drops size-1 axes and merges axes that are
 * contiguous on both sides, so a slice of rows or a concat becomes a few long runs). Strides
 * may be 0 (broadcast) or negative (reverse). The innermost run is a memory.copy when it is
 * contiguous on both sides, a splat when the source stride is 0, else a word loop.
 * A shape with a 0 copies nothing; rank 0 copies one word. src and dst do not overlap.
 */
export function copy_strided(src: usize, dst: usize, rank: i32, dims: usize, srcOffset: i32, dstOffset: i32): void {
  const shape = dims;
  const sStride = dims + (<usize>rank << 2);
  const dStride = dims + (<usize>rank << 3);
  const index = dims + <usize>rank * 12;
  // Compact the axes in place: drop size-1 axes, merge an axis into the next when both sides
  // step over the next axis exactly.
  let kept = 0;
  for (let axis = 0; axis < rank; axis++) {
    const at = <usize>axis << 2;
    const size = load<i32>(shape + at);
    if (size == 0) return;
    if (size == 1) continue;
    const ss = load<i32>(sStride + at), ds = load<i32>(dStride + at);
    if (kept > 0) {
      const last = <usize>(kept - 1) << 2;
      const lastSize = load<i32>(shape + last);
      // Axis `kept - 1` (outer) over this one (inner): one axis when outer = inner * size.
      if (load<i32>(sStride + last) == ss * size && load<i32>(dStride + last) == ds * size) {
        store<i32>(shape + last, lastSize * size);
        store<i32>(sStride + last, ss);
        store<i32>(dStride + last, ds);
        continue;
      }
    }
    const to = <usize>kept << 2;
    store<i32>(shape + to, size);
    store<i32>(sStride + to, ss);
    store<i32>(dStride + to, ds);
    kept++;
  }
  if (kept == 0) {
    store<i32>(dst + (<usize>dstOffset << 2), load<i32>(src + (<usize>srcOffset << 2)));
    return;
  }
  let inner = kept - 1;
  const length = load<i32>(shape + (<usize>inner << 2));
  const si = load<i32>(sStride + (<usize>inner << 2)), di = load<i32>(dStride + (<usize>inner << 2));
  // A transpose (the innermost axis contiguous in dst, the one above it in src) copies the
  // two axes in square tiles, so both sides stay in cache.
  let rows = 0, rowSrc = 0, rowDst = 0;
  if (inner > 0 && di == 1 && si != 1 && load<i32>(sStride + (<usize>(inner - 1) << 2)) == 1) {
    inner--;
    rows = load<i32>(shape + (<usize>inner << 2));
    rowSrc = 1;
    rowDst = load<i32>(dStride + (<usize>inner << 2));
  }
  for (let axis = 0; axis < inner; axis++) store<i32>(index + (<usize>axis << 2), 0);
  let s = srcOffset, d = dstOffset;
  for (;;) {
    if (rows > 0) copy_tiles(src, dst, s, d, rows, rowSrc, rowDst, length, si);
    else copy_run(src, dst, s, d, length, si, di);
    // Odometer over the outer axes.
    let axis = inner - 1;
    for (; axis >= 0; axis--) {
      const at = <usize>axis << 2;
      const i = load<i32>(index + at) + 1;
      const size = load<i32>(shape + at);
      const ss = load<i32>(sStride + at), ds = load<i32>(dStride + at);
      if (i < size) {
        store<i32>(index + at, i);
        s += ss;
        d += ds;
        break;
      }
      store<i32>(index + at, 0);
      s -= ss * (size - 1);
      d -= ds * (size - 1);
    }
    if (axis < 0) return;
  }
}

const TILE: i32 = 16;

/**
 * rows x length words, dst word d + r * rowDst + l (rows contiguous in dst) from src word
 * s + r + l * si (columns contiguous in src), in TILE x TILE tiles: 16 words, one cache line,
 * of each side per tile row.
 */
function copy_tiles(src: usize, dst: usize, s: i32, d: i32, rows: i32, rowSrc: i32, rowDst: i32, length: i32, si: i32): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = min(rows, r0 + TILE);
    for (let l0 = 0; l0 < length; l0 += TILE) {
      const l1 = min(length, l0 + TILE);
      for (let l = l0; l < l1; l++) {
        let from = src + (<usize>(s + l * si + r0 * rowSrc) << 2);
        let to = dst + (<usize>(d + r0 * rowDst + l) << 2);
        const toStep = <usize>rowDst << 2;
        for (let r = r0; r < r1; r++, from += 4, to += toStep) store<i32>(to, load<i32>(from));
      }
    }
  }
}

/** One innermost run of `length` words: src word s + l * si to dst word d + l * di. */
// @ts-ignore: decorator
@inline function copy_run(src: usize, dst: usize, s: i32, d: i32, length: i32, si: i32, di: i32): void {
  if (si == 1 && di == 1) {
    memory.copy(dst + (<usize>d << 2), src + (<usize>s << 2), <usize>length << 2);
  } else if (si == 0 && di == 1) {
    fill_words(dst + (<usize>d << 2), length, load<i32>(src + (<usize>s << 2)));
  } else {
    let from = src + (<usize>s << 2), to = dst + (<usize>d << 2);
    const fromStep = <usize>si << 2, toStep = <usize>di << 2; // wraps for negative strides: wasm32 addresses
    for (let l = 0; l < length; l++, from += fromStep, to += toStep) store<i32>(to, load<i32>(from));
  }
}
