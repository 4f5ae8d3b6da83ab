/**
 * The draw-a-digit canvas (mouse, pen and touch through pointer events) and the step that
 * turns a drawing into MNIST's input: MNIST's digits were scaled so their bounding box fits
 * 20x20 pixels (keeping the aspect ratio) and then placed in a 28x28 image so that their
 * centre of mass is at the centre. `toMnistInput` does the same to the drawing.
 */

/**
 * Makes `canvas` drawable: white strokes on black. `onChange` runs after each stroke segment
 * (at most once per animation frame) and on clear. Returns { clear, isEmpty }.
 */
export function drawingPad(canvas, onChange) {
  // toMnistInput reads this canvas back after every stroke: tell Canvas2D so up front (without
  // it Chrome warns on the console and keeps the pixels on the GPU, making each read slow).
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let last = null, empty = true, scheduled = false;
  const clear = () => {
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
    empty = true;
    onChange();
  };
  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
  };
  const changed = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; onChange(); });
  };
  const stroke = (to) => {
    context.strokeStyle = '#fff';
    context.lineWidth = canvas.width / 14;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(...(last ?? to));
    context.lineTo(...to);
    context.stroke();
    last = to;
    empty = false;
    changed();
  };
  canvas.addEventListener('pointerdown', (event) => {
    canvas.setPointerCapture?.(event.pointerId);
    last = null;
    stroke(point(event));
    event.preventDefault();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (last === null) return;
    stroke(point(event));
    event.preventDefault();
  });
  const end = () => { last = null; };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  canvas.addEventListener('pointerleave', end);
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvas.width, canvas.height);
  return { clear, isEmpty: () => empty };
}

/**
 * The drawing as 784 values in [0, 1], MNIST-style: cropped to the ink's bounding box,
 * scaled to fit 20x20, pasted in 28x28 and shifted so the centre of mass is at (14, 14).
 * Returns null when there is no ink.
 */
export function toMnistInput(canvas) {
  const { width, height } = canvas;
  const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let top = height, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pixels[(y * width + x) * 4] > 32) {
        if (y < top) top = y;
        if (y > bottom) bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (bottom < 0) return null;
  const boxWidth = right - left + 1, boxHeight = bottom - top + 1;
  const scale = 20 / Math.max(boxWidth, boxHeight);
  const fitWidth = Math.max(1, Math.round(boxWidth * scale)), fitHeight = Math.max(1, Math.round(boxHeight * scale));
  // Downscale in steps of at most 2x so the browser's bilinear filter averages the strokes.
  let source = canvas, sx = left, sy = top, sw = boxWidth, sh = boxHeight;
  while (sw / 2 > fitWidth && sh / 2 > fitHeight) {
    const half = new OffscreenCanvas(Math.ceil(sw / 2), Math.ceil(sh / 2));
    half.getContext('2d').drawImage(source, sx, sy, sw, sh, 0, 0, half.width, half.height);
    source = half; sx = 0; sy = 0; sw = half.width; sh = half.height;
  }
  const small = new OffscreenCanvas(28, 28);
  const smallContext = small.getContext('2d', { willReadFrequently: true });
  smallContext.fillStyle = '#000';
  smallContext.fillRect(0, 0, 28, 28);
  smallContext.drawImage(source, sx, sy, sw, sh, Math.floor((28 - fitWidth) / 2), Math.floor((28 - fitHeight) / 2), fitWidth, fitHeight);
  const boxed = smallContext.getImageData(0, 0, 28, 28).data;
  const values = new Float32Array(784);
  let mass = 0, cx = 0, cy = 0;
  for (let i = 0; i < 784; i++) {
    const v = boxed[i * 4] / 255;
    values[i] = v;
    mass += v;
    cx += v * (i % 28);
    cy += v * Math.floor(i / 28);
  }
  const shiftX = Math.round(13.5 - cx / mass), shiftY = Math.round(13.5 - cy / mass);
  const centred = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const fromX = x - shiftX, fromY = y - shiftY;
      if (fromX >= 0 && fromX < 28 && fromY >= 0 && fromY < 28) centred[y * 28 + x] = values[fromY * 28 + fromX];
    }
  }
  return centred;
}

/** Paints 784 values in [0, 1] as a grey 28x28 image, scaled to fill `canvas`. */
export function paintDigit(canvas, values) {
  const image = new ImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
    image.data.set([v, v, v, 255], i * 4);
  }
  const context = canvas.getContext('2d');
  if (canvas.width === 28 && canvas.height === 28) { context.putImageData(image, 0, 0); return; }
  const tile = new OffscreenCanvas(28, 28);
  tile.getContext('2d').putImageData(image, 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(tile, 0, 0, canvas.width, canvas.height);
}
