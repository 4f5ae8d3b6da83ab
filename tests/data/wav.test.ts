/**
 * sora.data.decodeWav / encodeWav: files written byte by byte here (independently of
 * encodeWav), round trips, the chunks a decoder must skip, and a clear Error for every file it
 * cannot read, raised from the header before the samples are allocated.
 */
import { describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';

interface Chunk { id: string; body: number[] }

/** A RIFF/WAVE file from chunks, little-endian, each padded to an even length. */
function riff(chunks: Chunk[], declaredSize?: number): Uint8Array {
  const bytes: number[] = [];
  const u32 = (v: number) => bytes.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  const text = (s: string) => bytes.push(...[...s].map((c) => c.charCodeAt(0)));
  text('RIFF'); u32(0); text('WAVE');
  for (const { id, body } of chunks) {
    text(id); u32(body.length); bytes.push(...body);
    if (body.length % 2 === 1) bytes.push(0);
  }
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint32(4, declaredSize ?? out.length - 8, true);
  return out;
}
const le16 = (v: number) => [v & 255, (v >> 8) & 255];
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
function fmt(channels: number, rate: number, bits = 16, code = 1): Chunk {
  const align = (channels * bits) / 8;
  return { id: 'fmt ', body: [...le16(code), ...le16(channels), ...le32(rate), ...le32(rate * align), ...le16(align), ...le16(bits)] };
}
const samples = (values: number[]): Chunk => ({ id: 'data', body: values.flatMap((v) => le16(v & 0xffff)) });

describe('decodeWav', () => {
  it('reads mono 16-bit PCM as samples / 32768', () => {
    const { sampleRate, channels } = sora.data.decodeWav(riff([fmt(1, 16000), samples([0, 16384, -32768, 32767, -1])]));
    expect(sampleRate).toBe(16000);
    expect(channels.length).toBe(1);
    expect(Array.from(channels[0])).toEqual([0, 0.5, -1, 32767 / 32768, -1 / 32768]);
  });

  it('splits interleaved stereo, skips LIST and odd-length chunks, and takes an ArrayBuffer', () => {
    const file = riff([{ id: 'LIST', body: [1, 2, 3] }, fmt(2, 22050), { id: 'fact', body: [9] }, samples([100, -200, 300, -400, 500, -600])]);
    const { sampleRate, channels } = sora.data.decodeWav(file.slice().buffer);
    expect(sampleRate).toBe(22050);
    expect(channels.map((c) => Array.from(c, (v) => v * 32768))).toEqual([[100, 300, 500], [-200, -400, -600]]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with the PCM subformat, and a data chunk in a larger buffer', () => {
    const base = fmt(1, 8000).body;
    const extensible: Chunk = { id: 'fmt ', body: [...le16(0xfffe), ...base.slice(2), ...le16(22), ...le16(16), ...le32(4), ...le16(1), ...Array(14).fill(0)] };
    const file = riff([extensible, samples([7, 8])]);
    const padded = new Uint8Array(file.length + 10);
    padded.set(file, 5);
    const { channels } = sora.data.decodeWav(padded.subarray(5, 5 + file.length));
    expect(Array.from(channels[0], (v) => v * 32768)).toEqual([7, 8]);
  });

  it('encodeWav writes what decodeWav reads back exactly (mono and stereo), clamping out-of-range samples', () => {
    const left = Float32Array.from([0, 0.25, -0.5, 1, -1, 2, -3, Number.NaN]);
    const right = Float32Array.from([1 / 32768, -1 / 32768, 0.125, 0, 0, 0, 0, 0.75]);
    const stereo = sora.data.encodeWav([left, right], 44100);
    expect(stereo.length).toBe(44 + 8 * 2 * 2);
    const back = sora.data.decodeWav(stereo);
    expect(back.sampleRate).toBe(44100);
    expect(Array.from(back.channels[0])).toEqual([0, 0.25, -0.5, 32767 / 32768, -1, 32767 / 32768, -1, 0]);
    expect(Array.from(back.channels[1])).toEqual(Array.from(right));
    const mono = sora.data.decodeWav(sora.data.encodeWav(back.channels[0], 8000));
    expect(Array.from(mono.channels[0])).toEqual(Array.from(back.channels[0]));
    // The header, byte by byte: what any other reader expects.
    expect(Array.from(stereo.subarray(0, 44))).toEqual(Array.from(riff([fmt(2, 44100), { id: 'data', body: Array(32).fill(0) }]).subarray(0, 44)));
  });
});

describe('decodeWav and encodeWav errors', () => {
  const decode = (bytes: Uint8Array) => () => sora.data.decodeWav(bytes);
  it('refuses truncated files, naming what is missing', () => {
    expect(decode(new Uint8Array(4))).toThrow(/decodeWav: the file has 4 bytes, fewer than a RIFF header's 12/);
    expect(decode(riff([fmt(1, 8000)]))).toThrow(/decodeWav: the file ends after 36 bytes without a 'data' chunk \(truncated\)/);
    expect(decode(riff([]))).toThrow(/without a 'fmt ' chunk/);
    // A data chunk that declares 2 GB in a 48-byte file: refused from the header, nothing allocated.
    const cut = riff([fmt(1, 8000), samples([1, 2])]);
    new DataView(cut.buffer).setUint32(40, 0x7ffff000, true);
    expect(decode(cut)).toThrow(/'data' chunk declares 2147479552 bytes but the file holds only 4 after its header \(truncated\)/);
    expect(decode(riff([fmt(1, 8000)]).subarray(0, 30))).toThrow(/'fmt ' chunk has 10 bytes, fewer than 16/);
  });

  it('refuses what is not RIFF/WAVE, not PCM, or not 16-bit', () => {
    const notRiff = riff([fmt(1, 8000), samples([1])]);
    notRiff.set([0x52, 0x49, 0x46, 0x58], 0);
    expect(decode(notRiff)).toThrow(/decodeWav: not a RIFF\/WAVE file \(it starts with 'RIFX'/);
    expect(decode(riff([fmt(1, 8000, 32, 3), samples([1, 2])]))).toThrow(/only PCM \(format 1\) is supported; this file has audio format 3/);
    expect(decode(riff([fmt(1, 8000, 16, 85), samples([1])]))).toThrow(/audio format 85/);
    expect(decode(riff([fmt(1, 8000, 8), samples([1])]))).toThrow(/only 16-bit samples are supported; this file has 8 bits per sample/);
    expect(decode(riff([fmt(2, 8000, 24), samples([1, 2, 3])]))).toThrow(/this file has 24 bits per sample/);
    expect(decode(riff([samples([1]), fmt(1, 8000)]))).toThrow(/'data' chunk comes before any 'fmt ' chunk/);
    expect(decode(riff([fmt(0, 8000), samples([1])]))).toThrow(/declares 0 channels/);
    expect(() => sora.data.decodeWav('RIFF' as unknown as Uint8Array)).toThrow(/expected a Uint8Array or an ArrayBuffer; received string/);
  });

  it('encodeWav refuses ragged channels and a bad sample rate', () => {
    expect(() => sora.data.encodeWav([new Float32Array(3), new Float32Array(2)], 8000)).toThrow(/channel 0 has 3 samples, channel 1 has 2/);
    expect(() => sora.data.encodeWav(new Float32Array(3), 0)).toThrow(/sampleRate must be a positive integer \(Hz\); received 0/);
    expect(() => sora.data.encodeWav([], 8000)).toThrow(/a Float32Array or a non-empty list of them/);
  });
});
