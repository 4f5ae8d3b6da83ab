/**
 * Issue 14, defect 6: one size argument must not kill the process. Each case runs in its own
 * `node` child (the built dist/, so `npm run build` first) with a 512 MiB heap and a
 * timeout, on the reference and wasm backends: a regression (an uncatchable out-of-memory
 * abort, a 20-second loop) fails that case instead of the test runner. Each must throw a
 * RangeError naming the op, the shape and the byte count against the limit, within 1 s.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const dist = new URL('dist/index.js', root);

/** [label, expression on `sora`, what the message must say]. */
const CASES: [string, string, RegExp][] = [
  ['resizeBilinear 2**31', 'sora.image.resizeBilinear(sora.ones([1, 2, 2, 1]), [2 ** 31, 2 ** 31])',
    /^resizeBilinear: output shape \[1,2147483648,2147483648,1\] needs 1\.8e19 bytes .*limit of \d+ bytes/],
  ['resizeNearestNeighbor 2**31', 'sora.image.resizeNearestNeighbor(sora.ones([1, 2, 2, 1]), [2 ** 31, 2 ** 31])',
    /^resizeNearestNeighbor: output shape \[1,2147483648,2147483648,1\] needs 1\.8e19 bytes/],
  ['resizeBilinear, empty batch', 'sora.image.resizeBilinear(sora.ones([0, 2, 2, 1]), [2 ** 31, 3])',
    /^resizeBilinear: row positions shape \[2147483648\] needs 8589934592 bytes/],
  ['eye(1e9, 3)', 'sora.eye(1e9, 3)', /^eye: output shape \[1000000000,3\] needs 12000000000 bytes/],
  ['eye with a batch', 'sora.eye(4, 4, [2 ** 30, 2 ** 30])', /^eye: output shape \[1073741824,1073741824,4,4\]/],
  ['cropAndResize 2**31', "sora.image.cropAndResize(sora.ones([1, 2, 2, 1]), sora.tensor2d([[0, 0, 1, 1]]), sora.tensor1d([0], 'int32'), [2 ** 31, 2 ** 31])",
    /^cropAndResize: output shape \[1,2147483648,2147483648,1\] needs 1\.8e19 bytes/],
  ['transform outputShape', 'sora.image.transform(sora.ones([1, 2, 2, 1]), sora.tensor2d([[1, 0, 0, 0, 1, 0, 0, 0]]), "nearest", "constant", 0, [2 ** 31, 2 ** 31])',
    /^transform: output shape \[1,2147483648,2147483648,1\]/],
  ['hannWindow(1e9)', 'sora.signal.hannWindow(1e9)', /^hannWindow: window shape \[1000000000\] needs 4000000000 bytes/],
  ['hammingWindow(1e9)', 'sora.signal.hammingWindow(1e9)', /^hammingWindow: window shape \[1000000000\] needs 4000000000 bytes/],
  ['cosineWindow(1e9)', 'sora.cosineWindow(1e9, 0.5, 0.5)', /^cosineWindow: window shape \[1000000000\] needs 4000000000 bytes/],
  ['stft with a 1e9 frame', 'sora.signal.stft(sora.ones([8]), 1e9, 1)', /^stft: window shape \[1000000000\] needs 4000000000 bytes/],
  ['stft with a 2**40 fftLength', 'sora.signal.stft(sora.ones([8]), 4, 1, 2 ** 40)', /^stft: padded frames shape \[5,1099511627776\]/],
  // Shapes taken by tensor creation have at most 2^31-1 elements (util.ts checkShape).
  ['zeros', 'sora.zeros([2 ** 30, 4])', /^fill: shape \[1073741824,4\] has 4294967296 elements, more than 2\^31-1/],
  ['zeros over the backend limit', 'sora.zeros([2 ** 30])', /^fill: output shape \[1073741824\] needs 4294967296 bytes/],
  ['fill, count not a safe integer', 'sora.fill([2 ** 40, 2 ** 40], 1)', /^fill: shape \[1099511627776,1099511627776\] has 1\.2\d*e\+24 elements/],
  ['buffer', 'sora.buffer([1e9, 4])', /^buffer: buffer shape \[1000000000,4\] needs 16000000000 bytes/],
  ['range', 'sora.range(0, 1e12)', /^range: output shape \[1000000000000\] needs 4000000000000 bytes/],
  ['linspace', 'sora.linspace(0, 1, 1e12)', /^linspace: output shape \[1000000000000\]/],
  ['randomNormal', 'sora.randomNormal([2 ** 29, 3])', /^randomNormal: output shape \[536870912,3\] needs 6442450944 bytes/],
  ['rand', 'sora.rand([2 ** 29, 2], Math.random)', /^rand: output shape \[536870912,2\] needs 4294967296 bytes/],
  ['oneHot depth', "sora.oneHot(sora.tensor1d([1], 'int32'), 2 ** 31)", /^oneHot: output shape \[1,2147483648\] needs 8589934592 bytes/],
  ['tile', 'sora.tile(sora.ones([2, 2]), [2 ** 20, 2 ** 20])', /^tile: output shape \[2097152,2097152\]/],
  ['pad', 'sora.pad(sora.ones([2]), [[0, 2 ** 40]])', /^pad: output shape \[1099511627778\]/],
  ['matMul of broadcast giants', 'sora.matMul(sora.ones([2 ** 20, 1]), sora.ones([1, 2 ** 20]))', /^matMul: output shape \[1048576,1048576\]/],
];

interface Outcome { threw?: string; message?: string; ms?: number; returned?: number[] }

/** Runs one expression in a child; resolves with its report, or with how it died. */
function runCase(backend: string, expression: string): Promise<{ code: number | null; signal: string | null; outcome: Outcome | null; stderr: string }> {
  const script = `
    const sora = await import(${JSON.stringify(dist.href)});
    await sora.setBackend(${JSON.stringify(backend)});
    const started = performance.now();
    let report;
    try {
      const r = ${expression};
      report = { returned: r.shape };
    } catch (error) {
      report = { threw: error.constructor.name, message: error.message };
    }
    report.ms = performance.now() - started;
    console.log('REPORT ' + JSON.stringify(report));
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=512', '--input-type=module', '-e', script],
      { cwd: fileURLToPath(root), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
      resolve({ code, signal, outcome: line ? JSON.parse(line.slice(7)) as Outcome : null, stderr: stderr.slice(-500) });
    });
  });
}

describe('one size argument throws a clear RangeError, fast, instead of killing the process', () => {
  it('runs on the built package (npm run build)', () => expect(existsSync(dist), `${fileURLToPath(dist)} is missing`).toBe(true));
  for (const backend of ['reference', 'wasm']) {
    describe(backend, () => {
      it.concurrent.each(CASES)('%s', async (_label, expression, message) => {
        const { code, signal, outcome, stderr } = await runCase(backend, expression);
        expect(outcome, `the child died (code ${code}, signal ${signal}): ${stderr}`).not.toBeNull();
        expect(outcome!.returned, 'it returned a tensor').toBeUndefined();
        expect(outcome!.message).toMatch(message);
        expect(outcome!.threw).toBe('RangeError');
        expect(outcome!.ms).toBeLessThan(1000);
        expect(code).toBe(0);
      });
    });
  }

  it('the harness reports a small case that works', async () => {
    const { outcome } = await runCase('wasm', 'sora.image.resizeBilinear(sora.ones([1, 2, 2, 1]), [3, 5])');
    expect(outcome?.returned).toEqual([1, 3, 5, 1]);
  });
});
