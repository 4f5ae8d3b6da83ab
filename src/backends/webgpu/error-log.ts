/**
 * The errors of the webgpu backend, held until a read or flush reports them, so a failure
 * never reads back as zeros.
 *
 * Owns: the messages recorded so far (shader compile checks and pipeline creation from
 * pipelines.ts, each submitted batch's validation scope, uncaptured device errors) and the
 * checks still pending (promises that record a message when they settle). `check` awaits
 * every pending check and throws the first message, causes first: a shader that failed to
 * compile, then a pipeline that failed to be created, then the batches that used it.
 *
 * Frees: a check's promise when it settles; the messages when `check` throws them.
 */

export class ErrorLog {
  private readonly pending = new Set<Promise<void>>();
  private readonly errors: string[] = [];

  /** Records a message for the next `check`. */
  push(message: string): void { this.errors.push(message); }

  /** Holds `check` until the promise settles; a rejection is recorded as a message. */
  track(check: Promise<void>): void {
    const tracked = check.catch((error: unknown) => { this.errors.push(String((error as Error)?.message ?? error)); })
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /**
   * Tracks a submitted batch's error scope; a failure names its kernels, given as kernel and
   * shader names in pairs.
   */
  trackBatch(scope: Promise<GPUError | null>, kernels: string[]): void {
    this.track(scope.then((error) => {
      if (error) this.errors.push(`webgpu backend: a batch of kernels failed (${summarize(kernels)}): ${error.message}`);
    }));
  }

  /** Records the device's uncaptured errors. */
  listen(device: GPUDevice): void {
    device.addEventListener?.('uncapturederror', (event) => {
      this.errors.push(`uncaptured WebGPU error: ${(event as GPUUncapturedErrorEvent).error.message}`);
    });
  }

  /** Awaits outstanding checks and throws the first error recorded since the last check. */
  async check(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.errors.length > 0) {
      // A shader that failed to compile is the cause of its failed pipelines, and a failed
      // pipeline of the failed batches that used it: report causes first.
      const all = this.errors.splice(0);
      const rank = (e: string) => (e.includes('failed to compile') ? 0 : e.includes('creating the pipeline') ? 1 : 2);
      const [first, ...rest] = [...all].sort((a, b) => rank(a) - rank(b));
      throw new Error(rest.length > 0 ? `${first} (and ${rest.length} more)` : first);
    }
  }
}

/** `add (binary.wgsl) x3, ...`: the kernels of a batch, from kernel and shader names in pairs. */
function summarize(names: string[]): string {
  const counts = new Map<string, number>();
  for (let i = 0; i < names.length; i += 2) {
    const k = `${names[i]} (${names[i + 1]}.wgsl)`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(', ');
}
