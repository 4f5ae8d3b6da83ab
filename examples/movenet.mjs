/**
 * Pose estimation with a pretrained TF graph model: MoveNet Lightning (of the devDependency
 * @vladmandic/human) loaded by sora.loadGraphModel from its model.json and weights on disk, run on
 * one photo on sora's wasm backend. The JPEG is decoded (jpeg-js), the crop letterboxed and resized
 * to the 192x192 int32 image MoveNet wants (examples/lib/pose.mjs), and the 17 keypoints it finds
 * (y, x, score) are printed, then drawn (skeleton lines and dots where the score is above 0.3) onto
 * the crop, enlarged, written as an RGBA PNG (examples/lib/png.mjs).
 *
 *   npm run movenet                                         # build, then the sample photo's first thumbnail
 *   node examples/movenet.mjs photo.jpg                     # the whole of another JPEG
 *   node examples/movenet.mjs photo.jpg --crop 0,0,156,156  # a region x,y,width,height of it
 *
 * With no path it reads node_modules/@vladmandic/human/assets/samples.jpg, a contact sheet, and
 * crops its first thumbnail (one person, whole body, plain background). It prints the time per
 * prediction (median of MOVENET_REPS, 5, after one warm-up) and writes out/movenet.png (MOVENET_PNG
 * to change). Environment: SORA_BACKEND (default wasm), MOVENET_PNG, MOVENET_REPS, DEBUG (an
 * error's stack).
 */
import { drawPose, movenetInput, movenetKeypoints, MOVENET_SIZE, SAMPLE_CROP } from './lib/pose.mjs';

export { SAMPLE_CROP };
/** The sample photo (SAMPLE_CROP is the region of it with one person in frame). */
export const SAMPLE = 'node_modules/@vladmandic/human/assets/samples.jpg';
export const MODEL = 'node_modules/@vladmandic/human/models/movenet-lightning.json';

/**
 * MoveNet's keypoints for `values` (movenetInput's Int32Array) with a loaded model of either
 * library (sora's and TF.js's GraphModel have the same execute): the [1, 1, 17, 3] output's values.
 */
export async function movenetOutput(lib, model, values) {
  const input = lib.tensor(values, [1, MOVENET_SIZE, MOVENET_SIZE, 3], 'int32');
  const output = model.execute(input);
  const data = await output.data();
  lib.dispose([input, output]);
  return Float32Array.from(data);
}

/** Decodes a JPEG file into { width, height, data: RGBA bytes }. */
export async function readJpeg(path) {
  const { readFileSync } = await import('node:fs');
  const jpeg = (await import('jpeg-js')).default;
  const image = jpeg.decode(readFileSync(path), { useTArray: true, formatAsRGBA: true });
  return { width: image.width, height: image.height, data: image.data };
}

/** The arguments: [path] [--crop x,y,width,height]. */
export function parseArgs(argv) {
  let path = null, crop = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--crop') {
      const raw = argv[++i];
      const parts = (raw ?? '').split(',').map(Number);
      if (parts.length !== 4 || !parts.every((v) => Number.isInteger(v) && v >= 0) || parts[2] < 1 || parts[3] < 1) {
        throw new Error(`--crop wants x,y,width,height (integers, width and height >= 1); received ${JSON.stringify(raw ?? '')}`);
      }
      crop = { x: parts[0], y: parts[1], width: parts[2], height: parts[3] };
    } else if (argv[i].startsWith('-')) {
      throw new Error(`unknown argument ${JSON.stringify(argv[i])}; expected [photo.jpg] [--crop x,y,width,height]`);
    } else if (path === null) path = argv[i];
    else throw new Error(`one photo at a time; received ${JSON.stringify(path)} and ${JSON.stringify(argv[i])}`);
  }
  return { path, crop };
}

async function main() {
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const { dirname, resolve } = await import('node:path');
  const { pathToFileURL, fileURLToPath } = await import('node:url');
  const { encodePng } = await import('./lib/png.mjs');
  const { scaleRegion } = await import('./lib/pose.mjs');
  const sora = await import('../dist/index.js');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const args = parseArgs(process.argv.slice(2));
  const path = args.path ?? resolve(root, SAMPLE);
  const reps = Number(process.env.MOVENET_REPS ?? 5);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`MOVENET_REPS must be an integer >= 1; received MOVENET_REPS=${JSON.stringify(process.env.MOVENET_REPS)}`);
  const pngPath = resolve(process.env.MOVENET_PNG || resolve(root, 'out/movenet.png'));

  await sora.setBackend(process.env.SORA_BACKEND ?? 'wasm');
  const env = sora.env();
  console.log(`sora backend: ${env.backend} — ${env.description}`);
  const image = await readJpeg(path);
  const crop = args.crop ?? (args.path ? { x: 0, y: 0, width: image.width, height: image.height } : SAMPLE_CROP);
  const { values, box } = movenetInput(image, crop);
  console.log(`${path}: ${image.width}x${image.height}; crop ${crop.width}x${crop.height} at (${crop.x}, ${crop.y}), ` +
    `letterboxed to ${MOVENET_SIZE}x${MOVENET_SIZE}`);

  const loadStart = performance.now();
  const model = await sora.loadGraphModel(pathToFileURL(resolve(root, MODEL)).href);
  console.log(`MoveNet Lightning loaded in ${(performance.now() - loadStart).toFixed(0)} ms`);
  let output = await movenetOutput(sora, model, values); // warm-up (first run plans kernels, fills pools)
  const times = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    output = await movenetOutput(sora, model, values);
    times.push(performance.now() - start);
  }
  model.dispose();
  times.sort((a, b) => a - b);
  const keypoints = movenetKeypoints(output, box);

  console.log('\nkeypoint          y       x       score   (pixel x, y in the photo)');
  for (const k of keypoints) {
    console.log(`${k.name.padEnd(16)}  ${k.y.toFixed(4)}  ${k.x.toFixed(4)}  ${k.score.toFixed(4)}   ` +
      `(${k.px.toFixed(1)}, ${k.py.toFixed(1)})${k.score > 0.3 ? '' : '  low'}`);
  }
  const seen = keypoints.filter((k) => k.score > 0.3).length;
  console.log(`\n${seen} of 17 keypoints above 0.3; ${times[times.length >> 1].toFixed(2)} ms per prediction ` +
    `(median of ${reps}, ${env.backend})`);

  // The crop enlarged so its longer side is about 480 pixels, the pose drawn on it.
  const scale = Math.max(1, Math.round(480 / Math.max(crop.width, crop.height)));
  const canvas = scaleRegion(image, crop, scale);
  drawPose(canvas, keypoints, { scale, offset: { x: crop.x, y: crop.y }, threshold: 0.3 });
  mkdirSync(dirname(pngPath), { recursive: true });
  writeFileSync(pngPath, encodePng({ width: canvas.width, height: canvas.height, channels: 4, pixels: canvas.data }));
  console.log(`Wrote ${pngPath} (${canvas.width}x${canvas.height} PNG)`);
}

/** Whether this module is the program (node examples/movenet.mjs), not imported by a test or bundled for a browser. */
async function isProgram() {
  const script = globalThis.process?.argv?.[1];
  if (!script) return false;
  const { pathToFileURL } = await import('node:url');
  return import.meta.url === pathToFileURL(script).href;
}

if (await isProgram()) {
  try {
    await main();
  } catch (error) {
    console.error(`examples/movenet.mjs: ${process.env.DEBUG ? error.stack : error.message}`);
    process.exitCode = 1;
  }
}
