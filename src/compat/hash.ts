/**
 * tf.util.fingerPrint64 and tf.util.hexToLong: TF.js's 64-bit hashing helpers (Google's
 * Fingerprint64 / farmhash, which its stringToHashBucketFast uses), computed with BigInt.
 * TF.js returns objects of the `long` library; sora returns `Long`, a small class with the
 * same fields (low, high, unsigned) and the methods programs call on a hash (toString,
 * toNumber, equals, the low and high bits, modulo), without shipping that library.
 *
 * The hash follows TF.js's code step by step on `U64` values that carry the `long` library's
 * unsigned flag as it flows: an operation keeps its receiver's flag, except that a product
 * whose receiver is zero is the library's signed ZERO. So a hash that met a zero product
 * comes back signed, as in TF.js (same bits, printed as a negative number).
 */
const MASK = (1n << 64n) - 1n;

/** An unsigned or signed 64-bit integer as the `long` library holds it: two int32 halves. */
export class Long {
  /** The low 32 bits, as a signed int32. */
  readonly low: number;
  /** The high 32 bits, as a signed int32. */
  readonly high: number;
  /** Whether the value is read as unsigned. */
  readonly unsigned: boolean;
  /** A 64-bit integer from its low and high 32 bits; unsigned defaults to false. */
  constructor(low: number, high: number, unsigned = false) {
    this.low = low | 0;
    this.high = high | 0;
    this.unsigned = Boolean(unsigned);
  }
  /** The 64 bits as a BigInt (two's complement when signed). */
  toBigInt(): bigint {
    const bits = (BigInt(this.high >>> 0) << 32n) | BigInt(this.low >>> 0);
    return this.unsigned ? bits : BigInt.asIntN(64, bits);
  }
  /** A Long holding a bigint's low 64 bits; unsigned defaults to false. */
  static fromBigInt(value: bigint, unsigned = true): Long {
    const bits = value & MASK;
    return new Long(Number(bits & 0xffffffffn), Number(bits >> 32n), unsigned);
  }
  /** The value as a string in a radix (default 10). */
  toString(radix = 10): string {
    if (!Number.isInteger(radix) || radix < 2 || radix > 36) throw new RangeError(`radix: expected an integer in [2, 36]; received ${radix}`);
    return this.toBigInt().toString(radix);
  }
  /** The value as a JavaScript number (rounded above 2^53, as the `long` library). */
  toNumber(): number { return Number(this.toBigInt()); }
  /** Whether this holds the same 64-bit value as another Long, number or string. */
  equals(other: Long | number | string): boolean {
    const o = other instanceof Long ? other.toBigInt() : BigInt(other);
    return this.toBigInt() === o;
  }
  /** Whether the value is 0. */
  isZero(): boolean { return this.low === 0 && this.high === 0; }
  /** The low 32 bits as a signed int32. */
  getLowBits(): number { return this.low; }
  /** The high 32 bits as a signed int32. */
  getHighBits(): number { return this.high; }
  /** The low 32 bits as an unsigned number. */
  getLowBitsUnsigned(): number { return this.low >>> 0; }
  /** The high 32 bits as an unsigned number. */
  getHighBitsUnsigned(): number { return this.high >>> 0; }
  /** This modulo `divisor` (the `long` library's modulo: the sign of the dividend). */
  modulo(divisor: Long | number | string): Long {
    const d = divisor instanceof Long ? divisor.toBigInt() : BigInt(divisor);
    if (d === 0n) throw new Error('division by zero');
    return Long.fromBigInt(this.toBigInt() % d, this.unsigned);
  }
  /** The remainder of dividing by another Long, number or string. */
  mod(divisor: Long | number | string): Long { return this.modulo(divisor); }
}

/** tf.util.hexToLong(hex): the unsigned 64-bit value of a hexadecimal string (modulo 2^64). */
export function hexToLong(hex: string): Long {
  if (typeof hex !== 'string' || !/^-?[0-9a-f]+$/i.test(hex)) {
    throw new Error(`hexToLong: expected a hexadecimal string; received ${JSON.stringify(hex)}`);
  }
  const negative = hex.startsWith('-');
  const magnitude = BigInt(`0x${negative ? hex.slice(1) : hex}`);
  return Long.fromBigInt(negative ? -magnitude : magnitude, true);
}

/** A 64-bit value and the `long` library's unsigned flag, as TF.js's hash code moves them. */
class U64 {
  constructor(readonly v: bigint, readonly unsigned = true) {}
  private of(v: bigint): U64 { return new U64(v & MASK, this.unsigned); }
  add(o: U64 | number): U64 { return this.of(this.v + (typeof o === 'number' ? BigInt(o) : o.v)); }
  mul(o: U64 | number): U64 {
    if (this.v === 0n) return new U64(0n, false); // the library's ZERO
    return this.of(this.v * (typeof o === 'number' ? BigInt(o) : o.v));
  }
  xor(o: U64): U64 { return this.of(this.v ^ o.v); }
  or(o: U64): U64 { return this.of(this.v | o.v); }
  and(n: number): U64 { return this.of(this.v & BigInt(n)); }
  shl(n: number): U64 { return n === 0 ? this : this.of(this.v << BigInt(n)); }
  shru(n: number): U64 { return n === 0 ? this : this.of(this.v >> BigInt(n)); }
}

const hex = (h: string) => new U64(BigInt(`0x${h}`));
const k0 = hex('c3a5c85c97cb3127');
const k1 = hex('b492b66fbe98f273');
const k2 = hex('9ae16a3b2f90404f');
const UZERO = new U64(0n);

const shiftMix = (val: U64) => val.xor(val.shru(47));
const rotate64 = (val: U64, shift: number) => (shift === 0 ? val : val.shru(shift).or(val.shl(64 - shift)));

/** Little-endian bytes at `offset` (missing bytes read as 0, as the `long` library's fromBytes). */
function fetch(s: ArrayLike<number>, offset: number, bytes: number): U64 {
  let v = 0n;
  for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt((s[offset + i] ?? 0) & 0xff);
  return new U64(v);
}
const fetch64 = (s: ArrayLike<number>, offset: number) => fetch(s, offset, 8);
const fetch32 = (s: ArrayLike<number>, offset: number) => fetch(s, offset, 4);

function hashLen16(u: U64, v: U64, mul = hex('9ddfea08eb382d69')): U64 {
  let a = u.xor(v).mul(mul);
  a = a.xor(a.shru(47));
  let b = v.xor(a).mul(mul);
  b = b.xor(b.shru(47));
  return b.mul(mul);
}

function weakHashLen32WithSeeds(s: ArrayLike<number>, offset: number, a: U64, b: U64): [U64, U64] {
  const w = fetch64(s, offset), x = fetch64(s, offset + 8), y = fetch64(s, offset + 16), z = fetch64(s, offset + 24);
  a = a.add(w);
  b = rotate64(b.add(a).add(z), 21);
  const c = a;
  a = a.add(x);
  a = a.add(y);
  b = b.add(rotate64(a, 44));
  return [a.add(z), b.add(c)];
}

function hashLen0to16(s: ArrayLike<number>, len: number): U64 {
  if (len >= 8) {
    const mul = k2.add(len * 2);
    const a = fetch64(s, 0).add(k2);
    const b = fetch64(s, len - 8);
    const c = rotate64(b, 37).mul(mul).add(a);
    const d = rotate64(a, 25).add(b).mul(mul);
    return hashLen16(c, d, mul);
  }
  if (len >= 4) {
    const mul = k2.add(len * 2);
    const a = fetch32(s, 0);
    return hashLen16(a.shl(3).add(len), fetch32(s, len - 4), mul);
  }
  if (len > 0) {
    const a = s[0], b = s[len >> 1], c = s[len - 1];
    const y = a + (b << 8);
    const z = len + (c << 2);
    return shiftMix(k2.mul(y).xor(k0.mul(z))).mul(k2);
  }
  return k2;
}

function hashLen17to32(s: ArrayLike<number>, len: number): U64 {
  const mul = k2.add(len * 2);
  const a = fetch64(s, 0).mul(k1);
  const b = fetch64(s, 8);
  const c = fetch64(s, len - 8).mul(mul);
  const d = fetch64(s, len - 16).mul(k2);
  return hashLen16(rotate64(a.add(b), 43).add(rotate64(c, 30)).add(d), a.add(rotate64(b.add(k2), 18)).add(c), mul);
}

function hashLen33to64(s: ArrayLike<number>, len: number): U64 {
  const mul = k2.add(len * 2);
  const a = fetch64(s, 0).mul(k2);
  const b = fetch64(s, 8);
  const c = fetch64(s, len - 8).mul(mul);
  const d = fetch64(s, len - 16).mul(k2);
  const y = rotate64(a.add(b), 43).add(rotate64(c, 30)).add(d);
  const z = hashLen16(y, a.add(rotate64(b.add(k2), 18)).add(c), mul);
  const e = fetch64(s, 16).mul(mul);
  const f = fetch64(s, 24);
  const g = y.add(fetch64(s, len - 32)).mul(mul);
  const h = z.add(fetch64(s, len - 24)).mul(mul);
  return hashLen16(rotate64(e.add(f), 43).add(rotate64(g, 30)).add(h), e.add(rotate64(f.add(a), 18)).add(g), mul);
}

/**
 * tf.util.fingerPrint64(s, len = s.length): the 64-bit Fingerprint64 of the bytes `s`
 * (a Uint8Array, or numbers 0..255), as TF.js's.
 */
export function fingerPrint64(s: Uint8Array | ArrayLike<number>, len = s.length): Long {
  if (s == null || typeof s.length !== 'number') throw new Error(`fingerPrint64: expected a Uint8Array of bytes; received ${String(s)}`);
  const h = fingerprint(s, len);
  return Long.fromBigInt(h.v, h.unsigned);
}

function fingerprint(s: ArrayLike<number>, len: number): U64 {
  const seed = new U64(81n);
  if (len <= 16) return hashLen0to16(s, len);
  if (len <= 32) return hashLen17to32(s, len);
  if (len <= 64) return hashLen33to64(s, len);
  let x = seed;
  let y = seed.mul(k1).add(113);
  let z = shiftMix(y.mul(k2).add(113)).mul(k2);
  let v: [U64, U64] = [UZERO, UZERO];
  let w: [U64, U64] = [UZERO, UZERO];
  x = x.mul(k2).add(fetch64(s, 0));
  let offset = 0;
  const end = ((len - 1) >> 6) * 64;
  const last64 = end + ((len - 1) & 63) - 63;
  do {
    x = rotate64(x.add(y).add(v[0]).add(fetch64(s, offset + 8)), 37).mul(k1);
    y = rotate64(y.add(v[1]).add(fetch64(s, offset + 48)), 42).mul(k1);
    x = x.xor(w[1]);
    y = y.add(v[0]).add(fetch64(s, offset + 40));
    z = rotate64(z.add(w[0]), 33).mul(k1);
    v = weakHashLen32WithSeeds(s, offset, v[1].mul(k1), x.add(w[0]));
    w = weakHashLen32WithSeeds(s, offset + 32, z.add(w[1]), y.add(fetch64(s, offset + 16)));
    [z, x] = [x, z];
    offset += 64;
  } while (offset !== end);
  const mul = k1.add(z.and(0xff).shl(1));
  offset = last64;
  w[0] = w[0].add((len - 1) & 63);
  v[0] = v[0].add(w[0]);
  w[0] = w[0].add(v[0]);
  x = rotate64(x.add(y).add(v[0]).add(fetch64(s, offset + 8)), 37).mul(mul);
  y = rotate64(y.add(v[1]).add(fetch64(s, offset + 48)), 42).mul(mul);
  x = x.xor(w[1].mul(9));
  y = y.add(v[0].mul(9).add(fetch64(s, offset + 40)));
  z = rotate64(z.add(w[0]), 33).mul(mul);
  v = weakHashLen32WithSeeds(s, offset, v[1].mul(mul), x.add(w[0]));
  w = weakHashLen32WithSeeds(s, offset + 32, z.add(w[1]), y.add(fetch64(s, offset + 16)));
  [z, x] = [x, z];
  return hashLen16(hashLen16(v[0], w[0], mul).add(shiftMix(y).mul(k0)).add(z), hashLen16(v[1], w[1], mul).add(x), mul);
}
