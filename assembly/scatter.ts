/**
 * scatter_rows: for r = 0 .. rowCount - 1 in order, where 0 <= indices[r] < outRows:
 * out[indices[r], :] = updates[r, :] (`set`: a memory.copy, the last row wins) or
 * += updates[r, :] (f32, or i32 wrapping with `integer`), rows of `cols` values, four
 * columns at a time then a scalar tail. Rows with an index out of range are skipped; out is
 * not cleared. Serves unsortedSegmentSum (the gradient of gather), scatterND and
 * tensorScatterUpdate. Contract (assembly/index.ts): byte pointers, indices i32, out does
 * not alias updates, any sizes >= 0.
 */
export function scatter_rows(updates: usize, indices: usize, out: usize, rowCount: i32, cols: i32, outRows: i32,
  set: i32, integer: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rowCount; r++) {
    const target = load<i32>(indices + (<usize>r << 2));
    if (target < 0 || target >= outRows) continue;
    const from = updates + <usize>r * rowBytes;
    const to = out + <usize>target * rowBytes;
    if (set != 0) {
      memory.copy(to, from, rowBytes);
      continue;
    }
    let c: usize = 0;
    if (integer != 0) {
      for (; c + 16 <= rowBytes; c += 16) v128.store(to + c, i32x4.add(v128.load(to + c), v128.load(from + c)));
      for (; c < rowBytes; c += 4) store<i32>(to + c, load<i32>(to + c) + load<i32>(from + c));
    } else {
      for (; c + 16 <= rowBytes; c += 16) v128.store(to + c, f32x4.add(v128.load(to + c), v128.load(from + c)));
      for (; c < rowBytes; c += 4) store<f32>(to + c, load<f32>(to + c) + load<f32>(from + c));
    }
  }
}
