/**
 * What compile() resolves: the optimizer, one loss per output (a name, a {name, fromLogits}
 * object or a function; given once, as a list or as a dict by output name), loss weights,
 * metrics per output, and the log keys as TF.js names them ('loss', 'cls_loss', 'cls_acc',
 * ... with the output prefixes only when the model has several outputs).
 */
import type { Tensor } from '../core/tensor.js';
import { getLoss, type Loss, type LossName } from '../training/losses.js';
import { metrics, resolveMetric, type Metric } from '../training/metrics.js';
import * as ops from '../ops/index.js';
import { getOptimizer, type Optimizer } from '../training/optimizers/fused.js';
import type { SymbolicShape } from '../layers/graph.js';
import { ownEntry } from '../core/lookup.js';

export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;
export type LossIdentifier = LossName | string | { name: LossName | string; fromLogits?: boolean } | LossFunction;
export type MetricIdentifier = string | ((yTrue: Tensor, yPred: Tensor) => Tensor);

/** The options of LayersModel.compile (TF.js's ModelCompileArgs): optimizer and loss are required. */
export interface CompileArgs {
  /**
   * An Optimizer (sora.train.adam(...)) or a name ('sgd', 'adam', 'rmsprop', 'adagrad', 'adadelta', 'adamax')
   * with Keras's defaults; required.
   */
  optimizer: string | Optimizer;
  /**
   * A loss by name ('categoricalCrossentropy', 'meanSquaredError', ...) or function, one per output, or a
   * dict by output name; required.
   */
  loss: LossIdentifier | LossIdentifier[] | Record<string, LossIdentifier>;
  /**
   * Metrics to report in fit and evaluate logs ('accuracy', 'mse', functions...), per output or one list for
   * all; default none.
   */
  metrics?: MetricIdentifier | MetricIdentifier[] | Record<string, MetricIdentifier | MetricIdentifier[]>;
  /** Weights of each output's loss in the total; default 1 for every output. */
  lossWeights?: number[] | Record<string, number>;
}

export interface OutputLoss {
  /** The saved name ('categoricalCrossentropy' or the function's name). */
  id: string;
  /** A built-in loss (label checks, the softmax fusion), or null for a function. */
  builtin: Loss | null;
  compute: LossFunction;
  fromLogits: boolean;
  weight: number;
  /** The same loss on logits (the softmax fusion), made on first use. */
  onLogits?: Loss;
}

export interface Compiled {
  optimizer: Optimizer;
  losses: OutputLoss[];
  metrics: Metric[][];
  /** Log keys: 'loss', per-output losses (several outputs), then metrics per output. */
  keys: string[];
  /** For model.json's trainingConfig. */
  config: { loss: unknown; metrics: unknown; lossWeights: unknown };
}

function perOutput<T>(what: string, value: T | T[] | Record<string, T>, names: string[], fallback: T | undefined,
  isSingle: (v: unknown) => boolean): T[] {
  if (Array.isArray(value) && !isSingle(value)) {
    if (value.length !== names.length) {
      throw new Error(`compile: ${what} is a list of ${value.length}, but the model has ${names.length} output(s) ` +
        `(${names.join(', ')}); give one per output, or a dict by output name`);
    }
    return value;
  }
  if (value !== null && typeof value === 'object' && !isSingle(value)) {
    const dict = value as Record<string, T>;
    for (const key of Object.keys(dict)) {
      if (!names.includes(key)) throw new Error(`compile: unknown output '${key}' in the ${what} dict; the outputs are ${names.join(', ')}`);
    }
    return names.map((n) => {
      const given = ownEntry(dict, n); // an output named 'constructor' is not Object's
      if (given === undefined && fallback === undefined) {
        throw new Error(`compile: output '${n}' is missing from the ${what} dict`);
      }
      return given ?? fallback!;
    });
  }
  return names.map(() => value as T);
}

const isLossSingle = (v: unknown) => typeof v === 'string' || typeof v === 'function' ||
  (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { name?: unknown }).name === 'string' &&
    Object.keys(v).every((k) => k === 'name' || k === 'fromLogits'));

/** Loss names compile takes beyond the four built-in losses (tf.metrics functions of the same name). */
const EXAMPLE_LOSSES = ['meanAbsoluteError', 'mae', 'MAE', 'meanAbsolutePercentageError', 'mape', 'MAPE', 'cosineProximity'];

function resolveLoss(id: LossIdentifier, weight: number): OutputLoss {
  if (typeof id === 'function') {
    return { id: id.name || 'custom', builtin: null, compute: id, fromLogits: false, weight };
  }
  const spec = typeof id === 'object' && id !== null ? id : { name: id };
  const perExample = typeof spec.name === 'string' && EXAMPLE_LOSSES.includes(spec.name)
    ? metrics[spec.name as keyof typeof metrics] as LossFunction : null;
  if (perExample) {
    // TF.js's losses that are per-example metrics too: their batch mean.
    return { id: spec.name, builtin: null, compute: (t, p) => ops.mean(perExample(t, p)), fromLogits: false, weight };
  }
  const loss = getLoss(spec.name, { fromLogits: spec.fromLogits });
  return { id: loss.name, builtin: loss, compute: (t, p) => loss.compute(t, p), fromLogits: loss.fromLogits, weight };
}

function resolveOneMetric(id: MetricIdentifier, loss: OutputLoss, shape: SymbolicShape): Metric {
  if (typeof id === 'function') {
    const key = id.name || 'metric';
    return { key, compute: (t, p) => id(t, p) };
  }
  // 'accuracy' as TF.js resolves it: binary for one unit or a binary loss, sparse for the sparse loss.
  const last = shape[shape.length - 1];
  const name = loss.builtin?.name;
  const basis: LossName = last === 1 || name === 'binaryCrossentropy' ? 'binaryCrossentropy'
    : name === 'sparseCategoricalCrossentropy' ? 'sparseCategoricalCrossentropy' : 'categoricalCrossentropy';
  return resolveMetric(id, getLoss(basis, { fromLogits: loss.fromLogits }));
}

/** As TF.js's collectMetrics: a list applies to every output, a dict maps output names. */
function collectMetrics(metrics: CompileArgs['metrics'], names: string[]): MetricIdentifier[][] {
  if (metrics === undefined || metrics === null) return names.map(() => []);
  if (typeof metrics === 'string' || typeof metrics === 'function') return names.map(() => [metrics]);
  if (Array.isArray(metrics)) return names.map(() => metrics.slice());
  if (typeof metrics !== 'object') throw new Error(`compile: metrics must be a list, a dict by output name or a name; received ${typeof metrics}`);
  for (const key of Object.keys(metrics)) {
    if (!names.includes(key)) throw new Error(`compile: unknown output '${key}' in the metrics dict; the outputs are ${names.join(', ')}`);
  }
  return names.map((n) => {
    const m = metrics[n];
    return m === undefined ? [] : Array.isArray(m) ? m.slice() : [m];
  });
}

export function resolveCompile(args: CompileArgs, outputNames: string[], outputShapes: SymbolicShape[]): Compiled {
  if (!args || typeof args !== 'object') throw new Error('compile: expected { optimizer, loss, metrics? }');
  if (args.loss === undefined || args.loss === null) throw new Error('compile: a loss is required, e.g. loss: \'meanSquaredError\'');
  const weights = args.lossWeights === undefined ? outputNames.map(() => 1)
    : perOutput('lossWeights', args.lossWeights, outputNames, 1, (v) => typeof v === 'number');
  weights.forEach((w, i) => {
    if (!Number.isFinite(w)) throw new Error(`compile: lossWeights for output '${outputNames[i]}' must be a number; received ${w}`);
  });
  const lossIds = perOutput('loss', args.loss, outputNames, undefined, isLossSingle);
  const losses = lossIds.map((id, i) => resolveLoss(id, weights[i]));
  const metricIds = collectMetrics(args.metrics, outputNames);
  const metrics = metricIds.map((ids, i) => ids.map((id) => resolveOneMetric(id, losses[i], outputShapes[i])));
  const multi = outputNames.length > 1;
  const keys = ['loss', ...(multi ? outputNames.map((n) => `${n}_loss`) : []),
    ...metrics.flatMap((list, i) => list.map((m) => (multi ? `${outputNames[i]}_${m.key}` : m.key)))];
  const optimizer = getOptimizer(args.optimizer);
  const lossConfig = typeof args.loss === 'object' && !Array.isArray(args.loss) && !isLossSingle(args.loss)
    ? Object.fromEntries(outputNames.map((n, i) => [n, losses[i].id])) : multi ? losses.map((l) => l.id) : losses[0].id;
  const metricsConfig = metrics.flatMap((list) => list.map((m) => m.key));
  return { optimizer, losses, metrics, keys, config: { loss: lossConfig, metrics: metricsConfig, lossWeights: args.lossWeights ?? null } };
}
