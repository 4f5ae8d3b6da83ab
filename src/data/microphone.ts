/**
 * tf.data.microphone: the microphone as a stream of { spectrogram, waveform } tensors, as
 * TF.js's MicrophoneIterator. The browser's AnalyserNode does the FFT: each capture takes
 * numFramesPerSpectrogram frames, one every fftSize / sampleRate seconds; a frame is fftSize
 * frequency bins in dB (getFloatFrequencyData, truncated to columnTruncateLength) and fftSize
 * samples in [-1, 1] (getFloatTimeDomainData). spectrogram is float32
 * [numFrames, columnTruncateLength, 1], waveform float32 [numFrames * fftSize, 1]; a key not
 * asked for is undefined. DOM objects are only touched inside the calls, so the module imports
 * cleanly in Node and Deno.
 */
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/creation.js';
import { deviceError, requireMediaDevices } from './webcam.js';

/** The options of tf.data.microphone: sample rate, FFT size, frames per capture and what each capture holds. */
export interface MicrophoneConfig {
  /** 44100 or 48000; an error when the device runs at another rate. Defaults to the device's. */
  sampleRateHz?: 44100 | 48000;
  /** Frequency bins per frame: a power of 2 from 16 to 16384. Defaults to 1024. */
  fftSize?: number;
  /** Keep the first this many bins of each frame. Defaults to fftSize. */
  columnTruncateLength?: number;
  /** Frames per capture. Defaults to 43 (one second at 44.1 kHz with fftSize 1024). */
  numFramesPerSpectrogram?: number;
  /** getUserMedia's audio constraints (deviceId, echoCancellation, ...). Defaults to true. */
  audioTrackConstraints?: MediaTrackConstraints;
  /** The AnalyserNode's averaging with the previous frame, in [0, 1]. Defaults to 0. */
  smoothingTimeConstant?: number;
  /** Defaults to true. */
  includeSpectrogram?: boolean;
  /** Defaults to false. */
  includeWaveform?: boolean;
}

/** One capture of tf.data.microphone: the spectrogram [frames, columns, 1] in dB and/or the waveform [samples, 1]. */
export interface MicrophoneCapture { spectrogram?: Tensor; waveform?: Tensor }

const CALL = 'tf.data.microphone';
const g = globalThis as Record<string, unknown>;

function positiveInteger(name: string, value: unknown): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0)) {
    throw new Error(`${CALL}: microphoneConfig.${name} must be a positive integer; received ${String(value)}`);
  }
}

/**
 * The microphone as a stream of spectrograms (what tf.data.microphone resolves to): capture()
 * waits for numFramesPerSpectrogram frames, stop() releases the microphone and start() opens it again.
 */
export class MicrophoneIterator {
  private stream: MediaStream | null = null;
  private context: AudioContext | null = null;
  private analyser: AnalyserNode | null = null;
  private closed = true;
  private sampleRateHz: number | undefined;
  private readonly fftSize: number;
  private readonly columnTruncateLength: number;
  private readonly numFrames: number;
  private readonly smoothingTimeConstant: number;
  private readonly includeSpectrogram: boolean;
  private readonly includeWaveform: boolean;

  private constructor(readonly microphoneConfig: MicrophoneConfig) {
    const c = microphoneConfig;
    this.fftSize = c.fftSize ?? 1024;
    const log2 = Math.log2(this.fftSize);
    if (!Number.isInteger(log2) || log2 < 4 || log2 > 14) {
      throw new Error(`${CALL}: invalid fftSize: it must be a power of 2 from 16 (2^4) to 16384 (2^14); received ${String(c.fftSize)}`);
    }
    positiveInteger('columnTruncateLength', c.columnTruncateLength);
    positiveInteger('numFramesPerSpectrogram', c.numFramesPerSpectrogram);
    if (c.columnTruncateLength !== undefined && c.columnTruncateLength > this.fftSize) {
      throw new Error(`${CALL}: columnTruncateLength (${c.columnTruncateLength}) is more than the fftSize (${this.fftSize}) ` +
        'bins a frame has');
    }
    if (c.sampleRateHz !== undefined && !(typeof c.sampleRateHz === 'number' && c.sampleRateHz > 0)) {
      throw new Error(`${CALL}: microphoneConfig.sampleRateHz must be a positive number (44100 or 48000); received ${String(c.sampleRateHz)}`);
    }
    const smoothing = c.smoothingTimeConstant ?? 0;
    if (!(typeof smoothing === 'number' && smoothing >= 0 && smoothing <= 1)) {
      throw new Error(`${CALL}: microphoneConfig.smoothingTimeConstant must be in [0, 1]; received ${String(c.smoothingTimeConstant)}`);
    }
    this.columnTruncateLength = c.columnTruncateLength ?? this.fftSize;
    this.numFrames = c.numFramesPerSpectrogram ?? 43;
    this.sampleRateHz = c.sampleRateHz;
    this.smoothingTimeConstant = smoothing;
    this.includeSpectrogram = c.includeSpectrogram !== false;
    this.includeWaveform = c.includeWaveform === true;
    if (!this.includeSpectrogram && !this.includeWaveform) {
      throw new Error(`${CALL}: includeSpectrogram and includeWaveform are both false; at least one kind of data must be returned`);
    }
  }

  /** Checks the configuration, then opens the microphone. */
  static async create(microphoneConfig: MicrophoneConfig = {}): Promise<MicrophoneIterator> {
    requireMediaDevices(CALL, 'microphone');
    if (microphoneConfig === null || typeof microphoneConfig !== 'object') {
      throw new Error(`${CALL}: microphoneConfig must be an object; received ${String(microphoneConfig)}`);
    }
    const iterator = new MicrophoneIterator(microphoneConfig);
    await iterator.start();
    return iterator;
  }

  summary(): string { return 'microphone'; }

  /** The sample rate of the audio, in Hz (known once started). */
  getSampleRate(): number | undefined { return this.sampleRateHz; }

  /** Opens the microphone and the analyser (again after stop()). */
  async start(): Promise<void> {
    const devices = requireMediaDevices(CALL, 'microphone');
    if (!this.closed) return;
    const Context = (g.AudioContext ?? g.webkitAudioContext) as (new () => AudioContext) | undefined;
    if (typeof Context !== 'function') throw new Error(`${CALL}: this browser has no AudioContext (Web Audio), which does the FFT`);
    let stream: MediaStream;
    try {
      stream = await devices.getUserMedia({ audio: this.microphoneConfig.audioTrackConstraints ?? true, video: false });
    } catch (error) {
      throw deviceError(CALL, 'microphone', error);
    }
    const context = new Context();
    try {
      const wanted = this.microphoneConfig.sampleRateHz;
      if (wanted !== undefined && context.sampleRate !== wanted) {
        throw new Error(`${CALL}: mismatch in sampling rate: expected ${wanted} Hz; the device runs at ${context.sampleRate} Hz`);
      }
      this.sampleRateHz = context.sampleRate;
      // A context made without a user gesture may start suspended under autoplay rules (the
      // analyser would then see no sample); ask once, without waiting on a gesture forever.
      if (context.state === 'suspended') {
        await Promise.race([context.resume().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 500))]);
      }
      const analyser = context.createAnalyser();
      analyser.fftSize = this.fftSize * 2;
      analyser.smoothingTimeConstant = this.smoothingTimeConstant;
      context.createMediaStreamSource(stream).connect(analyser);
      Object.assign(this, { stream, context, analyser, closed: false });
    } catch (error) {
      for (const track of stream.getTracks()) track.stop(); // the microphone is not left on
      void context.close().catch(() => undefined);
      throw error;
    }
    await this.firstSound();
  }

  /**
   * Waits (at most a second) until the analyser has had samples: a new stream gives -Infinity
   * dB for a few hundred ms while it starts, and TF.js would end its first capture there,
   * zero-padded. After this, a -Infinity frame is real digital silence and is kept.
   */
  private async firstSound(): Promise<void> {
    const bins = new Float32Array(this.analyser!.frequencyBinCount);
    const until = performance.now() + 1000;
    for (;;) {
      this.analyser!.getFloatFrequencyData(bins);
      if (bins[0] !== -Infinity || this.closed || performance.now() > until) return;
      await new Promise((resolve) => setTimeout(resolve, (this.fftSize / this.sampleRateHz!) * 1000));
    }
  }

  /** The next capture: numFramesPerSpectrogram frames, one every fftSize / sampleRate s. */
  async next(): Promise<IteratorResult<MicrophoneCapture>> {
    if (this.closed) return { done: true, value: undefined };
    const { spectrogram, waveform } = await this.frames();
    const n = this.numFrames;
    return {
      done: false,
      value: {
        spectrogram: this.includeSpectrogram ? padded(spectrogram, [n, this.columnTruncateLength, 1]) : undefined,
        waveform: this.includeWaveform ? padded(waveform, [n * this.fftSize, 1]) : undefined,
      },
    };
  }

  /** One capture; after stop() there is none, and this throws rather than hand back undefined. */
  async capture(): Promise<MicrophoneCapture> {
    const result = await this.next();
    if (result.done) throw new Error(`${CALL}: capture() after stop(); call start() first`);
    return result.value;
  }

  /** Reads the analyser numFrames times, one fftSize-long hop apart (a stop() ends it early). */
  private frames(): Promise<{ spectrogram: Float32Array[]; waveform: Float32Array[] }> {
    const analyser = this.analyser!;
    const spectrogram: Float32Array[] = [], waveform: Float32Array[] = [];
    const bins = new Float32Array(this.fftSize), samples = new Float32Array(this.fftSize);
    return new Promise((resolve) => {
      let count = 0;
      const timer = setInterval(() => {
        if (!this.closed) {
          if (this.includeSpectrogram) {
            analyser.getFloatFrequencyData(bins);
            spectrogram.push(bins.slice(0, this.columnTruncateLength));
          }
          if (this.includeWaveform) {
            analyser.getFloatTimeDomainData(samples);
            waveform.push(samples.slice());
          }
        }
        if (this.closed || ++count === this.numFrames) {
          clearInterval(timer);
          resolve({ spectrogram, waveform });
        }
      }, (this.fftSize / this.sampleRateHz!) * 1000);
    });
  }

  /** Stops every track of the stream, the analyser and the audio context. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.analyser?.disconnect();
    void this.context?.close().catch(() => undefined);
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null; this.context = null; this.analyser = null;
  }

  /** The stream never ends, so it cannot be collected. */
  async toArray(): Promise<Tensor[]> {
    throw new Error(`${CALL}: toArray() cannot collect an endless audio stream; take captures with capture()`);
  }

  [Symbol.asyncIterator](): AsyncIterator<MicrophoneCapture> { return this; }
}

/** Frames laid end to end in a tensor of `shape`; missing frames (a stop mid-capture) are zeros at the front, as TF.js. */
function padded(frames: Float32Array[], shape: number[]): Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let at = values.length - frames.reduce((a, f) => a + f.length, 0);
  for (const frame of frames) { values.set(frame, at); at += frame.length; }
  return tensor(values, shape, 'float32');
}

/** tf.data.microphone(microphoneConfig?): a started MicrophoneIterator. */
export function microphone(microphoneConfig?: MicrophoneConfig): Promise<MicrophoneIterator> {
  return MicrophoneIterator.create(microphoneConfig);
}
