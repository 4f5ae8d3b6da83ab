/**
 * Fused softmax cross-entropy cases: sparse (int32 class per row) and dense (one-hot and
 * probability rows) labels, with and without the gradient, several gradScales, over a
 * rows x cols grid of EDGE_SIZES; and hostile rows: +-1e4 logits (a confident correct row's
 * loss must come out near 0, not as the difference of two numbers near 1e4), equal logits
 * (loss log(cols)), labels in the tail, a NaN logit (NaN loss and gradient for that row only).
 */
import { assertClose, EDGE_SIZES, empty, randomArray, withKernels, upload, type KernelCase, type Tolerance } from './harness.js';
import type { Backend, TypedArray } from '../../../src/backends/backend.js';

function sparseLabels(rows: number, cols: number, seed: number): Int32Array {
  return Int32Array.from(randomArray(rows, seed, 0, cols), (v) => Math.min(Math.floor(v), cols - 1));
}

function oneHot(labels: Int32Array, cols: number): Float32Array {
  const y = new Float32Array(labels.length * cols);
  labels.forEach((c, r) => { y[r * cols + c] = 1; });
  return y;
}

/** Rows of positive values normalized to sum 1 (in float64, then rounded). */
function probabilityRows(rows: number, cols: number, seed: number): Float32Array {
  const y = randomArray(rows * cols, seed, 0, 1);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += y[r * cols + j];
    for (let j = 0; j < cols; j++) y[r * cols + j] /= s;
  }
  return y;
}

/** Loss and gradient tolerance: the loss scales with the logits' magnitude. */
function tolerance(scale: number): Tolerance {
  return { atol: Math.max(1e-5, scale * 2e-7), rtol: 1e-4 };
}

/**
 * Run on both backends and compare the loss (lossTol) and the gradient (gradTol, in units of
 * |gradScale|) separately: the loss scales with the logits, the gradient with gradScale only.
 */
async function compareXent(label: string, backend: Backend, reference: Backend, logits: Float32Array,
  labels: Float32Array | Int32Array, rows: number, cols: number, withGrad: boolean, gradScale: number,
  lossTol: Tolerance, kernelView: Backend = backend): Promise<void> {
  const sparse = labels instanceof Int32Array;
  const results: TypedArray[][] = [];
  for (const b of [withKernels(backend), withKernels(reference)]) {
    const x = upload(b, logits);
    const y = upload(b, labels);
    const loss = empty(b, rows);
    const grad = withGrad ? empty(b, rows * cols) : null;
    // kernelView: the backend under test seen with other settings (below); it only runs the kernel.
    (b === backend ? withKernels(kernelView) : b).softmaxCrossEntropy({ logits: x, labels: y, sparse, loss, grad, rows, cols, gradScale });
    results.push([await b.read(loss), ...(grad ? [await b.read(grad)] : [])]);
    for (const s of [x, y, loss, ...(grad ? [grad] : [])]) b.free(s);
  }
  assertClose(`${label} loss`, results[0][0], results[1][0], lossTol);
  if (withGrad) {
    assertClose(`${label} grad`, results[0][1], results[1][1], { atol: 1e-6 * Math.abs(gradScale), rtol: 1e-4 });
  }
}

export const cases: KernelCase[] = [];

const GRID: [number, number][] = [1, 3, 33].flatMap((rows) => EDGE_SIZES.map((cols) => [rows, cols] as [number, number]));

for (const kind of ['sparse', 'one-hot', 'probabilities'] as const) {
  for (const withGrad of [true, false]) {
    cases.push({
      name: `softmaxCrossEntropy ${kind} labels${withGrad ? ' + grad' : ''} rows 1,3,33 x cols ${EDGE_SIZES.join(',')}`,
      run: async (backend, reference) => {
        for (const [rows, cols] of GRID) {
          const seed = rows * 997 + cols;
          const logits = randomArray(rows * cols, seed, -6, 6);
          const classes = sparseLabels(rows, cols, seed + 1);
          const labels = kind === 'sparse' ? classes : kind === 'one-hot' ? oneHot(classes, cols) : probabilityRows(rows, cols, seed + 2);
          await compareXent(`xent ${kind} ${rows}x${cols}`, backend, reference, logits, labels, rows, cols,
            withGrad, 1 / rows, tolerance(6));
        }
      },
    });
  }
}

cases.push({
  name: 'softmaxCrossEntropy gradScale 1, 0.25, -2 (sparse and dense) 7x33',
  run: async (backend, reference) => {
    const rows = 7, cols = 33;
    const logits = randomArray(rows * cols, 5, -3, 3);
    const classes = sparseLabels(rows, cols, 6);
    for (const gradScale of [1, 0.25, -2]) {
      await compareXent(`xent sparse scale ${gradScale}`, backend, reference, logits, classes, rows, cols, true, gradScale, tolerance(3));
      await compareXent(`xent dense scale ${gradScale}`, backend, reference, logits, probabilityRows(rows, cols, 7), rows, cols, true, gradScale, tolerance(3));
    }
  },
});

cases.push({
  name: 'softmaxCrossEntropy +-1e4 logits, 257x257 and 33x7 (sparse and probabilities)',
  run: async (backend, reference) => {
    for (const [rows, cols] of [[257, 257], [33, 7]]) {
      const logits = randomArray(rows * cols, rows + cols, -1e4, 1e4);
      await compareXent(`xent sparse +-1e4 ${rows}x${cols}`, backend, reference, logits,
        sparseLabels(rows, cols, 3), rows, cols, true, 1 / rows, tolerance(1e4));
      await compareXent(`xent probabilities +-1e4 ${rows}x${cols}`, backend, reference, logits,
        probabilityRows(rows, cols, 4), rows, cols, true, 1 / rows, tolerance(1e4));
    }
  },
});

/**
 * Hostile rows with their label (class index): each row is one situation.
 * Returns logits and classes for `cols` columns.
 */
function hostile(cols: number): { logits: Float32Array; classes: Int32Array; rows: number } {
  const ramp = Array.from({ length: cols }, (_, j) => Math.cos(j * 0.9) * 2);
  const last = cols - 1;
  const rows: [number[], number][] = [
    [ramp.map((v, j) => (j === last ? 1e4 : 1e4 - 50 - j)), last],       // confident and right: loss ~ 0
    [ramp.map((v, j) => (j === 0 ? 1e4 : -1e4)), last],                  // confident and wrong: loss 2e4
    [ramp.map((v, j) => (j === last ? 1e4 : 1e4 - 5)), last],            // loss log(1 + (cols-1) e^-5)
    [new Array<number>(cols).fill(1e4), 0],                             // equal: loss log(cols)
    [new Array<number>(cols).fill(0), last],
    [ramp.map((v) => v - 1e4), Math.floor(cols / 2)],
    [ramp.map((v, j) => (j === 0 ? 0 : -200)), 0],                      // exps underflow
    [ramp.map((v, j) => (j === Math.floor(cols / 2) ? NaN : v)), 0],    // NaN: row NaN
    [ramp, last],
  ];
  return {
    logits: Float32Array.from(rows.flatMap(([r]) => r)),
    classes: Int32Array.from(rows.map(([, c]) => c)),
    rows: rows.length,
  };
}

cases.push({
  name: 'softmaxCrossEntropy hostile rows: confident right/wrong at 1e4, equal logits, underflow, NaN',
  run: async (backend, reference) => {
    for (const cols of [1, 2, 3, 4, 5, 8, 17, 33, 257]) {
      const { logits, classes, rows } = hostile(cols);
      for (const withGrad of [true, false]) {
        // absolute error allowed on a loss of 2e4 comes from rtol; near-0 losses need atol small.
        await compareXent(`xent hostile sparse cols=${cols}`, backend, reference, logits, classes, rows, cols,
          withGrad, 0.5, { atol: 1e-5, rtol: 1e-4 });
        await compareXent(`xent hostile one-hot cols=${cols}`, backend, reference, logits, oneHot(classes, cols),
          rows, cols, withGrad, 0.5, { atol: 1e-5, rtol: 1e-4 });
      }
    }
  },
});

/**
 * The webgpu backend gives wide rows a 4-invocation workgroup on a CPU adapter, 64 or 256 on a
 * GPU: run the other layout too, through a view of the backend whose cpuAdapter is flipped
 * (it only launches the kernel), so both are checked on whatever adapter the machine has.
 */
cases.push({
  name: 'softmaxCrossEntropy wide-row layouts (webgpu: CPU-adapter and GPU workgroups) 3x65, 2x1000, 2x1027 (sparse and probabilities)',
  run: async (backend, reference) => {
    const cpu = (backend as { cpuAdapter?: boolean }).cpuAdapter;
    const views = cpu === undefined ? [backend]
      : [backend, Object.create(backend, { cpuAdapter: { value: !cpu } }) as Backend];
    for (const view of views) {
      for (const [rows, cols] of [[3, 65], [2, 1000], [2, 1027]]) {
        const logits = randomArray(rows * cols, rows * 11 + cols, -9, 9);
        const label = `softmaxCrossEntropy ${rows}x${cols} cpuAdapter=${(view as { cpuAdapter?: boolean }).cpuAdapter}`;
        await compareXent(`${label} sparse`, backend, reference, logits, sparseLabels(rows, cols, cols), rows, cols, true, 0.5,
          tolerance(9), view);
        await compareXent(`${label} probabilities`, backend, reference, logits, probabilityRows(rows, cols, cols + 1), rows, cols,
          true, 1, tolerance(9), view);
      }
    }
  },
});
