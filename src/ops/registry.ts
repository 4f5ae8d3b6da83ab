/**
 * The op registry: every op is defined once, as an `OpDef`, and run by `runOp`, which does
 * for every op the same things in the same order:
 *   1. checks each input is a live Tensor (the error names the op and the input);
 *   2. `infer`: the op's own checks (dtypes, ranks, attributes) and its output shapes and
 *      dtypes, before any kernel runs; each output's bytes are checked against what the
 *      backend can hold (`maxStorageBytes`), so a huge size argument throws a RangeError
 *      naming the op before anything is allocated;
 *   3. the forward: the op's kernel when the active backend has it (`kernel.available`),
 *      else its composition of other ops; the ops a forward calls are not recorded;
 *   4. checks the forward made what `infer` promised;
 *   5. while a gradient is recorded: one tape entry with all the outputs, the tensors the
 *      gradient reads (`save`, pinned so no scope can free them) and the gradient.
 * The engine then checks each gradient's shape against its input, and errors naming the op
 * when a gradient is needed through an op declared `grad: 'none'`.
 *
 * Adding an op:
 *   - write `const FOO = register<FooAttrs>({ name: 'foo', inputs: [...], infer, kernel and/or
 *     compose, save, grad })` in the module of its family, and run the op through FOO (what
 *     register returns: a copy with every field present, which runs faster than the literal);
 *   - `grad` is written with ops (so it is differentiable itself), or is 'none' (not
 *     differentiable: integer or bool outputs, random values), or 'composed' (the op is a
 *     composition whose inner ops are recorded, like tinygrad's movement ops);
 *   - export the public function (TF.js's name and signature) and its chainable method; its
 *     tensor arguments take values too (inputs.ts: one line at its entry), and its row in
 *     tests/ops/tensor-likes-table.ts (the test fails for a public function without one);
 *   - add its test entry in tests/ops/specs.ts: samples, whether the gradient is checked by
 *     finite differences. tests/ops/registry.test.ts fails for a registered op without one.
 */
import { storageBytes, type Backend, type DType, type Kernels } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import { sameShape, type TapeEntry } from '../core/tape.js';
import { Tensor, type Shape } from '../core/tensor.js';
import { refuseString } from './string/movement.js';
import { checkAllocation, checkTensor, sizeOf } from './util.js';

export interface TensorSpec { shape: Shape; dtype: DType }

export type GradFn<A> = (dys: Tensor[], saved: Tensor[], attrs: A, needs: boolean[]) => (Tensor | null)[];

export interface OpDef<A = Record<string, never>> {
  /** TF.js's name for it where TF.js has it. */
  readonly name: string;
  /** Names of the tensor inputs, for error messages; ops with optional inputs list them all. */
  readonly inputs: readonly string[];
  /** Checks inputs and attributes; returns the outputs' shapes and dtypes. */
  infer(inputs: Tensor[], attrs: A): TensorSpec[];
  /** The fast path, when the active backend has the kernels it needs. */
  readonly kernel?: {
    available(backend: Backend, attrs: A, inputs: Tensor[]): boolean;
    run(backend: Backend & Kernels, inputs: Tensor[], attrs: A, specs: TensorSpec[]): Tensor[];
  };
  /** The op written with other ops: the fallback where the kernel is missing, or the only path. */
  compose?(inputs: Tensor[], attrs: A, specs: TensorSpec[]): Tensor[];
  /** Which inputs and outputs (by index) the gradient reads, in that order, as `saved`. */
  readonly save?: { readonly inputs?: readonly number[]; readonly outputs?: readonly number[] };
  /**
   * Gradients of the inputs, one per input (null where it has none or `needs` is false).
   * With `broadcasts`, a gradient of the broadcast output's shape is summed to its input's.
   */
  readonly grad: GradFn<A> | 'none' | 'composed';
  readonly broadcasts?: boolean;
  /**
   * What `dys` holds for an output nothing downstream used: zeros of its shape (the
   * default), or null, for ops whose gradient can skip a term (check `dys[k]` then).
   */
  readonly unusedOutputs?: 'zeros' | 'null';
  /** Takes complex64 inputs (src/ops/complex.ts); other ops refuse them, naming the op. */
  readonly complex?: boolean;
  /**
   * Its output is a view of its input's data (reshape): it allocates nothing, so its output
   * is not checked against the backend's storage limit.
   */
  readonly view?: boolean;
  /**
   * `infer` reads only the inputs' shapes and dtypes (never attrs or values): runOp then reuses
   * the specs of the last call whose inputs had the same shapes and dtypes instead of calling
   * it, so an op whose shapes repeat (every training step) allocates no specs.
   */
  readonly inferByShapes?: boolean;
}

/**
 * The last `infer` of an op marked `inferByShapes`: the inputs' shapes and dtypes it was given
 * (copies) and what it returned (copies, shared by every hit: never mutated).
 */
interface InferMemo { shapes: Shape[]; dtypes: DType[]; specs: TensorSpec[]; bytes: number[] }
/** An OpDef as register keeps it: every field present, and the memo of an op that infers by shapes. */
interface Registered { memo?: InferMemo | null }

const REGISTRY = new Map<string, OpDef<never>>();

/** Adds an op to the registry; names are unique. */
export function register<A>(def: OpDef<A>): OpDef<A> {
  if (REGISTRY.has(def.name)) throw new Error(`register: an op named '${def.name}' is already registered`);
  if (def.grad === 'composed' && (!def.compose || def.kernel)) {
    throw new Error(`register: '${def.name}' has grad 'composed', so it needs a composition and no kernel`);
  }
  if (!def.kernel && !def.compose) throw new Error(`register: '${def.name}' has neither a kernel nor a composition`);
  // A copy with every field present, in one order: every registered op then has one object
  // shape, so runOp's reads of its fields stay fast (one shape, not hundreds). Ops are run
  // through what register returns.
  const op: OpDef<A> & Registered = {
    name: def.name, inputs: def.inputs, infer: def.infer, kernel: def.kernel, compose: def.compose, save: def.save,
    grad: def.grad, broadcasts: def.broadcasts, unusedOutputs: def.unusedOutputs, complex: def.complex, view: def.view,
    inferByShapes: def.inferByShapes, memo: null,
  };
  REGISTRY.set(def.name, op as OpDef<never>);
  return op;
}

/** Every registered op, by name. */
export function registeredOps(): ReadonlyMap<string, OpDef<never>> { return REGISTRY; }

/**
 * Runs the registered op `name`, looked up when called. The gradient plumbing of runOp needs
 * fill, sum and reshape, whose modules sit above this one (they register with it), so it
 * finds them by name instead of importing them.
 */
function runRegistered<A>(name: string, inputs: Tensor[], attrs: A): Tensor {
  const def = REGISTRY.get(name) as OpDef<A> | undefined;
  if (!def) throw new Error(`registry: a gradient needs the op '${name}', which is not registered; import it (or sora) first`);
  return run1(def, inputs, attrs);
}

/** Zeros (float32) for the upstream gradient of an output nothing downstream used. */
function zerosOf(shape: Shape): Tensor {
  return runRegistered('fill', [], { shape, value: 0, dtype: 'float32' });
}

/**
 * Sums a broadcast gradient back down to an operand's shape: a `sum` with kept dimensions
 * over the broadcast axes, then a `reshape` (ops with `broadcasts`, and broadcastTo's gradient).
 */
export function sumToShape(dy: Tensor, shape: Shape): Tensor {
  if (sameShape(dy.shape, shape)) return dy;
  const padded = [...new Array<number>(dy.rank - shape.length).fill(1), ...shape];
  const axes = padded.flatMap((d, i) => (d === 1 && dy.shape[i] !== 1 ? [i] : []));
  const reduced = axes.length ? runRegistered('sum', [dy], { axes, keepDims: true, inShape: dy.shape }) : dy;
  return runRegistered('reshape', [reduced], { shape: shape.slice(), inShape: reduced.shape });
}

/**
 * Told of every op's forward (name, inputs, outputs, milliseconds, and whether it ran a
 * backend kernel rather than a composition of other ops): tf.profile and tf.time (src/profile.ts).
 */
export type OpObserver = (name: string, inputs: Tensor[], outputs: Tensor[], ms: number, ranKernel: boolean) => void;
const opObservers: OpObserver[] = [];
/** Adds an observer; returns the function that removes it. */
export function addOpObserver(fn: OpObserver): () => void {
  opObservers.push(fn);
  return () => {
    const i = opObservers.indexOf(fn);
    if (i >= 0) opObservers.splice(i, 1);
  };
}

/** The specs `memo` holds when `inputs` have the shapes and dtypes it was made for, else null. */
function memoSpecs(memo: InferMemo | null | undefined, inputs: Tensor[]): TensorSpec[] | null {
  if (!memo || memo.shapes.length !== inputs.length) return null;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    if (t.dtype !== memo.dtypes[i] || !sameShape(t.shape, memo.shapes[i])) return null;
  }
  return memo.specs;
}

function makeMemo(inputs: Tensor[], specs: TensorSpec[]): InferMemo {
  const frozen = specs.map((s) => ({ shape: s.shape.slice(), dtype: s.dtype }));
  return {
    shapes: inputs.map((t) => t.shape.slice()),
    dtypes: inputs.map((t) => t.dtype),
    specs: frozen,
    bytes: frozen.map((s) => storageBytes(sizeOf(s.shape), s.dtype)),
  };
}

/** Runs `def` on `inputs` (see the file comment); returns all of its outputs. */
// The hot path of every op: plain loops, no closures, and for ops whose shapes repeat
// (`inferByShapes`) no arrays beyond the outputs and what is recorded (bench/engine.mjs
// measures it per op).
export function runOp<A>(def: OpDef<A>, inputs: Tensor[], attrs: A): Tensor[] {
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    // One check of the usual case (a live tensor of a real dtype); anything else is refused by name.
    if (!(t instanceof Tensor) || t.isDisposed || t.dtype === 'complex64' || t.dtype === 'string') checkInput(def, inputs, i);
  }
  const backend = ENGINE.backend;
  const memo = def.inferByShapes === true ? (def as Registered).memo : undefined;
  let specs = memoSpecs(memo, inputs);
  if (specs !== null) {
    // The shapes were checked when the memo was made; what the backend can hold changes.
    const limit = backend.maxStorageBytes();
    const bytes = memo!.bytes;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] > limit) checkAllocation(def.name, specs[i].shape, specs[i].dtype, 'output', false, backend);
    }
  } else {
    specs = def.infer(inputs, attrs);
    // What the op will allocate, before anything runs: one bad size is an Error, not a dead process.
    if (!def.view) for (let i = 0; i < specs.length; i++) checkAllocation(def.name, specs[i].shape, specs[i].dtype, 'output', false, backend);
    if (def.inferByShapes === true && !def.view) (def as Registered).memo = makeMemo(inputs, specs);
  }
  const kernel = def.kernel && def.kernel.available(backend, attrs, inputs) ? def.kernel : null;
  if (def.grad === 'composed') return composeScoped(def, inputs, attrs, specs);
  if (!kernel && !def.compose) {
    throw new Error(`${def.name}: the '${backend.name}' backend has no kernel for it and it has no composition`);
  }
  const started = opObservers.length > 0 ? performance.now() : 0;
  let outputs: Tensor[];
  ENGINE.pauseRecording();
  try {
    outputs = kernel ? kernel.run(backend as Backend & Kernels, inputs, attrs, specs) : composeScoped(def, inputs, attrs, specs);
  } finally {
    ENGINE.resumeRecording();
  }
  if (opObservers.length > 0) {
    const ms = performance.now() - started;
    for (const observe of opObservers.slice()) observe(def.name, inputs, outputs, ms, kernel !== null);
  }
  if (!matches(outputs, specs)) {
    for (const t of outputs) if (!inputs.includes(t)) t.dispose();
    throw new Error(`${def.name}: internal error: the forward made [${outputs.map(describeSpec)}], ` +
      `infer promised [${(specs as TensorSpec[]).map(describeSpec)}]`);
  }
  if (ENGINE.recording) {
    let saved = NOTHING_SAVED;
    const save = def.save;
    if (save) {
      saved = [];
      if (save.inputs) for (let i = 0; i < save.inputs.length; i++) saved.push(inputs[save.inputs[i]]);
      if (save.outputs) for (let i = 0; i < save.outputs.length; i++) saved.push(outputs[save.outputs[i]]);
    }
    ENGINE.record(def, inputs, outputs, saved, def.grad === 'none' ? null : opGradient, attrs);
  }
  return outputs;
}

/** Throws the error for input `i` of `def` that is not a live tensor of a dtype the op takes. */
function checkInput<A>(def: OpDef<A>, inputs: Tensor[], i: number): void {
  const name = def.inputs[i] ?? `input ${i}`;
  const t = checkTensor(def.name, name, inputs[i]);
  if (t.dtype === 'complex64' && !def.complex) {
    throw new Error(`${def.name}: '${name}' is complex64, which ${def.name} does not take; take tf.real / tf.imag (or tf.abs) first`);
  }
  if (t.dtype === 'string') refuseString(def.name, name); // strings never reach a kernel
}

/** The `saved` of an op that saves nothing (never written: record pins in place only what it is given). */
const NOTHING_SAVED: Tensor[] = [];

/**
 * The backward of every recorded op (TapeEntry.gradient): the op's `grad` on the upstream
 * gradients (zeros for an unused output, unless the op takes null), then a broadcast
 * operand's gradient summed down to its shape.
 */
function opGradient(dys: (Tensor | null)[], pinned: Tensor[], needs: boolean[], entry: TapeEntry): (Tensor | null)[] {
  const def = entry.def as OpDef<unknown>;
  const grad = def.grad as GradFn<unknown>;
  let upstream = dys as Tensor[];
  if (def.unusedOutputs !== 'null') {
    upstream = new Array<Tensor>(dys.length);
    for (let k = 0; k < dys.length; k++) upstream[k] = dys[k] ?? zerosOf(entry.outputs[k].shape);
  }
  const grads = grad(upstream, pinned, entry.attrs, needs);
  if (!def.broadcasts) return grads;
  const inputs = entry.inputs;
  return grads.map((g, i) => (g && !sameShape(g.shape, inputs[i].shape) ? sumToShape(g, inputs[i].shape) : g));
}

/**
 * A composition in a scope of its own: its intermediates are freed even when the op is
 * called outside any tidy (a kernel's `run` frees its own temporaries).
 */
function composeScoped<A>(def: OpDef<A>, inputs: Tensor[], attrs: A, specs: TensorSpec[]): Tensor[] {
  ENGINE.startScope();
  let outputs: Tensor[];
  try {
    outputs = def.compose!(inputs, attrs, specs);
  } catch (error) {
    ENGINE.endScope();
    throw error;
  }
  ENGINE.endScope(outputs);
  return outputs;
}

/** Runs a one-output op. */
export function run1<A>(def: OpDef<A>, inputs: Tensor[], attrs: A): Tensor {
  return runOp(def, inputs, attrs)[0];
}

function matches(outputs: Tensor[], specs: TensorSpec[]): boolean {
  if (outputs.length !== specs.length) return false;
  for (let i = 0; i < outputs.length; i++) {
    if (outputs[i].dtype !== specs[i].dtype || !sameShape(outputs[i].shape, specs[i].shape)) return false;
  }
  return true;
}

function describeSpec(spec: TensorSpec): string { return `[${spec.shape}] ${spec.dtype}`; }

/** A one-line spec: one output of this shape and dtype. */
export function spec(shape: Shape, dtype: DType): TensorSpec[] { return [{ shape, dtype }]; }

