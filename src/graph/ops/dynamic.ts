/** The dynamic family of TF ops, run through sora's op registry. */
import type { OpTable } from '../types.js';

/** Handlers of the dynamic family, keyed by TF op name. */
export const DYNAMIC: OpTable = {};
