/**
 * What the first op starts when no backend was awaited (no ready(), no setBackend): the
 * highest-priority factory whose createSync succeeds (src/backends/select.ts), as TF.js's
 * default backends start synchronously. The engine (engine.ts) makes it active and keeps the
 * reasons for env().syncStart.
 */
import type { Backend, BackendName } from '../backends/backend.js';
import type { BackendFactory } from '../backends/select.js';

/** Which backend the first op started, and why each one above it could not start at once. */
export interface SyncStart { backend: BackendName; passedOver: string[] }

/**
 * Starts the first of `factories` (best first) that starts synchronously. `loadFailures`: the
 * passed-over backends that could run here but whose code could not be loaded (a missing
 * build), which deserve a warning. Throws, listing every reason, when none starts.
 */
export function startSynchronously(factories: readonly BackendFactory[]):
  { backend: Backend; start: SyncStart; loadFailures: string[] } {
  const passedOver: string[] = [];
  const loadFailures: string[] = [];
  for (const factory of factories) {
    if (!factory.createSync) {
      passedOver.push(`${factory.name}: starts only asynchronously (await sora.ready())`);
      continue;
    }
    try {
      const backend = factory.createSync(undefined);
      return { backend, start: { backend: factory.name, passedOver }, loadFailures };
    } catch (error) {
      const reason = `${factory.name}: ${(error as Error).message}`;
      passedOver.push(reason);
      if ((error as { loadFailure?: unknown }).loadFailure === true) loadFailures.push(reason);
    }
  }
  throw new Error(`sora: no backend starts synchronously here:\n  ${passedOver.join('\n  ')}\n` +
    "`await sora.ready()` (or `await sora.setBackend('auto')`) before the first op");
}
