/**
 * How the engine (engine.ts) starts and leaves backends. What the first op starts when no
 * backend was awaited (no ready(), no setBackend): the highest-priority factory whose
 * createSync succeeds (src/backends/select.ts), as TF.js's default backends start
 * synchronously; the engine makes it active and keeps the reasons for env().syncStart. And
 * what happens to tensors on a backend read only asynchronously (webgpu) when setBackend
 * leaves it: they move at once, as data on a synchronous backend moves when next used.
 */
import type { Backend, BackendName, Storage } from '../backends/backend.js';
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

/**
 * Moves every data ref (engine.ts's DataRef, typed by shape here so that this file does not
 * import the tensors) held by a live (not dropped, not lost) backend that is read only
 * asynchronously to `target`, reading them all at once; each then keeps working where it is
 * next used (dataSync included), as TF.js moves a tensor when it is next read. A read that
 * fails leaves its data where it was.
 */
export async function moveOffAsync<Ref extends { backend: Backend; storage: Storage }>(dataRefs: Iterable<Ref> & { has(ref: Ref): boolean },
  live: Set<Backend>, target: Backend, move: (ref: Ref, values: Float32Array | Int32Array) => void): Promise<void> {
  const refs = [...dataRefs].filter((ref) => ref.backend !== target && !ref.backend.syncReadable &&
    live.has(ref.backend) && !(ref.backend as { lost?: unknown }).lost);
  if (refs.length === 0) return;
  const values = await Promise.all(refs.map((ref) => ref.backend.read(ref.storage).catch(() => null)));
  refs.forEach((ref, i) => {
    const read = values[i];
    if (read && dataRefs.has(ref) && ref.backend !== target) move(ref, read as Float32Array | Int32Array);
  });
}

/** Whether two backend option objects are the same, key by key (a second setBackend with other options makes a new instance). */
export function sameOptions(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if ((a as Record<string, unknown>)[key] !== (b as Record<string, unknown>)[key]) return false;
  }
  return true;
}
