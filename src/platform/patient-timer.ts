import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * A timeout for "the other side is silent", which counts only time the machine could have spent
 * answering. Wall time is the wrong clock when the CPUs are oversubscribed: 200 t0ken processes
 * starting at once on 2 cores left gnome-keyring (and this process) waiting for a CPU for seconds,
 * and a 3 s wall-clock ping timer called a busy Secret Service hung (issue 22: 104 of 200 runs).
 *
 * Every TICK_MS the time since the last tick is credited, scaled down by how oversubscribed the
 * CPUs are right now (runnable tasks from /proc/loadavg against the CPUs this process may use), and
 * never more than two ticks at once (a tick that came late means this process itself could not
 * run). Where /proc/loadavg is missing, only the second rule applies. The caller keeps its own
 * wall-clock limit as well: this one can stretch, and is meant to.
 */
const TICK_MS = 50;

export interface PatientTimer {
  /** Ends the timer without firing. */
  stop(): void;
}

export function patientTimeout(budgetMs: number, onTimeout: () => void, runnable: () => number | undefined = runnableTasks): PatientTimer {
  const cpus = availableParallelism();
  let credited = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const elapsed = Math.min(now - last, 2 * TICK_MS);
    last = now;
    const running = runnable();
    credited += running === undefined || running <= cpus ? elapsed : (elapsed * cpus) / running;
    if (credited >= budgetMs) {
      clearInterval(timer);
      onTimeout();
    }
  }, TICK_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

let noLoadavg = false;

/** The number of runnable tasks right now (this one included), or undefined where Linux does not say. */
export function runnableTasks(): number | undefined {
  if (noLoadavg) return undefined;
  try {
    // "0.52 0.58 0.59 3/467 12345": the fourth field is runnable/total scheduling entities.
    const running = Number(readFileSync('/proc/loadavg', 'latin1').split(' ')[3]?.split('/')[0]);
    return Number.isFinite(running) && running > 0 ? running : undefined;
  } catch {
    noLoadavg = true;
    return undefined;
  }
}
