/**
 * Where string tensors keep their values: on the JS side, one Uint8Array of UTF-8 bytes per
 * element (as TF.js holds them), in a StringStorage that no backend allocated. A string
 * tensor's DataRef points at STRINGS, a holder that has the memory half of the Backend
 * contract and no kernel: the op runner refuses string inputs, naming the op, before any
 * kernel could see one, and the shape ops that move strings do their index arithmetic in
 * TypeScript (src/ops/string/). So string tensors work the same whichever backend is
 * active, and views (reshape), dispose, tidy and tf.memory() treat them as any other data.
 */
import type { Backend, Storage } from '../backends/backend.js';

export class StringStorage implements Storage {
  readonly dtype = 'string' as const;
  readonly size: number;
  /** The values' UTF-8 bytes in all: what tf.memory() counts for them (TF.js counts the same). */
  readonly bytes: number;
  constructor(readonly values: readonly Uint8Array[]) {
    this.size = values.length;
    let bytes = 0;
    for (const v of values) bytes += v.length;
    this.bytes = bytes;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** A JS string as the UTF-8 bytes a string tensor holds. */
export function encodeUtf8(s: string): Uint8Array { return encoder.encode(s); }
/** Bytes of a string tensor as a JS string (invalid UTF-8 becomes U+FFFD, as TextDecoder does). */
export function decodeUtf8(bytes: Uint8Array): string { return decoder.decode(bytes); }

let liveBytes = 0;

function neverAKernel(what: string): never {
  throw new Error(`${what}: string tensors hold their values in JavaScript and never reach a backend kernel ` +
    '(internal error: an op let a string tensor through)');
}

/**
 * The holder of every StringStorage. It is not a registered backend (setBackend never
 * returns it, tf.memory().backends does not list it); it answers the engine's memory calls.
 */
export const STRINGS = {
  name: 'strings',
  description: 'string tensors (values in JavaScript)',
  syncReadable: true,
  unaryOps: new Set(),
  binaryOps: new Set(),
  alloc: (): never => neverAKernel('alloc'),
  free: (storage: Storage): void => { liveBytes -= storage.bytes; },
  write: (): never => neverAKernel('write'),
  read: (): never => neverAKernel('read'),
  readSync: (): never => neverAKernel('readSync'),
  bytesInUse: (): number => liveBytes,
  maxStorageBytes: (): number => 2 ** 31,
  copyStrided: (): never => neverAKernel('copyStrided'),
  cast: (): never => neverAKernel('cast'),
  fill: (): never => neverAKernel('fill'),
} as unknown as Backend;

/** A storage for these values, counted as live until the holder frees it. */
export function stringStorage(values: readonly Uint8Array[]): StringStorage {
  const storage = new StringStorage(values);
  liveBytes += storage.bytes;
  return storage;
}

/** True for the holder of string values (a tensor whose data is a StringStorage). */
export function isStringStorage(storage: Storage): storage is StringStorage {
  return storage instanceof StringStorage;
}
