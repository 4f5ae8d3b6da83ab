/**
 * A spoken-digit dataset synthesized with espeak-ng (Debian: apt-get install -y espeak-ng):
 * "zero" .. "nine" in several voices, each voice several times at a speed and pitch drawn from a
 * seeded generator (one espeak-ng run says all ten digits, 700 ms apart, and splitWords cuts them
 * apart: a process per word cost 5x the time), decoded with sora.data.decodeWav, resampled to
 * 16 kHz, padded or cut to 1 s, and turned into a log-mel spectrogram (tf.signal.stft,
 * linearToMelWeightMatrix, log).
 *
 *   const { x, y, voice } = await loadSpokenDigits({ voices: ['en-us', 'en-gb'], perVoice: 2, seed: 1 });
 *   // x: [n, frames, melBins, 1] float32, y: [n] int32 digit labels, voice: the voice of each row
 *
 * Node only (it runs a child process), so it lives here, not in src/. The WAVs are cached in
 * a folder (default: the system temp folder), keyed by voice, word(s), speed and pitch.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
let partials = 0;

export const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * espeak-ng voices that sound distinct (checked with espeak-ng 1.51: each gives different audio for
 * the same word). Not every language+variant pair applies its variant: en-gb+f2, en-gb+f3 and
 * en-gb+m5 give exactly en-gb's audio, so they are left out.
 */
export const VOICES = ['en-us', 'en-gb', 'en-gb-scotland', 'en-029', 'en-gb-x-rp', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd',
  'en-us+f3', 'en-us+m3', 'en+f4', 'en-029+m7', 'en-gb-scotland+f1', 'en-us+klatt', 'en-us+f5'];

/**
 * The voices held out of training (VOICES' last four). Their variants (m7, f1, klatt, f5) are in
 * no training voice either, so a model has heard neither the voice nor its variant on another accent.
 */
export const HELD_OUT_VOICES = VOICES.slice(-4);

/**
 * Voices to train on: VOICES' first ten, then each of espeak-ng's six English accents that take a
 * variant (en-gb ignores them: en-gb+f2, en-gb+m3 and en-gb+Andy give en-gb's audio) with
 * variants from espeak-ng-data/voices/!v. Checked with espeak-ng 1.51: the 44 voices here and in
 * HELD_OUT_VOICES give 44 different WAVs for "seven" (a variant name in the wrong case, such as
 * 'gene', is silently ignored, so each name was checked).
 */
export const TRAINING_VOICES = [...VOICES.slice(0, 10),
  'en-us+m1', 'en-029+klatt2', 'en-gb-x-rp+klatt3', 'en-gb-scotland+m2', 'en-gb-x-gbclan+f2', 'en-gb-x-gbcwmd+klatt4',
  'en-us+Andy', 'en-gb-scotland+Annie', 'en-029+Denis', 'en-gb-x-rp+Lee',
  'en-gb-x-gbclan+Michael', 'en-gb-x-gbcwmd+Storm', 'en-us+Tweaky', 'en-gb-scotland+anika', 'en-029+belinda',
  'en-gb-x-rp+croak', 'en-gb-x-gbclan+Gene', 'en-gb-x-gbcwmd+grandpa', 'en-us+iven', 'en-gb-scotland+john',
  'en-029+m4', 'en-gb-x-rp+m6', 'en-gb-x-gbclan+linda', 'en-gb-x-gbcwmd+quincy', 'en-us+steph',
  'en-gb-scotland+whisper', 'en-gb-x-gbclan+klatt5', 'en-gb-x-rp+m2', 'en-gb-scotland+klatt4', 'en-gb-x-gbcwmd+klatt6'];

/** The features: 1 s at 16 kHz, 30 ms frames every 20 ms, a 512-point FFT, 40 mel bands. */
export const FEATURES = { sampleRate: 16000, seconds: 1, frameLength: 480, frameStep: 320, fftLength: 512, melBins: 40,
  lowerEdgeHertz: 60, upperEdgeHertz: 7600 };

/** Speeds (espeak-ng -s, words per minute) and pitches (-p, 0..99) the variants are drawn from. */
export const VARIANTS = { speed: [130, 210], pitch: [25, 75] };

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** SSML for espeak-ng -m: the words as sentences with a 700 ms break after each. */
const spaced = (words) => `<speak>${words.map((w) => `${w}.`).join('<break time="700ms"/>')}</speak>`;

/**
 * The espeak-ng WAV of one word (cached), as bytes; of several (an array), all in one file, 700 ms
 * apart (see splitWords). Throws a clear Error when espeak-ng is absent.
 */
export async function synthesize(word, { voice = 'en-us', speed = 175, pitch = 50, cacheDir = join(tmpdir(), 'sora-spoken-digits') } = {}) {
  mkdirSync(cacheDir, { recursive: true });
  const words = Array.isArray(word) ? word : null;
  const file = join(cacheDir, `${voice.replace(/[^\w+-]/g, '_')}-${words ? words.join('_') : word}-s${speed}-p${pitch}.wav`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}-${partials++}.part`; // unique: two calls may write the same word
    try {
      await run('espeak-ng', [...(words ? ['-m'] : []), '-v', voice, '-s', String(speed), '-p', String(pitch), '-w', partial,
        words ? spaced(words) : word]);
    } catch (error) {
      rmSync(partial, { force: true });
      if (error.code === 'ENOENT') throw new Error('spoken digits: espeak-ng is not installed (Debian: apt-get install -y espeak-ng)');
      throw new Error(`spoken digits: espeak-ng -v ${voice} failed for '${word}': ${String(error.stderr || error.message).trim()}`);
    }
    renameSync(partial, file);
  }
  return new Uint8Array(readFileSync(file));
}

/**
 * Resample by band-limited interpolation: each output sample is a Hann-windowed sinc sum of the
 * input, the cutoff at the lower of the two Nyquist frequencies (so downsampling does not alias),
 * `halfWidth` zero crossings of the sinc on each side. With toRate / fromRate = up / down in
 * lowest terms, output i sits at input position i * down / up, so its weights depend only on
 * (i * down) mod up: they are computed once per phase when up is small (22050 -> 16000: 320).
 */
export function resample(samples, fromRate, toRate, halfWidth = 16) {
  if (!(samples instanceof Float32Array)) throw new Error('resample: samples must be a Float32Array');
  for (const [name, v] of [['fromRate', fromRate], ['toRate', toRate]]) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`resample: ${name} must be a positive integer (Hz); received ${v}`);
  }
  if (fromRate === toRate) return samples.slice();
  const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(fromRate, toRate), up = toRate / g, down = fromRate / g;
  const cutoff = Math.min(1, toRate / fromRate); // relative to the input's Nyquist frequency
  const reach = Math.ceil(halfWidth / cutoff); // input samples on each side
  const taps = 2 * reach + 1;
  const weight = (d) => {
    if (Math.abs(d) >= reach) return 0;
    const x = d * cutoff;
    return cutoff * (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)) * (0.5 + 0.5 * Math.cos((Math.PI * d) / reach));
  };
  // weights[phase][t] for input j = floor(centre) - reach + 1 + t, centre = floor + phase / up.
  const table = up <= 4096 ? Array.from({ length: up }, (_, phase) =>
    Float64Array.from({ length: taps }, (_, t) => weight(-reach + 1 + t - phase / up))) : null;
  const out = new Float32Array(Math.round((samples.length * up) / down));
  for (let i = 0; i < out.length; i++) {
    const base = Math.floor((i * down) / up), phase = (i * down) % up;
    const w = table ? table[phase] : Float64Array.from({ length: taps }, (_, t) => weight(-reach + 1 + t - phase / up));
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const j = base - reach + 1 + t;
      if (j >= 0 && j < samples.length) sum += samples[j] * w[t];
    }
    out[i] = sum;
  }
  return out;
}

/**
 * The words of a recording that says `count` words with pauses between them: runs of sound (10 ms
 * windows whose peak exceeds `threshold`) apart by less than `minGap` seconds are one word; each
 * clip starts 10 ms before its word's first loud window and ends 10 ms after its last. Throws when
 * it finds another number of words. espeak-ng's pauses (700 ms breaks) measured at least 0.43 s,
 * its words' inner silences (the closures of "six", "eight") under 0.3 s, over 132 runs of 44
 * voices at speeds 130..210 and pitches 25..75.
 */
export function splitWords(samples, sampleRate, count, { minGap = 0.3, threshold = 1e-3 } = {}) {
  const win = Math.round(sampleRate / 100), gapWindows = Math.round(minGap * 100);
  const runs = [];
  let start = -1, last = -1;
  for (let w = 0; w * win < samples.length; w++) {
    let peak = 0;
    for (let i = w * win; i < Math.min(samples.length, (w + 1) * win); i++) peak = Math.max(peak, Math.abs(samples[i]));
    if (peak <= threshold) continue;
    if (start >= 0 && w - last > gapWindows) { runs.push([start, last]); start = -1; }
    if (start < 0) start = w;
    last = w;
  }
  if (start >= 0) runs.push([start, last]);
  if (runs.length !== count) {
    throw new Error(`splitWords: found ${runs.length} words (sound apart by ${minGap} s or more) where ${count} were expected`);
  }
  return runs.map(([a, b]) => samples.slice(Math.max(0, (a - 1) * win), Math.min(samples.length, (b + 2) * win)));
}

/** Pad with zeros at the end, or cut, to exactly `length` samples. */
export function fitLength(samples, length) {
  const out = new Float32Array(length);
  out.set(samples.subarray(0, Math.min(length, samples.length)));
  return out;
}

/**
 * The log-mel spectrogram of mono samples: log(|stft| . linearToMelWeightMatrix + 1e-6),
 * [frames, melBins] float32. Throws when the audio is shorter than one frame.
 */
export function logMelSpectrogram(sora, samples, features = FEATURES) {
  const { sampleRate, frameLength, frameStep, fftLength, melBins, lowerEdgeHertz, upperEdgeHertz } = features;
  if (samples.length < frameLength) {
    throw new Error(`logMelSpectrogram: audio of ${samples.length} samples is shorter than one frame (frameLength ${frameLength})`);
  }
  return sora.tidy(() => {
    const magnitude = sora.abs(sora.signal.stft(sora.tensor1d(samples), frameLength, frameStep, fftLength));
    const weights = sora.signal.linearToMelWeightMatrix(melBins, fftLength / 2 + 1, sampleRate, lowerEdgeHertz, upperEdgeHertz);
    return sora.log(sora.add(sora.matMul(magnitude, weights), 1e-6));
  });
}

/**
 * Per-utterance normalization: each example of x [n, ...] less its own mean, over its own standard
 * deviation (over all its values), so loudness and the level of the log floor do not tell voices apart.
 */
export function normalizeUtterances(sora, x, epsilon = 1e-6) {
  return sora.tidy(() => {
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
    const { mean, variance } = sora.moments(x, axes, true);
    return sora.div(sora.sub(x, mean), sora.sqrt(sora.add(variance, epsilon)));
  });
}

/** One utterance as 1 s of 16 kHz mono samples. */
export async function digitSamples(sora, digit, options = {}, features = FEATURES) {
  const { sampleRate, channels } = sora.data.decodeWav(await synthesize(DIGITS[digit], options));
  return fitLength(resample(channels[0], sampleRate, features.sampleRate), features.sampleRate * features.seconds);
}

/**
 * The dataset: for each voice, `perVoice` utterances of each digit: `perVoice` runs of espeak-ng
 * saying all ten, each run at a speed and pitch drawn from seededRandom(seed). Returns x [n, frames, melBins, 1] float32, y [n] int32 (the digit), voice
 * (the voice of each row, for holding voices out), and the variants drawn. `sora` defaults to
 * the built library (dist/); pass the module you use so the tensors are its own.
 */
export async function loadSpokenDigits({ voices = VOICES, perVoice = 2, seed = 1, sora, cacheDir, features = FEATURES, concurrency = 4 } = {}) {
  if (!Array.isArray(voices) || voices.length === 0) throw new Error('loadSpokenDigits: voices must be a non-empty list of espeak-ng voice names');
  if (!Number.isInteger(perVoice) || perVoice < 1) throw new Error(`loadSpokenDigits: perVoice must be a positive integer; received ${perVoice}`);
  const lib = sora ?? (await import('../../dist/index.js'));
  const random = seededRandom(seed);
  const draw = ([lo, hi]) => lo + Math.floor(random() * (hi - lo + 1));
  const runs = voices.flatMap((voice) => Array.from({ length: perVoice }, () => ({ voice, speed: draw(VARIANTS.speed), pitch: draw(VARIANTS.pitch) })));
  const items = runs.flatMap((r) => DIGITS.map((_, digit) => ({ voice: r.voice, digit, speed: r.speed, pitch: r.pitch })));
  const audio = new Array(items.length);
  const length = features.sampleRate * features.seconds;
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, async () => {
    while (next < runs.length) {
      const r = next++;
      const { voice, speed, pitch } = runs[r];
      const { sampleRate, channels } = lib.data.decodeWav(await synthesize(DIGITS, { voice, speed, pitch, cacheDir }));
      let words;
      try {
        words = splitWords(channels[0], sampleRate, DIGITS.length);
      } catch (error) {
        throw new Error(`loadSpokenDigits: espeak-ng -v ${voice} -s ${speed} -p ${pitch}: ${error.message}`);
      }
      words.forEach((clip, digit) => { audio[r * DIGITS.length + digit] = fitLength(resample(clip, sampleRate, features.sampleRate), length); });
    }
  }));
  let frames = 0, values = null;
  audio.forEach((samples, i) => {
    const spectrogram = logMelSpectrogram(lib, samples, features);
    const data = spectrogram.dataSync();
    if (values === null) {
      frames = spectrogram.shape[0];
      values = new Float32Array(items.length * data.length);
    }
    values.set(data, i * data.length);
    spectrogram.dispose();
  });
  return {
    x: lib.tensor(values, [items.length, frames, features.melBins, 1]),
    y: lib.tensor(Int32Array.from(items, (it) => it.digit), [items.length], 'int32'),
    voice: items.map((it) => it.voice),
    variants: items,
  };
}
