#!/usr/bin/env node
/**
 * Download size of one page (tests/package/app: train a small classifier, predict) as each
 * bundler builds it from the packed, installed library, minified for production, gzipped
 * (level 9): all JS chunks, the .wasm a relaxed-SIMD browser fetches, and their sum; beside
 * the same page written with TF.js (its default package, and core + layers + wasm backend
 * with the .wasm it fetches). Not a test: `npm run build && node bench/bundle-size.mjs`.
 */
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUNDLERS, REPO_ROOT, buildPage, installApp, listFiles, packTarball, removeDir } from '../tests/package/apps.mjs';

const gz = (bytes) => gzipSync(bytes, { level: 9 }).byteLength;
const kib = (n) => (n / 1024).toFixed(1);
const relaxed = readFileSync(join(REPO_ROOT, 'build/sora-relaxed.wasm'));

/** Gzipped JS (all chunks) and the fetched .wasm of a build directory; `wasmFile` names it when the bundler did not emit it. */
function measure(outDir, wasmFile) {
  let js = 0, wasm = 0, jsRaw = 0;
  for (const { path } of listFiles(outDir)) {
    const bytes = readFileSync(join(outDir, path));
    if (path.endsWith('.js')) { js += gz(bytes); jsRaw += bytes.byteLength; }
    if (path.endsWith('.wasm') && bytes.equals(relaxed)) wasm = gz(bytes);
  }
  if (wasmFile) wasm = gz(readFileSync(wasmFile));
  return { jsRaw, js, wasm };
}

const rows = [];
const temps = [];
async function row(label, build, wasmFile) {
  try {
    const outDir = await build();
    temps.push(outDir);
    const { jsRaw, js, wasm } = measure(outDir, wasmFile);
    rows.push([label, kib(jsRaw), kib(js), wasm ? kib(wasm) : '-', kib(js + wasm)]);
  } catch (error) {
    rows.push([label, `failed: ${String(error.message).split('\n')[0].slice(0, 100)}`, '', '', '']);
  }
}

const packDir = mkdtempSync(join(tmpdir(), 'sora-pack-'));
const app = installApp(packTarball(packDir).tarball, 'size');
temps.push(packDir, app);
for (const bundler of BUNDLERS) {
  await row(`sora, ${bundler}`, () => buildPage(bundler, app, bundler === 'esbuild' ? 'main-esbuild.js' : 'main.js'));
}
await row('sora/wasm-inline, esbuild (one file)', () => buildPage('esbuild', app, 'main-inline.js'));

// TF.js pages resolve @tensorflow/* from the repository's devDependencies.
const tfApp = mkdtempSync(join(tmpdir(), 'sora-tfjs-size-'));
temps.push(tfApp);
cpSync(join(REPO_ROOT, 'bench/bundle-size'), tfApp, { recursive: true });
symlinkSync(join(REPO_ROOT, 'node_modules'), join(tfApp, 'node_modules'));
const tfWasm = join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
for (const bundler of BUNDLERS) {
  await row(`TF.js (@tensorflow/tfjs), ${bundler}`, () => buildPage(bundler, tfApp, 'tfjs-page.js'));
  await row(`TF.js core+layers+wasm, ${bundler}`, () => buildPage(bundler, tfApp, 'tfjs-wasm-page.js'), tfWasm);
}

const header = ['page, bundler', 'JS min KiB', 'JS gz KiB', 'wasm gz KiB', 'total gz KiB'];
const table = [header, header.map(() => '---'), ...rows];
console.log(table.map((r) => `| ${r.join(' | ')} |`).join('\n'));
for (const dir of temps) removeDir(dir);
