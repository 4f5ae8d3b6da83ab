/**
 * Surviving GPU device loss in fit(). While training on an async backend (webgpu), the
 * model's weights, the optimizer's state and the training data are mirrored to the CPU at
 * the start, at the end of every epoch (or every N batches, on request). When the device is
 * lost (driver reset, background tab, device.destroy()), fit warns, moves everything to
 * wasm (else reference) from the mirror, and resumes from the mirrored point: the steps
 * since then are redone, never silently lost.
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
  point: MirrorPoint | null = null;

  private readonly lostSignal: Promise<void>;

  private constructor(private readonly backend: LosableBackend, private readonly tensors: () => Tensor[]) {
    this.lostSignal = new Promise((resolve) => { backend.onLost(() => resolve()); });
  }

  /** A guard when the active backend can lose its device, else null (nothing to mirror). */
  static forActiveBackend(tensors: () => Tensor[]): DeviceLossGuard | null {
    const backend = ENGINE.backend as Partial<LosableBackend> & Backend;
    if (backend.syncReadable || !('lost' in backend) || !('onLost' in backend)) return null;
    return new DeviceLossGuard(backend as LosableBackend, tensors);
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
    const list = this.tensors();
    const values = await Promise.all(list.map(async (t) => (await t.data()).slice()));
    this.values = values;
    this.point = { ...point, sums: point.sums.slice(), order: point.order.slice() };
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
    const list = this.tensors();
    list.forEach((t, i) => ENGINE.moveData(t.ref, this.values[i], target));
    return point;
  }
}
