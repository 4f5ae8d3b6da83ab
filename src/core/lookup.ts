/** Name lookups for names read from files and configs (internal: not part of the public `util`). */
/**
 * Names read from files and configs (activations, losses, optimizers, metrics, initializers,
 * constraints, layer classes, dtypes, weight and column names) are looked up here, as own
 * properties only: 'toString', 'constructor', '__proto__' or 'hasOwnProperty' is an unknown
 * name, never a member inherited from Object.prototype.
 */
export function hasOwnName(table: object, name: unknown): name is string {
  return typeof name === 'string' && Object.hasOwn(table, name);
}

/** The entry named `name` in `table` (own properties only, see hasOwnName), else undefined. */
export function ownEntry<T>(table: Readonly<Record<string, T>>, name: unknown): T | undefined {
  return hasOwnName(table, name) ? table[name] : undefined;
}

/**
 * The entry named `name` in `table` (own properties only), or an Error naming where, the
 * kind and the value: `dense: unknown activation "toString"; expected one of 'linear', ...`.
 */
export function lookup<T>(table: Readonly<Record<string, T>>, name: unknown, what: string, where: string,
  known: readonly string[] = Object.keys(table)): T {
  if (hasOwnName(table, name)) return table[name];
  throw new Error(`${where}: unknown ${what} ${JSON.stringify(name) ?? String(name)}; expected one of ` +
    `${known.map((n) => `'${n}'`).join(', ')}`);
}

/**
 * `target[key] = value` for a key read from a file, as an own data property even when the
 * key is '__proto__' (an assignment would replace the target's prototype instead).
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
