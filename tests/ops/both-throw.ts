/**
 * The differential check of an error case: TF.js (cpu) throws, and sora throws an Error whose
 * message names the op (and matches `pattern` when given). Shared by the string suites.
 */
import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;

export function bothThrow(label: string, op: string, run: (lib: Lib) => unknown, pattern?: RegExp): void {
  it(`${label}: an Error naming ${op}`, () => {
    expect(() => run(tf)).toThrow();
    let error: unknown;
    try { run(sora); } catch (e) { error = e; }
    expect(error, `${label} should throw`).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(op);
    if (pattern) expect((error as Error).message).toMatch(pattern);
  });
}
