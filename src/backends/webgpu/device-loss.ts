/**
 * Whether the context may still be used: device loss and disposal.
 *
 * Owns: the loss (reason and message, set once when `device.lost` resolves), the onLost
 * callbacks, and the disposed flag. On a loss the batching core drops its open encoder and
 * pass (`dropBatch`), then each callback runs once, unless the backend was disposed (a
 * disposed backend destroys its own device, which is no loss to report). A callback added
 * after the loss runs on the next microtask. `assertAlive` is the check every kernel, write
 * and read makes first: it throws, naming the kernel, once the device is lost or the
 * backend disposed.
 *
 * Frees: nothing; an unsubscribe function returned by `onLost` drops its callback.
 */

export interface LostInfo { reason: string; message: string }

export class DeviceLoss {
  private info: LostInfo | null = null;
  private readonly callbacks = new Set<(info: LostInfo) => void>();
  private isDisposed = false;

  /** `dropBatch` forgets the open encoder and pass when the device is lost. */
  constructor(private readonly device: GPUDevice, private readonly dropBatch: () => void) {
    device.lost.then((info) => this.handleLost(info.reason ?? 'unknown', info.message ?? ''));
  }

  private handleLost(reason: string, message: string): void {
    if (this.info) return;
    this.info = { reason, message };
    this.dropBatch();
    if (this.isDisposed) return;
    for (const callback of this.callbacks) {
      try { callback(this.info); } catch (error) { console.error('webgpu onLost callback threw', error); }
    }
  }

  /** Gives device.lost a moment to settle after a failed map (destroy() resolves it async). */
  async settle(): Promise<void> {
    await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, 50))]);
  }

  onLost(callback: (info: LostInfo) => void): () => void {
    this.callbacks.add(callback);
    if (this.info && !this.isDisposed) {
      const info = this.info;
      queueMicrotask(() => callback(info));
    }
    return () => { this.callbacks.delete(callback); };
  }

  get lost(): LostInfo | null { return this.info; }

  get disposed(): boolean { return this.isDisposed; }

  /** The backend was disposed: every later use throws, and a later loss calls no callback. */
  markDisposed(): void { this.isDisposed = true; }

  assertAlive(kernel: string): void {
    if (this.isDisposed) throw new Error(`webgpu ${kernel}: the backend was disposed`);
    if (this.info) {
      throw new Error(`webgpu ${kernel}: the GPU device was lost (${this.info.reason}` +
        `${this.info.message ? `: ${this.info.message}` : ''}); its tensors are gone. ` +
        'Create a new webgpu backend, or fall back to wasm.');
    }
  }
}
