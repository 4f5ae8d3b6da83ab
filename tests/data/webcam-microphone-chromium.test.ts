/**
 * tf.data.webcam and tf.data.microphone in headless Chromium with its fake devices (a moving
 * test pattern and a beeping tone; the flags are given to this launch only), beside TF.js's
 * in the same page: shapes, dtypes, values in range, frames that change, stop() ending every
 * track it opened, start() again, several captures, and the configuration errors. Outside a
 * browser (Node here, Deno from the sources) both calls fail naming themselves and why.
 * Fails (never skips) where Chromium or Deno is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'puppeteer-core';
import { launchChromium, type ChromiumSession } from '../runtimes/chromium.js';
import { startServer, type StaticServer } from '../runtimes/server.js';
import { data } from '../../src/index.js';

const FAKE_DEVICES = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

describe('outside a browser', () => {
  test('Node: webcam and microphone reject, naming the call and what is missing', async () => {
    await expect(data.webcam(undefined, { resizeWidth: 8, resizeHeight: 8 })).rejects.toThrow(
      /^tf\.data\.webcam: needs a browser page .*no document \(Node\)/);
    await expect(data.microphone()).rejects.toThrow(/^tf\.data\.microphone: needs a browser page .*microphone.*\(Node\)/);
  });

  test('Deno: the main entry imports cleanly and the calls reject the same way', async () => {
    const deno = resolve('node_modules/.bin/deno');
    if (!existsSync(deno)) throw new Error(`deno not found at ${deno}: run npm ci (the deno devDependency ships the binary)`);
    const dir = await mkdtemp(join(tmpdir(), 'sora-deno-devices-'));
    try {
      const script = join(dir, 'devices.ts');
      await writeFile(script, `
        import { data } from '${pathToFileURL(resolve('src/index.ts')).href}';
        const out: string[] = [];
        for (const call of [() => data.webcam(undefined, { resizeWidth: 8, resizeHeight: 8 }), () => data.microphone()]) {
          try { await call(); out.push('resolved'); } catch (e) { out.push((e as Error).message); }
        }
        console.log(JSON.stringify(out));`);
      const stdout = await new Promise<string>((done, fail) => execFile(deno,
        ['run', '--sloppy-imports', '--no-prompt', '--allow-read', script], { timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
        (error, out, err) => (error ? fail(new Error(`${error.message}\n${err}`)) : done(out))));
      const [webcamError, microphoneError] = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
      expect(webcamError).toMatch(/^tf\.data\.webcam: needs a browser page .*\(Deno\)/);
      expect(microphoneError).toMatch(/^tf\.data\.microphone: needs a browser page .*\(Deno\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

let session: ChromiumSession;
let server: StaticServer;
let page: Page;

/** Runs `body` in the page with `sora`, `tf` and `streams` (every MediaStream getUserMedia handed out). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PageBody<A, R> = (w: { sora: any; tf: any; streams: MediaStream[] }, arg: A) => Promise<R>;
const inPage = <A, R>(body: PageBody<A, R>, arg: A): Promise<R> =>
  page.evaluate(`(${body.toString()})(window, ${JSON.stringify(arg)})`) as Promise<R>;

/** Summary of one tensor read in the page: shape, dtype, min, max, mean, standard deviation, integers or not. */
const SUMMARIZE = `async (t) => {
  const v = await t.data(); let min = Infinity, max = -Infinity, sum = 0, sq = 0, integers = true, finite = 0;
  for (const x of v) { if (!Number.isFinite(x)) continue; finite++; min = Math.min(min, x); max = Math.max(max, x); sum += x; sq += x * x; if (x !== Math.round(x)) integers = false; }
  const mean = sum / finite;
  return { shape: t.shape, dtype: t.dtype, min, max, mean, std: Math.sqrt(Math.max(0, sq / finite - mean * mean)), integers, finite, size: v.length, head: Array.from(v.slice(0, 64)) };
}`;
interface Summary { shape: number[]; dtype: string; min: number; max: number; mean: number; std: number; integers: boolean; finite: number; size: number; head: number[] }

describe('tf.data.webcam and tf.data.microphone in headless Chromium (fake devices)', () => {
  beforeAll(async () => {
    const bundle = await build({
      entryPoints: ['src/index.ts'], bundle: true, format: 'iife', globalName: 'sora', write: false,
      platform: 'browser', target: 'es2022', logLevel: 'silent', external: ['node:*'],
    });
    server = await startServer({ files: {
      '/': { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>devices</title>' },
      '/sora.js': { body: bundle.outputFiles[0]!.text },
      '/tf.min.js': { body: await readFile('node_modules/@tensorflow/tfjs/dist/tf.min.js', 'utf8') },
    } });
    session = await launchChromium(FAKE_DEVICES);
    page = await session.browser.newPage();
    await page.goto(`${server.origin}/`);
    await page.addScriptTag({ url: '/tf.min.js' });
    await page.addScriptTag({ url: '/sora.js' });
    await page.evaluate(`(() => {
      window.summarize = ${SUMMARIZE};
      window.streams = [];
      const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c) => { const s = await open(c); window.streams.push(s); return s; };
    })()`);
    await page.evaluate(async () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const w = window as any;
      await w.sora.setBackend('reference');
      await w.tf.setBackend('cpu');
    });
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  test('webcam, hidden element: several int32 [h, w, 3] frames in [0, 255] that change, as TF.js; stop() ends the tracks, start() reopens', async () => {
    const r = await inPage(async (w) => {
      const summarize = (w as unknown as { summarize(t: unknown): Promise<Summary> }).summarize;
      const cam = await w.sora.data.webcam(undefined, { resizeWidth: 160, resizeHeight: 120 });
      const frames: Summary[] = [];
      let diff = 0;
      let previous: Float32Array | null = null;
      for (let i = 0; i < 4; i++) {
        const frame = await cam.capture();
        frames.push(await summarize(frame));
        const values = Float32Array.from(await frame.data() as ArrayLike<number>);
        if (previous) diff = Math.max(diff, values.reduce((a, v, k) => a + Math.abs(v - previous![k]), 0) / values.length);
        previous = values;
        frame.dispose();
        await new Promise((done) => setTimeout(done, 150));
      }
      // The iterator protocol: for await takes frames as next() does.
      let iterated = 0;
      for await (const frame of cam) { frame.dispose(); if (++iterated === 2) break; }
      const opened = w.streams.at(-1)!;
      const liveBefore = opened.getTracks().map((t) => t.readyState);
      cam.stop();
      const ended = opened.getTracks().map((t) => t.readyState);
      const afterStop = await cam.next();
      let captureAfterStop = '';
      try { await cam.capture(); } catch (e) { captureAfterStop = (e as Error).message; }
      await cam.start();
      const again = await summarize(await cam.capture());
      const reopened = w.streams.at(-1)!;
      cam.stop();
      const tf = await w.tf.data.webcam(undefined, { resizeWidth: 160, resizeHeight: 120 });
      const tfFrame = await summarize(await tf.capture());
      tf.stop();
      return { frames, diff, iterated, liveBefore, ended, afterStop: afterStop.done, captureAfterStop, again,
        reopenedEnded: reopened.getTracks().map((t) => t.readyState), sameStream: reopened === opened, tfFrame };
    }, null);
    expect(r.frames).toHaveLength(4);
    for (const f of r.frames) {
      expect(f.shape).toEqual([120, 160, 3]);
      expect(f.dtype).toBe('int32');
      expect(f.integers).toBe(true);
      expect(f.min).toBeGreaterThanOrEqual(0);
      expect(f.max).toBeLessThanOrEqual(255);
      expect(f.std).toBeGreaterThan(1); // a picture, not one flat colour
    }
    expect(r.diff).toBeGreaterThan(0); // the fake camera's pattern moves between captures
    expect(r.iterated).toBe(2);
    expect(r.liveBefore).toEqual(['live']);
    expect(r.ended).toEqual(['ended']);
    expect(r.afterStop).toBe(true);
    expect(r.captureAfterStop).toMatch(/tf\.data\.webcam: capture\(\) after stop\(\)/);
    expect(r.again.shape).toEqual([120, 160, 3]);
    expect(r.sameStream).toBe(false);
    expect(r.reopenedEnded).toEqual(['ended']);
    // TF.js in the same page with the same camera: the same shape, dtype and range.
    expect(r.tfFrame.shape).toEqual(r.frames[0].shape);
    expect(r.tfFrame.dtype).toBe(r.frames[0].dtype);
    expect(r.tfFrame.max).toBeLessThanOrEqual(255);
  }, 60_000);

  test('webcam, given element with resize and centerCrop: [resizeHeight, resizeWidth, 3], float32, the same pixels as TF.js', async () => {
    const r = await inPage(async (w) => {
      const summarize = (w as unknown as { summarize(t: unknown): Promise<Summary> }).summarize;
      const out: Record<string, unknown> = {};
      for (const centerCrop of [true, false]) {
        const video = document.createElement('video');
        video.width = 320; video.height = 240;
        const cam = await w.sora.data.webcam(video, { resizeWidth: 64, resizeHeight: 48, centerCrop });
        const tfCam = await w.tf.data.webcam(video, { resizeWidth: 64, resizeHeight: 48, centerCrop });
        // Both read the same element, paused so they see the same picture.
        video.pause();
        await new Promise((done) => setTimeout(done, 100));
        const a = await cam.capture(), b = await tfCam.capture();
        const mine = await summarize(a), theirs = await summarize(b);
        const av = await a.data(), bv = await b.data();
        let maxDiff = 0;
        for (let i = 0; i < av.length; i++) maxDiff = Math.max(maxDiff, Math.abs(av[i] - bv[i]));
        out[String(centerCrop)] = { mine, theirs, maxDiff };
        tfCam.stop(); cam.stop();
      }
      return out as Record<'true' | 'false', { mine: Summary; theirs: Summary; maxDiff: number }>;
    }, null);
    for (const key of ['true', 'false'] as const) {
      const { mine, theirs, maxDiff } = r[key];
      expect(mine.shape).toEqual([48, 64, 3]);
      expect(theirs.shape).toEqual(mine.shape);
      // TF.js's resized frames are cropAndResize's float32; sora keeps that dtype so a port reads the same values.
      expect(theirs.dtype).toBe('float32');
      expect(mine.dtype).toBe('float32');
      expect(mine.min).toBeGreaterThanOrEqual(0);
      expect(mine.max).toBeLessThanOrEqual(255);
      expect(mine.std).toBeGreaterThan(1);
      // The same crop of the same picture: the same pixels, up to float32 rounding of the box
      // (measured up to 0.0021 grey levels of 255).
      expect(maxDiff).toBeLessThan(0.01);
    }
  }, 60_000);

  test('webcam: bad configuration, or a camera or microphone refused, is an error naming the call and why', async () => {
    const errors = await inPage(async (w) => {
      const messages: string[] = [];
      const tries = [
        () => w.sora.data.webcam(undefined, { resizeWidth: 8, resizeHeight: 8, facingMode: 'side' }),
        () => w.sora.data.webcam(),
        () => w.sora.data.webcam(undefined, { resizeWidth: -3, resizeHeight: 8 }),
        () => w.sora.data.webcam({} as never, {}),
      ];
      for (const t of tries) { try { (await t()).stop(); messages.push('resolved'); } catch (e) { messages.push((e as Error).message); } }
      // A visitor who says no: getUserMedia rejects, and both calls say so.
      const open = navigator.mediaDevices.getUserMedia;
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      for (const t of [() => w.sora.data.webcam(undefined, { resizeWidth: 8, resizeHeight: 8 }), () => w.sora.data.microphone()]) {
        try { (await t()).stop(); messages.push('resolved'); } catch (e) { messages.push(`${(e as Error).name}: ${(e as Error).message}`); }
      }
      navigator.mediaDevices.getUserMedia = open;
      return { messages, opened: w.streams.length };
    }, null);
    expect(errors.messages[0]).toMatch(/tf\.data\.webcam: invalid webcam facing mode: side; expected 'user' or 'environment'/);
    expect(errors.messages[1]).toMatch(/tf\.data\.webcam: give a video element, or resizeWidth and resizeHeight/);
    expect(errors.messages[2]).toMatch(/tf\.data\.webcam: webcamConfig\.resizeWidth must be a positive integer; received -3/);
    expect(errors.messages[3]).toMatch(/tf\.data\.webcam: webcamVideoElement must be an HTMLVideoElement; received Object/);
    // The refusal keeps its DOMException name, as TF.js's webcam keeps the error it got.
    expect(errors.messages[4]).toBe('NotAllowedError: tf.data.webcam: could not open the camera (NotAllowedError): Permission denied');
    expect(errors.messages[5]).toBe('NotAllowedError: tf.data.microphone: could not open the microphone (NotAllowedError): Permission denied');
  });

  test('microphone: spectrogram [frames, cols, 1] in dB and waveform [samples, 1] in about [-1, 1], as TF.js; several captures; stop() ends the track', async () => {
    const config = { fftSize: 256, numFramesPerSpectrogram: 10, columnTruncateLength: 100, includeWaveform: true };
    const r = await inPage(async (w, config) => {
      const summarize = (w as unknown as { summarize(t: unknown): Promise<Summary> }).summarize;
      const mic = await w.sora.data.microphone(config);
      const opened = w.streams.at(-1)!;
      const captures: { spectrogram: Summary; waveform: Summary }[] = [];
      for (let i = 0; i < 3; i++) {
        const { spectrogram, waveform } = await mic.capture();
        captures.push({ spectrogram: await summarize(spectrogram), waveform: await summarize(waveform) });
        spectrogram.dispose(); waveform.dispose();
      }
      const rate = mic.getSampleRate();
      const live = opened.getTracks().map((t) => t.readyState);
      mic.stop();
      const ended = opened.getTracks().map((t) => t.readyState);
      const done = (await mic.next()).done;
      await mic.start();
      const again = await mic.capture();
      const againShape = again.spectrogram.shape;
      mic.stop();
      // stop() during a capture ends it: the frames taken so far, zeros in front (as TF.js pads).
      const cut = await w.sora.data.microphone({ fftSize: 1024, numFramesPerSpectrogram: 40 });
      const pending = cut.capture();
      await new Promise((done) => setTimeout(done, 200));
      cut.stop();
      const cutCapture = await pending;
      const cutRows = (await cutCapture.spectrogram.array()).map((row: number[][]) => row.every((v) => v[0] === 0));
      const only = await w.sora.data.microphone({ fftSize: 128, numFramesPerSpectrogram: 4 });
      const onlySpectrogram = await only.capture();
      only.stop();
      const tfMic = await w.tf.data.microphone(config);
      const tf = await tfMic.capture();
      const theirs = { spectrogram: await summarize(tf.spectrogram), waveform: await summarize(tf.waveform) };
      tfMic.stop();
      return { captures, rate, live, ended, done, againShape, theirs, cutRows,
        only: { keys: Object.keys(onlySpectrogram).filter((k) => onlySpectrogram[k] !== undefined), shape: onlySpectrogram.spectrogram.shape } };
    }, config);
    expect([44100, 48000]).toContain(r.rate);
    for (const { spectrogram, waveform } of r.captures) {
      expect(spectrogram.shape).toEqual([10, 100, 1]);
      expect(spectrogram.dtype).toBe('float32');
      expect(spectrogram.finite).toBeGreaterThan(0);
      expect(spectrogram.max).toBeLessThan(60); // dB of samples in [-1, 1]
      expect(waveform.shape).toEqual([10 * 256, 1]);
      expect(waveform.dtype).toBe('float32');
      // Samples are nominally in [-1, 1]; the fake device's full-scale beep, resampled, overshoots by ~2%.
      expect(waveform.min).toBeGreaterThanOrEqual(-1.1);
      expect(waveform.max).toBeLessThanOrEqual(1.1);
    }
    // The fake microphone beeps: some capture has sound in it, and captures differ.
    expect(Math.max(...r.captures.map((c) => c.waveform.std))).toBeGreaterThan(1e-3);
    expect(new Set(r.captures.map((c) => c.spectrogram.mean.toFixed(3))).size).toBeGreaterThan(1);
    expect(r.live).toEqual(['live']);
    expect(r.ended).toEqual(['ended']);
    expect(r.done).toBe(true);
    expect(r.againShape).toEqual([10, 100, 1]);
    expect(r.only).toEqual({ keys: ['spectrogram'], shape: [4, 128, 1] });
    // 200 ms of 40 frames of 23 ms: some frames taken (real rows at the end), the rest zeros in front.
    expect(r.cutRows).toHaveLength(40);
    const firstReal = r.cutRows.indexOf(false);
    expect(firstReal).toBeGreaterThan(0);
    expect(r.cutRows.slice(0, firstReal).every(Boolean)).toBe(true);
    expect(r.cutRows.slice(firstReal).some(Boolean)).toBe(false);
    // TF.js with the same configuration: the same shapes and dtypes.
    expect(r.theirs.spectrogram.shape).toEqual([10, 100, 1]);
    expect(r.theirs.waveform.shape).toEqual([10 * 256, 1]);
    expect(r.theirs.spectrogram.dtype).toBe('float32');
  }, 60_000);

  test('microphone: bad configuration is an error naming the call and the value, before the microphone opens', async () => {
    const r = await inPage(async (w) => {
      const before = w.streams.length;
      const messages: string[] = [];
      for (const config of [{ fftSize: 100 }, { includeSpectrogram: false, includeWaveform: false },
        { fftSize: 64, columnTruncateLength: 65 }, { numFramesPerSpectrogram: 0 }, { smoothingTimeConstant: 2 }, { sampleRateHz: 8000 }]) {
        try { (await w.sora.data.microphone(config)).stop(); messages.push('resolved'); } catch (e) { messages.push((e as Error).message); }
      }
      return { messages, opened: w.streams.length - before };
    }, null);
    expect(r.messages[0]).toMatch(/tf\.data\.microphone: invalid fftSize: .*received 100/);
    expect(r.messages[1]).toMatch(/tf\.data\.microphone: includeSpectrogram and includeWaveform are both false/);
    expect(r.messages[2]).toMatch(/tf\.data\.microphone: columnTruncateLength \(65\) is more than the fftSize \(64\)/);
    expect(r.messages[3]).toMatch(/numFramesPerSpectrogram must be a positive integer; received 0/);
    expect(r.messages[4]).toMatch(/smoothingTimeConstant must be in \[0, 1\]; received 2/);
    expect(r.messages[5]).toMatch(/tf\.data\.microphone: mismatch in sampling rate: expected 8000 Hz/);
    // Only the sample-rate check needs the device; its stream is stopped.
    expect(r.opened).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { streams: MediaStream[] }).streams.at(-1)!.getTracks()[0].readyState)).toBe('ended');
  });
});
