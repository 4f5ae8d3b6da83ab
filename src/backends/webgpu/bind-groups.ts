/**
 * The bind-group cache, and the scratch stand-ins that aliasing needs.
 *
 * Owns: the bind groups of the dispatches so far, keyed by `shader,id,id,...` (the shader
 * and the ids of its storage buffers, bindings 1..n), and per buffer id the keys that name
 * it. Binding 0 is the uniform ring at a dynamic offset (uniform-ring.ts), so one group
 * serves every dispatch of a shader on the same buffers, and a loop that reuses its tensors'
 * buffers creates no bind group; each one made is counted (stats().bindGroups).
 *
 * Frees: a buffer's groups when the storage pool is about to destroy it (`forget`, the
 * pool's onDestroy); all of them at once past MAX_BIND_GROUPS (a workload that keeps
 * changing buffers). The GPU objects themselves are garbage collected.
 *
 * Aliasing: WebGPU forbids binding one buffer as writable storage and as any other binding
 * of the same dispatch; `aliasScratch` picks a scratch buffer from the storage pool for each
 * such binding. The batching core (context.ts) copies in, dispatches, copies back and
 * releases the scratch.
 */
import type { BufferPool, PooledBuffer } from './buffer-pool.js';
import type { Counters } from './counters.js';
import type { ShaderName } from './shaders.generated.js';
import { UNIFORM_SLOT_BYTES } from './uniform-ring.js';

/** Cached bind groups past this count are all dropped (a workload that keeps changing buffers). */
const MAX_BIND_GROUPS = 4096;

export class BindGroupCache {
  /** Bind groups by `shader,id,id,...` of their storage buffers. */
  private readonly groups = new Map<string, GPUBindGroup>();
  /** The keys naming each buffer id. */
  private readonly keysById = new Map<number, string[]>();

  /**
   * `uniforms` is the uniform ring bound at binding 0; `pool` lends scratch buffers; `dummy`
   * (the binding of an absent optional input) never needs one; `counters.bindGroups` counts
   * the groups created.
   */
  constructor(private readonly device: GPUDevice, private readonly uniforms: GPUBuffer, private readonly pool: BufferPool,
    private readonly dummy: PooledBuffer, private readonly counters: Counters) {}

  /**
   * The bind group of these buffers (a scratch buffer standing in where aliasing needs one)
   * for the shader's layout: cached, created on first use.
   */
  get(shader: ShaderName, layout: GPUBindGroupLayout, buffers: PooledBuffer[],
    scratch: Map<number, PooledBuffer> | null): GPUBindGroup {
    let key: string = shader;
    for (let i = 0; i < buffers.length; i++) key += `,${(scratch?.get(i) ?? buffers[i]).id}`;
    const known = this.groups.get(key);
    if (known) return known;
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.uniforms, offset: 0, size: UNIFORM_SLOT_BYTES } }];
    for (let i = 0; i < buffers.length; i++) {
      entries.push({ binding: i + 1, resource: { buffer: (scratch?.get(i) ?? buffers[i]).buffer } });
    }
    const group = this.device.createBindGroup({ label: `sora ${shader}`, layout, entries });
    this.counters.bindGroups++;
    if (this.groups.size >= MAX_BIND_GROUPS) {
      this.groups.clear();
      this.keysById.clear();
    }
    this.groups.set(key, group);
    for (let i = 0; i < buffers.length; i++) {
      const id = (scratch?.get(i) ?? buffers[i]).id;
      const keys = this.keysById.get(id);
      if (keys) keys.push(key); else this.keysById.set(id, [key]);
    }
    return group;
  }

  /** Drops the cached bind groups that name a buffer about to be destroyed. */
  forget(entry: PooledBuffer): void {
    const keys = this.keysById.get(entry.id);
    if (!keys) return;
    for (const key of keys) this.groups.delete(key);
    this.keysById.delete(entry.id);
  }

  /**
   * The scratch buffers a dispatch needs: for each writable binding whose buffer is also
   * bound elsewhere in it (in-place unary, out === a, ...), one from the pool, which the
   * dispatch writes through (copy in, dispatch, copy back). Returns binding index ->
   * scratch, or null.
   */
  aliasScratch(writable: readonly boolean[], buffers: PooledBuffer[]): Map<number, PooledBuffer> | null {
    let scratch: Map<number, PooledBuffer> | null = null;
    for (let i = 0; i < buffers.length; i++) {
      const own = buffers[i];
      if (!writable[i] || own === this.dummy) continue;
      for (let j = 0; j < buffers.length; j++) {
        if (j !== i && buffers[j] === own) {
          (scratch ??= new Map()).set(i, this.pool.acquire(own.bytes));
          break;
        }
      }
    }
    return scratch;
  }
}
