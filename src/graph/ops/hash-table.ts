/** The hash-table family of TF ops, run through sora's op registry. */
import type { OpTable } from '../types.js';

/** Handlers of the hash-table family, keyed by TF op name. */
export const HASH_TABLE: OpTable = {};
