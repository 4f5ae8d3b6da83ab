/**
 * Where winograd.ts's 4x4 output tiles lie over a batch, and the byte offsets of each tile's taps
 * and outputs. One call is planned at a time (module state: kernels run on one thread).
 */

/** The offset of a tap outside the image (read as zero) or of an output past its edge (not written). */
export const NONE: u32 = 0xffffffff;

// The mosaic of the current call (plan): the batch's images as cells of a gridH x gridW grid,
// each cellH x cellW virtual output pixels, cut into tilesAcross x ... tiles of 4x4.
let images = 0, gridH = 0, gridW = 0, cellH = 0, cellW = 0, alignedH = true, alignedW = true, tilesAcross = 0;

/**
 * Lays the batch out for tiling and returns the tile count. Per image (gridW 1), each image's
 * outputs padded to whole tiles (cells of 4 * ceil(out / 4): 13 rows cost 16). Or a mosaic:
 * images side by side in a near-square grid, and along an axis either whole-tile cells (aligned)
 * or cells of S = max(out, in, in + pad, out + 2 - pad) pixels that tiles straddle. Such an S
 * leaves every tap a convolution must see as zero inside its own cell (S >= in + pad: the
 * cell above ends in zeros where its top padding is read; S >= out + 2 - pad: the bottom
 * padding stays inside the cell), so a tile over two cells reads each image's own pixels.
 * The input gradient of a 'valid' 3x3 convolution (out 13 from in 11, pad 2) then tiles 13 x 13
 * cells with no padding at all: 676 tiles for the MNIST CNN's batch of 64 instead of 1024.
 */
export function plan(batch: i32, inH: i32, inW: i32, outH: i32, outW: i32, padT: i32, padL: i32): i32 {
  const aH = (outH + 3) & ~3, aW = (outW + 3) & ~3;
  const perImage = batch * (aH >> 2) * (aW >> 2);
  let g = 1;
  while (g * g < batch) g++;
  const gH = (batch + g - 1) / g;
  const mH = max(max(outH, inH), max(inH + padT, outH + 2 - padT)), mW = max(max(outW, inW), max(inW + padL, outW + 2 - padL));
  const rowsA = gH * (aH >> 2), rowsM = (gH * mH + 3) >> 2, colsA = g * (aW >> 2), colsM = (g * mW + 3) >> 2;
  const mosaic = min(rowsA, rowsM) * min(colsA, colsM);
  images = batch;
  if (mosaic < perImage) {
    gridH = gH; gridW = g;
    alignedH = rowsA <= rowsM; cellH = alignedH ? aH : mH;
    alignedW = colsA <= colsM; cellW = alignedW ? aW : mW;
    tilesAcross = min(colsA, colsM);
    return mosaic;
  }
  gridH = batch; gridW = 1; alignedH = alignedW = true; cellH = aH; cellW = aW; tilesAcross = aW >> 2;
  return perImage;
}

/** The cell of virtual coordinate v in a tile starting at `start` (an aligned axis: the tile's own cell). */
// @ts-ignore: decorator
@inline function cell_of(v: i32, start: i32, size: i32, aligned: bool): i32 {
  const at = aligned ? start : v;
  return at >= 0 ? at / size : -((size - 1 - at) / size);
}

/**
 * Byte offsets of tile t's taps into x (36, rows of 6: the patch at (y0, x0) virtual, read over
 * an image of inH x inW x channels) at `at`, NONE outside an image; with `outputs`, the 16
 * outputs of the tile itself (y0, x0 its corner) into an outH x outW image.
 */
export function tile_offsets(t: i32, inH: i32, inW: i32, channels: i32, padT: i32, padL: i32, outputs: bool, at: usize): void {
  const r0 = (t / tilesAcross) << 2, c0 = (t % tilesAcross) << 2;
  const n = outputs ? 4 : 6;
  const y0 = outputs ? r0 : r0 - padT, x0 = outputs ? c0 : c0 - padL;
  for (let i = 0; i < n; i++) {
    const cy = cell_of(y0 + i, r0, cellH, alignedH), ly = y0 + i - cy * cellH;
    for (let j = 0; j < n; j++) {
      const cx = cell_of(x0 + j, c0, cellW, alignedW), lx = x0 + j - cx * cellW;
      const image = cy * gridW + cx;
      const inside = cy >= 0 && cy < gridH && cx >= 0 && cx < gridW && image < images && ly >= 0 && ly < inH &&
        lx >= 0 && lx < inW;
      store<u32>(at + (<usize>(i * n + j) << 2), inside ? <u32>(((image * inH + ly) * inW + lx) * channels) << 2 : NONE);
    }
  }
}
