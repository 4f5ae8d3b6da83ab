/**
 * The synchronous raw-DEFLATE decoder (src/backends/wasm/inflate.ts) against node:zlib's
 * deflateRawSync: the two real wasm builds at every level and strategy zlib has (stored,
 * fixed-Huffman, dynamic, RLE, Huffman-only blocks), edge inputs, and corrupt data.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { constants, deflateRawSync } from 'node:zlib';
import { inflateRaw } from '../../../src/backends/wasm/inflate.js';

const builds = ['sora-simd.wasm', 'sora-relaxed.wasm'].map((f) => [f, readFileSync(`build/${f}`)] as const);
const STRATEGIES = {
  default: constants.Z_DEFAULT_STRATEGY, fixed: constants.Z_FIXED, rle: constants.Z_RLE,
  huffmanOnly: constants.Z_HUFFMAN_ONLY, filtered: constants.Z_FILTERED,
};

function roundTrip(bytes: Uint8Array, options: Parameters<typeof deflateRawSync>[1] = {}): void {
  const compressed = deflateRawSync(bytes, options);
  const inflated = inflateRaw(new Uint8Array(compressed));
  expect(inflated.length).toBe(bytes.length);
  expect(Buffer.from(inflated).equals(Buffer.from(bytes))).toBe(true);
}

describe('inflateRaw', () => {
  for (const [file, bytes] of builds) {
    it(`inflates build/${file} as zlib deflated it, at levels 0 (stored), 1, 6 and 9`, () => {
      for (const level of [0, 1, 6, 9]) roundTrip(bytes, { level });
    });
    it(`inflates build/${file} under every zlib strategy`, () => {
      for (const strategy of Object.values(STRATEGIES)) roundTrip(bytes, { level: 9, strategy });
    });
  }

  it('inflates empty, one-byte, long-run, random and mixed inputs, with a small size hint', () => {
    let seed = 7;
    const random = Uint8Array.from({ length: 200_000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog. '.repeat(3000));
    const mixed = new Uint8Array([...random.subarray(0, 70_000), ...text, ...new Uint8Array(70_000)]);
    for (const input of [new Uint8Array(0), new Uint8Array([42]), new Uint8Array(100_000).fill(9), random, text, mixed]) {
      roundTrip(input);
      roundTrip(input, { level: 0 });
      roundTrip(input, { strategy: constants.Z_FIXED });
      const compressed = new Uint8Array(deflateRawSync(input));
      expect(Buffer.from(inflateRaw(compressed, 1)).equals(Buffer.from(input))).toBe(true);
    }
  });

  it('rejects corrupt data with an error that says what was wrong', () => {
    const compressed = new Uint8Array(deflateRawSync(builds[0][1], { level: 9 }));
    expect(() => inflateRaw(compressed.subarray(0, 1000))).toThrow(/^inflate: the data ends inside a block$/);
    expect(() => inflateRaw(new Uint8Array([0x07]))).toThrow(/block type 3 is reserved/);
    // A stored block (final, type 0) whose length and its complement disagree.
    expect(() => inflateRaw(new Uint8Array([0x01, 5, 0, 0, 0, 1, 2, 3, 4, 5]))).toThrow(/stored block's length fails its check/);
    // A fixed block whose first symbol is a match (length 3, distance 1) with nothing before it.
    expect(() => inflateRaw(new Uint8Array([0x03, 0x02, 0x00]))).toThrow(/reaches before the start/);
    expect(() => inflateRaw(new Uint8Array(0))).toThrow(/the data ends inside a block/);
  });
});
