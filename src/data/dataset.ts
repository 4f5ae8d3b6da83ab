/**
 * tf.data: a Dataset is a recipe for a stream of elements, pulled one at a time, so a data
 * set larger than memory trains without being loaded whole. Each `iterator()` starts a new
 * pass from the source. Elements are tensors, numbers, or arrays and objects of them;
 * `batch` stacks them leaf by leaf (an array of numbers is one leaf, a row). A tensor an
 * operation consumes is disposed by it, as in TF.js.
 */
import { ENGINE } from '../core/engine.js';
import { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { Random } from '../ops/creation.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const DONE: IteratorReturnResult<any> = { done: true, value: undefined };

type Source<T> = () => AsyncIterator<T> | Promise<AsyncIterator<T>>;

/** Every tensor in a (nested) element. */
export function tensorsIn(value: unknown, out: Tensor[] = []): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, out);
  else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) for (const v of Object.values(value)) tensorsIn(v, out);
  return out;
}

function disposeUnused(input: unknown, output: unknown): void {
  const kept = new Set(tensorsIn(output));
  for (const t of tensorsIn(input)) if (!kept.has(t)) t.dispose();
}

/** The kind of a row's leaves ('number' for numbers and typed arrays), or null for anything else. */
function leafKind(v: unknown): 'number' | 'string' | 'boolean' | null {
  if (typeof v === 'number' || ArrayBuffer.isView(v)) return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (!Array.isArray(v) || v.length === 0) return Array.isArray(v) ? 'number' : null;
  const kind = leafKind(v[0]);
  return kind !== null && v.every((x) => leafKind(x) === kind) ? kind : null;
}

/** Stack a list of elements of one structure into one batched element. */
function stack(rows: unknown[], path: string): unknown {
  const first = rows[0];
  if (first instanceof Tensor) {
    rows.forEach((r, i) => {
      if (!(r instanceof Tensor) || r.shape.join() !== first.shape.join()) {
        throw new Error(`batch: element ${i} at ${path || 'the top'} is ${r instanceof Tensor ? `shape [${r.shape}]` : typeof r}; ` +
          `element 0 is shape [${first.shape}]; a batch needs one shape`);
      }
    });
    return ops.concat(rows.map((r) => ops.expandDims(r as Tensor, 0)), 0);
  }
  // Numbers, booleans or strings (a CSV's text columns), or arrays of them: one tensor of
  // that kind (float32, bool, string), as TF.js batches them.
  const kind = leafKind(first);
  if (kind !== null) {
    const shapeOf = (v: unknown): number[] => (typeof v !== 'object' ? [] : [(v as ArrayLike<unknown>).length,
      ...((v as ArrayLike<unknown>).length ? shapeOf((v as ArrayLike<unknown>)[0]) : [])]);
    const firstShape = shapeOf(first).join();
    const values = rows.map((r, i) => {
      if (leafKind(r) !== kind) throw new Error(`batch: element ${i} at ${path || 'the top'} is not ${kind === 'number' ? 'numeric' : `${kind}s`} like element 0`);
      if (shapeOf(r).join() !== firstShape) {
        throw new Error(`batch: element ${i} at ${path || 'the top'} has shape [${shapeOf(r)}], element 0 has [${firstShape}]; ` +
          'a batch needs one shape');
      }
      return ArrayBuffer.isView(r) ? Array.from(r as unknown as ArrayLike<number>) : r;
    });
    return ops.tensor(values as never);
  }
  if (Array.isArray(first)) {
    return first.map((_, k) => stack(rows.map((r) => (r as unknown[])[k]), `${path}[${k}]`));
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      const column = stack(rows.map((r, i) => {
        if (r === null || typeof r !== 'object' || !Object.hasOwn(r, key)) throw new Error(`batch: element ${i} has no '${key}'${path ? ` at ${path}` : ''}`);
        return (r as Record<string, unknown>)[key];
      }), path ? `${path}.${key}` : key);
      // Defined, not assigned: a key read from a file ('__proto__' as a CSV column) stays a plain own property.
      Object.defineProperty(out, key, { value: column, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  throw new Error(`batch: cannot batch ${first === null ? 'null' : typeof first} at ${path || 'the top'}; elements must be tensors, numbers, booleans, strings, or arrays and objects of them`);
}

/**
 * A lazy, asynchronous sequence of elements (tf.data.Dataset): chain map, filter, batch, shuffle, take, skip,
 * repeat, prefetch, then iterate with forEachAsync or toArray, or pass it to model.fitDataset.
 */
export class Dataset<T> {
  /** Elements in one pass, when known (Infinity for an endless one). */
  readonly size: number | null;

  /**
   * Wraps a source of elements (an async iterator factory) and its size if known (default null, unknown);
   * data.array, data.generator and data.csv are the usual ways to make one.
   */
  constructor(private readonly source: Source<T>, size: number | null = null) {
    this.size = size;
  }

  /** A new pass over the elements. */
  async iterator(): Promise<AsyncIterator<T>> { return this.source(); }

  private derive<U>(make: (it: AsyncIterator<T>) => AsyncIterator<U>, size: number | null = null): Dataset<U> {
    return new Dataset<U>(async () => make(await this.source()), size);
  }

  /** A dataset of transform(element) for each element (tf.data.Dataset.map). */
  map<U>(transform: (value: T) => U): Dataset<U> {
    return this.derive((it) => ({
      async next() {
        const r = await it.next();
        if (r.done) return DONE;
        const out = ENGINE.tidy(() => transform(r.value) as never) as U;
        disposeUnused(r.value, out);
        return { done: false, value: out };
      },
    }), this.size);
  }

  /** A dataset of the awaited transform(element) for each element (tf.data.Dataset.mapAsync). */
  mapAsync<U>(transform: (value: T) => Promise<U>): Dataset<U> {
    return this.derive((it) => ({
      async next() {
        const r = await it.next();
        if (r.done) return DONE;
        const out = await transform(r.value);
        disposeUnused(r.value, out);
        return { done: false, value: out };
      },
    }), this.size);
  }

  /** A dataset of the elements for which predicate returns true (tf.data.Dataset.filter). */
  filter(predicate: (value: T) => boolean): Dataset<T> {
    return this.derive((it) => ({
      async next() {
        for (;;) {
          const r = await it.next();
          if (r.done) return r;
          if (ENGINE.tidy(() => predicate(r.value))) return r;
          for (const t of tensorsIn(r.value)) t.dispose();
        }
      },
    }));
  }

  /** Groups of `batchSize` elements stacked into one; the last may be smaller unless smallLastBatch is false. */
  batch(batchSize: number, smallLastBatch = true): Dataset<unknown> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch: batchSize must be a positive integer; received ${batchSize}`);
    const size = this.size === null ? null : this.size === Infinity ? Infinity
      : smallLastBatch ? Math.ceil(this.size / batchSize) : Math.floor(this.size / batchSize);
    return this.derive((it) => ({
      async next() {
        const rows: T[] = [];
        while (rows.length < batchSize) {
          const r = await it.next();
          if (r.done) break;
          rows.push(r.value);
        }
        if (rows.length === 0 || (!smallLastBatch && rows.length < batchSize)) {
          for (const row of rows) for (const t of tensorsIn(row)) t.dispose();
          return DONE;
        }
        try {
          return { done: false, value: ENGINE.tidy(() => stack(rows, '') as never) };
        } finally {
          for (const row of rows) for (const t of tensorsIn(row)) t.dispose();
        }
      },
    }), size);
  }

  /**
   * Elements drawn at random from a buffer of `bufferSize` (a buffer as large as the data is
   * a full shuffle). `seed` makes the order reproducible; each pass reshuffles unless told not to.
   */
  shuffle(bufferSize: number, seed?: string | number, reshuffleEachIteration = true): Dataset<T> {
    if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new Error(`shuffle: bufferSize must be a positive integer; received ${bufferSize}`);
    const base = seed === undefined ? undefined : typeof seed === 'number' ? seed : hashSeed(seed);
    let pass = 0;
    return this.derive((it) => {
      const rng = new Random(base === undefined ? undefined : base + (reshuffleEachIteration ? pass++ : 0));
      const buffer: T[] = [];
      let ended = false;
      return {
        async next() {
          while (!ended && buffer.length < bufferSize) {
            const r = await it.next();
            if (r.done) ended = true;
            else buffer.push(r.value);
          }
          if (buffer.length === 0) return DONE;
          const i = Math.floor(rng.next() * buffer.length);
          const value = buffer[i];
          buffer[i] = buffer[buffer.length - 1];
          buffer.pop();
          return { done: false, value };
        },
      };
    }, this.size);
  }

  /** The first `count` elements (all of them for a negative count, as TF.js). */
  take(count: number): Dataset<T> {
    if (count < 0) return this;
    const size = this.size === null ? null : Math.min(this.size, count);
    return this.derive((it) => {
      let taken = 0;
      return { async next() { return taken++ < count ? it.next() : DONE; } };
    }, size);
  }

  /** A dataset without its first `count` elements (tf.data.Dataset.skip). */
  skip(count: number): Dataset<T> {
    const size = this.size === null ? null : Math.max(0, this.size - Math.max(0, count));
    return this.derive((it) => {
      let skipped = 0;
      return {
        async next() {
          while (skipped < count) {
            skipped++;
            const r = await it.next();
            if (r.done) return r;
            for (const t of tensorsIn(r.value)) t.dispose();
          }
          return it.next();
        },
      };
    }, size);
  }

  /** `count` passes (endless without a count). */
  repeat(count?: number): Dataset<T> {
    const size = count === undefined ? Infinity : this.size === null ? null : this.size * count;
    return new Dataset<T>(async () => {
      let pass = 0;
      let current: AsyncIterator<T> | null = null;
      return {
        next: async (): Promise<IteratorResult<T>> => {
          for (let empty = 0; ; ) {
            if (!current) {
              if (count !== undefined && pass >= count) return DONE;
              pass++;
              current = await this.source();
            }
            const r = await current.next();
            if (!r.done) return r;
            current = null;
            // A source that gives nothing would repeat forever.
            if (++empty > 1) return DONE;
          }
        },
      };
    }, size);
  }

  /** Read up to `bufferSize` elements ahead while the consumer works (pulls stay one at a time). */
  prefetch(bufferSize: number): Dataset<T> {
    if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new Error(`prefetch: bufferSize must be a positive integer; received ${bufferSize}`);
    return this.derive((it) => {
      const queue: Promise<IteratorResult<T>>[] = [];
      let chain: Promise<unknown> = Promise.resolve();
      let ended = false;
      const pull = () => {
        const p = chain.then(() => (ended ? DONE : it.next()));
        chain = p.then((r) => { if (r.done) ended = true; }, () => { ended = true; });
        queue.push(p);
      };
      return {
        async next() {
          while (queue.length < bufferSize + 1) pull();
          return queue.shift()!;
        },
      };
    }, this.size);
  }

  /** A dataset of this one's elements followed by another's (tf.data.Dataset.concatenate). */
  concatenate(other: Dataset<T>): Dataset<T> {
    const size = this.size === null || other.size === null ? null : this.size + other.size;
    return new Dataset<T>(async () => {
      let current = await this.source();
      let second = false;
      return {
        async next(): Promise<IteratorResult<T>> {
          const r = await current.next();
          if (!r.done || second) return r;
          second = true;
          current = await other.iterator();
          return current.next();
        },
      };
    }, size);
  }

  /**
   * Calls f on each element in order, awaiting it, and resolves when the dataset ends
   * (tf.data.Dataset.forEachAsync).
   */
  async forEachAsync(f: (value: T) => void | Promise<void>): Promise<void> {
    const it = await this.source();
    for (let r = await it.next(); !r.done; r = await it.next()) await f(r.value);
  }

  /** Every element in a list (the whole data set in memory: for small ones). */
  async toArray(): Promise<T[]> {
    if (this.size === Infinity) throw new Error('toArray: the dataset is endless (repeat() without a count)');
    const out: T[] = [];
    await this.forEachAsync((v) => { out.push(v); });
    return out;
  }
}

function hashSeed(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * A dataset of the items of a list, in order (tf.data.array); items may be numbers, objects or tensors.
 * @example
 * ```js
 * const ds = sora.data.array([1, 2, 3, 4]).map((x) => x * 2).batch(2);
 * await ds.forEachAsync((batch) => batch.print());
 * ```
 */
export function array<T>(items: T[]): Dataset<T> {
  if (!Array.isArray(items)) throw new Error(`data.array: expected an array; received ${typeof items}`);
  return new Dataset<T>(async () => {
    let i = 0;
    return { async next() { return i < items.length ? { done: false, value: items[i++] } : DONE; } };
  }, items.length);
}

/** tf.data.generator: a (sync or async) generator function, called anew for each pass. */
export function generator<T>(make: () => Iterator<T> | AsyncIterator<T>): Dataset<T> {
  if (typeof make !== 'function') throw new Error('data.generator: expected a generator function, e.g. function* () { yield ... }');
  return new Dataset<T>(async () => {
    const it = make();
    if (!it || typeof (it as Iterator<T>).next !== 'function') {
      throw new Error('data.generator: the function must return an iterator (write it as function* or async function*)');
    }
    return { next: async () => (it as AsyncIterator<T>).next() };
  });
}

/** tf.data.func: f() gives {value, done} (or a promise of it) for each element. */
export function func<T>(f: () => IteratorResult<T> | Promise<IteratorResult<T>>): Dataset<T> {
  if (typeof f !== 'function') throw new Error('data.func: expected a function returning { value, done }');
  return new Dataset<T>(async () => ({ next: async () => f() }));
}

/** tf.data.zip: elements of several datasets side by side, as a list or a dict; ends with the shortest. */
export function zip<T>(datasets: Dataset<unknown>[] | Record<string, Dataset<unknown>>): Dataset<T> {
  const entries = Array.isArray(datasets) ? datasets.map((d, i) => [String(i), d] as const) : Object.entries(datasets ?? {});
  entries.forEach(([key, d]) => {
    if (!(d instanceof Dataset)) throw new Error(`data.zip: entry '${key}' is not a Dataset`);
  });
  const sizes = entries.map(([, d]) => d.size);
  const size = sizes.some((s) => s === null) ? null : Math.min(...(sizes as number[]));
  return new Dataset<T>(async () => {
    const its = await Promise.all(entries.map(([, d]) => d.iterator()));
    return {
      async next() {
        const results = await Promise.all(its.map((it) => it.next()));
        if (results.some((r) => r.done)) {
          for (const r of results) if (!r.done) for (const t of tensorsIn(r.value)) t.dispose();
          return DONE;
        }
        const values = results.map((r) => r.value);
        const value = Array.isArray(datasets) ? values : Object.fromEntries(entries.map(([k], i) => [k, values[i]]));
        return { done: false, value: value as T };
      },
    };
  }, size);
}
