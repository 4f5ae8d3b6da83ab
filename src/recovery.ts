/**
 * CPU mirrors for fit() on an async backend (webgpu). The training data is mirrored once;
 * the model's weights and the optimizer's state at the start, at the end of every epoch (or
 * every N batches, on request). Two uses:
 *  - device loss (driver reset, background tab, device.destroy()): fit warns, moves
 *    everything to wasm (else reference) from the mirror, and resumes from the mirrored
 *    point: the steps since then are redone, never silently lost;
 *  - a NaN loss found at a checkpoint: the state is put back from the mirror and the steps
 *    since then are replayed one by one, so the failing step is named and the weights are
 *    left as they were before it.
 */
import type { Backend } from './backends/backend.js';
import { ENGINE } from './engine.js';
import type { Tensor } from './tensor.js';

interface LostInfo { reason: string; message: string }
interface LosableBackend extends Backend {
  readonly lost: LostInfo | null;
  onLost(callback: (info: LostInfo) => void): () => void;
}

export interface MirrorPoint {
  epoch: number;
  /** The next batch to run in `epoch` (0: the epoch starts over, reshuffled). */
  batch: number;
  /** Running sums of the epoch's logs at that point. */
  sums: number[];
  seen: number;
  order: Int32Array;
  iterations: number;
}

export class DeviceLossGuard {
  private values: (Float32Array | Int32Array)[] = [];
  private constantValues: (Float32Array | Int32Array)[] | null = null;
  point: MirrorPoint | null = null;
  /** What fit trains on, so steps since the mirror can be replayed (NaN pinpointing). */
  replay: { x: Tensor; y: Tensor; batchSize: number; steps: number } | null = null;

  private readonly lostSignal: Promise<void>;

  private constructor(private readonly backend: LosableBackend, private readonly constants: Tensor[],
    private readonly tensors: () => Tensor[]) {
    this.lostSignal = new Promise((resolve) => { backend.onLost(() => resolve()); });
  }

  /**
   * A guard when the active backend can lose its device, else null (nothing to mirror).
   * `constants` (the data) are mirrored once; `tensors` (weights, optimizer state) at each point.
   */
  static forActiveBackend(constants: Tensor[], tensors: () => Tensor[]): DeviceLossGuard | null {
    const backend = ENGINE.backend as Partial<LosableBackend> & Backend;
    if (backend.syncReadable || !('lost' in backend) || !('onLost' in backend)) return null;
    return new DeviceLossGuard(backend as LosableBackend, [...new Set(constants)], tensors);
  }

  /**
   * Whether the device is lost. An error can surface before device.lost resolves (a failed
   * read-back after destroy()), so this waits up to `waitMs` for the signal.
   */
  async lost(waitMs = 1000): Promise<boolean> {
    if (this.backend.lost) return true;
    await Promise.race([this.lostSignal, new Promise((resolve) => setTimeout(resolve, waitMs))]);
    return this.backend.lost !== null;
  }

  /** Read every tracked tensor back to the CPU (a read-back, no kernel work). */
  async mirror(point: MirrorPoint): Promise<void> {
    this.constantValues ??= await Promise.all(this.constants.map(async (t) => (await t.data()).slice()));
    const list = this.tensors();
    const values = await Promise.all(list.map(async (t) => (await t.data()).slice()));
    this.values = values;
    this.point = { ...point, sums: point.sums.slice(), order: point.order.slice() };
  }

  /** Put the mirrored values back into the tracked tensors, on the same backend. */
  restore(): MirrorPoint {
    if (!this.point) throw new Error('fit: nothing was mirrored to restore');
    this.tensors().forEach((t, i) => t.ref.backend.write(t.ref.storage, this.values[i]));
    return this.point;
  }

  /**
   * After a loss: switch to wasm (else reference) and rebuild every tracked tensor there
   * from the mirror. Returns the point to resume from.
   */
  async recover(where: string): Promise<MirrorPoint> {
    const info = this.backend.lost;
    const point = this.point;
    if (!point) throw new Error(`${where}: the GPU device was lost before anything was mirrored`);
    ENGINE.dropBackend(this.backend.name);
    let target: Backend;
    try {
      target = await ENGINE.setBackend('wasm');
    } catch {
      target = await ENGINE.setBackend('reference');
    }
    console.warn(`${where}: the WebGPU device was lost (${info?.reason ?? 'unknown'}: ${info?.message ?? ''}); ` +
      `continuing on ${target.description} from the weights mirrored at epoch ${point.epoch + 1}, batch ` +
      `${point.batch + 1}; the steps since then are redone`);
    this.constants.forEach((t, i) => ENGINE.moveData(t.ref, this.constantValues![i], target));
    this.tensors().forEach((t, i) => ENGINE.moveData(t.ref, this.values[i], target));
    return point;
  }
}
