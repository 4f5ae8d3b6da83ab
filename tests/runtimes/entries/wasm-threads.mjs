// The built library's wasm threads in a browser or Deno (dist/index.js, unbundled): for 1, 2
// and 3 threads, setThreadsCount, wait for the workers, then matMul in every transpose
// combination, a batched matMul and a conv2d with its gradients on odd shapes large enough to
// split, against a float64 loop and bitwise against one thread; each thread's tally shows the
// workers ran tasks. With `expect=single` (a page that is not cross-origin isolated) it checks
// instead that the backend stays on one thread and env().threads says why.
// Reports on the protocol of tests/runtimes/protocol.ts.
import * as sora from '../../../dist/index.js';
import { tripleLoop as matMulLoop, values } from './values.mjs';

const emit = (kind, payload) => console.log(`${kind} ${JSON.stringify(payload)}`);
const options = globalThis.Deno
  ? Object.fromEntries(Deno.args.map((a) => a.split('=')))
  : Object.fromEntries(new URLSearchParams(location.search));

/** NHWC conv, 'same' padding, stride 1, float64. */
function convLoop(x, f, [n, h, w, ci], [fh, fw, , co]) {
  const out = new Float64Array(n * h * w * co), pt = Math.floor((fh - 1) / 2), pl = Math.floor((fw - 1) / 2);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x0 = 0; x0 < w; x0++) for (let o = 0; o < co; o++) {
    let sum = 0;
    for (let dy = 0; dy < fh; dy++) for (let dx = 0; dx < fw; dx++) {
      const iy = y + dy - pt, ix = x0 + dx - pl;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      for (let c = 0; c < ci; c++) sum += x[((b * h + iy) * w + ix) * ci + c] * f[((dy * fw + dx) * ci + c) * co + o];
    }
    out[((b * h + y) * w + x0) * co + o] = sum;
  }
  return out;
}

function close(got, want, tolerance, what) {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tolerance * (1 + Math.abs(want[i])))) {
      throw new Error(`${what}[${i}] = ${got[i]}, the float64 loop gives ${want[i]}`);
    }
  }
}

const CASES = [
  ...[[false, false], [true, false], [false, true], [true, true]].map(([tA, tB]) => ({
    name: `matMul 301x131 @ 131x257${tA ? ' tA' : ''}${tB ? ' tB' : ''}`,
    run() {
      const [m, k, n] = [301, 131, 257];
      const av = values(m * k, 1 + tA), bv = values(k * n, 3 + tB);
      const y = sora.tidy(() => sora.matMul(sora.tensor(av, tA ? [k, m] : [m, k]), sora.tensor(bv, tB ? [n, k] : [k, n]), tA, tB));
      const got = y.dataSync(); y.dispose();
      return { got, want: matMulLoop(av, bv, m, n, k, tA, tB), tolerance: 1e-5 };
    },
  })),
  {
    name: 'batched matMul 7 x 67x73 @ 73x71',
    run() {
      const av = values(7 * 67 * 73, 5), bv = values(7 * 73 * 71, 6);
      const y = sora.tidy(() => sora.matMul(sora.tensor(av, [7, 67, 73]), sora.tensor(bv, [7, 73, 71])));
      const got = y.dataSync(); y.dispose();
      const want = new Float64Array(7 * 67 * 71);
      for (let t = 0; t < 7; t++) {
        want.set(matMulLoop(av.subarray(t * 67 * 73), bv.subarray(t * 73 * 71), 67, 71, 73, false, false), t * 67 * 71);
      }
      return { got, want, tolerance: 1e-5 };
    },
  },
  {
    name: 'conv2d 5x23x21x17 -> 31, 3x3 same, and its input and filter gradients',
    run() {
      const xs = [5, 23, 21, 17], fs = [3, 3, 17, 31];
      const xv = values(5 * 23 * 21 * 17, 7), fv = values(3 * 3 * 17 * 31, 8);
      const [y, dx, df] = sora.tidy(() => {
        const x = sora.tensor(xv, xs), f = sora.tensor(fv, fs);
        const loss = (a, b) => sora.conv2d(a, b, 1, 'same').square().sum();
        const [gx, gf] = sora.grads(loss)([x, f]);
        return [sora.conv2d(x, f, 1, 'same'), gx, gf];
      });
      const got = y.dataSync(), gradients = { dx: dx.dataSync(), df: df.dataSync() };
      sora.dispose([y, dx, df]);
      // The forward is checked against the loop here; the gradients against one thread (df, the
      // filter gradient, sums per-thread partials: bounded at 4e-6 of its largest value).
      return { got, want: convLoop(xv, fv, xs, fs), tolerance: 1e-5, gradients, reassociated: ['df'] };
    },
  },
];

async function workersReady(n) {
  const start = Date.now();
  while (sora.env().threads.workersReady < n - 1) {
    if (Date.now() - start > 20_000) throw new Error(`only ${sora.env().threads.workersReady} of ${n - 1} workers started in 20 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function main() {
  await sora.setBackend('wasm');
  const threads = sora.env().threads;
  emit('SORA_INFO', { backend: sora.getBackend(), threads, isolated: globalThis.crossOriginIsolated ?? null });
  if (options.expect === 'single') {
    const name = 'one thread where shared memory is unavailable, saying why';
    try {
      sora.setThreadsCount(3);
      const now = sora.env().threads;
      if (now.count !== 1 || sora.getThreadsCount() !== 1) throw new Error(`runs ${now.count} threads`);
      if (!/cross-origin/.test(now.unavailable ?? '')) throw new Error(`env().threads.unavailable: ${now.unavailable}`);
      const { got, want, tolerance } = CASES[0].run();
      close(got, want, tolerance, CASES[0].name);
      emit('SORA_RESULT', { name, ok: true });
    } catch (error) {
      emit('SORA_RESULT', { name, ok: false, error: String(error?.stack ?? error) });
    }
    emit('SORA_DONE', { failed: 0, tensors: sora.memory().numTensors });
    return;
  }
  const single = new Map();
  let failed = 0;
  for (const n of [1, 2, 3]) {
    sora.setThreadsCount(n);
    for (const c of CASES) {
      const name = `${c.name} on ${n} thread${n > 1 ? 's' : ''}`;
      try {
        if (sora.getThreadsCount() !== n) throw new Error(`getThreadsCount() is ${sora.getThreadsCount()}`);
        await workersReady(n);
        const { got, want, tolerance, gradients = {}, reassociated = [] } = c.run();
        close(got, want, tolerance, c.name);
        const outputs = { out: got, ...gradients };
        if (n === 1) single.set(c.name, outputs);
        else {
          for (const [part, values] of Object.entries(outputs)) {
            const one = single.get(c.name)[part];
            // Bitwise, except a filter gradient, whose per-thread partial sums are added in another order.
            const bound = reassociated.includes(part) ? 4e-6 * one.reduce((m, v) => Math.max(m, Math.abs(v)), 0) : 0;
            for (let i = 0; i < values.length; i++) {
              if (!(Math.abs(values[i] - one[i]) <= bound)) throw new Error(`${part}[${i}] = ${values[i]} on ${n} threads, ${one[i]} on one`);
            }
          }
        }
        emit('SORA_RESULT', { name, ok: true });
      } catch (error) {
        failed++;
        emit('SORA_RESULT', { name, ok: false, error: String(error?.stack ?? error) });
      }
    }
    if (n > 1) {
      // Tasks are claimed, not assigned: on a loaded machine a worker may miss a few short jobs,
      // so give each up to 50 larger ones (a few ms each) to take a task; a broken one never does.
      const name = `workers ran tasks on ${n} threads`;
      const a = sora.randomNormal([384, 384]);
      let tally = sora.backend().threadTally();
      for (let round = 0; round < 50 && !tally.slice(1).every((t) => t > 0); round++) {
        sora.matMul(a, a).dispose();
        tally = sora.backend().threadTally();
      }
      a.dispose();
      const ok = tally.length === n && tally.slice(1).every((t) => t > 0);
      if (!ok) failed++;
      emit('SORA_RESULT', ok ? { name, ok } : { name, ok, error: `tasks per thread: ${tally}` });
    }
  }
  emit('SORA_DONE', { failed, tensors: sora.memory().numTensors });
}

main().catch((error) => emit('SORA_FATAL', String(error?.stack ?? error)));
