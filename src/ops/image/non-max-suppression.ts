/**
 * tf.image.nonMaxSuppression and its variants (WithScore: soft-NMS; Padded), each sync and
 * Async. The selection is a greedy walk over boxes by score, which needs the values on the
 * CPU: the sync forms read them synchronously (backends that can: reference, wasm; the
 * error says to use the Async form elsewhere), the Async forms with `data()`, as TF.js.
 *
 * The walk (TF's NonMaxSuppressionV5 rules): candidates are the boxes scoring above
 * scoreThreshold, best score first (ties: lower index first). A candidate overlapping a
 * selected box with IoU >= iouThreshold is dropped; with softNmsSigma > 0, each selected
 * box it overlaps less scales its score by exp(-0.5 iou^2 / sigma), and a candidate whose
 * score dropped goes back in line (if still above the threshold) to be compared with the
 * boxes selected since.
 */
import { Tensor } from '../../core/tensor.js';
import { withInputs, withInputsAsync, type Input } from '../inputs.js';
import { scalar, tensor } from '../creation.js';
import { checkTensor, describe, refuseComplex } from '../util.js';

interface Options { maxOutputSize: number; iouThreshold: number; scoreThreshold: number; softNmsSigma: number }

function check(op: string, boxes: Tensor, scores: Tensor, maxOutputSize: number, iouThreshold: number,
  scoreThreshold: number, softNmsSigma: number): Options {
  checkTensor(op, 'boxes', boxes);
  checkTensor(op, 'scores', scores);
  refuseComplex(op, 'boxes', boxes);
  refuseComplex(op, 'scores', scores);
  if (boxes.rank !== 2 || boxes.shape[1] !== 4) throw new Error(`${op}: boxes must have shape [numBoxes, 4]; received ${describe(boxes)}`);
  if (scores.rank !== 1 || scores.shape[0] !== boxes.shape[0]) {
    throw new Error(`${op}: scores must have shape [${boxes.shape[0]}]; received ${describe(scores)}`);
  }
  if (!Number.isInteger(maxOutputSize) || maxOutputSize < 0) throw new Error(`${op}: maxOutputSize must be a non-negative integer; received ${maxOutputSize}`);
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new Error(`${op}: iouThreshold must be in [0, 1]; received ${iouThreshold}`);
  if (!(softNmsSigma >= 0 && softNmsSigma <= 1)) throw new Error(`${op}: softNmsSigma must be in [0, 1]; received ${softNmsSigma}`);
  return { maxOutputSize: Math.min(maxOutputSize, boxes.shape[0]), iouThreshold, scoreThreshold, softNmsSigma };
}

function readSync(op: string, t: Tensor): ArrayLike<number> {
  if (!t.ref.backend.syncReadable) {
    throw new Error(`${op}: reads boxes and scores synchronously, which the '${t.ref.backend.name}' backend cannot; use ${op}Async`);
  }
  return t.dataSync();
}

function iou(boxes: ArrayLike<number>, a: number, b: number): number {
  const edges = (i: number) => [Math.min(boxes[4 * i], boxes[4 * i + 2]), Math.min(boxes[4 * i + 1], boxes[4 * i + 3]),
    Math.max(boxes[4 * i], boxes[4 * i + 2]), Math.max(boxes[4 * i + 1], boxes[4 * i + 3])];
  const [ay0, ax0, ay1, ax1] = edges(a), [by0, bx0, by1, bx1] = edges(b);
  const areaA = (ay1 - ay0) * (ax1 - ax0), areaB = (by1 - by0) * (bx1 - bx0);
  if (areaA <= 0 || areaB <= 0) return 0;
  const overlap = Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0) * Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0);
  return overlap / (areaA + areaB - overlap);
}

interface Candidate { score: number; index: number; checkedUpTo: number }

/** The greedy walk; returns the selected indices and their (soft-NMS adjusted) scores. */
function select(boxes: ArrayLike<number>, scores: ArrayLike<number>, o: Options): { indices: number[]; scores: number[] } {
  const comesFirst = (a: Candidate, b: Candidate) => a.score > b.score || (a.score === b.score && a.index < b.index);
  // A queue kept sorted best first; re-queued candidates are inserted in place.
  const queue: Candidate[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > o.scoreThreshold) queue.push({ score: scores[i], index: i, checkedUpTo: 0 });
  queue.sort((a, b) => (comesFirst(a, b) ? -1 : 1));
  const decay = o.softNmsSigma > 0 ? -0.5 / o.softNmsSigma : 0;
  const indices: number[] = [], kept: number[] = [];
  while (indices.length < o.maxOutputSize && queue.length > 0) {
    const candidate = queue.shift()!;
    const before = candidate.score;
    let dropped = false;
    for (let j = indices.length - 1; j >= candidate.checkedUpTo; j--) {
      const overlap = iou(boxes, candidate.index, indices[j]);
      if (overlap >= o.iouThreshold) { dropped = true; break; }
      candidate.score *= Math.exp(decay * overlap * overlap);
      if (candidate.score <= o.scoreThreshold) break;
    }
    candidate.checkedUpTo = indices.length;
    if (dropped) continue;
    if (candidate.score === before) {
      indices.push(candidate.index);
      kept.push(candidate.score);
    } else if (candidate.score > o.scoreThreshold) {
      let at = 0;
      while (at < queue.length && comesFirst(queue[at], candidate)) at++;
      queue.splice(at, 0, candidate);
    }
  }
  return { indices, scores: kept };
}

type Args = [boxes: Tensor, scores: Tensor, maxOutputSize: number, iouThreshold?: number, scoreThreshold?: number];

function indicesOf(result: { indices: number[] }): Tensor { return tensor(result.indices, [result.indices.length], 'int32'); }

function withScore(result: { indices: number[]; scores: number[] }): { selectedIndices: Tensor; selectedScores: Tensor } {
  return { selectedIndices: indicesOf(result), selectedScores: tensor(result.scores, [result.scores.length], 'float32') };
}

function padded(result: { indices: number[] }, size: number, pad: boolean): { selectedIndices: Tensor; validOutputs: Tensor } {
  const valid = result.indices.length;
  const list = pad ? [...result.indices, ...new Array<number>(Math.max(size - valid, 0)).fill(0)] : result.indices;
  return { selectedIndices: tensor(list, [list.length], 'int32'), validOutputs: scalar(valid, 'int32') };
}

/** tf.image.nonMaxSuppression(boxes, scores, maxOutputSize, iouThreshold = 0.5, scoreThreshold = -Infinity). */
export function nonMaxSuppression(...[boxes, scores, maxOutputSize, iouThreshold = 0.5, scoreThreshold = -Infinity]: Args): Tensor {
  if (!(boxes instanceof Tensor && scores instanceof Tensor)) {
    return withInputs('nonMaxSuppression', [['boxes', boxes, 'float32'], ['scores', scores, 'float32']], ([b, s]) => nonMaxSuppression(b, s, maxOutputSize, iouThreshold, scoreThreshold));
  }
  const o = check('nonMaxSuppression', boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, 0);
  // TF.js's synchronous nonMaxSuppression alone takes float32 only (its async and WithScore /
  // Padded forms take int32 boxes and scores); a port gets the same refusal here.
  for (const [name, t] of [['boxes', boxes], ['scores', scores]] as const) {
    if (t.dtype !== 'float32') throw new Error(`nonMaxSuppression: ${name} must be float32; received ${describe(t)}; cast it first`);
  }
  return indicesOf(select(readSync('nonMaxSuppression', boxes), readSync('nonMaxSuppression', scores), o));
}

/**
 * nonMaxSuppression as a promise (tf.image.nonMaxSuppressionAsync); iouThreshold defaults to 0.5,
 * scoreThreshold to -Infinity.
 */
export async function nonMaxSuppressionAsync(...[boxes, scores, maxOutputSize, iouThreshold = 0.5, scoreThreshold = -Infinity]: Args): Promise<Tensor> {
  if (!(boxes instanceof Tensor && scores instanceof Tensor)) {
    return withInputsAsync('nonMaxSuppressionAsync', [['boxes', boxes, 'float32'], ['scores', scores, 'float32']], ([b, s]) => nonMaxSuppressionAsync(b, s, maxOutputSize, iouThreshold, scoreThreshold));
  }
  const o = check('nonMaxSuppressionAsync', boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, 0);
  return indicesOf(select(await boxes.data(), await scores.data(), o));
}

/** tf.image.nonMaxSuppressionWithScore(..., softNmsSigma = 0): soft-NMS, with the selected boxes' scores. */
export function nonMaxSuppressionWithScore(boxes: Input, scores: Input, maxOutputSize: number, iouThreshold = 0.5,
  scoreThreshold = -Infinity, softNmsSigma = 0): { selectedIndices: Tensor; selectedScores: Tensor } {
  if (!(boxes instanceof Tensor && scores instanceof Tensor)) {
    return withInputs('nonMaxSuppressionWithScore', [['boxes', boxes, 'float32'], ['scores', scores, 'float32']],
      ([b, s]) => nonMaxSuppressionWithScore(b, s, maxOutputSize, iouThreshold, scoreThreshold, softNmsSigma));
  }
  const o = check('nonMaxSuppressionWithScore', boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, softNmsSigma);
  return withScore(select(readSync('nonMaxSuppressionWithScore', boxes), readSync('nonMaxSuppressionWithScore', scores), o));
}

/**
 * nonMaxSuppressionWithScore as a promise (tf.image.nonMaxSuppressionWithScoreAsync); iouThreshold defaults
 * to 0.5, scoreThreshold to -Infinity, softNmsSigma to 0.
 */
export async function nonMaxSuppressionWithScoreAsync(boxes: Input, scores: Input, maxOutputSize: number, iouThreshold = 0.5,
  scoreThreshold = -Infinity, softNmsSigma = 0): Promise<{ selectedIndices: Tensor; selectedScores: Tensor }> {
  if (!(boxes instanceof Tensor && scores instanceof Tensor)) {
    return withInputsAsync('nonMaxSuppressionWithScoreAsync', [['boxes', boxes, 'float32'], ['scores', scores, 'float32']],
      ([b, s]) => nonMaxSuppressionWithScoreAsync(b, s, maxOutputSize, iouThreshold, scoreThreshold, softNmsSigma));
  }
  const o = check('nonMaxSuppressionWithScoreAsync', boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, softNmsSigma);
  return withScore(select(await boxes.data(), await scores.data(), o));
}

/**
 * tf.image.nonMaxSuppressionPadded(..., padToMaxOutputSize = false): indices, zero-padded to
 * min(maxOutputSize, numBoxes) as TF.js pads, and how many are valid.
 */
export function nonMaxSuppressionPadded(boxes: Input, scores: Input, maxOutputSize: number, iouThreshold = 0.5,
  scoreThreshold = -Infinity, padToMaxOutputSize = false): { selectedIndices: Tensor; validOutputs: Tensor } {
  if (!(boxes instanceof Tensor && scores instanceof Tensor)) {
    return withInputs('nonMaxSuppressionPadded', [['boxes', boxes, 'float32'], ['scores', scores, 'float32']],
      ([b, s]) => nonMaxSuppressionPadded(b, s, maxOutputSize, iouThreshold, scoreThreshold, padToMaxOutputSize));
  }
  const o = check('nonMaxSuppressionPadded', boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, 0);
  const result = select(readSync('nonMaxSuppressionPadded', boxes), readSync('nonMaxSuppressionPadded', scores), o);
  return padded(result, o.maxOutputSize, padToMaxOutputSize);
}

/**
 * nonMaxSuppressionPadded as a promise (tf.image.nonMaxSuppressionPaddedAsync); iouThreshold defaults to 0.5,
 * scoreThreshold to -Infinity, padToMaxOutputSize to false.
 */
export async function nonMaxSuppressionPaddedAsync(boxes: Input, scores: Input, maxOutputSize: number, iouThreshold = 0.5,
  scoreThreshold = -Infinity, padToMaxOutputSize = false): Promise<{ selectedIndices: Tensor; validOutputs: Tensor }> {
  if (!(boxes instanceof Tensor && scores instanceof Tensor)) {
    return withInputsAsync('nonMaxSuppressionPaddedAsync', [['boxes', boxes, 'float32'], ['scores', scores, 'float32']],
      ([b, s]) => nonMaxSuppressionPaddedAsync(b, s, maxOutputSize, iouThreshold, scoreThreshold, padToMaxOutputSize));
  }
  const o = check('nonMaxSuppressionPaddedAsync', boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, 0);
  return padded(select(await boxes.data(), await scores.data(), o), o.maxOutputSize, padToMaxOutputSize);
}
