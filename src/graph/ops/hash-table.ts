/**
 * The hash_table family of TF ops: HashTable(V2) makes a table, LookupTableImport(V2) and
 * InitializeTable(V2) fill it, LookupTableFind(V2) looks keys up, LookupTableSize(V2) counts.
 * A table lives as long as its model, as TF keeps it for the session: HashTable returns the same
 * table every run (keyed by its parsed node, which a model keeps), so an initializer that ran once
 * still holds. Its keys and values are kept on the host (they are read back to be hashed), so it owns
 * no tensor and its dispose frees nothing.
 */
import type { DType } from '../../backends/backend.js';
import type { Tensor } from '../../core/tensor.js';
import { tensor } from '../../ops/index.js';
import type { GraphNode, GraphResource, GraphValue, OpContext, OpTable } from '../types.js';
import { entry, expectInputs, hostTensor } from './host.js';
import { resourceInput, tensorInput, where } from './util.js';

type Key = number | string;

/** A TF hash table: keys to values, both read back from tensors. */
export class HashTableResource implements GraphResource {
  /** The resource kind handlers check for. */
  readonly kind = 'hashTable' as const;
  /** The entries, in insertion order. */
  readonly entries = new Map<Key, number | string>();

  constructor(readonly keyDType: DType, readonly valueDType: DType) {}

  /** Holds host values only: nothing to free (the table outlives each run, as in TF). */
  dispose(): void {}
}

const TABLES = new WeakMap<GraphNode, HashTableResource>();

async function read(t: Tensor): Promise<Key[]> {
  return Array.from(await t.data() as ArrayLike<Key>);
}

function table(inputs: readonly GraphValue[], ctx: OpContext): HashTableResource {
  return resourceInput<HashTableResource>(inputs, 0, 'hashTable', ctx);
}

const makeTable = entry((inputs, ctx) => {
  expectInputs(inputs, ctx, 0);
  const keyDType = ctx.attrs.dtype('key_dtype');
  const valueDType = ctx.attrs.dtype('value_dtype');
  let made = TABLES.get(ctx.node);
  if (made === undefined || made.keyDType !== keyDType || made.valueDType !== valueDType) {
    made = new HashTableResource(keyDType, valueDType);
    TABLES.set(ctx.node, made);
  }
  return [made];
});

const importTable = entry(async (inputs, ctx) => {
  expectInputs(inputs, ctx, 3);
  const t = table(inputs, ctx);
  const keys = tensorInput(inputs, 1, ctx);
  const values = tensorInput(inputs, 2, ctx);
  if (keys.dtype !== t.keyDType || values.dtype !== t.valueDType) {
    throw new Error(`${where(ctx)}: the table maps ${t.keyDType} to ${t.valueDType}; got keys ${keys.dtype} and values ${values.dtype}`);
  }
  if (keys.size !== values.size) throw new Error(`${where(ctx)}: ${keys.size} keys and ${values.size} values differ in count`);
  const [k, v] = await Promise.all([read(keys), read(values)]);
  t.entries.clear();
  for (let i = 0; i < k.length; i++) t.entries.set(k[i]!, v[i]!);
  return [];
}, { async: true });

const findInTable = entry(async (inputs, ctx) => {
  expectInputs(inputs, ctx, 3);
  const t = table(inputs, ctx);
  const keys = tensorInput(inputs, 1, ctx);
  const fallback = tensorInput(inputs, 2, ctx);
  if (keys.dtype !== t.keyDType) throw new Error(`${where(ctx)}: the table's keys are ${t.keyDType}; got ${keys.dtype} keys`);
  if (fallback.size !== 1) throw new Error(`${where(ctx)}: default_value must hold one value, got shape [${fallback.shape}]`);
  const [k, [d]] = await Promise.all([read(keys), read(fallback)]);
  const out = k.map((key) => t.entries.get(key) ?? d!);
  return [tensor(out as never, keys.shape, t.valueDType)];
}, { async: true });

const sizeOfTable = entry((inputs, ctx) => {
  expectInputs(inputs, ctx, 1);
  return [hostTensor([table(inputs, ctx).entries.size], [], 'int32')];
});

/** Handlers of the hash_table family, keyed by TF op name. */
export const HASH_TABLE: OpTable = {
  HashTable: makeTable,
  HashTableV2: makeTable,
  LookupTableImport: importTable,
  LookupTableImportV2: importTable,
  InitializeTable: importTable,
  InitializeTableV2: importTable,
  LookupTableFind: findInTable,
  LookupTableFindV2: findInTable,
  LookupTableSize: sizeOfTable,
  LookupTableSizeV2: sizeOfTable,
};
