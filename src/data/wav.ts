/**
 * WAV files of 16-bit PCM (RIFF/WAVE, format 1 or WAVE_FORMAT_EXTENSIBLE with the PCM
 * subformat): decodeWav reads them into one Float32Array per channel (samples / 32768, in
 * [-1, 1)); encodeWav writes them. Every header field is checked before anything is allocated,
 * so a truncated, compressed or 8/24/32-bit file is a clear Error, not garbage samples.
 */

/** A decoded WAV file: its sample rate (Hz) and one Float32Array per channel, in [-1, 1). */
export interface WavAudio {
  sampleRate: number;
  channels: Float32Array[];
}

const PCM = 1;
const EXTENSIBLE = 0xfffe;

const tag = (view: DataView, at: number) => String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));

/**
 * Decode a RIFF/WAVE file of 16-bit PCM samples (mono, stereo or more channels, little-endian)
 * into its sample rate and one Float32Array per channel, each sample / 32768. Chunks other than
 * 'fmt ' and 'data' (LIST, fact, ...) are skipped. Throws, naming what is wrong, on a file that
 * is truncated, is not RIFF/WAVE, is not PCM, or is not 16-bit.
 */
export function decodeWav(bytes: Uint8Array | ArrayBuffer): WavAudio {
  const op = 'decodeWav';
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
    throw new Error(`${op}: expected a Uint8Array or an ArrayBuffer; received ${bytes === null ? 'null' : typeof bytes}`);
  }
  const view = bytes instanceof Uint8Array ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new DataView(bytes);
  const size = view.byteLength;
  if (size < 12) throw new Error(`${op}: the file has ${size} bytes, fewer than a RIFF header's 12 (truncated, or not a WAV file)`);
  if (tag(view, 0) !== 'RIFF' || tag(view, 8) !== 'WAVE') {
    throw new Error(`${op}: not a RIFF/WAVE file (it starts with '${tag(view, 0)}' ... '${tag(view, 8)}', expected 'RIFF' ... 'WAVE')`);
  }
  let format: { channels: number; sampleRate: number; bits: number; blockAlign: number } | null = null;
  for (let at = 12; ;) {
    if (at + 8 > size) {
      throw new Error(`${op}: the file ends after ${size} bytes without a ${format ? "'data'" : "'fmt '"} chunk (truncated)`);
    }
    const id = tag(view, at), length = view.getUint32(at + 4, true), body = at + 8;
    if (id === 'fmt ') {
      if (length < 16 || body + 16 > size) throw new Error(`${op}: the 'fmt ' chunk has ${Math.min(length, size - body)} bytes, fewer than 16 (truncated)`);
      let code = view.getUint16(body, true);
      if (code === EXTENSIBLE) {
        if (length < 40 || body + 40 > size) throw new Error(`${op}: the extensible 'fmt ' chunk has ${Math.min(length, size - body)} bytes, fewer than 40 (truncated)`);
        code = view.getUint16(body + 24, true); // the subformat GUID's first two bytes
      }
      const channels = view.getUint16(body + 2, true), sampleRate = view.getUint32(body + 4, true);
      const blockAlign = view.getUint16(body + 12, true), bits = view.getUint16(body + 14, true);
      if (code !== PCM) throw new Error(`${op}: only PCM (format 1) is supported; this file has audio format ${code} (compressed or floating point)`);
      if (bits !== 16) throw new Error(`${op}: only 16-bit samples are supported; this file has ${bits} bits per sample`);
      if (channels < 1) throw new Error(`${op}: the file declares ${channels} channels`);
      if (sampleRate < 1) throw new Error(`${op}: the file declares a sample rate of ${sampleRate} Hz`);
      if (blockAlign !== channels * 2) throw new Error(`${op}: block align ${blockAlign} disagrees with ${channels} channels of 16 bits (expected ${channels * 2})`);
      format = { channels, sampleRate, bits, blockAlign };
    } else if (id === 'data') {
      if (format === null) throw new Error(`${op}: the 'data' chunk comes before any 'fmt ' chunk`);
      if (body + length > size) {
        throw new Error(`${op}: the 'data' chunk declares ${length} bytes but the file holds only ${size - body} after its header (truncated)`);
      }
      const frames = Math.floor(length / format.blockAlign);
      const channels = Array.from({ length: format.channels }, () => new Float32Array(frames));
      for (let f = 0; f < frames; f++) {
        for (let c = 0; c < format.channels; c++) channels[c][f] = view.getInt16(body + f * format.blockAlign + 2 * c, true) / 32768;
      }
      return { sampleRate: format.sampleRate, channels };
    }
    at = body + length + (length & 1); // chunks are padded to an even length
  }
}

/**
 * Encode channels of samples in [-1, 1] (clamped; one Float32Array, or one per channel, all of
 * the same length) as a 16-bit PCM WAV file at sampleRate Hz: each sample is round(x * 32768)
 * limited to [-32768, 32767], so decodeWav(encodeWav(decoded)) gives back the same numbers.
 */
export function encodeWav(channels: Float32Array | Float32Array[], sampleRate: number): Uint8Array {
  const op = 'encodeWav';
  const list = channels instanceof Float32Array ? [channels] : channels;
  if (!Array.isArray(list) || list.length === 0 || !list.every((c) => c instanceof Float32Array)) {
    throw new Error(`${op}: channels must be a Float32Array or a non-empty list of them`);
  }
  const frames = list[0].length;
  const bad = list.findIndex((c) => c.length !== frames);
  if (bad >= 0) throw new Error(`${op}: every channel must have the same length; channel 0 has ${frames} samples, channel ${bad} has ${list[bad].length}`);
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff) {
    throw new Error(`${op}: sampleRate must be a positive integer (Hz); received ${sampleRate}`);
  }
  if (list.length > 0xffff) throw new Error(`${op}: at most 65535 channels fit a WAV header; received ${list.length}`);
  const dataBytes = frames * list.length * 2;
  if (36 + dataBytes > 0xffffffff) throw new Error(`${op}: ${dataBytes} bytes of samples exceed a RIFF file's 4 GiB`);
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const put = (at: number, text: string) => { for (let i = 0; i < 4; i++) out[at + i] = text.charCodeAt(i); };
  put(0, 'RIFF'); view.setUint32(4, 36 + dataBytes, true); put(8, 'WAVE');
  put(12, 'fmt '); view.setUint32(16, 16, true); view.setUint16(20, PCM, true); view.setUint16(22, list.length, true);
  view.setUint32(24, sampleRate, true); view.setUint32(28, sampleRate * list.length * 2, true);
  view.setUint16(32, list.length * 2, true); view.setUint16(34, 16, true);
  put(36, 'data'); view.setUint32(40, dataBytes, true);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < list.length; c++) {
      const x = list[c][f];
      const s = Number.isNaN(x) ? 0 : Math.max(-32768, Math.min(32767, Math.round(x * 32768)));
      view.setInt16(44 + (f * list.length + c) * 2, s, true);
    }
  }
  return out;
}
