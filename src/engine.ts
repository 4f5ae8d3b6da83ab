/**
 * The engine: which backend is active, the tidy scopes that collect intermediate tensors,
 * the autograd tape, and memory accounting. Ops (src/ops) are the only callers of
 * `run`; layers and models speak to ops.
 */
import type { Backend, BackendName, DType, Storage } from './backends/backend.js';
import { Tensor, Variable, DataRef, type Shape } from './tensor.js';

export interface BackendFactory {
  name: BackendName;
  /** Higher wins under 'auto'. */
  priority: number;
  /** `auto`: chosen by 'auto', so the factory may refuse a poor fit (a CPU WebGPU adapter). */
  create(options: unknown, selection: { auto: boolean }): Promise<Backend>;
}

interface TapeEntry {
  inputs: Tensor[];
  output: Tensor;
  /**
   * Gradients of the inputs given the output's gradient (null where an input gets none).
   * `needs[i]` is false for inputs no variable depends on: their gradient may be skipped
   * (the first layer's input gradient is a whole GEMM nobody reads).
   */
  backward: (dy: Tensor, needs: boolean[]) => (Tensor | null)[];
}

export class Engine {
  private readonly factories = new Map<BackendName, BackendFactory>();
  private readonly instances = new Map<BackendName, Backend>();
  private active: Backend | null = null;
  private pending: Promise<Backend> | null = null;
  private scopes: Set<Tensor>[] = [];
  private tape: TapeEntry[] | null = null;
  private nextId = 1;
  /** Live tensors (not disposed), and live data buffers by backend. */
  numTensors = 0;
  readonly dataRefs = new Set<DataRef>();

  registerBackend(factory: BackendFactory): void { this.factories.set(factory.name, factory); }

  registeredBackends(): BackendName[] {
    return [...this.factories.values()].sort((a, b) => b.priority - a.priority).map((f) => f.name);
  }

  /** The backend ops run on; initializes the best available one on first use. */
  get backend(): Backend {
    if (!this.active) {
      throw new Error('sora: no backend is ready yet; `await sora.ready()` (or `await ' +
        "sora.setBackend('auto')`) before the first op");
    }
    return this.active;
  }

  hasBackend(): boolean { return this.active !== null; }

  /** Why 'auto' passed over each higher-priority backend, from the last 'auto' selection. */
  autoSkipped: string[] = [];

  async setBackend(name: BackendName | 'auto', options?: unknown, auto = false): Promise<Backend> {
    if (name !== 'auto') {
      const factory = this.factories.get(name);
      if (!factory) {
        throw new Error(`setBackend: unknown backend '${name}'; expected one of ` +
          `'auto', ${this.registeredBackends().map((n) => `'${n}'`).join(', ')}`);
      }
      const backend = this.instances.get(name) ?? await factory.create(options, { auto });
      this.instances.set(name, backend);
      this.active = backend;
      return backend;
    }
    const failures: string[] = [];
    for (const candidate of this.registeredBackends()) {
      try {
        const backend = await this.setBackend(candidate, options, true);
        this.autoSkipped = failures;
        return backend;
      } catch (error) {
        failures.push(`${candidate}: ${(error as Error).message}`);
      }
    }
    throw new Error(`setBackend('auto'): no backend initialized:\n  ${failures.join('\n  ')}`);
  }

  /** Resolves once a backend is active, choosing 'auto' if none was set. */
  ready(): Promise<Backend> {
    if (this.active) return Promise.resolve(this.active);
    this.pending ??= this.setBackend('auto').finally(() => { this.pending = null; });
    return this.pending;
  }

  /** Forget an instance (e.g. a lost GPU device) so the next setBackend creates a fresh one. */
  dropBackend(name: BackendName): void {
    const instance = this.instances.get(name);
    this.instances.delete(name);
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
  makeView(source: Tensor, shape: Shape): Tensor {
    source.ref.refCount++;
    return this.track(new Tensor(shape, source.dtype, source.ref, this.nextId++));
  }

  makeVariable(initial: Tensor, name: string, trainable: boolean): Variable {
    const backend = this.backend;
    const storage = backend.alloc(initial.size, initial.dtype);
    const ref = new DataRef(storage, backend);
    this.dataRefs.add(ref);
    this.copyInto(initial, ref);
    const variable = new Variable(initial.shape, initial.dtype, ref, this.nextId++, name, trainable);
    this.numTensors++; // variables are not tidied: they live until disposed
    return variable;
  }

  private track<T extends Tensor>(tensor: T): T {
    this.numTensors++;
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) scope.add(tensor);
    return tensor;
  }

  /** Copy a tensor's values into a data ref of the same size (same backend). */
  copyInto(source: Tensor, target: DataRef): void {
    const src = this.onActive(source, 'assign');
    const size = source.size;
    target.backend.copyStrided(src.storage, target.storage, [size], [1], 0, [1], 0);
  }

  releaseTensor(tensor: Tensor): void {
    this.numTensors--;
    for (const scope of this.scopes) scope.delete(tensor);
    const ref = tensor.ref;
    if (--ref.refCount === 0) {
      ref.backend.free(ref.storage);
      this.dataRefs.delete(ref);
    }
  }

  /**
   * The tensor's data on the active backend. Data on another backend that can be read
   * synchronously moves over (once: the tensor keeps the new storage); data on an async
   * backend (webgpu) must be moved with `await moveToActive(tensor)` first.
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

  /**
   * Run `fn`, then dispose every tensor it created except the ones it returns (a tensor,
   * or an array / object of tensors, searched one level deep).
   */
  tidy<T>(fn: () => T): T {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } finally {
      this.scopes.pop();
    }
    const keep = new Set<Tensor>();
    collectTensors(result, keep);
    for (const tensor of scope) {
      if (keep.has(tensor)) {
        const parent = this.scopes[this.scopes.length - 1];
        if (parent) parent.add(tensor);
      } else if (!tensor.isDisposed && !this.tapeHolds(tensor)) {
        tensor.dispose();
      } else if (!tensor.isDisposed) {
        const parent = this.scopes[this.scopes.length - 1];
        if (parent) parent.add(tensor);
      }
    }
    return result;
  }

  /** Keep a tensor out of the current tidy scope's disposal. */
  keep<T extends Tensor>(tensor: T): T {
    for (const scope of this.scopes) scope.delete(tensor);
    return tensor;
  }

  // ---- autograd ----

  get recording(): boolean { return this.tape !== null; }

  private tapeHolds(tensor: Tensor): boolean {
    if (!this.tape) return false;
    for (const entry of this.tape) if (entry.output === tensor || entry.inputs.includes(tensor)) return true;
    return false;
  }

  record(inputs: Tensor[], output: Tensor, backward: TapeEntry['backward']): void {
    if (this.tape) this.tape.push({ inputs, output, backward });
  }

  /**
   * The value of `f()` (a scalar) and its gradients with respect to `variables`. Every
   * intermediate tensor is disposed; the returned ones belong to the caller.
   */
  valueAndGrads(f: () => Tensor, variables: Tensor[]): { value: Tensor; grads: (Tensor | null)[] } {
    if (this.tape) throw new Error('valueAndGrads: nested gradient computations are not supported');
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    const tape: TapeEntry[] = [];
    this.tape = tape;
    let value: Tensor;
    const gradients = new Map<Tensor, Tensor>();
    try {
      value = f();
      this.tape = null;
      if (value.size !== 1) {
        throw new Error(`valueAndGrads: f must return a scalar, got shape [${value.shape}]`);
      }
      const needed = new Set<Tensor>(variables);
      // Only walk entries on a path from a variable to the value.
      for (const entry of tape) if (entry.inputs.some((t) => needed.has(t))) needed.add(entry.output);
      gradients.set(value, ones(value));
      for (let i = tape.length - 1; i >= 0; i--) {
        const entry = tape[i];
        const dy = gradients.get(entry.output);
        if (!dy || !needed.has(entry.output)) continue;
        const inputGrads = entry.backward(dy, entry.inputs.map((t) => needed.has(t)));
        entry.inputs.forEach((input, j) => {
          const grad = inputGrads[j];
          if (!grad || !needed.has(input)) return;
          const previous = gradients.get(input);
          gradients.set(input, previous ? addSameShape(previous, grad) : grad);
        });
      }
    } finally {
      this.tape = null;
      this.scopes.pop();
    }
    const grads = variables.map((v) => gradients.get(v) ?? null);
    const keep = new Set<Tensor>([value, ...grads.filter((g): g is Tensor => g !== null)]);
    for (const tensor of scope) {
      if (keep.has(tensor)) {
        const parent = this.scopes[this.scopes.length - 1];
        if (parent) parent.add(tensor);
      } else if (!tensor.isDisposed) tensor.dispose();
    }
    return { value, grads };
  }
}

function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) { if (v instanceof Tensor) into.add(v); }
  else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) if (v instanceof Tensor) into.add(v);
  }
}

// Small helpers the tape needs, written against the backend directly to avoid a cycle.
function ones(like: Tensor): Tensor {
  const backend = ENGINE.backend;
  const storage = backend.alloc(like.size, 'float32');
  backend.fill(storage, like.size, 1);
  return ENGINE.makeTensor(like.shape, 'float32', storage);
}

function addSameShape(a: Tensor, b: Tensor): Tensor {
  const backend = ENGINE.backend;
  const storage = backend.alloc(a.size, 'float32');
  backend.binary('add', ENGINE.onActive(a, 'grad').storage, a.size,
    ENGINE.onActive(b, 'grad').storage, b.size, storage, a.size);
  return ENGINE.makeTensor(a.shape, 'float32', storage);
}

export const ENGINE = new Engine();
