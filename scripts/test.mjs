#!/usr/bin/env node
// `npm test`: make sure the runtimes the suites need are installed (as root: install them;
// otherwise stop at once naming the apt-get line), build, type-check src and tests, lint (Biome), run
// every vitest suite, and end
// with the plain count `N passed, N failed` from vitest's JSON report.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const needs = [
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium'), why: 'headless-browser and WebGPU (SwiftShader) suites' },
  {
    pkg: 'mesa-vulkan-drivers',
    present: () => ['/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/usr/share/vulkan/icd.d/lvp_icd.json',
      '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json'].some(existsSync),
    why: 'WebGPU suites in Deno (lavapipe adapter)',
  },
  { pkg: 'espeak-ng', present: () => existsSync('/usr/bin/espeak-ng'), why: 'the spoken-digit dataset (tests/examples/speech.test.ts)' },
];
const missing = needs.filter((n) => !n.present());
if (missing.length > 0) {
  const line = `apt-get install -y ${missing.map((m) => m.pkg).join(' ')}`;
  if (process.getuid?.() === 0) {
    console.log(`[test] installing ${missing.map((m) => m.pkg).join(', ')} (${missing.map((m) => m.why).join('; ')})`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing.map((m) => m.pkg)], {
      stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    console.error(`[test] missing Debian packages for the ${missing.map((m) => m.why).join('; ')}.\n` +
      `       Run: sudo ${line}`);
    process.exit(1);
  }
}

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
for (const step of ['build', 'typecheck', 'lint']) {
  if (run('npm', ['run', step, '--silent']) !== 0) {
    console.error(`[test] ${step} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const report = '.vitest-report.json';
rmSync(report, { force: true });
const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...process.argv.slice(2)]);
let passed = 0, failed = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  // Failed tests, plus files that failed without running a test (import or setup errors).
  const brokenFiles = (json.testResults ?? []).filter((file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0);
  failed = json.numFailedTests + brokenFiles.length;
} else {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status !== 0 || failed > 0 || passed === 0 ? 1 : 0);
