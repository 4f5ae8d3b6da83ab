/**
 * What the example tests share: an independent PNG reader that checks the signature, chunk order and every
 * CRC (to test examples/lib/png.mjs's encoder), and running an example in a child Node.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { expect } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** CRC-32 bit by bit (no table), to check the encoder's table-driven one. */
export function crc32Bitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export interface DecodedPng { width: number; height: number; bitDepth: number; colorType: number; chunks: string[]; pixels: Uint8Array }

/**
 * Parse a PNG of 8-bit gray, RGB or RGBA, every row filtered None (what the encoder writes), checking
 * the signature, chunk order and every CRC; returns the unfiltered pixels.
 */
export function decodePng(file: Uint8Array): DecodedPng {
  expect([...file.subarray(0, 8)]).toEqual(SIGNATURE);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const chunks: string[] = [];
  const idat: Uint8Array[] = [];
  let ihdr: Uint8Array | null = null;
  let at = 8;
  while (at < file.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    const data = file.subarray(at + 8, at + 8 + length);
    expect(view.getUint32(at + 8 + length), `CRC of ${type}`).toBe(crc32Bitwise(file.subarray(at + 4, at + 8 + length)));
    chunks.push(type);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  expect(at).toBe(file.length);
  expect(chunks[0]).toBe('IHDR');
  expect(chunks[chunks.length - 1]).toBe('IEND');
  expect(ihdr!.length).toBe(13);
  const header = new DataView(ihdr!.buffer, ihdr!.byteOffset, 13);
  const width = header.getUint32(0), height = header.getUint32(4);
  const bitDepth = ihdr![8], colorType = ihdr![9];
  expect([ihdr![10], ihdr![11], ihdr![12]]).toEqual([0, 0, 0]); // deflate, filter method 0, no interlace
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : colorType === 0 ? 1 : NaN;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  expect(raw.length).toBe((stride + 1) * height);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)], `filter byte of row ${y}`).toBe(0);
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, bitDepth, colorType, chunks, pixels };
}

export function runNode(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
