/**
 * String tensors with the webgpu backend active, in headless Chromium (SwiftShader) and Deno
 * (lavapipe): the programs of string-programs.ts give on webgpu what they give on the
 * reference backend (which string.test.ts checks against TF.js). A missing runtime fails,
 * never skips.
 */
import { expect } from 'vitest';
import { describeInRuntimes } from '../runtimes/suite.js';
import { STRING_PROGRAMS } from './string-programs.js';

describeInRuntimes({
  title: 'string tensors on webgpu', entry: 'tests/runtimes/entries/string-suite.ts',
  cases: Object.keys(STRING_PROGRAMS), timeoutMs: 120_000,
  runCheck: {
    name: 'runs with the webgpu backend active',
    check: (run) => expect((run.info[0] as { backend: string }).backend).toBe('webgpu'),
  },
});
