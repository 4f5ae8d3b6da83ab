#!/usr/bin/env node
/**
 * How much of TF.js 4.22's public API sora has, in the namespaces of issue 9: tfjs-core's
 * top-level ops and functions (outside tf.layers and tf.data), the methods of Tensor,
 * Variable, TensorBuffer and Optimizer, and the members of tf.util, tf.losses, tf.metrics,
 * tf.train, tf.initializers, tf.constraints, tf.regularizers, tf.io and the op namespaces
 * (linalg, signal, spectral, image, sparse, math, fused, browser, test_util).
 *
 * The names are enumerated from the installed @tensorflow/tfjs at run time, so a TF.js
 * upgrade shows up here. Deliberate exclusions, each with its reason, are in
 * scripts/tfjs-coverage-exclusions.json; they count neither as present nor as missing.
 *
 *   node scripts/tfjs-coverage.mjs            # the figure and what is missing, by namespace
 *   node scripts/tfjs-coverage.mjs --json     # the same as JSON
 *
 * The CLI bundles src/index.ts with esbuild (no build needed); tests/coverage.test.ts calls
 * `measure` on the source modules directly.
 */
import { createRequire } from 'node:module';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Namespaces whose members are counted one by one (all are also top-level names). */
export const NAMESPACES = [
  'util', 'losses', 'metrics', 'train', 'initializers', 'constraints', 'regularizers', 'io',
  'linalg', 'signal', 'spectral', 'image', 'sparse', 'math', 'fused', 'browser', 'test_util', 'string',
];
/** Classes whose prototype methods are counted, as `Class#method`. */
export const CLASSES = ['Tensor', 'Variable', 'TensorBuffer', 'Optimizer'];
/** Namespaces tfjs-layers adds to the top level that issue 9 covers (the rest is the model level). */
const LAYERS_NAMESPACES = ['metrics', 'initializers', 'constraints', 'regularizers'];

/** Every public name of TF.js in scope: `name`, `ns.name` or `Class#method`. */
export function tfjsNames(tf, core) {
  const names = [];
  const strings = [];
  for (const key of Object.keys(core)) {
    if (typeof core[key] === 'string') strings.push(key);
    else names.push(key);
  }
  for (const ns of LAYERS_NAMESPACES) if (!names.includes(ns)) names.push(ns);
  for (const ns of NAMESPACES) {
    const value = tf[ns];
    if (!value) throw new Error(`tfjs-coverage: tf.${ns} is missing from the installed TF.js`);
    // tf.train is a class whose static members are the optimizer factories.
    const members = typeof value === 'function'
      ? Object.getOwnPropertyNames(value).filter((k) => !['length', 'name', 'prototype'].includes(k))
      : Object.keys(value).filter((k) => k !== 'default');
    for (const m of members) names.push(`${ns}.${m}`);
  }
  for (const cls of CLASSES) {
    for (const m of Object.getOwnPropertyNames(tf[cls].prototype)) if (m !== 'constructor') names.push(`${cls}#${m}`);
  }
  return { names: [...new Set(names)].sort(), strings };
}

export function loadExclusions() {
  return JSON.parse(readFileSync(join(here, 'tfjs-coverage-exclusions.json'), 'utf8'));
}

/** Why `name` is excluded, or null. */
function exclusionOf(name, exclusions) {
  for (const { reason, names } of exclusions) {
    for (const pattern of names) {
      if (pattern === name) return reason;
      if (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))) return reason;
    }
  }
  return null;
}

/** An object on which sora's instances of `cls` answer `name in probe`. */
function classProbe(sora, cls) {
  if (cls === 'Optimizer') return sora.train?.sgd ? sora.train.sgd(0.1) : {};
  return sora[cls]?.prototype ?? {};
}

/** `key` on `obj` or its prototypes, not counting what every object or function inherits. */
function hasOwnKey(obj, key) {
  for (let o = obj; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, key)) return true;
  }
  return false;
}

/** Whether sora has `name` (a top-level name, `ns.member` or `Class#method`). */
export function soraHas(sora, name, probes) {
  const hash = name.indexOf('#');
  if (hash > 0) {
    const cls = name.slice(0, hash);
    probes[cls] ??= classProbe(sora, cls);
    return hasOwnKey(probes[cls], name.slice(hash + 1));
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    const ns = sora[name.slice(0, dot)];
    return hasOwnKey(ns, name.slice(dot + 1));
  }
  return hasOwnKey(sora, name);
}

/**
 * The coverage figure: `present / (total - excluded)` as a percentage, with what is
 * missing and what is excluded (and why).
 */
export function measure(tf, core, sora, exclusions = loadExclusions()) {
  const { names, strings } = tfjsNames(tf, core);
  const probes = {};
  const present = [], missing = [], excluded = [];
  const stringReason = exclusionOf('<string-valued exports>', exclusions);
  for (const name of strings) excluded.push({ name, reason: stringReason ?? 'string constant' });
  for (const name of names) {
    const reason = exclusionOf(name, exclusions);
    if (reason) excluded.push({ name, reason });
    else if (soraHas(sora, name, probes)) present.push(name);
    else missing.push(name);
  }
  const counted = present.length + missing.length;
  const percent = Math.round((1000 * present.length) / counted) / 10;
  probes.Optimizer?.dispose?.();
  return { percent, present, missing, excluded, counted };
}

/** Excluded names sora has after all (their exclusion should go, so they count). */
export function excludedButPresent(tf, core, sora, exclusions = loadExclusions()) {
  const probes = {};
  return measure(tf, core, sora, exclusions).excluded
    .filter(({ name, reason }) => !reason.startsWith('Kernel name constants') && soraHas(sora, name, probes))
    .map(({ name }) => name);
}

/** Every exclusion pattern matches something TF.js has (so the list cannot rot). */
export function staleExclusions(tf, core, exclusions = loadExclusions()) {
  const { names } = tfjsNames(tf, core);
  const stale = [];
  for (const { names: patterns } of exclusions) {
    for (const p of patterns) {
      if (p === '<string-valued exports>') continue;
      const hit = p.endsWith('.*') ? names.some((n) => n.startsWith(p.slice(0, -1))) : names.includes(p);
      if (!hit) stale.push(p);
    }
  }
  return stale;
}

function group(missing) {
  const byNs = new Map();
  for (const name of missing) {
    const m = /^([A-Za-z_]+)([.#])/.exec(name);
    const key = m ? (m[2] === '#' ? `${m[1]}#` : `tf.${m[1]}`) : 'tf (top level)';
    if (!byNs.has(key)) byNs.set(key, []);
    byNs.get(key).push(m ? name.slice(m[0].length) : name);
  }
  return byNs;
}

async function loadSora() {
  const esbuild = require('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'sora-coverage-'));
  const out = join(dir, 'sora.mjs');
  try {
    await esbuild.build({
      entryPoints: [join(here, '..', 'src', 'index.ts')], bundle: true, format: 'esm', platform: 'node',
      outfile: out, logLevel: 'error', packages: 'external',
    });
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const tf = require('@tensorflow/tfjs');
  const core = require('@tensorflow/tfjs-core');
  const sora = await loadSora();
  const result = measure(tf, core, sora);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    for (const [ns, list] of group(result.missing)) console.log(`missing ${ns} (${list.length}): ${list.join(' ')}`);
    const reasons = new Map();
    for (const { name, reason } of result.excluded) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    for (const [reason, n] of reasons) console.log(`excluded (${n}): ${reason}`);
    const stale = staleExclusions(tf, core);
    if (stale.length) console.log(`stale exclusions (not in TF.js): ${stale.join(' ')}`);
    const present = excludedButPresent(tf, core, sora);
    if (present.length) console.log(`excluded but present in sora (remove the exclusion): ${present.join(' ')}`);
    console.log(`sora has ${result.present.length} of ${result.counted} TF.js names in scope: ${result.percent}%`);
  }
}
