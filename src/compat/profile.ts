/**
 * tf.profile, tf.time and tf.nextFrame. Both measurements watch the op runner
 * (addOpObserver in src/ops/registry.ts): every op whose forward ran a backend kernel is
 * one entry, as TF.js lists kernels, under TF.js's kernel names ('Square', 'Multiply',
 * 'BatchMatMul'); ops written as compositions show as the kernels they ran.
 */
import { ENGINE } from '../core/engine.js';
import { addOpObserver, type OpObserver } from '../ops/registry.js';
import { Tensor } from '../core/tensor.js';

/** One kernel run as sora.profile records it: its name, input and output shapes, bytes added and total bytes. */
export interface KernelInfo {
  /** The kernel's name. */
  name: string;
  /** Bytes allocated by this kernel. */
  bytesAdded: number;
  /** Bytes in use after it ran. */
  totalBytesSnapshot: number;
  /** Tensors created by this kernel. */
  tensorsAdded: number;
  /** Tensors alive after it ran. */
  totalTensorsSnapshot: number;
  /** The shape of each input. */
  inputShapes: number[][];
  /** The shape of each output. */
  outputShapes: number[][];
  /** The kernel's time in ms, where measured. */
  kernelTimeMs: number;
  /** Any detail the backend adds ('' when none). */
  extraInfo: string;
}

/**
 * What sora.profile reports (tf.ProfileInfo): new tensors and bytes, the peak bytes, and the kernels run with
 * their shapes and bytes.
 */
export interface ProfileInfo {
  /** Bytes allocated by the profiled function and still held at its end. */
  newBytes: number;
  /** Tensors created by the profiled function and still alive at its end. */
  newTensors: number;
  /** The most bytes alive at once while f ran, counting what was alive before (as TF.js). */
  peakBytes: number;
  /** Each kernel run, in order. */
  kernels: KernelInfo[];
  /** What the profiled function returned. */
  result: unknown;
  /** The names of the kernels run, each once. */
  kernelNames: string[];
}

/** What sora.time reports (tf.TimingInfo): wall time in ms and the kernel time (GPU time on webgpu). */
export interface TimingInfo { kernelMs: number; wallMs: number }

/** sora op names whose TF.js kernel is named otherwise than the op's name capitalised. */
const TFJS_KERNEL: Record<string, string> = {
  mul: 'Multiply', div: 'RealDiv', matMul: 'BatchMatMul', dense: '_FusedMatMul', clone: 'Identity', gather: 'GatherV2',
  where: 'Select', isNaN: 'IsNan', gatherND: 'GatherNd', scatterND: 'ScatterNd', pad: 'PadV2', topk: 'TopK',
};
/** The kernel name TF.js's profile would list for a sora op ('square' -> 'Square'). */
export function kernelName(op: string): string {
  return TFJS_KERNEL[op] ?? op.charAt(0).toUpperCase() + op.slice(1);
}

/** Bytes of live data buffers (4 per storage element; a string tensor's UTF-8 bytes). */
function liveBytes(): number {
  let bytes = 0;
  for (const ref of ENGINE.dataRefs) bytes += ref.numBytes;
  return bytes;
}

function bytesOf(tensors: Tensor[]): number {
  const refs = new Set(tensors.map((t) => t.ref));
  let bytes = 0;
  for (const ref of refs) bytes += ref.numBytes;
  return bytes;
}

/** Runs `f` (sync or async) while `observe` sees every op. */
async function watching<T>(observe: OpObserver, f: () => T | Promise<T>): Promise<T> {
  const remove = addOpObserver(observe);
  try {
    return await f();
  } finally {
    remove();
  }
}

/**
 * tf.profile(f): the kernels `f` ran (name, shapes, time, bytes and tensors added and the
 * totals after each), the bytes and tensors it left alive, and the peak of live bytes.
 */
export async function profile(f: () => unknown): Promise<ProfileInfo> {
  if (typeof f !== 'function') throw new Error(`profile: expected a function; received ${typeof f}`);
  const startBytes = liveBytes();
  const startTensors = ENGINE.numTensors;
  let peakBytes = startBytes;
  const kernels: KernelInfo[] = [];
  const result = await watching((name, inputs, outputs, ms, ranKernel) => {
    const totalBytesSnapshot = liveBytes();
    peakBytes = Math.max(peakBytes, totalBytesSnapshot);
    if (!ranKernel) return;
    const made = outputs.filter((t) => !inputs.includes(t));
    kernels.push({
      name: kernelName(name), bytesAdded: bytesOf(made.filter((t) => !inputs.some((i) => i.ref === t.ref))), totalBytesSnapshot,
      tensorsAdded: made.length, totalTensorsSnapshot: ENGINE.numTensors,
      inputShapes: inputs.map((t) => t.shape.slice()), outputShapes: outputs.map((t) => t.shape.slice()),
      kernelTimeMs: ms, extraInfo: '',
    });
  }, f);
  return {
    newBytes: liveBytes() - startBytes, newTensors: ENGINE.numTensors - startTensors, peakBytes,
    kernels, result, kernelNames: [...new Set(kernels.map((k) => k.name))],
  };
}

/**
 * tf.time(f): `wallMs`, the time f took with its results read back (so work queued on a
 * GPU counts), and `kernelMs`, the time spent in its kernels' forwards.
 */
export async function time(f: () => unknown): Promise<TimingInfo> {
  if (typeof f !== 'function') throw new Error(`time: expected a function; received ${typeof f}`);
  let kernelMs = 0;
  const start = performance.now();
  await watching((_name, _inputs, _outputs, ms, ranKernel) => { if (ranKernel) kernelMs += ms; }, async () => {
    const result = f();
    const outputs = result instanceof Tensor ? [result] : Array.isArray(result) ? result.filter((r) => r instanceof Tensor) : [];
    for (const t of outputs) if (!t.isDisposed) await t.data();
  });
  return { kernelMs, wallMs: performance.now() - start };
}

type Scheduler = (resolve: () => void) => void;

let macrotask: Scheduler | null = null;

function nextMacrotask(): Scheduler {
  if (macrotask) return macrotask;
  const g = globalThis as { setImmediate?: (f: () => void) => unknown; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    macrotask = (resolve) => { setImmediate(resolve); };
  } else if (typeof g.MessageChannel === 'function') {
    // Not clamped to 4 ms when nested, as setTimeout is. A channel per wait, closed after it,
    // so that no open port keeps Deno or a worker alive.
    const Channel = g.MessageChannel;
    macrotask = (resolve) => {
      const channel = new Channel();
      channel.port1.onmessage = () => { channel.port1.close(); channel.port2.close(); resolve(); };
      channel.port2.postMessage(null);
    };
  } else {
    macrotask = (resolve) => { setTimeout(resolve, 0); };
  }
  return macrotask;
}

/**
 * tf.nextFrame, and how fit yields (src/training/yield.ts): resolves after the next animation
 * frame is painted on a visible page (a task after the frame's callbacks), else on the next
 * macrotask (setImmediate in Node; a MessageChannel message in a worker or Deno, which is not
 * clamped to 4 ms when nested, as setTimeout is).
 */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const g = globalThis as { requestAnimationFrame?: (f: () => void) => unknown; document?: { hidden?: boolean } };
    if (typeof g.requestAnimationFrame === 'function' && g.document && !g.document.hidden) {
      // Go on after the frame is painted (a task after the frame's callbacks), not before it.
      // A page hidden while it waits gets no frame: a timer goes on in its place.
      let done = false;
      const finish = () => { if (!done) { done = true; resolve(); } };
      g.requestAnimationFrame(() => { setTimeout(finish, 0); });
      setTimeout(finish, 100);
    } else {
      nextMacrotask()(resolve);
    }
  });
}
