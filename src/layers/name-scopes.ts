/**
 * TF.js's name scopes for layer weights: the names of the layers whose apply is running,
 * outermost first. A weight made while one runs is named under them, as TF.js names it: a user
 * layer's sublayer built in its build() saves as '<layer>/kernel', one applied in its call() as
 * '<layer>/<sublayer>/kernel'.
 */
const applyScopes: string[] = [];

/** Runs fn inside the name scope of layer `name` (TF.js's nameScope(this.name) around apply). */
export function inNameScope<T>(name: string, fn: () => T): T {
  applyScopes.push(name);
  try {
    return fn();
  } finally {
    applyScopes.pop();
  }
}

/**
 * The prefix of a layer's weight names: its name when a wrapper or an RNN renamed it for its
 * build (name differs from the one it was constructed with) or when no scope is running, else
 * the running name scopes.
 */
export function weightPrefix(name: string, constructedName: string): string {
  if (name !== constructedName || applyScopes.length === 0) return name;
  return applyScopes.join('/');
}
