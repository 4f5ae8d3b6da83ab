/**
 * The kernel-variant cache. A kernel family asks for its pipeline variant by (family, key),
 * the key being a number or short string it computes from op codes and flags; the variant
 * is made once and keeps its resolved pipeline (`record`, set by the first dispatch), so a
 * warm dispatch builds no pipeline key and looks no string up in the pipeline cache.
 *
 * Owns: the variants by family, then by the family's own key. Frees: nothing; there are as
 * many as the kernels' distinct shapes of code (op, flags, tile), not of data.
 */
import type { PipelineRecord } from './pipelines.js';
import type { ShaderName } from './shaders.generated.js';

/** What a kernel variant is: a shader entry point with its override constants. */
export interface VariantSpec {
  /** Names the kernel in error messages, e.g. 'binary add'. */
  kernel: string;
  shader: ShaderName;
  entryPoint?: string;
  constants?: Record<string, number>;
}

/**
 * One pipeline variant of a kernel, made once per (family, key) by `GPUContext.variant`, so
 * a dispatch neither builds a pipeline key nor looks one up by string; its pipeline is
 * resolved on the first run.
 */
export interface KernelVariant {
  readonly kernel: string;
  readonly shader: ShaderName;
  readonly entryPoint: string;
  readonly constants: Record<string, number>;
  record: PipelineRecord | null;
}

export class KernelVariants {
  private readonly byFamily = new Map<string, Map<number | string, KernelVariant>>();

  /** The variant `key` of `family`, made by `make` on first use. */
  get(family: string, key: number | string, make: () => VariantSpec): KernelVariant {
    let byKey = this.byFamily.get(family);
    if (!byKey) this.byFamily.set(family, byKey = new Map());
    const known = byKey.get(key);
    if (known) return known;
    const spec = make();
    const variant: KernelVariant = { kernel: spec.kernel, shader: spec.shader, entryPoint: spec.entryPoint ?? 'main',
      constants: spec.constants ?? {}, record: null };
    byKey.set(key, variant);
    return variant;
  }
}
