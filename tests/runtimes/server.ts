/**
 * A tiny static HTTP server on 127.0.0.1 (a secure context, so WebGPU is exposed) over the
 * repository root, plus in-memory files (bundles, pages) that shadow paths. Random port.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json', '.css': 'text/css',
};

export interface VirtualFile { type?: string; body: string | Uint8Array }
export interface StaticServer {
  origin: string;
  files: Map<string, VirtualFile>;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * `crossOriginIsolated`: every response carries Cross-Origin-Opener-Policy: same-origin and
 * Cross-Origin-Embedder-Policy: require-corp, which give the page SharedArrayBuffer (threads).
 */
export async function startServer(options: { root?: string; files?: Record<string, VirtualFile>;
  crossOriginIsolated?: boolean } = {}): Promise<StaticServer> {
  const root = resolve(options.root ?? REPO_ROOT);
  const files = new Map(Object.entries(options.files ?? {}));
  const requests: string[] = [];
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    requests.push(path);
    if (options.crossOriginIsolated) {
      response.setHeader('cross-origin-opener-policy', 'same-origin');
      response.setHeader('cross-origin-embedder-policy', 'require-corp');
    }
    const virtual = files.get(path);
    try {
      if (virtual) {
        response.setHeader('content-type', virtual.type ?? TYPES[extname(path)] ?? 'application/octet-stream');
        response.end(virtual.body);
        return;
      }
      const file = resolve(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) throw new Error('outside the root');
      const body = await readFile(file);
      response.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
      response.end(body);
    } catch {
      response.statusCode = 404;
      response.end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('test server: no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    files,
    requests,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
}
