/**
 * IDX, the file format of MNIST: a 4-byte magic (two zero bytes, a type code, the rank),
 * then `rank` big-endian uint32 dimensions, then the values row-major. sora reads the
 * unsigned-byte type (0x08) only, which is what MNIST and its kin (Fashion-MNIST, KMNIST,
 * EMNIST) use.
 */

export interface IdxArray {
  /** The array's dimensions, as the IDX header gives them. */
  dims: number[];
  /** A view into the bytes given, not a copy. */
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32',
  0x0d: 'float32', 0x0e: 'float64',
};

export function hex32(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

/** Reads the magic number as the big-endian uint32 that IDX documents quote (2051, 2049). */
export function idxMagic(bytes: Uint8Array): number {
  if (bytes.length < 4) return -1;
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

/**
 * Parses unsigned-byte IDX bytes. `name` (a file name or URL) is quoted in every error, which
 * says what was expected and what was found.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (!(bytes instanceof Uint8Array)) {
    throw new Error(`parseIdx: ${name}: expected a Uint8Array of IDX bytes, got ${describe(bytes)}`);
  }
  if (bytes.length < 4) {
    throw new Error(`${name}: expected an IDX file of at least 4 bytes, got ${bytes.length}`);
  }
  const magic = idxMagic(bytes);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new Error(`${name}: bad magic ${hex32(magic)}; the bytes are gzip-compressed, decompress them first`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: bad magic ${hex32(magic)}; an IDX file starts with two zero bytes`);
  }
  const type = bytes[2]!;
  if (type !== UNSIGNED_BYTE) {
    const typeName = TYPE_NAMES[type] ?? 'unknown';
    throw new Error(`${name}: IDX value type 0x${type.toString(16).padStart(2, '0')} (${typeName}) ` +
      `is not supported; expected 0x08 (unsigned byte)`);
  }
  const rank = bytes[3]!;
  if (rank === 0) throw new Error(`${name}: bad magic ${hex32(magic)}; an IDX rank of 0 has no dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(`${name}: truncated header: expected at least ${headerBytes} bytes for rank ${rank}, ` +
      `got ${bytes.length}`);
  }
  const dims: number[] = [];
  let size = 1;
  for (let axis = 0; axis < rank; axis++) {
    const at = 4 + 4 * axis;
    const dim = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
    dims.push(dim);
    size *= dim;
  }
  // A uint32 product past 2^53 cannot match any real byte count, so the check below catches it.
  const expected = headerBytes + size;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'the file is truncated' : 'the file has trailing bytes';
    throw new Error(`${name}: expected ${expected} bytes (${headerBytes}-byte header + ` +
      `${dims.join('×')} values), got ${bytes.length}; ${what}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
