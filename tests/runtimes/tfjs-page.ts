/**
 * A headless Chromium page holding TF.js (its browser bundle) beside a bundle of sora's
 * sources, served from 127.0.0.1, for tests that run both libraries in one page. Fails
 * (never skips) where Chromium is missing, naming the apt-get line.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { build } from 'esbuild';
import type { Browser, Page } from 'puppeteer-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface TfjsPage { page: Page; close(): Promise<void> }

/**
 * Opens the page with `window.tf` and `window[globalName]` (a bundle of `entry`); `extraFiles`
 * are served beside it (path -> [content type, body]).
 */
export async function openTfjsPage(entry: string, globalName: string,
  extraFiles: Record<string, [string, string | Uint8Array]> = {}): Promise<TfjsPage> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  const bundle = await build({
    entryPoints: [entry], bundle: true, format: 'iife', globalName, write: false,
    platform: 'browser', target: 'es2022', logLevel: 'silent', external: ['node:*'],
  });
  const files: Record<string, [string, string | Uint8Array]> = {
    ...extraFiles,
    '/': ['text/html', `<!doctype html><title>${globalName}</title>`],
    '/sora.js': ['text/javascript', bundle.outputFiles[0]!.text],
    '/tf.min.js': ['text/javascript', await readFile('node_modules/@tensorflow/tfjs/dist/tf.min.js', 'utf8')],
  };
  const server: Server = createServer((request, response) => {
    const file = files[new URL(request.url!, 'http://x').pathname];
    if (file === undefined) { response.statusCode = 404; response.end(); return; }
    response.setHeader('content-type', file[0]);
    response.end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const puppeteer = await import('puppeteer-core');
  let browser: Browser | null = null;
  const close = async () => {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  };
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.addScriptTag({ url: '/tf.min.js' });
    await page.addScriptTag({ url: '/sora.js' });
    return { page, close };
  } catch (error) {
    await close();
    throw error;
  }
}
