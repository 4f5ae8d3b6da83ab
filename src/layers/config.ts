/**
 * Config values a layer takes either as objects (sora.initializers.glorotUniform()), as names
 * ('glorotUniform') or as the {className, config} a saved model holds.
 */
import { getInitializer, initializerFromConfig, type Initializer } from '../training/initializers.js';
import { getRegularizer, regularizerFromConfig, type Regularizer } from '../training/regularizers.js';

type Serialized = { className?: string; class_name?: string; config?: Record<string, unknown> };

const isSerialized = (id: unknown): id is Serialized =>
  typeof id === 'object' && id !== null && ('className' in id || 'class_name' in id) && typeof (id as { apply?: unknown }).apply !== 'function';

export function resolveInitializer(where: string, id: unknown, fallback: string): Initializer {
  if (id === null || id === undefined) return getInitializer(where, undefined, fallback);
  if (isSerialized(id)) {
    let className = id.className ?? id.class_name;
    if (className === 'VarianceScaling') className = varianceScalingName(id.config ?? {}) ?? className;
    const made = initializerFromConfig({ class_name: className, config: id.config as { seed?: number | null } }, fallback);
    if (made.className !== className) {
      throw new Error(`${where}: unknown initializer class '${className}'`);
    }
    return made;
  }
  return getInitializer(where, id as string | Initializer, fallback);
}

/** TF.js may save GlorotUniform and friends as VarianceScaling with their parameters. */
function varianceScalingName(config: Record<string, unknown>): string | null {
  const mode = String(config.mode ?? '').replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  const distribution = String(config.distribution ?? '');
  const normal = /normal/i.test(distribution);
  if (config.scale === 1 && mode === 'fanAvg') return normal ? 'GlorotNormal' : 'GlorotUniform';
  if (config.scale === 2 && mode === 'fanIn') return normal ? 'HeNormal' : 'HeUniform';
  return null;
}

export function resolveRegularizer(where: string, id: unknown): Regularizer | null {
  if (id === null || id === undefined) return null;
  if (isSerialized(id)) {
    const made = regularizerFromConfig({ class_name: id.className ?? id.class_name, config: id.config as { l1?: number } });
    if (!made) throw new Error(`${where}: unknown regularizer class '${id.className ?? id.class_name}'`);
    return made;
  }
  return getRegularizer(where, id as string | Regularizer);
}

export const serializeInitializer = (i: Initializer) => ({ className: i.className, config: i.getConfig() });
export const serializeRegularizer = (r: Regularizer | null) =>
  (r ? { className: 'L1L2', config: { l1: r.l1, l2: r.l2 } } : null);
