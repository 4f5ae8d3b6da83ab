/**
 * A minimal PNG encoder: 8-bit grayscale, RGB or RGBA, no interlace, filter 0 (None) on every
 * row, the image data deflated by node:zlib (whose zlib stream is what IDAT wants: header,
 * deflate blocks, Adler-32). Chunks are length, type, data, CRC-32 of type + data.
 */
import { deflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** CRC-32 (polynomial 0xEDB88320, reflected) one byte at a time from a 256-entry table. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes`, continuing from `crc` (the running value of earlier bytes). */
export function crc32(bytes, crc = 0) {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const COLOR_TYPES = { 1: 0, 3: 2, 4: 6 }; // channels -> PNG color type (0 grayscale, 2 truecolor, 6 truecolor + alpha)

/**
 * Encode `pixels` (row-major, `channels` bytes per pixel: 1 gray, 3 RGB or 4 RGBA, alpha not
 * premultiplied) as a PNG file.
 * Returns the file's bytes.
 */
export function encodePng({ width, height, channels, pixels }) {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`encodePng: width and height must be positive integers; received ${width}x${height}`);
  }
  if (!(channels in COLOR_TYPES)) throw new Error(`encodePng: channels must be 1, 3 or 4; received ${channels}`);
  if (pixels.length !== width * height * channels) {
    throw new Error(`encodePng: expected ${width * height * channels} bytes for ${width}x${height}x${channels}; ` +
      `received ${pixels.length}`);
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPES[channels];
  // ihdr[10..12]: compression 0 (deflate), filter method 0, interlace 0 (none)

  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type None
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const idat = deflateSync(raw, { level: 9 });

  const chunks = [chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(PNG_SIGNATURE.length + chunks.reduce((n, c) => n + c.length, 0));
  out.set(PNG_SIGNATURE, 0);
  let at = PNG_SIGNATURE.length;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

function chunk(type, data) {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
