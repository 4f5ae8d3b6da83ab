/**
 * tf.data.TextLineDataset, FileDataSource and URLDataSource, as TF.js's: a data source gives
 * a stream of byte chunks (iterator()), and a TextLineDataset its UTF-8 lines, split at '\n'
 * with a trailing '\r' dropped (an empty last line is not an element).
 *
 * A file:// path is streamed from disk in Node and Deno (as sora's csv reads it, so a file
 * larger than memory is never held whole; TF.js reads it whole); a URL is fetched.
 */
import { Dataset, DONE } from './dataset.js';
import { openSource } from './csv.js';

/**
 * TF.js's FileChunkIteratorOptions: `offset` (default 0) and `chunkSize` (default 1 MiB) of the reads a
 * FileDataSource makes.
 */
export interface FileChunkIteratorOptions {
  /** Where to start reading, in bytes (default 0). */
  offset?: number;
  /** The size of each chunk, in bytes (default 1 MiB). */
  chunkSize?: number;
}

type Chunks = AsyncIterator<Uint8Array>;

/** TF.js's DataSource: something that gives a fresh stream of byte chunks on each iterator(). */
export abstract class DataSource {
  /** Resolves to an iterator of the source's chunks of bytes. */
  abstract iterator(): Promise<Chunks>;
}

function checkOptions(op: string, options: FileChunkIteratorOptions): { offset: number; chunkSize: number } {
  if (options == null || typeof options !== 'object') throw new Error(`${op}: options must be an object ({ chunkSize, offset }); received ${String(options)}`);
  const offset = options.offset ?? 0;
  const chunkSize = options.chunkSize ?? 1024 * 1024;
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`${op}: offset must be a non-negative integer; received ${offset}`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`${op}: chunkSize must be a positive integer; received ${chunkSize}`);
  return { offset, chunkSize };
}

/** Chunks of at most chunkSize bytes of `bytes`, from offset. */
function chunksOf(bytes: Uint8Array, offset: number, chunkSize: number): Chunks {
  let at = offset;
  return {
    next: async () => {
      if (at >= bytes.length) return DONE;
      const value = bytes.slice(at, Math.min(at + chunkSize, bytes.length));
      at += value.length;
      return { done: false, value };
    },
  };
}

/** Skips the first `offset` bytes of a stream. */
function skipping(chunks: Chunks, offset: number): Chunks {
  let left = offset;
  return {
    next: async () => {
      for (;;) {
        const r = await chunks.next();
        if (r.done || left === 0) return r;
        if (r.value.length <= left) { left -= r.value.length; continue; }
        const value = r.value.subarray(left);
        left = 0;
        return { done: false, value };
      }
    },
  };
}

/**
 * tf.data.FileDataSource(input, options?): the bytes of a file:// path (Node, Deno), a
 * Uint8Array, or a File / Blob, in chunks of options.chunkSize.
 */
export class FileDataSource extends DataSource {
  /**
   * A data source reading a 'file://' path (Node, Deno), bytes or a Blob in chunks (tf.data.FileDataSource);
   * options default to offset 0 and chunks of 1 MiB.
   */
  constructor(readonly input: string | Uint8Array | Blob, readonly options: FileChunkIteratorOptions = {}) {
    super();
    checkOptions('FileDataSource', options);
    const blob = typeof Blob !== 'undefined' && input instanceof Blob;
    if (!(input instanceof Uint8Array || blob || (typeof input === 'string' && input.startsWith('file://')))) {
      throw new Error('FileDataSource: expected a file:// path, a Uint8Array, or a File / Blob; received ' +
        `${typeof input === 'string' ? JSON.stringify(input) : input === null ? 'null' : typeof input}`);
    }
  }

  /** Resolves to an iterator of the source's chunks of bytes. */
  async iterator(): Promise<Chunks> {
    const { offset, chunkSize } = checkOptions('FileDataSource', this.options);
    const input = this.input;
    if (typeof input === 'string') return skipping(await openSource(input, 'FileDataSource'), offset);
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(await input.arrayBuffer());
    return chunksOf(bytes, offset, chunkSize);
  }
}

/** tf.data.URLDataSource(url, options?): the bytes at a URL (fetched), or of a file:// path. */
export class URLDataSource extends DataSource {
  /**
   * A data source fetching a URL in chunks (tf.data.URLDataSource); fileOptions default to offset 0 and
   * chunks of 1 MiB.
   */
  constructor(readonly url: string | Request, readonly fileOptions: FileChunkIteratorOptions = {}) {
    super();
    checkOptions('URLDataSource', fileOptions);
    if (typeof url !== 'string' && !(typeof Request !== 'undefined' && url instanceof Request)) {
      throw new Error(`URLDataSource: expected a URL string or a Request; received ${url === null ? 'null' : typeof url}`);
    }
  }

  /** Resolves to an iterator of the response's chunks of bytes. */
  async iterator(): Promise<Chunks> {
    if (typeof this.url === 'string' && this.url.startsWith('file://')) return new FileDataSource(this.url, this.fileOptions).iterator();
    return skipping(await openSource(this.url, 'URLDataSource'), checkOptions('URLDataSource', this.fileOptions).offset);
  }
}

/** The UTF-8 lines of a byte stream, as TF.js's decodeUTF8().split('\n') with '\r' trimmed. */
async function* lines(chunks: Chunks): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let carry = '';
  const trim = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
  for (let r = await chunks.next(); !r.done; r = await chunks.next()) {
    const parts = (carry + decoder.decode(r.value, { stream: true })).split('\n');
    carry = parts.pop()!;
    for (const line of parts) yield trim(line);
  }
  carry += decoder.decode();
  if (carry !== '') yield trim(carry);
}

/** tf.data.TextLineDataset(input): the lines of a DataSource's UTF-8 text, one string per element. */
export class TextLineDataset extends Dataset<string> {
  /**
   * A dataset of the UTF-8 lines of a data source (tf.data.TextLineDataset), split at '\n' with a trailing
   * '\r' dropped.
   */
  constructor(readonly input: DataSource) {
    if (input == null || typeof (input as Partial<DataSource>).iterator !== 'function') {
      throw new Error(`TextLineDataset: expected a DataSource (FileDataSource, URLDataSource); received ${input === null ? 'null' : typeof input}`);
    }
    super(async () => lines(await input.iterator()), null);
  }
}
