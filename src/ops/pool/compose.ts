/**
 * Pooling written with other ops, for any number of spatial axes: the fallback of the 2-D
 * pools on a backend without the `pool2d` kernels, and the only path of the 3-D pools. The
 * input is [batch, ...spatial, channels]; each tap of the window is one strided slice of the
 * padded input, and the taps are combined in row-major window order:
 *  - 'max': padding is -Infinity, so it never wins; a window with no pixel inside is -Infinity;
 *  - 'avg': padding is 0 and the sum is divided by the count of pixels inside (TF.js's avgPool
 *    excludes padding), 0 / 0 = NaN for a window with none;
 *  - the backward of 'max' routes dy to the first tap (row-major) equal to the window's max,
 *    as the reference kernel and TF.js's maxPoolGrad; 'avg' spreads dy / count over the taps.
 * Every result matches the reference kernels (src/backends/reference/pool.ts) bit for bit in
 * 'max' and to float32 rounding in 'avg' (the kernel sums in float64).
 */
import type { Tensor } from '../../core/tensor.js';
import { tensor } from '../creation.js';
import { add, div, equal, logicalAnd, logicalNot, logicalOr, maximum, where } from '../math/binary.js';
import { pad, stridedSlice } from '../structure/rearrange.js';
import { reshape, slice } from '../structure/shape.js';

/** One spatial axis of a pooling window. */
export interface PoolAxis {
  size: number;
  out: number;
  filter: number;
  stride: number;
  dilation: number;
  /** Padding before the first pixel (the rest of the padding is implied by out). */
  before: number;
}
export type PoolKind = 'max' | 'avg';

/** The padded extent a composition works in: every tap's strided slice and the image fit. */
function paddedSize(a: PoolAxis): number {
  return Math.max((a.filter - 1) * a.dilation + (a.out - 1) * a.stride + 1, a.before + a.size);
}

/** The taps of the window, row-major: one start offset per axis (in padded coordinates). */
function taps(axes: readonly PoolAxis[]): number[][] {
  let all: number[][] = [[]];
  for (const a of axes) {
    all = all.flatMap((prefix) => Array.from({ length: a.filter }, (_, f) => [...prefix, f * a.dilation]));
  }
  return all;
}

function paddedInput(x: Tensor, axes: readonly PoolAxis[], value: number): Tensor {
  return pad(x, [[0, 0], ...axes.map((a): [number, number] => [a.before, paddedSize(a) - a.before - a.size]), [0, 0]], value);
}

/** The tap starting at `start` (padded coordinates): [batch, ...out, channels]. */
function tapOf(padded: Tensor, axes: readonly PoolAxis[], start: number[]): Tensor {
  const [batch, channels] = [padded.shape[0], padded.shape[padded.rank - 1]];
  return stridedSlice(padded, [0, ...start, 0],
    [batch, ...axes.map((a, i) => start[i] + (a.out - 1) * a.stride + 1), channels], [1, ...axes.map((a) => a.stride), 1]);
}

/** The count of in-image pixels of each window, [1, ...out, 1] float32. */
function counts(axes: readonly PoolAxis[]): Tensor {
  let values = [1];
  for (const a of axes) {
    const along = Array.from({ length: a.out }, (_, o) => {
      let n = 0;
      for (let f = 0; f < a.filter; f++) {
        const i = o * a.stride - a.before + f * a.dilation;
        if (i >= 0 && i < a.size) n++;
      }
      return n;
    });
    values = values.flatMap((v) => along.map((n) => v * n));
  }
  return tensor(values, [1, ...axes.map((a) => a.out), 1], 'float32');
}

/** The pooled x (float32 [batch, ...spatial, channels]): [batch, ...out, channels]. */
export function composePool(x: Tensor, axes: readonly PoolAxis[], kind: PoolKind): Tensor {
  const padded = paddedInput(x, axes, kind === 'max' ? -Infinity : 0);
  let result: Tensor | null = null;
  for (const start of taps(axes)) {
    const tap = tapOf(padded, axes, start);
    result = result === null ? tap : kind === 'max' ? maximum(result, tap) : add(result, tap);
  }
  return kind === 'max' ? result! : div(result!, counts(axes));
}

/**
 * t [batch, ...out, channels] placed at padded coordinates start + o * stride of zeros
 * [batch, ...padded, channels]: interleave stride - 1 zeros after each element (reshape, pad,
 * reshape), then shift by start.
 */
function placeTap(t: Tensor, axes: readonly PoolAxis[], start: number[]): Tensor {
  const [batch, channels] = [t.shape[0], t.shape[t.rank - 1]];
  const split = reshape(t, [batch, ...axes.flatMap((a) => [a.out, 1]), channels]);
  const spread = pad(split, [[0, 0], ...axes.flatMap((a): [number, number][] => [[0, 0], [0, a.stride - 1]]), [0, 0]]);
  const flat = reshape(spread, [batch, ...axes.map((a) => a.out * a.stride), channels]);
  const kept = slice(flat, new Array<number>(t.rank).fill(0), [batch, ...axes.map((a) => (a.out - 1) * a.stride + 1), channels]);
  return pad(kept, [[0, 0], ...axes.map((a, i): [number, number] =>
    [start[i], paddedSize(a) - start[i] - ((a.out - 1) * a.stride + 1)]), [0, 0]]);
}

/** dx of the pool (x's shape) from dy ([batch, ...out, channels]). */
export function composePoolBackward(dy: Tensor, x: Tensor, axes: readonly PoolAxis[], kind: PoolKind): Tensor {
  const contributions: Tensor[] = [];
  if (kind === 'avg') {
    const share = div(dy, counts(axes));
    for (const start of taps(axes)) contributions.push(placeTap(share, axes, start));
  } else {
    const padded = paddedInput(x, axes, -Infinity);
    const y = composePool(x, axes, 'max');
    const yIsNaN = logicalNot(equal(y, y));
    let taken: Tensor | null = null;
    for (const start of taps(axes)) {
      const tap = tapOf(padded, axes, start);
      // A NaN max is held by the first NaN tap (the kernels' rule).
      const holds = logicalOr(equal(tap, y), logicalAnd(yIsNaN, logicalNot(equal(tap, tap))));
      const first = taken === null ? holds : logicalAnd(holds, logicalNot(taken));
      taken = taken === null ? holds : logicalOr(taken, holds);
      contributions.push(placeTap(where(first, dy, 0), axes, start));
    }
  }
  let sum = contributions[0];
  for (let i = 1; i < contributions.length; i++) sum = add(sum, contributions[i]);
  return slice(sum, [0, ...axes.map((a) => a.before), 0], x.shape.slice());
}
