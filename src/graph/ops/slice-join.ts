/** The slice-join family of TF ops, run through sora's op registry. */
import type { OpTable } from '../types.js';

/** Handlers of the slice-join family, keyed by TF op name. */
export const SLICE_JOIN: OpTable = {};
