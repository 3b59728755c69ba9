import { mkdirSync, unlinkSync } from 'node:fs';
import { acquireExclusiveLock, type ExclusiveLock } from '../../runtime/exclusive-lock.ts';
import { fsyncDir } from '../fsync-dir.ts';
import { JournalClosedError, type JournalError } from '../log-errors.ts';
import type { Log, LogRecord, ReadOptions } from '../log-port.ts';
import { FileAppender } from './file-appender.ts';
import {
  type FileJournalOptions,
  type ResolvedFileJournalOptions,
  resolveFileJournalOptions,
} from './file-journal-options.ts';
import { readRecords } from './file-reader.ts';
import type { JournalState } from './journal-state.ts';
import { Pulse } from './pulse.ts';
import { recoverSegments, type TailRepair } from './recover-segments.ts';

/** A segment as reported by `FileJournal.segments()`. */
export interface SegmentSummary {
  readonly path: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly bytes: number;
}

/**
 * The embedded log: an append-only, segmented file journal with group commit (see file-appender.ts for
 * batching, record-codec.ts and segment-file.ts for the format, recover-segments.ts for startup).
 */
export class FileJournal implements Log {
  /** Torn tails cut off by this open, for the caller to log. Empty after a clean shutdown. */
  readonly repairs: readonly TailRepair[];
  private readonly state: JournalState;
  private readonly appender: FileAppender | undefined;
  /** The writer's hold on the folder; readers take none. */
  private readonly lock: ExclusiveLock | undefined;
  private closing: Promise<void> | undefined;

  private constructor(state: JournalState, repairs: readonly TailRepair[], lock: ExclusiveLock | undefined) {
    this.state = state;
    this.repairs = repairs;
    this.lock = lock;
    this.appender = state.options.readOnly ? undefined : new FileAppender(state);
  }

  /**
   * Opens (creating if needed) the journal in `options.dir`, cutting off a torn tail of the last segment.
   * Throws `JournalCorruptError` naming file and offset if anything before the tail is damaged.
   * A writer holds the folder's lock until `close()`: a second writer on the same folder, in this
   * process or another, is refused with `LockHeldError` naming the holder's pid before it reads or
   * cuts anything (one log, one writer). Read-only opens take no lock.
   */
  static async open(options: FileJournalOptions): Promise<FileJournal> {
    const resolved: ResolvedFileJournalOptions = resolveFileJournalOptions(options);
    if (!resolved.readOnly) mkdirSync(resolved.dir, { recursive: true, mode: 0o700 });
    const lock = resolved.readOnly ? undefined : acquireExclusiveLock(resolved.dir, 'journal writer');
    try {
      const { segments, repairs } = recoverSegments(resolved.dir, resolved);
      const state: JournalState = {
        options: resolved,
        segments,
        durableSeq: segments.at(-1)?.lastSeq ?? 0,
        closed: false,
        durable: new Pulse(),
      };
      return new FileJournal(state, repairs, lock);
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  append(records: readonly LogRecord[]): Promise<void> {
    return this.appender === undefined ? this.readOnlyRefusal() : this.appender.append(records);
  }

  appendOne(record: LogRecord): Promise<void> {
    return this.appender === undefined ? this.readOnlyRefusal() : this.appender.appendOne(record);
  }

  lastSeq(): number {
    return this.state.durableSeq;
  }

  /** The I/O failure that stopped appends for good, if one did (for health: the log is not writable). */
  writeFailure(): JournalError | undefined {
    return this.appender?.writeFailure();
  }

  firstSeq(): number {
    return this.state.segments[0]?.firstSeq ?? 0;
  }

  read(fromSeq: number, options?: ReadOptions): AsyncIterable<readonly LogRecord[]> {
    return readRecords(this.state, fromSeq, false, options?.signal);
  }

  tail(fromSeq: number, options?: ReadOptions): AsyncIterable<readonly LogRecord[]> {
    return readRecords(this.state, fromSeq, true, options?.signal);
  }

  /** Deletes every sealed segment whose records all have `seq <= throughSeq`; the active one stays. */
  async prune(throughSeq: number): Promise<void> {
    if (this.appender === undefined) return this.readOnlyRefusal();
    const segments = this.state.segments;
    let drop = 0;
    // Segment i holds seqs below segment i + 1's first seq, so it is covered when that is <= throughSeq + 1.
    while (drop < segments.length - 1 && segments[drop + 1]!.firstSeq <= throughSeq + 1) drop++;
    if (drop === 0) return;
    for (const segment of segments.splice(0, drop)) unlinkSync(segment.path);
    await fsyncDir(this.state.options.dir);
  }

  /** The retained segments, oldest first. */
  segments(): SegmentSummary[] {
    return this.state.segments.map((s) => ({
      path: s.path,
      firstSeq: s.firstSeq,
      lastSeq: s.lastSeq,
      bytes: s.durableSize,
    }));
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    try {
      await this.appender?.close();
    } finally {
      this.state.closed = true;
      this.state.durable.fire();
      this.lock?.release();
    }
  }

  private readOnlyRefusal(): Promise<never> {
    return Promise.reject(
      new JournalClosedError(`the journal in ${this.state.options.dir} is open read-only`),
    );
  }
}
