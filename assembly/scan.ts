/**
 * scan: running sum or product along the middle axis of x viewed as [outer, length, inner]:
 * out[o, l, i] = x[o, 0, i] op ... op x[o, l, i]; `exclusive` leaves x[o, l, i] out (the
 * first is the identity), `reverse` walks l from length - 1 down. f32, or i32 (wrapping)
 * with `integer`.
 *
 * Lines (o, i) run four at a time across the inner axis (f32x4 / i32x4 lanes), the last
 * inner % 4 scalar; each lane accumulates in order, in the storage type, so results are
 * the reference's roundings. Contract (assembly/index.ts): byte pointers, out does not
 * alias x, any sizes >= 0.
 */

// @ts-ignore: decorator
@inline function combine4(a: v128, b: v128, product: bool, integer: bool): v128 {
  if (integer) return product ? i32x4.mul(a, b) : i32x4.add(a, b);
  return product ? f32x4.mul(a, b) : f32x4.add(a, b);
}

// @ts-ignore: decorator
@inline function combine1(a: i32, b: i32, product: bool, integer: bool): i32 {
  if (integer) return product ? a * b : a + b;
  const fa = reinterpret<f32>(a), fb = reinterpret<f32>(b);
  return reinterpret<i32>(product ? fa * fb : fa + fb);
}

export function scan(x: usize, out: usize, outer: i32, length: i32, inner: i32, product: i32, integer: i32,
  exclusive: i32, reverse: i32): void {
  const isProduct = product != 0, isInteger = integer != 0, isExclusive = exclusive != 0;
  const one: i32 = isProduct ? (isInteger ? 1 : reinterpret<i32>(<f32>1)) : 0;
  const oneVector = i32x4.splat(one);
  const rowBytes = <usize>inner << 2;
  // From step n to step n + 1 the position moves by one row, backwards when reversed.
  const stride: isize = reverse != 0 ? -(<isize>rowBytes) : <isize>rowBytes;
  const firstRow: usize = reverse != 0 ? <usize>(length - 1) * rowBytes : 0;
  for (let o = 0; o < outer; o++) {
    const base = <usize>o * <usize>length * rowBytes + firstRow;
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      let at = base + (<usize>i << 2);
      let acc = oneVector;
      for (let n = 0; n < length; n++) {
        const next = combine4(acc, v128.load(x + at), isProduct, isInteger);
        v128.store(out + at, isExclusive ? acc : next);
        acc = next;
        at += stride;
      }
    }
    for (; i < inner; i++) {
      let at = base + (<usize>i << 2);
      let acc = one;
      for (let n = 0; n < length; n++) {
        const next = combine1(acc, load<i32>(x + at), isProduct, isInteger);
        store<i32>(out + at, isExclusive ? acc : next);
        acc = next;
        at += stride;
      }
    }
  }
}
