/** Types of tests/package/apps.mjs (plain JS so that bench/bundle-size.mjs runs it in Node). */
export declare const REPO_ROOT: string;
export type Bundler = 'esbuild' | 'vite' | 'webpack' | 'rollup';
export declare const BUNDLERS: Bundler[];
export declare function packTarball(dir: string): { tarball: string; files: string[] };
export declare function installApp(tarball: string, name?: string): string;
export declare function removeDir(dir: string): void;
export declare function buildPage(bundler: Bundler, appDir: string, entry?: string): Promise<string>;
export declare function listFiles(dir: string, prefix?: string): { path: string; bytes: number }[];
