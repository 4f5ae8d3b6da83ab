/**
 * select (where): out[i] = cond[i % condSize] != 0 ? a[i % aSize] : b[i % bSize] for i < n.
 * The values are 32-bit words of any dtype (float32, int32, bool): they are moved, never
 * read as numbers, so NaN payloads and -0 come through unchanged. cond is 'bool'; any
 * nonzero word counts as true.
 *
 * Sizes follow binary's repeat rule: each of condSize, aSize, bSize is n, 1, or divides n.
 * Vector forms (v128.bitselect on a cond mask, no modulo in the loop) serve n >= 4 when
 * the operands that repeat with a period other than 1 share one period d >= 4: the output
 * is walked in rows of d (one row of n when nothing repeats), full-size operands step on,
 * period-d operands restart each row, size-1 operands are splats. Other sizes take the
 * scalar loop.
 *
 * Contract (see assembly/index.ts): byte pointers to 16-byte-aligned buffers, any n >= 0;
 * out may alias a, b or cond when that operand has size n.
 */

// @ts-ignore: decorator
@inline function choose(c: v128, a: v128, b: v128): v128 {
  return v128.bitselect(a, b, i32x4.ne(c, i32x4.splat(0)));
}

/**
 * out[0..count) for count >= 4; each operand steps with the output or is its splat. Like
 * binarySpan, it ends with an overlapping vector computed before anything is stored. The
 * step flags are constants where the span is inlined for the all-full case, so that loop
 * has no branch; elsewhere they are loop-invariant branches.
 */
// @ts-ignore: decorator
@inline function selectSpan(c: usize, cStep: bool, cSplat: v128, a: usize, aStep: bool, aSplat: v128,
  b: usize, bStep: bool, bSplat: v128, out: usize, count: i32): void {
  const last = (<usize>count << 2) - 16;
  const lastValue = choose(cStep ? v128.load(c + last) : cSplat, aStep ? v128.load(a + last) : aSplat,
    bStep ? v128.load(b + last) : bSplat);
  for (let i: usize = 0; i < last; i += 16) {
    const cv = cStep ? v128.load(c + i) : cSplat;
    const av = aStep ? v128.load(a + i) : aSplat;
    const bv = bStep ? v128.load(b + i) : bSplat;
    v128.store(out + i, choose(cv, av, bv));
  }
  v128.store(out + last, lastValue);
}

/** The scalar loop with wrapping counters: any sizes that divide n. */
function selectScalar(c: usize, cSize: i32, a: usize, aSize: i32, b: usize, bSize: i32, out: usize, n: i32): void {
  let ic: usize = 0;
  let ia: usize = 0;
  let ib: usize = 0;
  const cEnd = <usize>cSize << 2;
  const aEnd = <usize>aSize << 2;
  const bEnd = <usize>bSize << 2;
  const outEnd = out + (<usize>n << 2);
  for (; out < outEnd; out += 4) {
    store<i32>(out, load<i32>(c + ic) != 0 ? load<i32>(a + ia) : load<i32>(b + ib));
    ic += 4;
    ia += 4;
    ib += 4;
    if (ic == cEnd) ic = 0;
    if (ia == aEnd) ia = 0;
    if (ib == bEnd) ib = 0;
  }
}

/** The common period of the operands that repeat (size not 1 nor n): n if none, -1 if two differ. */
// @ts-ignore: decorator
@inline function period(n: i32, cSize: i32, aSize: i32, bSize: i32): i32 {
  let d = n;
  if (cSize != 1 && cSize != n) d = cSize;
  if (aSize != 1 && aSize != n) { if (d != n && d != aSize) return -1; d = aSize; }
  if (bSize != 1 && bSize != n) { if (d != n && d != bSize) return -1; d = bSize; }
  return d;
}

export function select(c: usize, cSize: i32, a: usize, aSize: i32, b: usize, bSize: i32, out: usize, n: i32): void {
  if (n <= 0) return;
  if (cSize == n && aSize == n && bSize == n && n >= 4) {
    const none = i32x4.splat(0);
    selectSpan(c, true, none, a, true, none, b, true, none, out, n);
    return;
  }
  const d = period(n, cSize, aSize, bSize);
  if (n < 4 || d < 4 || n % d != 0) {
    selectScalar(c, cSize, a, aSize, b, bSize, out, n);
    return;
  }
  const rowBytes = <usize>d << 2;
  const cRow: usize = cSize == n ? rowBytes : 0;
  const aRow: usize = aSize == n ? rowBytes : 0;
  const bRow: usize = bSize == n ? rowBytes : 0;
  const cSplat = v128.load32_splat(c);
  const aSplat = v128.load32_splat(a);
  const bSplat = v128.load32_splat(b);
  const outEnd = out + (<usize>n << 2);
  for (; out < outEnd; out += rowBytes, c += cRow, a += aRow, b += bRow) {
    selectSpan(c, cSize != 1, cSplat, a, aSize != 1, aSplat, b, bSize != 1, bSplat, out, d);
  }
}
