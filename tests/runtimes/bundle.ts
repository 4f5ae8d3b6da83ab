/** Bundles a TS entry for the browser and Deno with esbuild, in memory (one ESM file). */
import { build } from 'esbuild';

export async function bundle(entry: string, options: { minify?: boolean } = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    write: false, logLevel: 'silent', minify: options.minify ?? false, sourcemap: false,
    // Node-only branches (the wasm loader's node:fs) stay as runtime imports the
    // browser never reaches.
    external: ['node:*'],
  });
  return result.outputFiles[0].text;
}
