/**
 * What the host offers, for the lowest floor (the wasm loader) and everything above it (io,
 * data): Node built-ins imported on demand, so that browser bundles never resolve them.
 */

/**
 * A Node built-in, imported on demand through a computed specifier so that browser
 * bundlers (esbuild, Vite, webpack) do not try to resolve it.
 */
export function importNode<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}
