/**
 * The packed library in the browser, the way most users get there: `npm pack`, install the
 * tarball into a fresh app, bundle the app's page (tests/package/app/: train a classifier,
 * predict held-out points) with esbuild, Vite, webpack and Rollup, serve only the bundler's
 * output and open it in headless Chromium. Each page must choose the wasm backend with
 * relaxed SIMD under 'auto' (the bundler emitted the .wasm and the page fetched it, with no
 * fallback warning) and reach a sane accuracy; so must the app under Vite's dev server, and a
 * one-file esbuild bundle of sora/wasm-inline; a page whose bundle left the .wasm behind warns
 * once with the URL and the fix. Needs `npm run build` first (npm test runs it);
 * a missing Chromium fails with its install line.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLERS, buildPage, installApp, packTarball, removeDir, type Bundler } from './apps.mjs';
import { launchChromium, runPage, type ChromiumSession } from '../runtimes/chromium.js';
import { startServer } from '../runtimes/server.js';
import type { RunCollector } from '../runtimes/protocol.js';
import { REPO_ROOT } from '../runtimes/server.js';

const PAGE_TIMEOUT = 120_000;
/** esbuild leaves import.meta URLs alone: its page imports the .wasm files (README's settings). */
const ENTRY: Record<Bundler, string> = { esbuild: 'main-esbuild.js', vite: 'main.js', webpack: 'main.js', rollup: 'main.js' };

interface PageRun { run: RunCollector; requests: string[]; outDir: string }

let packDir = '';
let appDir = '';
let session: ChromiumSession | null = null;
const outDirs: string[] = [];

beforeAll(() => {
  for (const file of ['dist/index.js', 'dist/wasm-inline.js', 'build/sora-simd.wasm', 'build/sora-relaxed.wasm']) {
    if (!existsSync(join(REPO_ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  packDir = mkdtempSync(join(tmpdir(), 'sora-pack-'));
  appDir = installApp(packTarball(packDir).tarball, 'bundlers');
}, 120_000);

afterAll(async () => {
  await session?.close();
  for (const dir of [packDir, appDir, ...outDirs]) if (dir) removeDir(dir);
});

async function openPage(outDir: string): Promise<PageRun> {
  session ??= await launchChromium();
  const server = await startServer({ root: outDir });
  try {
    const run = await runPage(session, `${server.origin}/index.html`, PAGE_TIMEOUT);
    return { run, requests: server.requests.slice(), outDir };
  } finally {
    await server.close();
  }
}

for (const bundler of BUNDLERS) {
  describe(`a page bundled by ${bundler} from the installed tarball, in headless Chromium`, () => {
    let page: PageRun;
    beforeAll(async () => {
      const outDir = await buildPage(bundler, appDir, ENTRY[bundler]);
      outDirs.push(outDir);
      page = await openPage(outDir);
    }, PAGE_TIMEOUT + 120_000);

    it("'auto' chooses wasm with relaxed SIMD, fetching the .wasm the bundler emitted, without a warning", () => {
      const { run, requests } = page;
      if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
      const info = run.info[0] as { backend: string; description: string; autoSkipped: string[]; warnings: string[] };
      expect(info.backend, info.autoSkipped.join('\n')).toBe('wasm');
      expect(info.description).toBe('wasm (SIMD + relaxed SIMD)');
      expect(info.warnings).toEqual([]);
      // One .wasm fetched, and it is the relaxed build byte for byte (bundlers rename it).
      const fetched = requests.filter((p) => p.endsWith('.wasm'));
      expect(fetched.length, requests.join(', ')).toBe(1);
      const bytes = readFileSync(join(page.outDir, fetched[0]));
      expect(bytes.equals(readFileSync(join(REPO_ROOT, 'build/sora-relaxed.wasm'))), fetched[0]).toBe(true);
    });

    it('trains and predicts held-out points with accuracy >= 0.9', () => {
      const { run } = page;
      const result = run.results.get('trains and predicts');
      if (!result) throw new Error(`no result: ${run.fatal ?? 'the case did not report'}\n${run.tail()}`);
      if (!result.ok) throw new Error(result.error);
      expect((run.summary as { accuracy: number }).accuracy).toBeGreaterThanOrEqual(0.9);
    });
  });
}

describe("the app under Vite's dev server (dependency pre-bundling on), in headless Chromium", () => {
  let run: RunCollector;
  beforeAll(async () => {
    const { createServer } = await import('vite');
    writeFileSync(join(appDir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>\n');
    const server = await createServer({
      root: appDir, configFile: false, logLevel: 'silent', server: { port: 0, host: '127.0.0.1', strictPort: false },
    });
    await server.listen();
    try {
      session ??= await launchChromium();
      run = await runPage(session, `${server.resolvedUrls!.local[0]}index.html`, PAGE_TIMEOUT);
    } finally {
      await server.close();
    }
  }, PAGE_TIMEOUT + 120_000);

  it("'auto' chooses wasm with relaxed SIMD without a warning, and trains", () => {
    if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
    const info = run.info[0] as { backend: string; description: string; warnings: string[] };
    expect(info.backend).toBe('wasm');
    expect(info.description).toBe('wasm (SIMD + relaxed SIMD)');
    expect(info.warnings).toEqual([]);
    expect(run.results.get('trains and predicts')?.ok, run.tail()).toBe(true);
  });
});

describe('a single-file page: esbuild bundles sora/wasm-inline, in headless Chromium', () => {
  let page: PageRun;
  beforeAll(async () => {
    const outDir = await buildPage('esbuild', appDir, 'main-inline.js');
    outDirs.push(outDir);
    page = await openPage(outDir);
  }, PAGE_TIMEOUT + 120_000);

  it("'auto' chooses wasm with relaxed SIMD from the inlined build, fetching no .wasm, and trains", () => {
    const { run, requests } = page;
    if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
    const info = run.info[0] as { backend: string; description: string; warnings: string[] };
    expect(info.backend).toBe('wasm');
    expect(info.description).toBe('wasm (SIMD + relaxed SIMD)');
    expect(info.warnings).toEqual([]);
    expect(requests.filter((p) => p.endsWith('.wasm'))).toEqual([]);
    expect(run.results.get('trains and predicts')?.ok, run.tail()).toBe(true);
  });
});

describe('a page bundled by esbuild without the settings (the .wasm left behind), in headless Chromium', () => {
  let page: PageRun;
  beforeAll(async () => {
    const outDir = await buildPage('esbuild', appDir, 'main.js');
    outDirs.push(outDir);
    page = await openPage(outDir);
  }, PAGE_TIMEOUT + 120_000);

  it("'auto' falls back to reference but warns once, naming the URL it tried and the fix", () => {
    const { run } = page;
    if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
    const info = run.info[0] as { backend: string; warnings: string[]; autoSkipped: string[] };
    expect(info.backend).toBe('reference');
    expect(info.warnings.length).toBe(1);
    expect(info.warnings[0]).toMatch(/could not load http:\/\/127\.0\.0\.1:\d+\/build\/sora-relaxed\.wasm: fetching it failed: HTTP 404/);
    expect(info.warnings[0]).toMatch(/sora\/wasm-inline.*setWasmPaths.*warnOnFallback: false/s);
    expect(info.autoSkipped.some((line) => line.startsWith('wasm: '))).toBe(true);
  });
});
