/**
 * The vitest side of a program run in headless Chromium and Deno: bundle the entry once,
 * start both runtimes together, and give every named case its own test in each. A missing
 * runtime fails every test with its install line (never a skip); a case that did not
 * report fails naming why.
 */
import { beforeAll, describe, it } from 'vitest';
import { bundle } from './bundle.js';
import { runIn, type Runtime } from './run.js';
import type { RunCollector } from './protocol.js';

export const RUNTIMES: [Runtime, string][] = [['chromium', 'headless Chromium (SwiftShader)'], ['deno', 'Deno (lavapipe)']];

export interface RuntimeSuite {
  /** The describe title; the runtime's label is appended. */
  title: string;
  /** A TS entry (repository-relative) that emits one SORA_RESULT per case. */
  entry: string;
  cases: string[];
  timeoutMs: number;
  options?: Record<string, string>;
  /** Extra whole-run checks, run as their own test before the cases. */
  runCheck?: { name: string; check: (run: RunCollector) => void };
}

export function describeInRuntimes(suite: RuntimeSuite): void {
  const runs = new Map<Runtime, Promise<RunCollector>>();
  beforeAll(() => {
    const code = bundle(suite.entry);
    for (const [runtime] of RUNTIMES) {
      runs.set(runtime, code.then((text) => runIn(runtime, { code: text }, { options: suite.options ?? {}, timeoutMs: suite.timeoutMs })));
    }
  });
  for (const [runtime, label] of RUNTIMES) {
    describe(`${suite.title} in ${label}`, () => {
      let run: RunCollector;
      beforeAll(async () => { run = await runs.get(runtime)!; }, suite.timeoutMs + 60_000);
      if (suite.runCheck) {
        it(suite.runCheck.name, () => {
          if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
          suite.runCheck!.check(run);
        });
      }
      for (const name of suite.cases) {
        it(name, () => {
          const result = run.results.get(name);
          if (!result) throw new Error(`case did not report: ${run.fatal ?? 'no result line'}\n${run.tail()}`);
          if (!result.ok) throw new Error(result.error);
        });
      }
    });
  }
}
