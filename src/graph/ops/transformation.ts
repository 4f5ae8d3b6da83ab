/** The transformation family of TF ops, run through sora's op registry. */
import type { OpTable } from '../types.js';

/** Handlers of the transformation family, keyed by TF op name. */
export const TRANSFORMATION: OpTable = {};
