/**
 * Threads for the wasm backend: a pool of workers (worker_threads in Node, Workers in Deno
 * and browsers) that instantiate the same kernel module over the backend's one shared
 * WebAssembly.Memory, so no tensor is ever copied to a thread.
 *
 * How a kernel runs on several threads: its binding (gemm.ts, conv.ts, parallel.ts) splits
 * the call into independent tasks (row or column panels of a GEMM, images of a batch, ranges
 * of an elementwise op), each a kernel export and its arguments, written into a control block
 * in the shared memory. `run()` publishes them (a generation counter, Atomics.notify) and
 * every thread, the caller included, claims tasks with Atomics.add until none is left; the
 * caller then waits for the count of finished tasks. Tasks are claimed, not assigned, so a
 * thread slowed by another process takes fewer, and a worker that has not started yet (they
 * start asynchronously) takes none: results never wait for a worker.
 *
 * The caller spins while it waits (and is itself thread 0), never Atomics.wait: a browser's
 * main thread may not block, and the wait is at most one task long. Workers spin a little
 * after each job (training issues kernels back to back), then sleep in Atomics.wait.
 *
 * The arena stays single-owner: only the caller allocates. Each thread has its own GEMM
 * packing workspace and im2col scratch, allocated by the caller when the thread is made; an
 * argument flagged as scratch is replaced by the running thread's own pointer.
 *
 * Shared memory needs SharedArrayBuffer: always there in Node and Deno, in browsers only on
 * cross-origin-isolated pages. `threadsUnavailable()` says why not; the backend then runs on
 * one thread and sora.env() reports the reason.
 */

import { spawnWorker, type AnyWorker } from './threads-host.js';

/** The kernel exports a task may name, by index (the worker builds the same table). */
export const TASK_KERNELS = [
  'gemm', 'conv2d', 'conv2d_backprop_input', 'conv2d_backprop_filter', 'depthwise_conv2d',
  'depthwise_conv2d_backprop_input', 'depthwise_conv2d_backprop_filter', 'pool2d', 'pool2d_backward', 'unary',
  'unary_backward', 'binary', 'binary_i32', 'adam', 'sgd', 'rmsprop', 'reduce', 'softmax', 'activation', 'affine',
  'recurrent_sequence', 'recurrent_sequence_backward',
] as const;
export type TaskKernel = (typeof TASK_KERNELS)[number];
export const KERNEL_INDEX = Object.fromEntries(TASK_KERNELS.map((name, i) => [name, i])) as Record<TaskKernel, number>;

/** What an argument flagged as scratch stands for: the running thread's buffers, or the task's 16 geometry words. */
export const SCRATCH_GEMM = 0;
export const SCRATCH_COL = 1;
export const SCRATCH_EXTRA = 2;

/** The most tasks one job may have. */
export const MAX_TASKS = 128;
/** f64 slots of a task: kernel index, scratch mask, then up to 24 arguments. */
const TASK_SLOTS = 32;
export const TASK_ARGS = 24;

// Control block layout, in i32 words from its start.
const GEN = 0, NEXT = 1, DONE = 2, COUNT = 3, ERROR = 4, LIMIT = 6, SPIN = 7;
const SCRATCH_WORDS = 16; // thread t's [gemm workspace, col] at SCRATCH_WORDS + 2t
const TALLY_WORDS = SCRATCH_WORDS + 2 * 64; // tasks thread t has run, at TALLY_WORDS + t (for tests)
const ALIVE_WORDS = TALLY_WORDS + 64; // worker t writes its start number here once it waits for jobs
const STOP_WORDS = ALIVE_WORDS + 64; // the caller writes a worker's start number here to make it leave
const TASKS_BYTES = 2048; // f64 task records from here (the words above end at 336 * 4 bytes)
const EXTRA_BYTES = TASKS_BYTES + MAX_TASKS * TASK_SLOTS * 8; // 16 i32 words per task from here
export const CONTROL_BYTES = EXTRA_BYTES + MAX_TASKS * 64;
/** A value of NEXT no claim reaches: set while a job is being written, so a late worker claims nothing. */
const CLOSED = 1 << 30;

/**
 * The worker's code, as a string, so that no bundler has to find a second file: Node runs it
 * with `eval: true`, Deno and browsers from a Blob URL. It receives { module | bytes, memory,
 * control, id, names }, then loops over jobs for as long as it lives.
 */
const ARG_LIST = Array.from({ length: TASK_ARGS }, (_, i) => `a[${i}]`).join(', ');
const WORKER_SOURCE = `
const start = (d) => {
  const mod = d.module || new WebAssembly.Module(d.bytes);
  const ex = new WebAssembly.Instance(mod, { env: { memory: d.memory } }).exports;
  const fns = d.names.map((n) => ex[n]);
  const i32 = new Int32Array(d.memory.buffer), f64 = new Float64Array(d.memory.buffer);
  const c = d.control >> 2, id = d.id, a = new Float64Array(${TASK_ARGS});
  const taskBase = (d.control + ${TASKS_BYTES}) >> 3, extraBase = d.control + ${EXTRA_BYTES};
  let gen = Atomics.load(i32, c + ${GEN});
  Atomics.store(i32, c + ${ALIVE_WORDS} + id, d.start);
  for (;;) {
    if (Atomics.load(i32, c + ${STOP_WORDS} + id) === d.start) break;
    // Spin a while (kernels come back to back in training), then sleep until the next job.
    let spins = 0;
    const spinUntil = performance.now() + i32[c + ${SPIN}] / 1000;
    while (Atomics.load(i32, c + ${GEN}) === gen) {
      if ((++spins & 255) === 0 && performance.now() > spinUntil) Atomics.wait(i32, c + ${GEN}, gen);
    }
    gen = Atomics.load(i32, c + ${GEN});
    if (id >= Atomics.load(i32, c + ${LIMIT}) || Atomics.load(i32, c + ${STOP_WORDS} + id) === d.start) continue;
    const work = i32[c + ${SCRATCH_WORDS} + 2 * id], col = i32[c + ${SCRATCH_WORDS} + 2 * id + 1];
    for (;;) {
      const t = Atomics.add(i32, c + ${NEXT}, 1);
      if (t >= Atomics.load(i32, c + ${COUNT})) break;
      try {
        const r = taskBase + t * ${TASK_SLOTS}, mask = f64[r + 1];
        for (let i = 0; i < ${TASK_ARGS}; i++) {
          const v = f64[r + 2 + i];
          a[i] = mask & (1 << i) ? (v === 0 ? work : v === 1 ? col : extraBase + t * 64) : v;
        }
        fns[f64[r]](${ARG_LIST});
        i32[c + ${TALLY_WORDS} + id]++;
      } catch (e) {
        Atomics.store(i32, c + ${ERROR}, 1);
      }
      Atomics.add(i32, c + ${DONE}, 1);
    }
  }
};
if (typeof self !== 'undefined' && typeof self.postMessage === 'function') {
  self.onmessage = (e) => { start(e.data); self.close(); };
} else {
  require('node:worker_threads').parentPort.once('message', start);
}
`;

/**
 * How long a worker spins after a job before it sleeps in Atomics.wait. Waking a sleeping
 * worker takes tens of microseconds or more (Chromium most), and a training step's kernels come
 * a few microseconds apart; a fixed count of spins was ~20 µs in Chromium, too short.
 */
const SPIN_MICROSECONDS = 300;

/** Milliseconds without a job after which Deno's workers are stopped (ThreadPool.parkWhenIdle). */
const IDLE_MS = 1000;

/** What the pool needs from its backend: the memory, the arena and the exports run on the calling thread. */
export interface PoolHost {
  memory: WebAssembly.Memory;
  /** The module compiled with a shared memory import, and its bytes (posted where a module cannot be). */
  module: WebAssembly.Module;
  bytes: Uint8Array | null;
  exports: Record<string, unknown>;
  /** Allocates the pool's own blocks (kept for the backend's life). */
  alloc(bytes: number): number;
  gemmWorkspaceBytes: number;
  colBytes: number;
  /** The calling thread's own scratch (thread 0). */
  gemmWork: number;
  col: number;
}

type Kernel = (...args: number[]) => void;

/**
 * The pool: `threads` threads in all, the caller and threads - 1 workers. Build a job with
 * `task()` (which returns the f64 slot of its first argument: write them into `args`), then
 * `run()`.
 */
export class ThreadPool {
  private readonly control: number;
  private readonly i32: Int32Array;
  /** The task records (f64); a task's arguments from the slot task() returns. */
  readonly args: Float64Array;
  private readonly fns: Kernel[];
  /** A task's arguments with its scratch references resolved (reused: no allocation per task). */
  private readonly resolved = new Float64Array(TASK_ARGS);
  private readonly workers: (AnyWorker | null)[] = [];
  private readonly scratch: { work: number; col: number }[] = [];
  private count = 0;
  private threadCount = 1;
  /** Deno only (see parkWhenIdle): when the last job ran, whether the workers are parked, the idle timer. */
  private lastJob = 0;
  private parked = false;
  private idleTimer: number | null = null;
  /** Workers started so far: each gets the number of its start, and writes it once it waits for jobs. */
  private starts = 0;
  private readonly startOf: number[] = [];
  private lastStart = 0;
  /** Why a worker failed to start, if one did. */
  failure: string | null = null;

  constructor(private readonly host: PoolHost) {
    this.control = host.alloc(CONTROL_BYTES);
    const buffer = host.memory.buffer;
    this.i32 = new Int32Array(buffer);
    this.args = new Float64Array(buffer);
    new Uint8Array(buffer, this.control, CONTROL_BYTES).fill(0);
    const c = this.control >> 2;
    Atomics.store(this.i32, c + NEXT, CLOSED);
    Atomics.store(this.i32, c + LIMIT, 1);
    this.i32[c + SPIN] = SPIN_MICROSECONDS;
    this.i32[c + SCRATCH_WORDS] = host.gemmWork;
    this.i32[c + SCRATCH_WORDS + 1] = host.col;
    this.fns = TASK_KERNELS.map((name) => host.exports[name] as Kernel);
  }

  /** Threads in all, the calling one included. */
  get threads(): number { return this.threadCount; }
  /** Workers that have started and wait for jobs (each writes the number of its start, so a stopped one never counts). */
  get readyWorkers(): number {
    let ready = 0;
    for (let id = 1; id < Math.min(this.workers.length, this.threadCount); id++) {
      if (this.workers[id] && Atomics.load(this.i32, (this.control >> 2) + ALIVE_WORDS + id) === this.startOf[id]) ready++;
    }
    return ready;
  }

  /** Tasks each thread has run so far (index 0: the calling thread), for tests. */
  tally(): number[] {
    const c = this.control >> 2;
    return Array.from({ length: this.threadCount }, (_, t) => Atomics.load(this.i32, c + TALLY_WORDS + t));
  }

  /**
   * Resizes the pool to n threads (n - 1 workers). New workers start asynchronously; workers
   * beyond n stay alive but take no tasks (LIMIT), so going back to more threads costs nothing.
   */
  resize(n: number): void {
    Atomics.store(this.i32, (this.control >> 2) + LIMIT, n);
    for (let id = 1; id < n; id++) if (!this.workers[id]) this.startWorker(id);
    this.threadCount = n;
    this.parked = false;
    if (n > 1) this.parkWhenIdle();
  }

  /**
   * Stops every worker (none holds a task: jobs run only inside run()). Each is told to leave
   * its loop and closes itself: Deno notices a worker that closes itself, while one terminated
   * from outside as it sleeps in Atomics.wait kept a Deno process from exiting (2.9, measured).
   * Node's are terminated as well.
   */
  private stopAll(): void {
    const c = this.control >> 2;
    for (let id = 1; id < this.workers.length; id++) {
      const made = this.workers[id];
      this.workers[id] = null;
      if (!made) continue;
      Atomics.store(this.i32, c + STOP_WORDS + id, this.startOf[id]!);
      if (made.kind === 'node') void made.worker.terminate();
    }
    Atomics.add(this.i32, c + GEN, 1);
    Atomics.notify(this.i32, c + GEN);
  }

  /**
   * Deno keeps a process alive while any worker lives and has no way to unref one, so there
   * the workers are stopped after IDLE_MS without a job (a timer that itself keeps nothing
   * alive), letting the program exit, and started again by the next job (which does not wait
   * for them). Node's workers are unref'd; a page's never hold it.
   */
  private parkWhenIdle(): void {
    const deno = (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno;
    if (!deno?.unrefTimer || this.idleTimer !== null) return;
    this.lastJob = performance.now();
    const check = (): void => {
      const now = performance.now();
      // Workers still starting (a loaded machine) are waited for, up to 10 s, before parking.
      const starting = this.readyWorkers < this.threadCount - 1 && now - this.lastStart < 10_000;
      const idle = starting ? 0 : now - Math.max(this.lastJob, this.lastStart);
      if (idle < IDLE_MS) {
        this.idleTimer = setTimeout(check, IDLE_MS - idle) as unknown as number;
        deno.unrefTimer!(this.idleTimer);
        return;
      }
      this.idleTimer = null;
      this.stopAll();
      this.parked = true;
    };
    this.idleTimer = setTimeout(check, IDLE_MS) as unknown as number;
    deno.unrefTimer(this.idleTimer);
  }

  private startWorker(id: number): void {
    const { host } = this;
    if (!this.scratch[id]) {
      this.scratch[id] = { work: host.alloc(host.gemmWorkspaceBytes), col: host.alloc(host.colBytes) };
    }
    const c = this.control >> 2;
    this.i32[c + SCRATCH_WORDS + 2 * id] = this.scratch[id]!.work;
    this.i32[c + SCRATCH_WORDS + 2 * id + 1] = this.scratch[id]!.col;
    this.lastStart = performance.now();
    this.startOf[id] = ++this.starts;
    const message = { module: host.module, bytes: null as Uint8Array | null, memory: host.memory, control: this.control, id,
      names: TASK_KERNELS, start: this.starts };
    let made: AnyWorker;
    try {
      made = spawnWorker(WORKER_SOURCE);
    } catch (error) {
      this.failure = `could not start a worker (${(error as Error).message})`;
      this.workers[id] = null;
      return;
    }
    this.workers[id] = made;
    const onError = (message: string): void => { this.failure = `a worker failed: ${message}`; };
    try {
      made.worker.postMessage(message);
    } catch {
      // Some hosts cannot pass a compiled module to a worker: pass the bytes; it compiles them.
      made.worker.postMessage({ ...message, module: null, bytes: host.bytes });
    }
    if (made.kind === 'node') made.worker.on('error', (error) => onError(error.message));
    else made.worker.addEventListener('error', (event) => onError(event.message ?? 'error'));
  }

  /** Stops every worker; the pool runs on the calling thread only. */
  dispose(): void {
    Atomics.store(this.i32, (this.control >> 2) + LIMIT, 1);
    this.stopAll();
    this.threadCount = 1;
    this.parked = false;
  }

  /** Starts a new job: no tasks yet. */
  begin(): void {
    this.count = 0;
    if (this.parked && this.threadCount > 1) this.resize(this.threadCount);
    this.lastJob = performance.now();
  }

  /**
   * Adds a task calling kernel `kernel`; `scratchMask` bit i marks argument i as a scratch
   * reference (SCRATCH_GEMM, SCRATCH_COL, SCRATCH_EXTRA). Returns the slot of argument 0 in
   * `args`; unwritten arguments are 0.
   */
  task(kernel: TaskKernel, scratchMask = 0): number {
    if (this.count >= MAX_TASKS) throw new Error(`wasm threads: a job has at most ${MAX_TASKS} tasks`);
    const r = ((this.control + TASKS_BYTES) >> 3) + this.count * TASK_SLOTS;
    this.args[r] = KERNEL_INDEX[kernel];
    this.args[r + 1] = scratchMask;
    this.args.fill(0, r + 2, r + 2 + TASK_ARGS);
    this.count++;
    return r + 2;
  }

  /** The byte address of the most recent task's 16 geometry words (SCRATCH_EXTRA resolves to it in the task). */
  extra(): number { return this.control + EXTRA_BYTES + (this.count - 1) * 64; }

  /** Runs the job's tasks on every thread, this one included; returns when all are done. */
  run(): void {
    const { i32, args, fns } = this;
    const c = this.control >> 2, count = this.count;
    if (count === 0) return;
    Atomics.store(i32, c + ERROR, 0);
    Atomics.store(i32, c + COUNT, count);
    Atomics.store(i32, c + DONE, 0);
    Atomics.store(i32, c + NEXT, 0);
    Atomics.add(i32, c + GEN, 1);
    Atomics.notify(i32, c + GEN);
    const taskBase = (this.control + TASKS_BYTES) >> 3, extraBase = this.control + EXTRA_BYTES;
    const { gemmWork, col } = this.host;
    let failure: unknown = null;
    for (;;) {
      const t = Atomics.add(i32, c + NEXT, 1);
      if (t >= count) break;
      const r = taskBase + t * TASK_SLOTS, mask = args[r + 1]!, a = this.resolved;
      for (let i = 0; i < TASK_ARGS; i++) {
        const v = args[r + 2 + i]!;
        a[i] = mask & (1 << i) ? (v === SCRATCH_GEMM ? gemmWork : v === SCRATCH_COL ? col : extraBase + t * 64) : v;
      }
      try {
        fns[args[r]!]!(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!,
          a[14]!, a[15]!, a[16]!, a[17]!, a[18]!, a[19]!, a[20]!, a[21]!, a[22]!, a[23]!);
        i32[c + TALLY_WORDS]!++;
      } catch (error) {
        failure ??= error;
      }
      Atomics.add(i32, c + DONE, 1);
    }
    while (Atomics.load(i32, c + DONE) < count) { /* spin: at most one task of another thread */ }
    Atomics.store(i32, c + NEXT, CLOSED);
    this.count = 0;
    if (failure) throw failure;
    if (Atomics.load(i32, c + ERROR)) {
      throw new Error(`wasm threads: a worker failed running ${TASK_KERNELS[args[taskBase]!]} (its message, if any, went to the console)`);
    }
  }
}

/** Elements below which an elementwise, optimizer or row kernel stays on one thread (about 20 µs of work). */
export const ELEMENTWISE_PARALLEL = 1 << 16;

/**
 * Splits [0, n) into one range per thread (a multiple of `align`, by default 16 elements: 64 bytes) when the
 * pool has several threads and n reaches `threshold`; calls `task(begin, end)` for each, which
 * adds its task, then runs them. Returns false (nothing done) to have the caller run at once.
 */
export function splitRange(pool: ThreadPool | null, n: number, threshold: number,
  task: (pool: ThreadPool, begin: number, end: number) => void, align = 16): boolean {
  if (pool === null || pool.threads < 2 || n < threshold) return false;
  const per = Math.ceil(n / pool.threads / align) * align;
  pool.begin();
  for (let begin = 0; begin < n; begin += per) task(pool, begin, Math.min(n, begin + per));
  pool.run();
  return true;
}
