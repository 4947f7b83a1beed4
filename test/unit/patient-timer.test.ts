import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { patientTimeout, runnableTasks } from '../../src/platform/patient-timer.js';

const firesAfter = (budgetMs: number, runnable: () => number | undefined): Promise<number> =>
  new Promise((resolve) => {
    const started = performance.now();
    const timer = patientTimeout(budgetMs, () => resolve(performance.now() - started), runnable);
    setTimeout(() => timer.stop(), 10_000).unref();
  });

describe('a timeout that counts only time the machine could answer in', () => {
  it('no more runnable tasks than CPUs: it fires on time', async () => {
    const ms = await firesAfter(300, () => 1);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(3_000); // a starved test runner counts at most two ticks per tick
  });

  it('four times more runnable tasks than CPUs: a quarter of the time counts', async () => {
    const ms = await firesAfter(300, () => availableParallelism() * 4);
    expect(ms).toBeGreaterThanOrEqual(1_150);
  });

  it('where Linux does not say (undefined): wall time, as before', async () => {
    const ms = await firesAfter(200, () => undefined);
    expect(ms).toBeGreaterThanOrEqual(190);
  });

  it('reads the runnable count from /proc/loadavg on Linux', () => {
    const running = runnableTasks();
    if (process.platform === 'linux') expect(running).toBeGreaterThanOrEqual(1);
    else expect(running).toBeUndefined();
  });
});
