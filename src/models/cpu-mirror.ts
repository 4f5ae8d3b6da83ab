/**
 * CPU mirrors for fit() on an async backend (webgpu). The training data is mirrored once;
 * the model's weights and the optimizer's state at the start, at the end of every epoch (or
 * every N batches, on request). Two uses:
 *  - device loss (driver reset, background tab, device.destroy()): fit warns, moves
 *    everything to wasm (else reference) from the mirror, and resumes from the mirrored
 *    point: the trainer redoes the batches it kept since then, never silently lost;
 *  - a NaN loss found at a checkpoint: the state is put back from the mirror and the steps
 *    since then are replayed one by one, so the failing step is named and the weights are
 *    left as they were before it.
 */
import type { Backend } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';

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
  iterations: number;
}

export class DeviceLossGuard {
  private constantValues: (Float32Array | Int32Array)[] | null = null;
  /** The newest complete mirror. */
  private completed: { point: MirrorPoint; values: (Float32Array | Int32Array)[] } | null = null;

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

  /**
   * Snapshot every tracked tensor to the CPU (the data only the first time). fit awaits it
   * right after a checkpoint's own read-back, when the queue is already drained. If the
   * device is lost while the copies are in flight, the previous mirror stands and the next
   * step's error leads to recovery. Resolves whether this mirror was taken.
   */
  async mirror(point: MirrorPoint): Promise<boolean> {
    const snapshot = { ...point, sums: point.sums.slice() };
    try {
      // Storage values (what restore() writes back), not data()'s user-facing conversion.
      const raw = async (t: Tensor) => (await t.ref.backend.read(t.ref.storage)).slice();
      this.constantValues ??= await Promise.all(this.constants.map(raw));
      const values = await Promise.all(this.tensors().map(raw));
      this.completed = { point: snapshot, values };
      return true;
    } catch (error) {
      if (!(await this.lost())) throw error;
      return false;
    }
  }

  private latest(where: string) {
    if (!this.completed || !this.constantValues) throw new Error(`${where}: nothing was mirrored to resume from`);
    return this.completed;
  }

  /** Put the mirrored values back into the tracked tensors, on the same backend. */
  async restore(): Promise<MirrorPoint> {
    const { point, values } = this.latest('fit');
    this.tensors().forEach((t, i) => t.ref.backend.write(t.ref.storage, values[i]));
    return point;
  }

  /**
   * After a loss: switch to wasm (else reference) and rebuild every tracked tensor there
   * from the mirror. Returns the point to resume from.
   */
  async recover(where: string): Promise<MirrorPoint> {
    const info = this.backend.lost;
    const { point, values } = this.latest(`${where}: the GPU device was lost and`);
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
    this.tensors().forEach((t, i) => ENGINE.moveData(t.ref, values[i], target));
    return point;
  }
}
