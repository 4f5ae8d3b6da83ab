/**
 * The pose panel: MoveNet Lightning, a pretrained TF graph model, loaded with sora.loadGraphModel
 * and run in the page on a sample photo (no camera): the first thumbnail of @vladmandic/human's
 * contact sheet, decoded by the browser, letterboxed to MoveNet's 192x192 int32 input, its 17
 * keypoints drawn on a canvas (examples/lib/pose.mjs, shared with `npm run movenet`). The model
 * (4.6 MB) loads on the first press; a backend switch loads it again on the new backend.
 * `soraDemo.pose` holds the last result: { keypoints, input (the int32 values), ms, backend }.
 */
import { drawPose, movenetInput, movenetKeypoints, MOVENET_SIZE, SAMPLE_CROP, scaleRegion } from '../examples/lib/pose.mjs';

const MODEL_URL = 'pose/movenet-lightning.json';
const SAMPLE_URL = 'pose/sample.jpg';
const SCALE = 2;

/** Wires the panel's button; `report` shows an error the way the rest of the page does. */
export function posePanel({ sora, demo, $, report }) {
  let model = null, modelBackend = null, photo = null;
  const status = (text) => { $('pose-status').textContent = text; };

  async function samplePhoto() {
    const blob = await (await fetch(SAMPLE_URL)).blob();
    const bitmap = await createImageBitmap(blob);
    const { x, y, width, height } = SAMPLE_CROP;
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, x, y, width, height, 0, 0, width, height);
    bitmap.close();
    const pixels = context.getImageData(0, 0, width, height);
    return { width, height, data: pixels.data };
  }

  async function run() {
    $('pose-run').disabled = true;
    try {
      const backend = sora.env().backend;
      if (model && modelBackend !== backend) {
        try { model.dispose(); } catch { /* its backend may be gone */ }
        model = null;
      }
      if (!model) {
        status(`Loading MoveNet Lightning on ${backend}…`);
        model = await sora.loadGraphModel(MODEL_URL);
        modelBackend = backend;
      }
      photo ??= await samplePhoto();
      const { values, box } = movenetInput(photo);
      const predict = async () => {
        const input = sora.tensor(values, [1, MOVENET_SIZE, MOVENET_SIZE, 3], 'int32');
        const output = model.execute(input);
        const data = await output.data();
        sora.dispose([input, output]);
        return data;
      };
      status('Running MoveNet…');
      await predict(); // the first run compiles pipelines and fills pools
      const started = performance.now();
      const output = await predict();
      const ms = performance.now() - started;
      const keypoints = movenetKeypoints(output, box);

      const region = scaleRegion(photo, { x: 0, y: 0, width: photo.width, height: photo.height }, SCALE);
      drawPose(region, keypoints, { scale: SCALE, threshold: 0.3, radius: 3, lineWidth: 2 });
      const canvas = $('pose-canvas');
      canvas.width = region.width;
      canvas.height = region.height;
      canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(region.data.buffer), region.width, region.height), 0, 0);
      const seen = keypoints.filter((k) => k.score > 0.3).length;
      demo.pose = { keypoints, input: Array.from(values), ms, backend };
      status(`${seen} of 17 keypoints found (score above 0.3) · ${ms.toFixed(1)} ms a prediction on ${backend}`);
    } catch (error) {
      status('MoveNet did not run.');
      report(error);
    } finally {
      $('pose-run').disabled = false;
    }
  }

  $('pose-run').onclick = () => { run(); };
}
