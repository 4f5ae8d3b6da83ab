/**
 * Headless Chromium with WebGPU (SwiftShader's adapter when there is no GPU), driven by
 * puppeteer-core. Each launch gets a fresh user-data-dir, removed on close; the browser is
 * closed through its own handle (and its process killed by pid if that hangs).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { RunCollector } from './protocol.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];

/** Throws (never skips) when Chromium is not installed, naming the package. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`headless Chromium not found at ${CHROMIUM_PATH}; install it: apt-get install -y chromium ` +
      '(or set CHROMIUM_PATH)');
  }
}

export interface ChromiumSession {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(extraArgs: string[] = []): Promise<ChromiumSession> {
  requireChromium();
  const puppeteer = await import('puppeteer-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'sora-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM_PATH, headless: true, userDataDir, args: [...CHROMIUM_ARGS, ...extraArgs],
      protocolTimeout: 15 * 60_000,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    browser,
    async close() {
      const pid = browser.process()?.pid;
      const closed = browser.close().then(() => true, () => false);
      const inTime = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (!inTime && pid) { try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ } }
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens `url` in a new page and feeds every console line (and page errors, as fatal) to a
 * collector until the page reports SORA_DONE / SORA_FATAL or `timeoutMs` passes.
 */
export async function runPage(session: ChromiumSession, url: string, timeoutMs: number,
  onLine?: (line: string) => void): Promise<RunCollector> {
  const collector = new RunCollector();
  const page: Page = await session.browser.newPage();
  page.on('console', (message) => { const text = message.text(); onLine?.(text); collector.line(text); });
  page.on('pageerror', (error) => collector.fail(`page error: ${(error as Error).message ?? error}`));
  page.on('requestfailed', (request) => collector.line(`request failed: ${request.url()}`));
  const timer = setTimeout(() => collector.fail(`timed out after ${timeoutMs} ms`), timeoutMs);
  try {
    await page.goto(url, { waitUntil: 'load' });
    await collector.done;
  } finally {
    clearTimeout(timer);
    await page.close().catch(() => undefined);
  }
  return collector;
}

/** A page that imports one module and nothing else. */
export function modulePage(scriptUrl: string, title = 'sora'): string {
  return `<!doctype html><meta charset="utf-8"><title>${title}</title>` +
    `<script type="module" src="${scriptUrl}"></script>`;
}
