import type { Log } from '../journal/log-port.ts';
import type { SnapshotStore } from '../journal/snapshots/snapshot-store.ts';
import { type SnapshotMessage, snapshotChannel } from './sequencer-channels.ts';
import type { SnapshotSource } from './snapshot-source.ts';

export interface SnapshotPolicy {
  /** Snapshot after this many commands since the last one. @default 100000 */
  readonly everyCommands?: number;
  /** Snapshot when this long has passed since the last one and commands arrived since. @default 60000 */
  readonly everyMs?: number;
}

/**
 * Takes snapshots of the engine every N commands or T milliseconds, and prunes what they make
 * redundant. The state is captured between two commands (the caller's listener runs on the
 * pipeline) by the snapshot source: on this thread by default, or by a replica on another thread.
 *
 * Pruning keeps the two newest snapshots that every projection has passed, and the log after the
 * older of the two: recovery starts no later than the slowest projection, and one damaged snapshot
 * still leaves another to start from.
 */
export class Snapshotter {
  private readonly source: SnapshotSource;
  private readonly store: SnapshotStore;
  private readonly log: Log;
  private readonly consumedSeq: () => number;
  private readonly clock: () => number;
  private readonly everyCommands: number;
  private readonly everyMs: number;
  private readonly pruning: boolean;
  private commandsSince = 0;
  private lastAt: number;
  private writing: Promise<void> | undefined;
  private failure: unknown = null;
  private readonly onFailure: ((error: unknown) => void) | undefined;

  constructor(
    store: SnapshotStore,
    log: Log,
    options: SnapshotPolicy & {
      readonly consumedSeq: () => number;
      readonly clock: () => number;
      /** Delete what newer snapshots make redundant. @default true */
      readonly prune?: boolean;
      /** Who captures and writes the state: `inThreadSnapshots`, or the snapshot replica. */
      readonly source: SnapshotSource;
      /** Told of each failed snapshot (or pruning), with its cause. @default - kept for lastFailure() only */
      readonly onFailure?: (error: unknown) => void;
    },
  ) {
    this.source = options.source;
    this.onFailure = options.onFailure;
    this.store = store;
    this.log = log;
    this.consumedSeq = options.consumedSeq;
    this.clock = options.clock;
    this.everyCommands = options.everyCommands ?? 100_000;
    this.everyMs = options.everyMs ?? 60_000;
    this.pruning = options.prune ?? true;
    if (!Number.isSafeInteger(this.everyCommands) || this.everyCommands < 1) {
      throw new RangeError(`everyCommands must be a positive integer, got ${this.everyCommands}`);
    }
    if (!(this.everyMs > 0)) throw new RangeError(`everyMs must be positive, got ${this.everyMs}`);
    this.lastAt = this.clock();
  }

  /** Call after each applied command. */
  afterCommand(): void {
    this.commandsSince++;
    if (this.commandsSince >= this.everyCommands || this.clock() - this.lastAt >= this.everyMs) this.take();
  }

  /** For a timer: snapshots if time is up and anything happened. */
  tick(): void {
    if (this.commandsSince > 0 && this.clock() - this.lastAt >= this.everyMs) this.take();
  }

  /** Snapshots now unless one is being written; resolves when it and its pruning are done. */
  take(): Promise<void> {
    if (this.writing !== undefined) return this.writing;
    this.commandsSince = 0;
    this.lastAt = this.clock();
    const started = performance.now();
    this.writing = this.source
      .write(this.lastAt)
      .then(async (seq) => {
        if (snapshotChannel.hasSubscribers) {
          const durationMs = performance.now() - started;
          const entry = (await this.store.list()).find((e) => e.seq === seq);
          const message: SnapshotMessage = { ok: true, durationMs, bytes: entry?.bytes ?? 0 };
          snapshotChannel.publish(message);
        }
        if (this.pruning) await this.prune();
      })
      .then(
        () => {
          this.failure = null;
        },
        (error: unknown) => {
          // A failed snapshot loses nothing (the log has it all); it is reported and retried next time.
          this.failure = error;
          this.onFailure?.(error);
          if (snapshotChannel.hasSubscribers) {
            const message: SnapshotMessage = {
              ok: false,
              durationMs: performance.now() - started,
              bytes: 0,
              error,
            };
            snapshotChannel.publish(message);
          }
        },
      )
      .finally(() => {
        this.writing = undefined;
      });
    return this.writing;
  }

  /** The failure of the last snapshot, if it failed (null once one succeeds again), for health. */
  lastFailure(): unknown {
    return this.failure;
  }

  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private async prune(): Promise<void> {
    const consumed = this.consumedSeq();
    const eligible = (await this.store.list()).filter((entry) => entry.seq <= consumed);
    const oldestKept = eligible[1] ?? eligible[0];
    if (oldestKept === undefined) return;
    await this.store.prune(oldestKept.seq);
    await this.log.prune(oldestKept.seq);
  }
}
