/**
 * Runs code in headless Chromium or in Deno and collects its protocol lines: either a
 * bundle (text, served or written to a temp file) or a module file of the repository
 * (served from the repo root, or run in place by Deno), which is how the built library is
 * loaded exactly as users load it. Never rejects: a runtime that cannot start comes back as
 * a collector with `fatal` set, so each test that depended on it fails with the reason
 * (tests never skip for a missing runtime).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, modulePage, runPage } from './chromium.js';
import { requireLavapipe, runDeno } from './deno.js';
import { RunCollector } from './protocol.js';
import { REPO_ROOT, startServer } from './server.js';

export type Runtime = 'chromium' | 'deno';

/** A bundle's text, or a module path relative to the repository root. */
export type Program = { code: string } | { file: string };

export interface RunOptions {
  /** key=value options for the program (query string / Deno.args). */
  options?: Record<string, string>;
  timeoutMs: number;
  onLine?: (line: string) => void;
  /** Chromium: receives the paths the page requested. */
  requests?: string[];
  /** Chromium: serve the page cross-origin isolated (COOP and COEP headers), so it has SharedArrayBuffer. */
  crossOriginIsolated?: boolean;
}

function failed(message: string): RunCollector {
  const collector = new RunCollector();
  collector.fail(message);
  return collector;
}

export async function runIn(runtime: Runtime, program: Program, run: RunOptions): Promise<RunCollector> {
  const options = run.options ?? {};
  try {
    if (runtime === 'chromium') {
      const script = 'code' in program ? '/__sora/entry.js' : `/${program.file}`;
      const server = await startServer({
        crossOriginIsolated: run.crossOriginIsolated,
        files: {
          ...('code' in program ? { '/__sora/entry.js': { body: program.code } } : {}),
          '/__sora/index.html': { body: modulePage(script) },
          '/favicon.ico': { type: 'image/x-icon', body: new Uint8Array(0) },
        },
      });
      try {
        const session = await launchChromium();
        try {
          const query = new URLSearchParams(options).toString();
          return await runPage(session, `${server.origin}/__sora/index.html${query ? `?${query}` : ''}`, run.timeoutMs, run.onLine);
        } finally {
          await session.close();
        }
      } finally {
        run.requests?.push(...server.requests);
        await server.close();
      }
    }
    requireLavapipe();
    const args = Object.entries(options).map(([k, v]) => `${k}=${v}`);
    if ('file' in program) return await runDeno(join(REPO_ROOT, program.file), args, run.timeoutMs, run.onLine);
    const dir = mkdtempSync(join(tmpdir(), 'sora-bundle-'));
    try {
      const script = join(dir, 'entry.mjs');
      writeFileSync(script, program.code);
      return await runDeno(script, args, run.timeoutMs, run.onLine);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } catch (error) {
    return failed(`${runtime}: ${(error as Error).message}`);
  }
}
