/**
 * Runs one bundled entry in headless Chromium or in Deno and collects its protocol lines.
 * Never rejects: a runtime that cannot start comes back as a collector with `fatal` set, so
 * each test that depended on it fails with the reason (tests never skip for a missing runtime).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, modulePage, runPage } from './chromium.js';
import { requireLavapipe, runDeno } from './deno.js';
import { RunCollector } from './protocol.js';
import { startServer } from './server.js';

export type Runtime = 'chromium' | 'deno';

function failed(message: string): RunCollector {
  const collector = new RunCollector();
  collector.fail(message);
  return collector;
}

export async function runBundleIn(runtime: Runtime, code: string, options: Record<string, string>,
  timeoutMs: number, onLine?: (line: string) => void): Promise<RunCollector> {
  try {
    if (runtime === 'chromium') {
      const server = await startServer({
        files: {
          '/__sora/entry.js': { body: code },
          '/__sora/index.html': { body: modulePage('/__sora/entry.js') },
          '/favicon.ico': { type: 'image/x-icon', body: new Uint8Array(0) },
        },
      });
      try {
        const session = await launchChromium();
        try {
          const query = new URLSearchParams(options).toString();
          return await runPage(session, `${server.origin}/__sora/index.html${query ? `?${query}` : ''}`, timeoutMs, onLine);
        } finally {
          await session.close();
        }
      } finally {
        await server.close();
      }
    }
    requireLavapipe();
    const dir = mkdtempSync(join(tmpdir(), 'sora-bundle-'));
    try {
      const script = join(dir, 'entry.mjs');
      writeFileSync(script, code);
      return await runDeno(script, Object.entries(options).map(([k, v]) => `${k}=${v}`), timeoutMs, onLine);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } catch (error) {
    return failed(`${runtime}: ${(error as Error).message}`);
  }
}
