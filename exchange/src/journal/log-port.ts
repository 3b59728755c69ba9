/**
 * The command log port: the sequencer appends, recovery and projections read back.
 *
 * The shape follows a partitioned, offset-addressed log (Apache Kafka) so that a Kafka adapter can
 * implement it later: one `Log` is one partition with a single writer (the sequencer), `seq` plays the
 * role of the offset, and readers are at-least-once. A reader may see a record again (a Kafka consumer
 * restarting from its last committed offset, or a caller re-reading after a crash), so consumers stay
 * idempotent by remembering the last `seq` they applied (see `skip-applied.ts`).
 *
 * Adapters: `file/` (embedded, segmented file journal). Contract suite: `test/contracts/log-contract.ts`.
 */

/** One entry of the log. */
export interface LogRecord {
  /** Position in the log: a positive safe integer, strictly increasing, stamped by the single writer. */
  readonly seq: number;
  /** When the sequencer stamped the command, in milliseconds since the epoch (a non-negative integer). */
  readonly ts: number;
  /** The command as encoded by the caller; the log never looks inside. */
  readonly payload: Uint8Array;
  /**
   * Opaque bytes carried beside the payload (a trace's W3C traceparent): a Kafka record header on
   * the fleet, a prefix flagged in the record's length word in the file journal. At most 255 bytes.
   * @default - none: the record is stored exactly as one without
   */
  readonly context?: Uint8Array;
}

/** The writing side. There is exactly one appender per log; it alone decides the order. */
export interface LogAppender {
  /**
   * Appends records whose `seq` is strictly increasing and greater than every seq appended before.
   * Resolves once every one of them is durable (fsync'd, or acknowledged by all in-sync replicas),
   * never earlier: a caller may acknowledge a command as soon as this resolves.
   * Rejects with `JournalSequenceError` or `JournalRecordError` if the input is invalid (nothing of the
   * call is appended), and with `JournalIoError` if the log could not make them durable; after an I/O
   * failure the log refuses further appends, because which bytes reached the disk is unknown.
   * Payloads are copied before this returns, so a caller may reuse their buffers at once.
   */
  append(records: readonly LogRecord[]): Promise<void>;
  /** `append([record])` without the array; the hot path of the sequencer. */
  appendOne(record: LogRecord): Promise<void>;
  /** The seq of the last durable record, or 0 when the log holds none. A new writer continues after it. */
  lastSeq(): number;
}

/** Options of a read. */
export interface ReadOptions {
  /** Ends the iteration (it returns normally) when aborted. @default - runs until the end of the log */
  readonly signal?: AbortSignal;
}

/** The reading side. Any number of readers may read at once, from any position. */
export interface LogReader {
  /**
   * The durable records with `seq >= fromSeq`, in seq order, then completes once it has caught up with
   * the end of the log. Records come in batches (one await per batch rather than per record, the way a
   * Kafka consumer polls).
   * Throws `JournalCorruptError` naming the file and offset if stored data fails its checksum.
   */
  read(fromSeq: number, options?: ReadOptions): AsyncIterable<readonly LogRecord[]>;
  /**
   * Like `read`, but at the end of the log it waits for new durable records and yields them as they
   * arrive. Ends when `options.signal` is aborted or the log is closed.
   */
  tail(fromSeq: number, options?: ReadOptions): AsyncIterable<readonly LogRecord[]>;
  /** The seq of the oldest record still retained (pruning removes older ones), or 0 when the log is empty. */
  firstSeq(): number;
}

/** A whole log: both sides, retention and shutdown. */
export interface Log extends LogAppender, LogReader {
  /**
   * Allows the log to drop records with `seq <= throughSeq`. The caller decides when that is safe (a
   * snapshot covers them and every projection has consumed them). Retention is coarse: a file journal
   * deletes whole segments only, Kafka deletes records below an offset, so more may be kept than asked.
   */
  prune(throughSeq: number): Promise<void>;
  /** Waits for pending appends to become durable, ends every tail, and releases the files. */
  close(): Promise<void>;
}
