/**
 * MoveNet Lightning's side of a pose program, with no Node imports (the demo page uses it too):
 * the input it wants (a 192x192x3 int32 image, pixel values 0..255, the crop letterboxed into a
 * square so the body keeps its proportions), its 17 keypoints read from the [1, 1, 17, 3] output
 * (y, x, score, in 0..1 of the square), mapped back to the image, and the pose drawn onto an RGBA
 * image: skeleton lines and dots where both ends score above a threshold.
 */

/** MoveNet's input side. */
export const MOVENET_SIZE = 192;

/**
 * The region of @vladmandic/human's assets/samples.jpg (a contact sheet of photos) with one person
 * in frame, whole body on a plain background: its first thumbnail.
 */
export const SAMPLE_CROP = { x: 0, y: 0, width: 156, height: 156 };

/** The 17 keypoints in MoveNet's (COCO's) order. */
export const KEYPOINT_NAMES = [
  'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder', 'left_elbow',
  'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
];

/** The skeleton: pairs of keypoint indices joined by a line. */
export const SKELETON = [
  [0, 1], [0, 2], [1, 3], [2, 4], [5, 6], [5, 7], [7, 9], [6, 8], [8, 10], [5, 11], [6, 12], [11, 12],
  [11, 13], [13, 15], [12, 14], [14, 16],
];

/**
 * A crop { x, y, width, height } of an RGBA image { width, height, data } as MoveNet's input:
 * letterboxed (centred in a square of its longer side, the margin black) and resized bilinearly
 * to size x size, RGB as int32 0..255. Returns { values: Int32Array (size*size*3), box } where box
 * { x, y, side } is the square in image pixels (keypoints come back in its 0..1 coordinates).
 */
export function movenetInput(image, crop = { x: 0, y: 0, width: image.width, height: image.height }, size = MOVENET_SIZE) {
  const { x, y, width, height } = crop;
  if (![x, y, width, height].every(Number.isInteger) || width < 1 || height < 1 || x < 0 || y < 0 ||
    x + width > image.width || y + height > image.height) {
    throw new Error(`movenetInput: the crop ${JSON.stringify(crop)} is not inside the ${image.width}x${image.height} image`);
  }
  const side = Math.max(width, height);
  const box = { x: x - (side - width) / 2, y: y - (side - height) / 2, side };
  const values = new Int32Array(size * size * 3);
  const scale = side / size;
  // The pixel of the image at square coordinates (sx, sy), channel c; black outside the crop.
  const at = (sx, sy, c) => {
    const ix = Math.round(box.x + sx), iy = Math.round(box.y + sy);
    if (ix < x || iy < y || ix >= x + width || iy >= y + height) return 0;
    return image.data[(iy * image.width + ix) * 4 + c];
  };
  for (let oy = 0; oy < size; oy++) {
    // Pixel centres: output pixel oy covers square rows [oy * scale, (oy + 1) * scale).
    const sy = Math.max(0, (oy + 0.5) * scale - 0.5);
    const y0 = Math.floor(sy), fy = sy - y0;
    for (let ox = 0; ox < size; ox++) {
      const sx = Math.max(0, (ox + 0.5) * scale - 0.5);
      const x0 = Math.floor(sx), fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const top = at(x0, y0, c) * (1 - fx) + at(x0 + 1, y0, c) * fx;
        const bottom = at(x0, y0 + 1, c) * (1 - fx) + at(x0 + 1, y0 + 1, c) * fx;
        values[(oy * size + ox) * 3 + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { values, box };
}

/**
 * The keypoints of MoveNet's output values ([1, 1, 17, 3]: y, x, score per keypoint, y and x in
 * 0..1 of the input square), each { name, y, x, score, px, py } with px, py in image pixels of `box`.
 */
export function movenetKeypoints(output, box) {
  if (output.length !== 17 * 3) throw new Error(`movenetKeypoints: expected 51 values (1x1x17x3); received ${output.length}`);
  return KEYPOINT_NAMES.map((name, k) => {
    const y = output[k * 3], x = output[k * 3 + 1], score = output[k * 3 + 2];
    return { name, y, x, score, px: box.x + x * box.side, py: box.y + y * box.side };
  });
}

/**
 * Draws the pose onto an RGBA image { width, height, data } in place: a line for each skeleton
 * pair whose two keypoints score above `threshold`, then a dot on each such keypoint (left side
 * orange, right side cyan, the face yellow). `scale` maps keypoint pixels to the image (when it
 * shows the crop enlarged), `offset` { x, y } is subtracted first.
 */
export function drawPose(image, keypoints, { threshold = 0.3, scale = 1, offset = { x: 0, y: 0 }, radius = 4, lineWidth = 3 } = {}) {
  const point = (k) => [(keypoints[k].px - offset.x) * scale, (keypoints[k].py - offset.y) * scale];
  const color = (k) => (k <= 4 ? [255, 220, 40] : k % 2 ? [255, 140, 30] : [40, 210, 255]);
  for (const [a, b] of SKELETON) {
    if (keypoints[a].score > threshold && keypoints[b].score > threshold) {
      drawLine(image, point(a), point(b), [230, 40, 120], lineWidth);
    }
  }
  for (let k = 0; k < keypoints.length; k++) {
    if (keypoints[k].score > threshold) {
      const [cx, cy] = point(k);
      fillCircle(image, cx, cy, radius + 1, [0, 0, 0]);
      fillCircle(image, cx, cy, radius, color(k));
    }
  }
}

/** Enlarges (or shrinks) a region of an RGBA image by nearest-neighbour sampling into a new RGBA image. */
export function scaleRegion(image, { x, y, width, height }, scale) {
  const out = { width: Math.round(width * scale), height: Math.round(height * scale) };
  out.data = new Uint8Array(out.width * out.height * 4);
  for (let oy = 0; oy < out.height; oy++) {
    const iy = Math.min(image.height - 1, y + Math.floor(oy / scale));
    for (let ox = 0; ox < out.width; ox++) {
      const ix = Math.min(image.width - 1, x + Math.floor(ox / scale));
      const from = (iy * image.width + ix) * 4, to = (oy * out.width + ox) * 4;
      for (let c = 0; c < 4; c++) out.data[to + c] = image.data[from + c];
    }
  }
  return out;
}

function setPixel(image, x, y, [r, g, b]) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  const at = (y * image.width + x) * 4;
  image.data[at] = r;
  image.data[at + 1] = g;
  image.data[at + 2] = b;
  image.data[at + 3] = 255;
}

function fillCircle(image, cx, cy, radius, color) {
  for (let y = Math.floor(cy - radius); y <= Math.ceil(cy + radius); y++) {
    for (let x = Math.floor(cx - radius); x <= Math.ceil(cx + radius); x++) {
      if ((x - cx) ** 2 + (y - cy) ** 2 <= radius * radius) setPixel(image, x, y, color);
    }
  }
}

/** A line `width` pixels thick: discs stepped along it half a pixel apart. */
function drawLine(image, [x0, y0], [x1, y1], color, width) {
  const steps = Math.max(1, Math.ceil(2 * Math.hypot(x1 - x0, y1 - y0)));
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    fillCircle(image, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, width / 2, color);
  }
}
