/** Which call() convention a layer's class follows: sora's own (a tensor) or a TF.js program's (a list inside a model). */

/**
 * sora's own layer classes that define call() say so with a static own `soraCall = true`:
 * their call() gets a single input as a tensor, also inside a model. A class declares it in
 * its body (no registration at import time, so bundles stay free to drop unused layers); a
 * new built-in layer with a call() of its own must declare it too, or it gets [x].
 */
const ownCallCache = new WeakMap<object, boolean>();

/**
 * Whether the call() this layer runs is a custom one (a TF.js program's subclass). TF.js runs
 * every layer of a model with the list of its inputs, [x] for one input (a layer applied
 * directly gets x), so custom layers written for TF.js read `inputs[0]` or unwrap a list.
 */
export function customCall(layer: object): boolean {
  const proto = Object.getPrototypeOf(layer) as object;
  let known = ownCallCache.get(proto);
  if (known === undefined) {
    let owner: object | null = proto;
    while (owner && !Object.hasOwn(owner, 'call')) owner = Object.getPrototypeOf(owner) as object | null;
    const cls = (owner as { constructor?: object } | null)?.constructor;
    known = owner !== null && !(cls !== undefined && Object.hasOwn(cls, 'soraCall'));
    ownCallCache.set(proto, known);
  }
  return known;
}
