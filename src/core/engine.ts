/**
 * The engine: which backend is active, tensors and their data, the scopes that collect
 * intermediate tensors, the variable registry, and the tape's state while a gradient is
 * recorded. The op runner (src/ops/registry.ts) is the only caller of `record`; the
 * backward pass is src/ops/autograd.ts.
 *
 * Bookkeeping is linear: a scope is an array of the tensors created in it (disposed ones
 * are skipped when it ends), and the tape pins what a gradient reads as views of the data,
 * so no scope needs to ask the tape what it holds.
 */
import type { Backend, BackendName, DType, Storage } from '../backends/backend.js';
import { BACKEND_FACTORIES, type BackendFactory } from '../backends/select.js';
import { moveOffAsync, sameOptions, startSynchronously, type SyncStart } from './backend-start.js';
import { Tensor, Variable, DataRef, type Shape } from './tensor.js';
import type { GradientFn, TapeEntry, TapeOp } from './tape.js';

export type { BackendFactory };

export class Engine {
  private readonly factories = new Map<BackendName, BackendFactory>(BACKEND_FACTORIES.map((f) => [f.name, f]));
  private readonly instances = new Map<BackendName, Backend>();
  private active: Backend | null = null;
  private pending: Promise<Backend> | null = null;
  private readonly instanceOptions = new Map<BackendName, unknown>();
  private scopes: Tensor[][] = [];
  /** The tape of the outermost gradient computation in progress, or null. */
  private tape: TapeEntry[] | null = null;
  /** Gradient computations whose forward is running: ops record while > 0 and not paused. */
  private gradientDepth = 0;
  /** > 0 inside an op's own forward, whose inner ops are not recorded. */
  private pauseDepth = 0;
  /** Ids grow monotonically: a tensor with id >= n was made after `nextId` read n. */
  nextId = 1;
  /** Live variables by id (tf.variable, layer weights, optimizer slots). */
  readonly variables = new Map<number, Variable>();
  /** Live tensors (not disposed), and live data buffers by backend. */
  numTensors = 0;
  readonly dataRefs = new LiveRefs();

  registerBackend(factory: BackendFactory): void { this.factories.set(factory.name, factory); }

  registeredBackends(): BackendName[] {
    return [...this.factories.values()].sort((a, b) => b.priority - a.priority).map((f) => f.name);
  }

  /**
   * The backend ops run on. With none active (no ready() or setBackend awaited yet), the first
   * op starts the best one that starts synchronously, as TF.js's default backends do.
   */
  get backend(): Backend {
    return this.active ?? this.startSync();
  }

  hasBackend(): boolean { return this.active !== null; }

  /**
   * Set while the active backend is the one the first op started synchronously (which, and why
   * each above it could not start at once); ready() and setBackend('auto') then still choose
   * the best backend, and any setBackend clears it.
   */
  syncStart: SyncStart | null = null;

  private startSync(): Backend {
    const best = this.registeredBackends().map((name) => this.factories.get(name)!);
    const { backend, start, loadFailures } = startSynchronously(best);
    this.instances.set(start.backend, backend);
    this.instanceOptions.set(start.backend, undefined);
    this.active = backend;
    this.syncStart = start;
    if (loadFailures.length > 0 && !this.fallbackWarned) {
      this.fallbackWarned = true;
      console.warn(`sora: the first op started '${start.backend}', slower than it should: ${loadFailures.join('; ')}`);
    }
    return backend;
  }

  /** Why 'auto' passed over each higher-priority backend, from the last 'auto' selection. */
  autoSkipped: string[] = [];
  /** The load-failure warning of 'auto' is given once per engine. */
  private fallbackWarned = false;

  async setBackend(name: BackendName | 'auto', options?: unknown, auto = false): Promise<Backend> {
    if (name !== 'auto') {
      const factory = this.factories.get(name);
      if (!factory) {
        throw new Error(`setBackend: unknown backend '${name}'; expected one of ` +
          `'auto', ${this.registeredBackends().map((n) => `'${n}'`).join(', ')}`);
      }
      // A second setBackend with other options makes a new instance rather than silently
      // returning the first one; tensors on the old one move over when next used.
      const reusable = () => {
        const existing = this.instances.get(name);
        return existing && (options === undefined || sameOptions(options, this.instanceOptions.get(name)))
          ? existing : undefined;
      };
      let backend = reusable();
      if (!backend) {
        const created = await factory.create(options, { auto });
        // An op may have started this backend synchronously while it was created: keep that
        // one, whose tensors then need not move.
        backend = reusable() ?? created;
        if (backend === created) {
          this.instances.set(name, backend);
          this.instanceOptions.set(name, options);
        }
      }
      await moveOffAsync(this.dataRefs, new Set(this.instances.values()), backend,
        (ref, values) => this.moveData(ref, values, backend)); // leaving webgpu, its tensors move now
      this.active = backend;
      this.syncStart = null;
      return backend;
    }
    // 'auto' passing over a backend the engine could run but whose code could not be loaded
    // (its factory's error has `loadFailure: true`, e.g. a bundle that left the .wasm behind)
    // warns once, unless `{ warnOnFallback: false }`; a backend the engine cannot run at all
    // (no SIMD, no WebGPU) is passed over silently, and both are listed in autoSkipped.
    const { warnOnFallback, ...rest } = (options ?? {}) as { warnOnFallback?: boolean };
    const forwarded = options === undefined || (warnOnFallback !== undefined && Object.keys(rest).length === 0)
      ? undefined : warnOnFallback === undefined ? options : rest;
    const failures: string[] = [];
    const loadFailures: string[] = [];
    for (const candidate of this.registeredBackends()) {
      try {
        const backend = await this.setBackend(candidate, forwarded, true);
        this.autoSkipped = failures;
        if (loadFailures.length > 0 && warnOnFallback !== false && !this.fallbackWarned) {
          this.fallbackWarned = true;
          console.warn(`sora: setBackend('auto') is running on '${candidate}', slower than it should: ` +
            `${loadFailures.join('; ')}. (Silence this warning: setBackend('auto', { warnOnFallback: false }).)`);
        }
        return backend;
      } catch (error) {
        failures.push(`${candidate}: ${(error as Error).message}`);
        if ((error as { loadFailure?: unknown }).loadFailure === true) {
          loadFailures.push(`the ${candidate} backend could run here but could not be loaded: ${(error as Error).message}`);
        }
      }
    }
    throw new Error(`setBackend('auto'): no backend initialized:\n  ${failures.join('\n  ')}`);
  }

  /** Resolves once a backend is active: 'auto' if none was set or the first op started it. */
  ready(): Promise<Backend> {
    if (this.active && !this.syncStart) return Promise.resolve(this.active);
    this.pending ??= this.setBackend('auto').finally(() => { this.pending = null; });
    return this.pending;
  }

  /** Forget an instance (e.g. a lost GPU device) so the next setBackend creates a fresh one. */
  dropBackend(name: BackendName): void {
    const instance = this.instances.get(name);
    this.instances.delete(name);
    this.instanceOptions.delete(name);
    if (this.active === instance) this.active = null;
  }

  backendInstance(name: BackendName): Backend | undefined { return this.instances.get(name); }

  // ---- tensors ----

  makeTensor(shape: Shape, dtype: DType, storage: Storage, backend: Backend = this.backend): Tensor {
    const ref = new DataRef(storage, backend);
    this.dataRefs.add(ref);
    return this.track(new Tensor(shape, dtype, ref, this.nextId++));
  }

  /** A new tensor over the same data (reshape); the data lives until both are disposed. */
  makeView(source: Tensor, shape: Shape, dtype: DType = source.dtype): Tensor {
    source.ref.refCount++;
    return this.track(new Tensor(shape, dtype, source.ref, this.nextId++));
  }

  makeVariable(initial: Tensor, name: string, trainable: boolean): Variable {
    if (initial.dtype === 'complex64') {
      throw new Error(`variable: '${name}' would be complex64, which variables do not hold; ` +
        'keep the real and imaginary parts as two float32 variables (tf.real, tf.imag)');
    }
    if (initial.dtype === 'string') {
      throw new Error(`variable: '${name}' would be a string tensor, which variables do not hold ` +
        '(they hold values an optimizer updates)');
    }
    const backend = this.backend;
    const storage = backend.alloc(initial.size, initial.dtype);
    const ref = new DataRef(storage, backend);
    this.dataRefs.add(ref);
    this.copyInto(initial, ref);
    const variable = new Variable(initial.shape, initial.dtype, ref, this.nextId++, name, trainable);
    this.numTensors++; // variables are not tidied: they live until disposed
    this.variables.set(variable.id, variable);
    return variable;
  }

  private track<T extends Tensor>(tensor: T): T {
    this.numTensors++;
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) scope.push(tensor);
    return tensor;
  }

  /** Copy a tensor's values into a data ref of the same size (same backend). */
  copyInto(source: Tensor, target: DataRef): void {
    const src = this.onActive(source, 'assign');
    const size = source.size;
    target.backend.copyStrided(src.storage, target.storage, [size], [1], 0, [1], 0);
  }

  /**
   * The tensor's data, its own, for an in-place write (assign, the optimizer kernels). While
   * another tensor shares the data (a reshape or other view, a tape's pinned handle), the
   * tensor first moves to a fresh storage (holding a copy of its values when `keepValues`,
   * for read-modify-write kernels), so the sharers keep the values they had: TF.js's assign
   * gives the variable new data and leaves old views alone. With no sharer (the common case:
   * an optimizer step) nothing is allocated or copied.
   */
  ownData(tensor: Tensor, op: string, keepValues: boolean): DataRef {
    const ref = this.onActive(tensor, op);
    if (ref.refCount === 1) return ref;
    const backend = ref.backend;
    const words = ref.storage.size;
    const storage = backend.alloc(words, ref.storage.dtype);
    if (keepValues) backend.copyStrided(ref.storage, storage, [words], [1], 0, [1], 0);
    ref.refCount--;
    const own = new DataRef(storage, backend);
    this.dataRefs.add(own);
    tensor.ref = own;
    return own;
  }

  releaseTensor(tensor: Tensor): void {
    this.numTensors--;
    if (tensor instanceof Variable) this.variables.delete(tensor.id);
    const ref = tensor.ref;
    if (--ref.refCount === 0) {
      ref.backend.free(ref.storage);
      this.dataRefs.delete(ref);
    }
  }

  /**
   * The tensor's data on the active backend. Data on another backend that can be read
   * synchronously moves over (once: the tensor keeps the new storage); data on an async
   * backend (webgpu) moved when setBackend left it (backend-start.ts, moveOffAsync).
   */
  onActive(tensor: Tensor, op: string): DataRef {
    tensor.assertAlive(op);
    const backend = this.backend;
    const ref = tensor.ref;
    if (ref.backend === backend) return ref;
    if (!ref.backend.syncReadable) {
      throw new Error(`${op}: tensor ${tensor.id} lives on backend '${ref.backend.name}', the ` +
        `active backend is '${backend.name}'; its data can only be read asynchronously`);
    }
    this.moveData(ref, ref.backend.readSync(ref.storage), backend);
    return ref;
  }

  moveData(ref: DataRef, values: Float32Array | Int32Array, backend: Backend): void {
    const old = ref.backend;
    const storage = backend.alloc(values.length, ref.storage.dtype);
    backend.write(storage, values);
    try { old.free(ref.storage); } catch { /* a lost device has nothing left to free */ }
    ref.storage = storage;
    ref.backend = backend;
  }

  // ---- scopes ----

  startScope(): void { this.scopes.push([]); }
  private closings = 0;

  /**
   * Close the innermost scope: dispose every tensor made in it except those in `result`
   * (a tensor, or arrays / objects nesting them, searched at any depth), which move to the
   * enclosing scope, and those `keep` marked. After a throw, pass nothing: all are freed.
   */
  endScope(result?: unknown): void {
    const scope = this.scopes.pop();
    if (!scope) throw new Error('endScope: no scope is open');
    // Results are marked with this closing's token rather than collected into a Set: the
    // common result (a tensor, a list of gradients) then costs no allocation.
    const token = ++this.closings;
    markResults(result, token, null);
    const parent = this.scopes[this.scopes.length - 1];
    if (parent) {
      for (let i = 0; i < scope.length; i++) {
        const tensor = scope[i];
        if (tensor.resultOf === token && !tensor.isDisposed && !tensor.kept) parent.push(tensor);
      }
    }
    // Newest first: a scope's data was allocated in order, so freeing it in reverse hands each
    // block back at the arena's top (a stack pop) instead of merging it into its free neighbours.
    for (let i = scope.length - 1; i >= 0; i--) {
      const tensor = scope[i];
      if (!tensor.isDisposed && !tensor.kept && tensor.resultOf !== token) tensor.dispose();
    }
  }

  /**
   * Run `fn`, then dispose every tensor it created except the ones it returns. Nothing
   * leaks when `fn` throws: its tensors are disposed and the error goes on.
   */
  tidy<T>(fn: () => T): T {
    this.startScope();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.endScope();
      throw error;
    }
    if (result instanceof Promise) {
      this.endScope();
      throw new Error('tidy: the function returned a Promise; tidy is synchronous (await outside it)');
    }
    this.endScope(result);
    return result;
  }

  /** Keep a tensor out of every enclosing tidy's disposal. */
  keep<T extends Tensor>(tensor: T): T {
    tensor.kept = true;
    return tensor;
  }

  // ---- the tape ----

  /** True while an op's result would be recorded for a gradient. */
  get recording(): boolean { return this.gradientDepth > 0 && this.pauseDepth === 0; }

  /** Run an op's forward: the ops it calls inside are its implementation, not recorded. */
  pauseRecording(): void { this.pauseDepth++; }
  resumeRecording(): void { this.pauseDepth--; }

  withoutRecording<T>(fn: () => T): T {
    this.pauseDepth++;
    try {
      return fn();
    } finally {
      this.pauseDepth--;
    }
  }

  /**
   * Record an op's result. `saved`: tensors the gradient reads, replaced in place by handles
   * pinned until the tape ends (the caller gives a fresh array, or an empty one).
   */
  record(def: TapeOp, inputs: Tensor[], outputs: Tensor[], saved: Tensor[], gradient: GradientFn | null, attrs: unknown): void {
    if (!this.recording || !this.tape) return;
    for (let i = 0; i < saved.length; i++) saved[i] = this.pin(saved[i]);
    this.tape.push({ def, inputs, outputs, saved, gradient, attrs });
  }

  /** A handle on `tensor`'s data that no scope frees; the tape disposes it. */
  private pin(tensor: Tensor): Tensor {
    tensor.ref.refCount++;
    this.numTensors++;
    const handle = new Tensor(tensor.shape, tensor.dtype, tensor.ref, this.nextId++);
    handle.origin = tensor.origin ?? tensor;
    return handle;
  }

  /** Open a gradient computation; returns the tape and where this one's entries start. */
  beginGradient(): { tape: TapeEntry[]; start: number } {
    if (this.pauseDepth > 0) throw new Error('gradients cannot be computed inside an op\'s forward');
    this.tape ??= [];
    this.gradientDepth++;
    return { tape: this.tape, start: this.tape.length };
  }

  /** The forward is done: stop recording for this level (an outer level still records). */
  endForward(): void { this.gradientDepth--; }

  /** The gradient computation is over; the outermost one frees the tape's pinned data. */
  endGradient(): void {
    if (this.gradientDepth > 0 || !this.tape) return;
    for (const entry of this.tape) for (const t of entry.saved) t.dispose();
    this.tape = null;
  }
}

/**
 * The live data refs: an array in which each ref knows its index, so that listing one (every
 * op's output) and unlisting it (every free) cost no hashing and no table growth. Iterates
 * and counts as the Set it replaced did (tf.memory, backend moves).
 */
export class LiveRefs implements Iterable<DataRef> {
  private readonly refs: DataRef[] = [];
  get size(): number { return this.refs.length; }
  add(ref: DataRef): void {
    if (this.has(ref)) return;
    ref.slot = this.refs.length;
    this.refs.push(ref);
  }
  delete(ref: DataRef): boolean {
    if (!this.has(ref)) return false;
    const last = this.refs.pop()!;
    if (last !== ref) {
      this.refs[ref.slot] = last;
      last.slot = ref.slot;
    }
    ref.slot = -1;
    return true;
  }
  has(ref: DataRef): boolean { return ref.slot >= 0 && this.refs[ref.slot] === ref; }
  /** A snapshot: deleting while iterating is safe. */
  [Symbol.iterator](): Iterator<DataRef> { return this.refs.slice()[Symbol.iterator](); }
}

/** Marks every tensor in `value` (nested arrays, plain objects, Maps; cycles visited once). */
function markResults(value: unknown, token: number, seen: Set<object> | null): void {
  if (value instanceof Tensor) { value.resultOf = token; return; }
  if (!value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) {
      if (v instanceof Tensor) v.resultOf = token;
      else if (v && typeof v === 'object') {
        seen ??= new Set([value]);
        if (!seen.has(v)) { seen.add(v); markResults(v, token, seen); }
      }
    }
  } else if (Object.getPrototypeOf(value) === Object.prototype || value instanceof Map) {
    seen ??= new Set([value]);
    for (const v of value instanceof Map ? value.values() : Object.values(value)) {
      if (v instanceof Tensor) v.resultOf = token;
      else if (v && typeof v === 'object' && !seen.has(v)) { seen.add(v); markResults(v, token, seen); }
    }
  }
}

export const ENGINE = new Engine();
