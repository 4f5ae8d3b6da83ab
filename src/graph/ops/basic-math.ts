/** The basic-math family of TF ops, run through sora's op registry. */
import type { OpTable } from '../types.js';

/** Handlers of the basic-math family, keyed by TF op name. */
export const BASIC_MATH: OpTable = {};
