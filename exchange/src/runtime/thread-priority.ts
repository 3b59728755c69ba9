import { getPriority, setPriority } from 'node:os';

/** A nice value that lets the exchange's own thread and the clients' traffic run first (a thread already nicer keeps its own). */
const BACKGROUND_NICE = 10;

/**
 * Lowers the calling thread's scheduling priority. On Linux a nice value belongs to a thread, so a
 * worker calling this leaves the main thread as it was: the matching path keeps its priority while the
 * work that may lag it (projecting the read model, writing snapshots) takes the spare cycles. Lowering a
 * priority needs no privilege; where the platform refuses anyway, the thread simply runs as before.
 */
export function runInBackground(): void {
  try {
    setPriority(0, Math.max(getPriority(0), BACKGROUND_NICE));
  } catch {
    // Not worth failing over: the thread still works at normal priority.
  }
}
