/**
 * Showing a grid of digit images with their predicted labels: as block art in a terminal,
 * and as an RGB image (see canvas.mjs) with a green (right) or red (wrong) frame and the
 * predicted and true labels written under each digit.
 */
import { Canvas, textWidth } from './canvas.mjs';

export const GREEN = [60, 200, 100];
export const RED = [235, 70, 60];
const BACKGROUND = [24, 24, 28];
const TEXT = [230, 230, 230];
const DIM = [150, 150, 160];

// A character cell is about twice as tall as it is wide, so one cell shows two square
// "pixels" stacked: the upper half block, the lower one, both, or neither.
const HALF_BLOCKS = [' ', '▄', '▀', '█']; // index: (top << 1) | bottom

/**
 * One image (rows x cols, values 0..1) as lines of text. The image is averaged over
 * `block` x `block` squares (2: 28x28 becomes 14x14), each square is on when its mean is at
 * least `threshold`, and each character shows two squares stacked, so 28x28 takes 14
 * characters by 7 lines.
 */
export function blockArt(values, rows, cols, block = 2, threshold = 0.3) {
  const height = Math.ceil(rows / block), width = Math.ceil(cols / block);
  const on = (sy, sx) => {
    if (sy >= height) return 0;
    let sum = 0, count = 0;
    for (let y = sy * block; y < Math.min((sy + 1) * block, rows); y++) {
      for (let x = sx * block; x < Math.min((sx + 1) * block, cols); x++) { sum += values[y * cols + x]; count++; }
    }
    return sum / count >= threshold ? 1 : 0;
  };
  const lines = [];
  for (let sy = 0; sy < height; sy += 2) {
    let line = '';
    for (let sx = 0; sx < width; sx++) line += HALF_BLOCKS[(on(sy, sx) << 1) | on(sy + 1, sx)];
    lines.push(line);
  }
  return lines;
}

/**
 * The digits side by side, `perRow` to a row, each with a caption under it: "pred 7 ✓" or
 * "pred 2 ✗ true 7". `color` wraps captions in ANSI green / red. Each column is 16
 * characters wide, so 5 columns fit in 80.
 */
export function terminalGrid({ images, rows, cols, predicted, actual, perRow = 5, color = false }) {
  const columnWidth = 16;
  const paint = (text, ok) => (color ? `\x1b[${ok ? 32 : 31}m${text}\x1b[0m` : text);
  const out = [];
  for (let first = 0; first < predicted.length; first += perRow) {
    const indices = [];
    for (let i = first; i < Math.min(first + perRow, predicted.length); i++) indices.push(i);
    const arts = indices.map((i) => blockArt(images.subarray(i * rows * cols, (i + 1) * rows * cols), rows, cols));
    for (let line = 0; line < arts[0].length; line++) {
      out.push(arts.map((art) => art[line].padEnd(columnWidth)).join('').trimEnd());
    }
    out.push(indices.map((i) => {
      const ok = predicted[i] === actual[i];
      const caption = ok ? `pred ${predicted[i]} ✓` : `pred ${predicted[i]} ✗ true ${actual[i]}`;
      return paint(caption, ok) + ' '.repeat(Math.max(0, columnWidth - caption.length));
    }).join('').trimEnd());
    out.push('');
  }
  return out;
}

/**
 * The digits on a dark canvas, scaled up, each in a frame (green right, red wrong) with
 * "PRED d" in the frame's color and "TRUE d" under it; `title` lines across the top.
 */
export function imageGrid({ images, rows, cols, predicted, actual, perRow = 5, title = [] }) {
  const scale = 4, frame = 4, margin = 16, gap = 16, textScale = 2;
  const lineHeight = 7 * textScale + 6;
  const cellWidth = cols * scale + 2 * frame;
  const cellHeight = rows * scale + 2 * frame + 6 + 2 * lineHeight;
  const titleHeight = title.length ? title.length * lineHeight + 10 : 0;
  const gridRows = Math.ceil(predicted.length / perRow);
  const gridWidth = perRow * cellWidth + (perRow - 1) * gap;
  const width = 2 * margin + Math.max(gridWidth, ...title.map((line) => textWidth(line, textScale)));
  const height = 2 * margin + titleHeight + gridRows * cellHeight + (gridRows - 1) * gap;
  const canvas = new Canvas(width, height, BACKGROUND);

  title.forEach((line, i) => canvas.drawText(margin, margin + i * lineHeight, line, textScale, i === 0 ? TEXT : DIM));
  for (let i = 0; i < predicted.length; i++) {
    const x = margin + Math.floor((width - 2 * margin - gridWidth) / 2) + (i % perRow) * (cellWidth + gap);
    const y = margin + titleHeight + Math.floor(i / perRow) * (cellHeight + gap);
    const ok = predicted[i] === actual[i];
    canvas.strokeRect(x, y, cellWidth, rows * scale + 2 * frame, frame, ok ? GREEN : RED);
    canvas.drawGray(x + frame, y + frame, images.subarray(i * rows * cols, (i + 1) * rows * cols), cols, rows, scale);
    const textTop = y + rows * scale + 2 * frame + 6;
    const pred = `PRED ${predicted[i]}`, truth = `TRUE ${actual[i]}`;
    canvas.drawText(x + Math.floor((cellWidth - textWidth(pred, textScale)) / 2), textTop, pred, textScale, ok ? GREEN : RED);
    canvas.drawText(x + Math.floor((cellWidth - textWidth(truth, textScale)) / 2), textTop + lineHeight, truth, textScale, DIM);
  }
  return canvas;
}
