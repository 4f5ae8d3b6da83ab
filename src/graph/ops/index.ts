/**
 * Every TF op the graph executor runs, family by family as TF.js's converter groups them
 * (tfjs-converter/src/operations/executors). A family is a plain table of handlers; this file
 * only merges them. Custom ops registered with registerOp live in ../custom-ops.ts and win over these.
 */
import type { OpEntry, OpTable } from '../types.js';
import { ARITHMETIC } from './arithmetic.js';
import { BASIC_MATH } from './basic-math.js';
import { CONTROL } from './control.js';
import { CONVOLUTION } from './convolution.js';
import { CREATION } from './creation.js';
import { DYNAMIC } from './dynamic.js';
import { EVALUATION } from './evaluation.js';
import { GRAPH } from './graph.js';
import { HASH_TABLE } from './hash-table.js';
import { IMAGE } from './image.js';
import { LOGICAL } from './logical.js';
import { MATRICES } from './matrices.js';
import { NORMALIZATION } from './normalization.js';
import { RAGGED } from './ragged.js';
import { REDUCTION } from './reduction.js';
import { SLICE_JOIN } from './slice-join.js';
import { SPARSE } from './sparse.js';
import { SPECTRAL } from './spectral.js';
import { STRING } from './string.js';
import { TRANSFORMATION } from './transformation.js';

const FAMILIES: readonly (readonly [string, OpTable])[] = [
  ['arithmetic', ARITHMETIC], ['basic_math', BASIC_MATH], ['control', CONTROL], ['convolution', CONVOLUTION],
  ['creation', CREATION], ['dynamic', DYNAMIC], ['evaluation', EVALUATION], ['graph', GRAPH],
  ['hash_table', HASH_TABLE], ['image', IMAGE], ['logical', LOGICAL], ['matrices', MATRICES],
  ['normalization', NORMALIZATION], ['ragged', RAGGED], ['reduction', REDUCTION], ['slice_join', SLICE_JOIN], ['sparse', SPARSE],
  ['spectral', SPECTRAL], ['string', STRING], ['transformation', TRANSFORMATION],
];

/** Every built-in handler by TF op name, with its family; a name in two families is a build-time defect. */
export const GRAPH_OPS: ReadonlyMap<string, OpEntry & { family: string }> = (() => {
  const out = new Map<string, OpEntry & { family: string }>();
  for (const [family, table] of FAMILIES) {
    for (const op of Object.keys(table)) {
      const had = out.get(op);
      if (had !== undefined) throw new Error(`graph op '${op}' is defined by both the ${had.family} and ${family} families`);
      out.set(op, { ...table[op]!, family });
    }
  }
  return out;
})();
