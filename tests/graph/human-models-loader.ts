/**
 * How the human-model tests reach sora's loadGraphModel, in Node and in the browser bundle alike
 * (this module imports nothing, so the page entry can use it).
 */
/** What these tests use of sora's GraphModel (TF.js's API). */
export interface GraphModelLike {
  readonly outputNodes: string[];
  executeAsync(inputs: Record<string, unknown>, outputs?: string | string[]): Promise<unknown>;
  dispose(): void;
}

/** The library's loadGraphModel; a clear Error (so each model's test fails, never skips) while it is not exported. */
export function loaderOf(library: object): (url: string) => Promise<GraphModelLike> {
  const load = (library as { loadGraphModel?: (url: string) => Promise<GraphModelLike> }).loadGraphModel;
  if (typeof load !== 'function') throw new Error('sora.loadGraphModel is not exported (src/graph/load.ts, lane A: branch g18-io)');
  return load;
}
