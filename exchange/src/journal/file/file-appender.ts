import { constants, openSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from '../fsync-dir.ts';
import { type BatchSyncedMessage, journalBatchChannel } from '../journal-channels.ts';
import {
  JournalClosedError,
  type JournalError,
  JournalIoError,
  JournalRecordError,
  JournalSequenceError,
} from '../log-errors.ts';
import type { LogRecord } from '../log-port.ts';
import { closeFile, openFile, writeFully } from './fs-callbacks.ts';
import type { JournalState } from './journal-state.ts';
import { encodeRecord, MAX_CONTEXT_BYTES, recordBytes } from './record-codec.ts';
import { encodeSegmentHeader, SEGMENT_HEADER_BYTES, segmentFileName } from './segment-file.ts';
import type { SegmentInfo } from './segment-info.ts';

interface Batch {
  readonly done: PromiseWithResolvers<void>;
  readonly openedAt: number;
  readonly firstSeq: number;
  lastSeq: number;
}

/** A new segment starts at byte `at` of the staging buffer; the one before it ended with `prevLastSeq`. */
interface Roll {
  readonly at: number;
  readonly segment: SegmentInfo;
  readonly prevLastSeq: number;
}

const INITIAL_STAGING_BYTES = 1024 * 1024;

// Metrics subscribe from outside; when no one listens, publishing costs one boolean check.
const batchChannel = journalBatchChannel;

// Segments are opened O_DSYNC: a write returns only once its data is durable, like write + fdatasync,
// but as one thread-pool job with one callback, so a busy main thread cannot delay the sync between them.
const APPEND_FLAGS = constants.O_RDWR | constants.O_DSYNC;
const CREATE_FLAGS = APPEND_FLAGS | constants.O_CREAT | constants.O_EXCL;

/**
 * Group commit. Appends are encoded straight into a staging buffer and share one promise per batch;
 * a batch is made durable with one synchronous-data write (O_DSYNC), then all its promises resolve.
 *
 *   append ──► staging buffer ──(window elapsed, or previous write done)──► durable write ──► resolve
 *
 * While a batch syncs, new appends fill the other staging buffer and become the next batch, so the
 * disk's sync rate bounds batches per second, not records per second. Segment rolls are decided when a
 * record is staged, so a batch may span two segments; then the old one is closed (its O_DSYNC writes
 * are durable already) before the new file is created, and the folder is synced before the batch
 * resolves, so the new file's name is durable too.
 */
export class FileAppender {
  private readonly state: JournalState;
  private readonly window: number;
  private staging = Buffer.allocUnsafe(INITIAL_STAGING_BYTES);
  private spare = Buffer.allocUnsafe(INITIAL_STAGING_BYTES);
  private stagedBytes = 0;
  private rolls: Roll[] = [];
  private batch: Batch | undefined;
  private acceptedSeq: number;
  // Where staged records go: the segment and its size once everything staged so far is written.
  private planSegment: SegmentInfo | undefined;
  private planSize: number;
  // The file being written: its descriptor, segment, and bytes written (synced or in flight).
  private fd: number | undefined;
  private fdSegment: SegmentInfo | undefined;
  private fdSize: number;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private draining: Promise<void> | undefined;
  private failure: JournalError | undefined;
  private closing = false;

  constructor(state: JournalState) {
    this.state = state;
    this.window = state.options.batchWindowMs;
    this.acceptedSeq = state.durableSeq;
    const active = state.segments.at(-1);
    this.planSegment = active;
    this.fdSegment = active;
    this.planSize = active?.durableSize ?? 0;
    this.fdSize = this.planSize;
    this.fd = active === undefined ? undefined : openSync(active.path, APPEND_FLAGS);
  }

  appendOne(record: LogRecord): Promise<void> {
    const refusal = this.refusal() ?? this.check(record, this.acceptedSeq);
    if (refusal !== undefined) return Promise.reject(refusal);
    return this.stage(record);
  }

  append(records: readonly LogRecord[]): Promise<void> {
    let refusal = this.refusal();
    // Check everything first, so that a bad record leaves nothing of the call appended.
    let prev = this.acceptedSeq;
    for (let i = 0; refusal === undefined && i < records.length; i++) {
      refusal = this.check(records[i]!, prev);
      prev = records[i]!.seq;
    }
    if (refusal !== undefined) return Promise.reject(refusal);
    let done: Promise<void> = Promise.resolve();
    for (const record of records) done = this.stage(record);
    return done;
  }

  /** Makes everything staged durable, then releases the file. Later appends are refused. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.draining === undefined && this.batch !== undefined) this.draining = this.drain();
    await this.draining;
    if (this.fd !== undefined) await closeFile(this.fd);
    this.fd = undefined;
  }

  writeFailure(): JournalError | undefined {
    return this.failure;
  }

  private refusal(): JournalError | undefined {
    if (this.failure !== undefined) return this.failure;
    if (this.closing) return new JournalClosedError();
    return undefined;
  }

  private check(record: LogRecord, prevSeq: number): JournalError | undefined {
    const { seq, ts, payload } = record;
    if (!Number.isSafeInteger(seq) || seq <= prevSeq) {
      return new JournalSequenceError(
        `seq ${seq} must be a safe integer greater than the last appended seq ${prevSeq}`,
      );
    }
    if (!Number.isSafeInteger(ts) || ts < 0) {
      return new JournalRecordError(
        `ts ${ts} of seq ${seq} must be a non-negative safe integer (ms since the epoch)`,
      );
    }
    if (!(payload instanceof Uint8Array))
      return new JournalRecordError(`payload of seq ${seq} must be a Uint8Array`);
    if (payload.length > this.state.options.maxPayloadBytes) {
      return new JournalRecordError(
        `payload of seq ${seq} is ${payload.length} bytes, over maxPayloadBytes ${this.state.options.maxPayloadBytes}`,
      );
    }
    const context = record.context;
    if (context !== undefined && (!(context instanceof Uint8Array) || context.length > MAX_CONTEXT_BYTES)) {
      return new JournalRecordError(
        `context of seq ${seq} must be a Uint8Array of at most ${MAX_CONTEXT_BYTES} bytes`,
      );
    }
    return undefined;
  }

  private stage(record: LogRecord): Promise<void> {
    const size = recordBytes(record.payload, record.context);
    const full =
      this.planSize + size > this.state.options.segmentBytes && this.planSize > SEGMENT_HEADER_BYTES;
    if (this.planSegment === undefined || full) {
      const segment: SegmentInfo = {
        firstSeq: record.seq,
        path: join(this.state.options.dir, segmentFileName(record.seq)),
        durableSize: 0,
        lastSeq: 0,
        sealed: false,
      };
      this.rolls.push({ at: this.stagedBytes, segment, prevLastSeq: this.acceptedSeq });
      this.planSegment = segment;
      this.planSize = SEGMENT_HEADER_BYTES;
    }
    this.reserve(size);
    this.stagedBytes = encodeRecord(
      this.staging,
      this.stagedBytes,
      record.seq,
      record.ts,
      record.payload,
      record.context,
    );
    this.planSize += size;
    this.acceptedSeq = record.seq;
    let batch = this.batch;
    if (batch === undefined) {
      batch = {
        done: Promise.withResolvers<void>(),
        openedAt: batchChannel.hasSubscribers ? performance.now() : 0,
        firstSeq: record.seq,
        lastSeq: 0,
      };
      this.batch = batch;
      this.schedule();
    }
    batch.lastSeq = record.seq;
    return batch.done.promise;
  }

  private reserve(bytes: number): void {
    if (this.stagedBytes + bytes <= this.staging.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.staging.length * 2, this.stagedBytes + bytes));
    this.staging.copy(grown, 0, 0, this.stagedBytes);
    this.staging = grown;
  }

  private schedule(): void {
    // While draining, the loop picks the new batch up as soon as the current sync is done.
    if (this.draining !== undefined || this.timer !== undefined || this.immediate !== undefined) return;
    const start = (): void => {
      this.timer = undefined;
      this.immediate = undefined;
      this.draining = this.drain();
    };
    if (this.window > 0) this.timer = setTimeout(start, this.window);
    else this.immediate = setImmediate(start);
  }

  /**
   * Writes batch after batch until none is staged. The next batch's write is started before the
   * previous batch is resolved: its waiters (the sequencer applying and acknowledging) then run
   * while the disk syncs, so CPU work and fsync overlap instead of taking turns.
   */
  private async drain(): Promise<void> {
    try {
      let flushing: Promise<() => void> | undefined = this.flushBatch();
      while (flushing !== undefined) {
        const settle = await flushing;
        flushing = this.batch === undefined ? undefined : this.flushBatch();
        settle();
      }
    } finally {
      this.draining = undefined;
    }
  }

  /** Writes and syncs the staged batch; returns what resolves (or rejects) its waiters. */
  private async flushBatch(): Promise<() => void> {
    const batch = this.batch!;
    const buf = this.staging;
    const length = this.stagedBytes;
    const rolls = this.rolls;
    this.batch = undefined;
    this.staging = this.spare;
    this.spare = buf;
    this.stagedBytes = 0;
    this.rolls = [];
    const failure = this.failure;
    if (failure !== undefined) return () => batch.done.reject(failure);
    try {
      const startedAt = batchChannel.hasSubscribers ? performance.now() : 0;
      await this.write(buf, length, rolls, batch.lastSeq);
      if (batchChannel.hasSubscribers) {
        const message: BatchSyncedMessage = {
          dir: this.state.options.dir,
          firstSeq: batch.firstSeq,
          lastSeq: batch.lastSeq,
          bytes: length,
          waitMs: startedAt - batch.openedAt,
          syncMs: performance.now() - startedAt,
        };
        batchChannel.publish(message);
      }
      return () => batch.done.resolve();
    } catch (err) {
      const ioFailure = new JournalIoError(`journal write failed in ${this.state.options.dir}`, err);
      this.failure = ioFailure;
      return () => batch.done.reject(ioFailure);
    }
  }

  private async write(buf: Buffer, length: number, rolls: Roll[], lastSeq: number): Promise<void> {
    const publish: (() => void)[] = [];
    const created: SegmentInfo[] = [];
    let from = 0;
    let next = 0;
    while (from < length) {
      const roll = rolls[next]?.at === from ? rolls[next++] : undefined;
      const to = rolls[next]?.at ?? length;
      if (roll !== undefined) {
        await this.sealCurrent(roll.prevLastSeq, publish);
        this.fd = await openFile(roll.segment.path, CREATE_FLAGS);
        this.fdSegment = roll.segment;
        const header = encodeSegmentHeader(roll.segment.firstSeq, roll.prevLastSeq);
        await writeFully(this.fd, header, 0, header.length, 0);
        this.fdSize = header.length;
        created.push(roll.segment);
      }
      await writeFully(this.fd!, buf, from, to - from, this.fdSize);
      this.fdSize += to - from;
      from = to;
    }
    // O_DSYNC made every write above durable; a new file's name still needs its folder synced.
    if (created.length > 0) await fsyncDir(this.state.options.dir);

    // Everything is on disk: only now may readers and lastSeq() see it.
    for (const step of publish) step();
    this.state.segments.push(...created);
    const active = this.fdSegment!;
    active.durableSize = this.fdSize;
    active.lastSeq = lastSeq;
    this.state.durableSeq = lastSeq;
    this.state.durable.fire();
  }

  private async sealCurrent(lastSeq: number, publish: (() => void)[]): Promise<void> {
    const fd = this.fd;
    const segment = this.fdSegment;
    if (fd === undefined || segment === undefined) return;
    // Every write to it was O_DSYNC, so it is durable already: closing is all that sealing takes.
    await closeFile(fd);
    this.fd = undefined;
    const size = this.fdSize;
    publish.push(() => {
      segment.durableSize = size;
      segment.lastSeq = lastSeq;
      segment.sealed = true;
    });
  }
}
