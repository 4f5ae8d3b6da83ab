#!/usr/bin/env node
/**
 * Where TF.js 4.22 (cpu backend, Node) throws and sora returns, and the reverse (issue 15).
 *
 * Every function name that both `@tensorflow/tfjs` and sora's dist export at the top level
 * (and in the op namespaces image, linalg, signal, spectral, math, losses) is called with a
 * battery of odd arguments: int32 / bool tensors where TF.js wants float, wrong ranks,
 * out-of-range and fractional axes, negative and fractional sizes, mismatched shapes, empty
 * tensors, bad enum strings, and so on. Each case is built afresh for each library from the
 * same plain values, so the two see the same input.
 *
 *   npx tsc -p tsconfig.json && node scripts/tfjs-throws.mjs          # the two lists
 *   node scripts/tfjs-throws.mjs --json                                # the same as JSON
 *   node scripts/tfjs-throws.mjs --op depthToSpace                     # one op, every case
 *
 * A listed case is a lead, not a verdict: TF.js throws for its own limits too (an op it has
 * only for float32, a rank it has no kernel for). tests/ops/tfjs-throws.test.ts pins the
 * cases sora now refuses as TF.js does, and says which of TF.js's throws sora keeps out of.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tf = await import('@tensorflow/tfjs');
const sora = await import(pathToFileURL(join(here, '..', 'dist', 'index.js')).href);
await tf.setBackend('cpu');
await sora.setBackend('reference');

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const only = args.includes('--op') ? args[args.indexOf('--op') + 1] : undefined;

/** Names that are not ops, or that wait, print, time, or touch global state. */
const SKIP = new Set([
  'setBackend', 'getBackend', 'ready', 'removeBackend', 'registerBackend', 'findBackend', 'findBackendFactory',
  'backend', 'engine', 'env', 'enableDebugMode', 'enableProdMode', 'disposeVariables', 'memory', 'profile',
  'time', 'tidy', 'keep', 'dispose', 'print', 'nextFrame', 'setPlatform', 'registerKernel', 'registerGradient',
  'unregisterKernel', 'unregisterGradient', 'getKernel', 'getGradient', 'getKernelsForBackend', 'deprecationWarn',
  'enableDeprecationWarnings', 'disableDeprecationWarnings', 'copyRegisteredKernels', 'loadLayersModel',
  'loadGraphModel', 'loadGraphModelSync', 'sequential', 'model', 'input', 'variable', 'grad', 'grads',
  'valueAndGrad', 'valueAndGrads', 'variableGrads', 'customGrad', 'version_core', 'fromPixels', 'fromPixelsAsync',
  'toPixels', 'draw', 'getBackend', 'setdiff1dAsync', 'whereAsync', 'booleanMaskAsync', 'io', 'browser',
]);
/** Cases where TF.js never returns: a NaN mean makes its rejection sampler loop forever. */
const HANGS = new Set(['truncatedNormal|[2, 3], "bogus dtype"']);
const NAMESPACES = ['image', 'linalg', 'signal', 'spectral', 'math', 'losses'];

/** Plain descriptions of inputs, built into each library's tensors on demand. */
const t = (shape, dtype = 'float32', values) => ({ tensor: true, shape, dtype, values });
const F = (shape) => t(shape);
const I = (shape) => t(shape, 'int32');
const B = (shape) => t(shape, 'bool');
const count = (shape) => shape.reduce((a, b) => a * b, 1);

/** The battery: each case is [label, args]; a tensor description is built per library. */
const CASES = [
  ['int32 [2,3]', [I([2, 3])]],
  ['bool [2,3]', [B([2, 3])]],
  ['int32 [1,2,2,4]', [I([1, 2, 2, 4])]],
  ['bool [1,2,2,4]', [B([1, 2, 2, 4])]],
  ['int32 [1,4,4,1], 2', [I([1, 4, 4, 1]), 2]],
  ['int32 [1,2,2,4], 2', [I([1, 2, 2, 4]), 2]],
  ['bool [1,2,2,4], 2', [B([1, 2, 2, 4]), 2]],
  ['float [1,2,2,4], 2.5', [F([1, 2, 2, 4]), 2.5]],
  ['float [1,2,2,4], 0', [F([1, 2, 2, 4]), 0]],
  ['float [1,2,2,4], -2', [F([1, 2, 2, 4]), -2]],
  ['float [1,2,2,4], 2, "NCWH"', [F([1, 2, 2, 4]), 2, 'NCWH']],
  ['float scalar', [F([])]],
  ['float [0]', [F([0])]],
  ['float [2,0]', [F([2, 0])]],
  ['float [2,3], axis 2', [F([2, 3]), 2]],
  ['float [2,3], axis -3', [F([2, 3]), -3]],
  ['float [2,3], axis 0.5', [F([2, 3]), 0.5]],
  ['float [2,3], axis [0,0]', [F([2, 3]), [0, 0]]],
  ['float [2,3], axis [5]', [F([2, 3]), [5]]],
  ['float [2,3], "bogus"', [F([2, 3]), 'bogus']],
  ['float [2,3], 1, "bogus"', [F([2, 3]), 1, 'bogus']],
  ['float [2,3], float [3,2]', [F([2, 3]), F([3, 2])]],
  ['float [2,3], float [2,4]', [F([2, 3]), F([2, 4])]],
  ['float [2,3], int32 [2,3]', [F([2, 3]), I([2, 3])]],
  ['int32 [2,3], int32 [2,3]', [I([2, 3]), I([2, 3])]],
  ['bool [2,3], bool [2,3]', [B([2, 3]), B([2, 3])]],
  ['float [2,3], float [4]', [F([2, 3]), F([4])]],
  ['float [3], [-1]', [F([3]), [-1]]],
  ['float [3], [1.5]', [F([3]), [1.5]]],
  ['float [2,3], [2,-2]', [F([2, 3]), [2, -2]]],
  ['float [2,3], [0,0], [3,3]', [F([2, 3]), [0, 0], [3, 3]]],
  ['float [2,3], [0,0], [-2,1]', [F([2, 3]), [0, 0], [-2, 1]]],
  ['float [2,3], [[1,1],[1,1]], "bogus"', [F([2, 3]), [[1, 1], [1, 1]], 'bogus']],
  ['float [2,3], [[4,4],[1,1]], "reflect"', [F([2, 3]), [[4, 4], [1, 1]], 'reflect']],
  ['float [2,3], [[-1,1],[1,1]]', [F([2, 3]), [[-1, 1], [1, 1]]]],
  ['float [2,3], [[1,1]]', [F([2, 3]), [[1, 1]]]],
  ['[-1]', [[-1]]],
  ['[2.5]', [[2.5]]],
  ['[2, 3], "bogus dtype"', [[2, 3], 'bogus']],
  ['-1', [-1]],
  ['2.5', [2.5]],
  ['float [2,3], -1', [F([2, 3]), -1]],
  ['float [2,3], 1.5', [F([2, 3]), 1.5]],
  ['float [2,3], 0', [F([2, 3]), 0]],
  ['float [2,3], 4', [F([2, 3]), 4]],
  ['float [6], 4', [F([6]), 4]],
  ['float [6], [2, 2]', [F([6]), [2, 2]]],
  ['float [6], [2, 5], 0', [F([6]), [2, 5], 0]],
  ['float [6], int32 [7]', [F([6]), I([7])]],
  ['float [6], int32 [2], 1', [F([6]), I([2]), 1]],
  ['float [2,3], float [2,3], float [2,3]', [F([2, 3]), F([2, 3]), F([2, 3])]],
  ['float [2,3], float [2,3], 5', [F([2, 3]), F([2, 3]), 5]],
  ['bool [2,3], float [2,3], int32 [2,3]', [B([2, 3]), F([2, 3]), I([2, 3])]],
  ['float [2,3], float [2,3], bool [2,3]', [F([2, 3]), F([2, 3]), B([2, 3])]],
  ['int32 [3], 3, 1, 0, "bogus"', [I([3]), 3, 1, 0, 'bogus']],
  ['int32 [3], -3', [I([3]), -3]],
  ['float [3], 3', [F([3]), 3]],
  ['float [1,4,4,1], [2,2], [1,1], "bogus"', [F([1, 4, 4, 1]), [2, 2], [1, 1], 'bogus']],
  ['float [1,4,4,1], [5,5], [1,1], "valid"', [F([1, 4, 4, 1]), [5, 5], [1, 1], 'valid']],
  ['float [1,4,4,1], [0,2], [1,1], "same"', [F([1, 4, 4, 1]), [0, 2], [1, 1], 'same']],
  ['float [1,4,4,1], [2,2], [0,1], "same"', [F([1, 4, 4, 1]), [2, 2], [0, 1], 'same']],
  ['int32 [1,4,4,1], [2,2], [1,1], "same"', [I([1, 4, 4, 1]), [2, 2], [1, 1], 'same']],
  ['float [1,4,4,1], float [2,2,2,1], 1, "same"', [F([1, 4, 4, 1]), F([2, 2, 2, 1]), 1, 'same']],
  ['int32 [1,4,4,1], int32 [2,2,1,1], 1, "same"', [I([1, 4, 4, 1]), I([2, 2, 1, 1]), 1, 'same']],
  ['float [1,4,4,1], float [2,2,1,1], 1, "bogus"', [F([1, 4, 4, 1]), F([2, 2, 1, 1]), 1, 'bogus']],
  ['float [1,4,4,1], float [2,2,1,1], 0, "same"', [F([1, 4, 4, 1]), F([2, 2, 1, 1]), 0, 'same']],
  ['float [1,4,4,1], [2.5,2]', [F([1, 4, 4, 1]), [2.5, 2]]],
  ['float [1,4,4,1], [-2,2]', [F([1, 4, 4, 1]), [-2, 2]]],
  ['int32 [1,4,4,1], [2,2]', [I([1, 4, 4, 1]), [2, 2]]],
  ['float [4,4,1], [2,2]', [F([4, 4, 1]), [2, 2]]],
  ['float [2,2], float [2,2], true, 5', [F([2, 2]), F([2, 2]), true, 5]],
  ['float [2,3], int32 [2], 5', [F([2, 3]), I([2]), 5]],
  ['float [2,3], int32 [2], -3', [F([2, 3]), I([2]), -3]],
  ['float [2,3], float [2]', [F([2, 3]), F([2])]],
  ['float [2,3], int32 [2,1], [2,3]', [F([2, 3]), I([2, 1]), [2, 3]]],
  ['int32 [2,1], float [2], [-2]', [I([2, 1]), F([2]), [-2]]],
  ['float [4], 0, 0.5', [F([4]), 0, 0.5]],
  ['float [4], 3, 2', [F([4]), 3, 2]],
  ['float [4], -1, 2', [F([4]), -1, 2]],
  ['float [2,3], [1,0,2]', [F([2, 3]), [1, 0, 2]]],
  ['float [2,3], [0,0]', [F([2, 3]), [0, 0]]],
  ['float [2,3], [4]', [F([2, 3]), [4]]],
  ['[float [2,3], float [3,3]]', [[F([2, 3]), F([3, 3])]]],
  ['[float [2,3], int32 [2,3]]', [[F([2, 3]), I([2, 3])]]],
  ['[]', [[]]],
  ['float [2,3], int32 [2,2] with 7', [F([2, 3]), t([2, 2], 'int32', [0, 7, 1, 2])]],
  ['float [2,3], int32 [2] with -4', [F([2, 3]), t([2], 'int32', [-4, 1])]],
  ['float [1,4,4,1], float [2,2,1,1], [1,1], "same", "NCHW"', [F([1, 4, 4, 1]), F([2, 2, 1, 1]), [1, 1], 'same', 'NCHW']],
  ['float [2,3], float [2,3], float [3]', [F([2, 3]), F([2, 3]), F([3])]],
];

/**
 * Op-specific calls the generic battery cannot reach: TF.js's dtype contracts (the
 * `convertToTensor(x, name, op, dtype)` calls in tfjs-core), mixed dtypes, bad sizes.
 */
const ones = (l, shape, dtype = 'float32') => l.ones(shape, dtype);
const PROBES = {
  'image.cropAndResize int32 boxes': (l) => l.image.cropAndResize(ones(l, [1, 4, 4, 1]), ones(l, [1, 4], 'int32'), l.tensor1d([0], 'int32'), [2, 2]),
  'image.cropAndResize float32 boxInd': (l) => l.image.cropAndResize(ones(l, [1, 4, 4, 1]), ones(l, [1, 4]), l.tensor1d([0]), [2, 2]),
  'image.nonMaxSuppression int32 boxes': (l) => l.image.nonMaxSuppression(ones(l, [2, 4], 'int32'), ones(l, [2]), 2),
  'image.nonMaxSuppression int32 scores': (l) => l.image.nonMaxSuppression(ones(l, [2, 4]), ones(l, [2], 'int32'), 2),
  'image.nonMaxSuppressionAsync int32 boxes': (l) => l.image.nonMaxSuppressionAsync(ones(l, [2, 4], 'int32'), ones(l, [2]), 2),
  'image.rotateWithOffset int32': (l) => l.image.rotateWithOffset(ones(l, [1, 4, 4, 1], 'int32'), 0.5),
  'image.transform int32': (l) => l.image.transform(ones(l, [1, 4, 4, 1], 'int32'), ones(l, [1, 8])),
  'image.resizeBilinear size 0': (l) => l.image.resizeBilinear(ones(l, [1, 2, 2, 1]), [0, 3]),
  'conv2d int32 x': (l) => l.conv2d(ones(l, [1, 4, 4, 1], 'int32'), ones(l, [2, 2, 1, 1]), 1, 'valid'),
  'depthwiseConv2d int32 x': (l) => l.depthwiseConv2d(ones(l, [1, 4, 4, 1], 'int32'), ones(l, [2, 2, 1, 1]), 1, 'valid'),
  'avgPool int32': (l) => l.avgPool(ones(l, [1, 4, 4, 1], 'int32'), 2, 2, 'valid'),
  'gather float32 indices': (l) => l.gather(ones(l, [3, 2]), l.tensor1d([0, 1])),
  'gatherND float32 indices': (l) => l.gatherND(ones(l, [3, 2]), l.tensor2d([0, 1], [1, 2])),
  'oneHot float32 indices': (l) => l.oneHot(l.tensor1d([0, 1]), 3),
  'scatterND float32 indices': (l) => l.scatterND(l.tensor2d([0, 1], [2, 1]), ones(l, [2]), [3]),
  'logicalAnd float32': (l) => l.logicalAnd(ones(l, [2]), ones(l, [2])),
  'all float32': (l) => l.all(ones(l, [2])),
  'where float32 condition': (l) => l.where(ones(l, [2]), ones(l, [2]), ones(l, [2])),
  'booleanMaskAsync float32 mask': (l) => l.booleanMaskAsync(ones(l, [2]), ones(l, [2])),
  'unsortedSegmentSum float32 ids': (l) => l.unsortedSegmentSum(ones(l, [2]), l.tensor1d([0, 1]), 2),
  'sparseToDense float32 indices': (l) => l.sparseToDense(l.tensor1d([0, 1]), ones(l, [2]), [3]),
  'matMul int32 x float32': (l) => l.matMul(ones(l, [2, 2], 'int32'), ones(l, [2, 2])),
  'concat int32 and float32': (l) => l.concat([ones(l, [2], 'int32'), ones(l, [2])]),
  'where int32 and float32 branches': (l) => l.where(ones(l, [2], 'bool'), ones(l, [2], 'int32'), ones(l, [2])),
  'add bool bool': (l) => l.add(ones(l, [2], 'bool'), ones(l, [2], 'bool')),
  'abs bool': (l) => l.abs(ones(l, [2], 'bool')),
  'max bool': (l) => l.max(ones(l, [2], 'bool')),
  'topk bool': (l) => l.topk(ones(l, [3], 'bool')),
  'transpose perm [0, 0]': (l) => l.transpose(ones(l, [2, 2]), [0, 0]),
  'pad negative': (l) => l.pad(ones(l, [2, 2]), [[-1, 0], [0, 0]]),
  'randomUniform bool': (l) => l.randomUniform([2], 0, 1, 'bool'),
};

function build(lib, arg) {
  if (Array.isArray(arg)) return arg.map((a) => build(lib, a));
  if (arg && arg.tensor) {
    const n = count(arg.shape);
    const values = arg.values ?? Array.from({ length: n }, (_, i) => (arg.dtype === 'bool' ? i % 2 : ((i * 7) % 5) - 1.5 + (arg.dtype === 'int32' ? 0.5 : 0)));
    return lib.tensor(values, arg.shape, arg.dtype);
  }
  return arg;
}

/** Runs `call` (awaiting a promise); what it returned, or the first line of what it threw. */
async function attempt(call) {
  try {
    let result = call();
    if (result && typeof result.then === 'function') result = await result;
    return { threw: false, result: describe(result) };
  } catch (error) {
    return { threw: true, message: String(error?.message ?? error).split('\n')[0].slice(0, 160) };
  }
}

function describe(result) {
  if (result && typeof result === 'object' && 'shape' in result && 'dtype' in result) return `${result.dtype}[${result.shape}]`;
  if (Array.isArray(result)) return `[${result.map(describe).join(', ')}]`;
  if (result && typeof result === 'object') return `{${Object.keys(result).join(', ')}}`;
  return String(result);
}

function opsOf() {
  const names = [];
  for (const name of Object.keys(tf)) {
    if (!SKIP.has(name) && typeof tf[name] === 'function' && typeof sora[name] === 'function' && !/^[A-Z]/.test(name)) {
      names.push([name, tf[name], sora[name]]);
    }
  }
  for (const ns of NAMESPACES) {
    for (const name of Object.keys(tf[ns] ?? {})) {
      if (typeof tf[ns][name] === 'function' && typeof sora[ns]?.[name] === 'function' && !/^[A-Z]/.test(name)) {
        names.push([`${ns}.${name}`, tf[ns][name], sora[ns][name]]);
      }
    }
  }
  return names.filter(([name]) => !only || name === only);
}

const tfThrows = [], soraThrows = [];
const quiet = console.warn;
console.warn = () => {};
for (const [name, tfFn, soraFn] of opsOf()) {
  for (const [label, caseArgs] of CASES) {
    if (HANGS.has(`${name}|${label}`)) continue;
    const a = await attempt(() => tfFn(...build(tf, caseArgs)));
    const b = await attempt(() => soraFn(...build(sora, caseArgs)));
    if (only) console.log(`${name}(${label}): TF.js ${a.threw ? `throws "${a.message}"` : a.result}; sora ${b.threw ? `throws "${b.message}"` : b.result}`);
    if (a.threw && !b.threw) tfThrows.push({ op: name, args: label, tfjs: a.message, sora: b.result });
    if (!a.threw && b.threw) soraThrows.push({ op: name, args: label, tfjs: a.result, sora: b.message });
  }
  tf.disposeVariables();
}
for (const [label, probe] of Object.entries(PROBES)) {
  if (only && !label.startsWith(only)) continue;
  const a = await attempt(() => probe(tf)), b = await attempt(() => probe(sora));
  if (a.threw && !b.threw) tfThrows.push({ op: label, args: '(probe)', tfjs: a.message, sora: b.result });
  if (!a.threw && b.threw) soraThrows.push({ op: label, args: '(probe)', tfjs: a.result, sora: b.message });
}
console.warn = quiet;

if (asJson) {
  console.log(JSON.stringify({ tfjsThrowsSoraReturns: tfThrows, soraThrowsTfjsReturns: soraThrows }, null, 2));
} else if (!only) {
  console.log(`TF.js throws, sora returns (${tfThrows.length}):`);
  for (const c of tfThrows) console.log(`  ${c.op}(${c.args}) -> sora ${c.sora}; TF.js: ${c.tfjs}`);
  console.log(`\nsora throws, TF.js returns (${soraThrows.length}):`);
  for (const c of soraThrows) console.log(`  ${c.op}(${c.args}) -> TF.js ${c.tfjs}; sora: ${c.sora}`);
}
