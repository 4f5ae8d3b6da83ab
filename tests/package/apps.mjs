/**
 * sora as users get it: `npm pack` the repository, install the tarball into a fresh app in a
 * temp directory (offline: the tarball has no dependencies, so npm needs nothing else), and
 * build that app's page with each bundler's own API, minified for production. Shared by the
 * package tests (tests/package/) and bench/bundle-size.mjs; plain JS so the bench runs in Node.
 *
 * The bundlers, Rollup's plugins and esbuild come from the repository's devDependencies; the
 * app resolves `sora` from its own node_modules, never from the repository.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const APP_SOURCES = fileURLToPath(new URL('./app', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export const BUNDLERS = ['esbuild', 'vite', 'webpack', 'rollup'];

/** Packs the repository (as built: dist/ and build/ must exist) into `dir`; returns the tarball path. */
export function packTarball(dir) {
  const out = execFileSync(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out);
  return { tarball: join(dir, info.filename), files: info.files.map((f) => f.path) };
}

/**
 * A fresh app in a temp directory with the tarball installed as a user installs it and the
 * page sources of tests/package/app/. `npm install --offline` needs nothing from a registry
 * because sora has no dependencies.
 */
export function installApp(tarball, name = 'app') {
  const dir = mkdtempSync(join(tmpdir(), `sora-${name}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `sora-test-${name}`, private: true, type: 'module' }));
  cpSync(APP_SOURCES, dir, { recursive: true });
  execFileSync(NPM, ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return dir;
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

function page(script, module = true) {
  return `<!doctype html><meta charset="utf-8"><title>sora</title><script ${module ? 'type="module" ' : ''}src="${script}"></script>\n`;
}

/**
 * Builds `entry` (a file of the app directory) with one bundler into a fresh directory that
 * holds index.html and everything the page loads; returns that directory.
 */
export async function buildPage(bundler, appDir, entry = 'main.js') {
  const outDir = mkdtempSync(join(tmpdir(), `sora-${bundler}-out-`));
  const input = join(appDir, entry);
  if (bundler === 'esbuild') {
    const { build } = await import('esbuild');
    // The README's esbuild settings: .wasm imports are files copied beside the bundle.
    await build({
      entryPoints: [input], bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
      outdir: outDir, entryNames: 'main', loader: { '.wasm': 'file' }, logLevel: 'silent', absWorkingDir: appDir,
    });
    writeFileSync(join(outDir, 'index.html'), page('./main.js'));
  } else if (bundler === 'vite') {
    const { build } = await import('vite');
    const html = join(appDir, `index-${entry.replace(/\W/g, '_')}.html`);
    writeFileSync(html, page(`./${entry}`));
    await build({
      root: appDir, configFile: false, logLevel: 'silent', base: './',
      build: { outDir, emptyOutDir: true, rollupOptions: { input: html } },
    });
    const built = readdirSync(outDir).find((f) => f.endsWith('.html'));
    if (built !== 'index.html') cpSync(join(outDir, built), join(outDir, 'index.html'));
  } else if (bundler === 'webpack') {
    const webpack = (await import('webpack')).default;
    const stats = await new Promise((done, fail) => webpack({
      mode: 'production', context: appDir, entry: `./${entry}`, target: 'web', devtool: false,
      output: { path: outDir, filename: 'main.js', publicPath: 'auto', clean: true },
      performance: { hints: false },
    }, (error, result) => (error ? fail(error) : done(result))));
    if (stats.hasErrors()) throw new Error(`webpack: ${stats.toString({ all: false, errors: true })}`);
    writeFileSync(join(outDir, 'index.html'), page('./main.js', false));
  } else if (bundler === 'rollup') {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const { importMetaAssets } = await import('@web/rollup-plugin-import-meta-assets');
    const commonjs = (await import('@rollup/plugin-commonjs')).default;
    const terser = (await import('@rollup/plugin-terser')).default;
    const bundle = await rollup({
      input, plugins: [nodeResolve({ browser: true }), commonjs(), importMetaAssets(), terser()],
      onwarn(warning, warn) { if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning); },
    });
    await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'main.js' });
    await bundle.close();
    writeFileSync(join(outDir, 'index.html'), page('./main.js'));
  } else {
    throw new Error(`buildPage: unknown bundler '${bundler}'; expected one of ${BUNDLERS.join(', ')}`);
  }
  return outDir;
}

/** Every file under `dir` (relative paths) with its size in bytes. */
export function listFiles(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(join(dir, prefix))) {
    const path = join(prefix, name);
    const stat = statSync(join(dir, path));
    if (stat.isDirectory()) out.push(...listFiles(dir, path));
    else out.push({ path, bytes: stat.size });
  }
  return out;
}
