/**
 * The string programs (tests/ops/string-programs.ts) on the webgpu backend against the
 * reference backend, inside Chromium or Deno: string tensors live in JavaScript whichever
 * backend is active, and what they feed to the backend (a comparison's bool, tf.string's
 * int32 outputs) reads back the same. One protocol line per program.
 */
import * as sora from '../../../src/index.js';
import { readOut, STRING_PROGRAMS } from '../../ops/string-programs.js';
import { emit, exitRuntime } from '../protocol.js';

async function main(): Promise<void> {
  await sora.setBackend('reference');
  const expected = new Map<string, string>();
  for (const [name, program] of Object.entries(STRING_PROGRAMS)) expected.set(name, JSON.stringify(await readOut(program(sora))));
  await sora.setBackend('webgpu');
  emit('SORA_INFO', { backend: sora.getBackend(), description: sora.env().description });
  let failed = 0;
  for (const [name, program] of Object.entries(STRING_PROGRAMS)) {
    try {
      const got = JSON.stringify(await readOut(program(sora)));
      if (got !== expected.get(name)) throw new Error(`webgpu gave ${got}\nreference gave ${expected.get(name)}`);
      emit('SORA_RESULT', { name, ok: true });
    } catch (error) {
      failed++;
      emit('SORA_RESULT', { name, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
  emit('SORA_DONE', { cases: Object.keys(STRING_PROGRAMS).length, failed });
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? error.message : String(error));
  exitRuntime(1);
});
