import { getPriority, setPriority } from 'node:os';

/**
 * How far a worker thread steps back, as a nice value (a thread already nicer keeps its own).
 * BACKGROUND: work no request waits for (snapshots), which takes spare cycles only.
 * LAGGING: work some requests wait for, but which may trail the exchange (the read model's writer):
 * at nice 5 it still gets about a quarter of a CPU it shares with the exchange's thread, and on a
 * busy 2-core machine signed orders ran 2 to 3 points of the baseline faster (bench:api: 25.5 and
 * 25.9% against 22.5 to 23.8% at nice 0).
 */
export const THREAD_NICE = { BACKGROUND: 10, LAGGING: 5 } as const;

/**
 * Lowers the calling thread's scheduling priority. On Linux a nice value belongs to a thread, so a
 * worker calling this leaves the main thread as it was: the matching path keeps its priority. Lowering
 * a priority needs no privilege; where the platform refuses anyway, the thread runs as before.
 */
export function stepBack(nice: number): void {
  try {
    setPriority(0, Math.max(getPriority(0), nice));
  } catch {
    // Not worth failing over: the thread still works at normal priority.
  }
}
