/**
 * The corpus (tests/corpus/programs.ts): each program runs under TF.js (cpu) and under sora
 * (wasm) with `tf` bound to the library; every number it returns must agree.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { PROGRAMS, type TF } from './programs.js';

const dir = mkdtempSync(join(tmpdir(), 'sora-corpus-'));

beforeAll(async () => {
  await sora.setBackend('wasm');
  await tf.setBackend('cpu');
  const rows = Array.from({ length: 40 }, (_, i) => {
    const rooms = 1 + (i % 5), area = 0.5 + ((i * 7) % 11) / 10, age = ((i * 3) % 13) / 6;
    return [rooms, area, age, (2 * rooms + 3 * area - 0.5 * age + Math.sin(i) * 0.1).toFixed(4)].join(',');
  });
  writeFileSync(join(dir, 'houses.csv'), `rooms,area,age,price\n${rows.join('\n')}\n`);
});

describe('TF.js programs run unchanged under sora', () => {
  for (const program of PROGRAMS) {
    it(`${program.name}: ${program.checks}`, async () => {
      const theirs = await program.run(tf, dir);
      const ours = await program.run(sora as unknown as TF, dir);
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      for (const [key, value] of Object.entries(theirs)) {
        const a = ([] as number[]).concat(ours[key]), b = ([] as number[]).concat(value);
        expect(a.length, key).toBe(b.length);
        a.forEach((v, i) => expect(Math.abs(v - b[i]), `${program.name} ${key}[${i}]: sora ${v}, TF.js ${b[i]}`)
          .toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b[i]))));
      }
    });
  }
});
