/** The fit() console logger: Keras-style bar in a terminal, one line per epoch otherwise. */
import { describe, it, expect, afterEach } from 'vitest';
import { ProgressLogger } from '../../src/training/callbacks.js';

const stdout = process.stdout as NodeJS.WriteStream & { isTTY?: boolean };
const original = { write: stdout.write, isTTY: stdout.isTTY };
afterEach(() => { stdout.write = original.write; stdout.isTTY = original.isTTY; });

function capture(tty: boolean): string[] {
  const out: string[] = [];
  stdout.isTTY = tty;
  stdout.write = ((chunk: string) => { out.push(String(chunk)); return true; }) as typeof stdout.write;
  return out;
}

describe('ProgressLogger', () => {
  it('verbose 1 in a terminal draws a bar with steps, ETA, ms/step and metrics, erasing the line each time', () => {
    const out = capture(true);
    const logger = new ProgressLogger(1, 2, 3);
    logger.onEpochBegin(0);
    logger.onBatchEnd(2, { batch: 2, size: 32, loss: 0.5, acc: 0.75 });
    logger.onEpochEnd(0, { loss: 0.5, acc: 0.75, val_loss: 0.6, val_acc: 0.7 });
    expect(out[0]).toBe('Epoch 1/2\n');
    expect(out[1]).toMatch(/^\r\x1b\[K3\/3 \[=+\] - ETA: 0s - [\d.]+ms\/step - loss: 0\.5000 - acc: 0\.7500$/);
    expect(out[1]).not.toMatch(/batch|size/);
    expect(out[2]).toMatch(/^\r\x1b\[K3\/3 \[=+\] - [\d.]+s [\d.]+ms\/step - loss: 0\.5000 - acc: 0\.7500 - val_loss: 0\.6000 - val_acc: 0\.7000\n$/);
  });

  it('without a terminal, or with verbose 2, prints one line per epoch and no bar', () => {
    for (const [verbose, tty] of [[1, false], [2, true]] as const) {
      const out = capture(tty);
      const logger = new ProgressLogger(verbose, 1, 10);
      logger.onEpochBegin(0);
      for (let b = 0; b < 10; b++) logger.onBatchEnd(b, { loss: 1 });
      logger.onEpochEnd(0, { loss: 1 });
      expect(out).toHaveLength(2);
      expect(out[1]).toMatch(/^10\/10 - [\d.]+s [\d.]+ms\/step - loss: 1\.0000\n$/);
    }
  });

  it('verbose 0 prints nothing', () => {
    const out = capture(true);
    const logger = new ProgressLogger(0, 1, 1);
    logger.onEpochBegin(0);
    logger.onBatchEnd(0, { loss: 1 });
    logger.onEpochEnd(0, { loss: 1 });
    expect(out).toEqual([]);
  });
});
