/**
 * The Kafka adapter of the log port: one log is partition 0 of one topic, replicated on the cluster.
 *
 *   seq, ts -> the record's key (kafka-record-codec.ts); payload -> its value
 *   append  -> one transaction per group of appends, acks=all, resolved once read_committed readers
 *              see it (transactional-appender.ts); opening a writer fences every older one
 *   read    -> Fetch at an offset found by binary search on seq (seqs may have gaps, and offsets have
 *              gaps of their own: transaction markers), read_committed (partition-fetcher.ts)
 *   prune   -> DeleteRecords below the first kept record (the log start offset moves; Kafka's retention
 *              by offset), always keeping the last record so a new writer learns where to continue
 */

import { Admin } from '@platformatic/kafka';
import { JournalClosedError, JournalIoError } from '../log-errors.ts';
import type { Log, LogRecord, ReadOptions } from '../log-port.ts';
import { ensureTopic } from './ensure-topic.ts';
import {
  type KafkaLogOptions,
  type ResolvedKafkaLogOptions,
  resolveKafkaLogOptions,
} from './kafka-log-options.ts';
import { decodeRecord } from './kafka-record-codec.ts';
import { type FetchResult, PartitionFetcher } from './partition-fetcher.ts';
import { TransactionalAppender } from './transactional-appender.ts';

const READ_MAX_BYTES = 16 * 1024 * 1024;
const PROBE_MAX_BYTES = 1;

export class KafkaLog implements Log {
  readonly #options: ResolvedKafkaLogOptions;
  readonly #appender: TransactionalAppender;
  /** Serves lookups (binary search, bounds) and the appender's stability check; one request at a time per use. */
  readonly #lookup: PartitionFetcher;
  readonly #tails = new Set<AbortController>();
  #firstSeq: number;
  #closed = false;

  private constructor(
    options: ResolvedKafkaLogOptions,
    appender: TransactionalAppender,
    lookup: PartitionFetcher,
    firstSeq: number,
  ) {
    this.#options = options;
    this.#appender = appender;
    this.#lookup = lookup;
    this.#firstSeq = firstSeq;
  }

  /** Creates the topic when absent, fences older writers, and reads where the log ends. */
  static async open(options: KafkaLogOptions): Promise<KafkaLog> {
    const resolved = resolveKafkaLogOptions(options);
    await ensureTopic(resolved, resolved.topic, [
      { name: 'min.insync.replicas', value: String(resolved.minInsyncReplicas) },
      { name: 'unclean.leader.election.enable', value: 'false' },
      // Records leave only by prune (DeleteRecords), never by age or size.
      { name: 'retention.ms', value: '-1' },
      { name: 'retention.bytes', value: '-1' },
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'max.message.bytes', value: String(resolved.maxPayloadBytes + 64 * 1024) },
    ]);
    const lookup = new PartitionFetcher({ ...resolved, clientId: `${resolved.clientId}-lookup` });
    let appender: TransactionalAppender | undefined;
    try {
      appender = await TransactionalAppender.start(
        resolved,
        new PartitionFetcher({ ...resolved, clientId: `${resolved.clientId}-stable` }),
      );
      const last = await lastRecord(lookup);
      appender.startAfter(last?.record.seq ?? 0);
      const [start] = await lookup.bounds();
      const first = last === undefined ? undefined : await firstRecordFrom(lookup, start);
      return new KafkaLog(resolved, appender, lookup, first?.record.seq ?? 0);
    } catch (error) {
      await appender?.close();
      await lookup.close();
      throw error instanceof JournalIoError
        ? error
        : new JournalIoError(`opening topic ${resolved.topic} failed: ${String(error)}`, error);
    }
  }

  append(records: readonly LogRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new JournalClosedError());
    const first = this.#appender.lastSeq() === 0 && records.length > 0;
    return this.#appender.append(records).then(() => {
      if (first && this.#firstSeq === 0) this.#firstSeq = records[0]!.seq;
    });
  }

  appendOne(record: LogRecord): Promise<void> {
    return this.append([record]);
  }

  lastSeq(): number {
    return this.#appender.lastSeq();
  }

  firstSeq(): number {
    return this.#firstSeq;
  }

  read(fromSeq: number, options?: ReadOptions): AsyncIterable<readonly LogRecord[]> {
    return this.#iterate(fromSeq, false, options?.signal);
  }

  tail(fromSeq: number, options?: ReadOptions): AsyncIterable<readonly LogRecord[]> {
    return this.#iterate(fromSeq, true, options?.signal);
  }

  async prune(throughSeq: number): Promise<void> {
    if (this.#closed) throw new JournalClosedError();
    const last = await lastRecord(this.#lookup);
    if (last === undefined) return;
    const keepFrom = await offsetOfSeq(this.#lookup, Math.min(throughSeq + 1, last.record.seq));
    const admin = new Admin({
      clientId: `${this.#options.clientId}-admin`,
      bootstrapBrokers: [...this.#options.bootstrapBrokers],
    });
    try {
      await admin.deleteRecords({
        topics: [{ name: this.#options.topic, partitions: [{ partition: 0, offset: keepFrom }] }],
      });
    } finally {
      await admin.close();
    }
    const first = await firstRecordFrom(this.#lookup, keepFrom);
    this.#firstSeq = first?.record.seq ?? this.#firstSeq;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#appender.close();
    for (const tail of this.#tails) tail.abort();
    await this.#lookup.close();
  }

  async *#iterate(
    fromSeq: number,
    follow: boolean,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<readonly LogRecord[]> {
    if (this.#closed) return;
    const stop = new AbortController();
    this.#tails.add(stop);
    const fetcher = new PartitionFetcher({ ...this.#options, clientId: `${this.#options.clientId}-reader` });
    try {
      let offset = await offsetOfSeq(fetcher, fromSeq);
      let lastYielded = Math.max(0, fromSeq - 1);
      while (!stop.signal.aborted && signal?.aborted !== true) {
        const waitMs = follow ? this.#options.tailWaitMs : 0;
        const result = await fetcher.fetch(offset, waitMs, READ_MAX_BYTES);
        if (result.logStartOffset > offset) {
          offset = result.logStartOffset;
          continue;
        }
        const batch = decoded(result)
          .map((r) => r.record)
          .filter((r) => r.seq > lastYielded);
        offset = result.nextOffset;
        if (batch.length > 0) {
          lastYielded = batch.at(-1)!.seq;
          yield batch;
        } else if (!follow && offset >= result.lastStableOffset) {
          return;
        }
      }
    } catch (error) {
      // A log closed under a tail ends it; anything else is a fault the reader must see.
      if (!this.#closed) throw error;
    } finally {
      this.#tails.delete(stop);
      await fetcher.close();
    }
  }
}

interface FetchedRecord {
  readonly offset: bigint;
  readonly record: LogRecord;
}

/** The log records of a fetch (a record whose key is not a log record's is not ours, and skipped). */
function decoded(result: FetchResult): FetchedRecord[] {
  const records: FetchedRecord[] = [];
  for (const raw of result.records) {
    const record = decodeRecord(raw.key, raw.value, raw.context);
    if (record !== undefined) records.push({ offset: raw.offset, record });
  }
  return records;
}

/** The first committed record at `offset` or after, or undefined when there is none. */
async function firstRecordFrom(
  fetcher: PartitionFetcher,
  offset: bigint,
): Promise<FetchedRecord | undefined> {
  let at = offset;
  for (;;) {
    const result = await fetcher.fetch(at, 0, PROBE_MAX_BYTES);
    if (result.logStartOffset > at) {
      at = result.logStartOffset;
      continue;
    }
    const first = decoded(result)[0];
    if (first !== undefined) return first;
    if (result.nextOffset >= result.lastStableOffset || result.nextOffset === at) return undefined;
    at = result.nextOffset;
  }
}

/** The last committed record, found by reading windows back from the last stable offset. */
async function lastRecord(fetcher: PartitionFetcher): Promise<FetchedRecord | undefined> {
  const [start, stable] = await fetcher.bounds();
  for (let window = 64n; ; window *= 8n) {
    const from = later(stable - window, start);
    let last: FetchedRecord | undefined;
    let at = from;
    while (at < stable) {
      const result = await fetcher.fetch(at, 0, READ_MAX_BYTES);
      if (result.logStartOffset > at) {
        at = result.logStartOffset;
        continue;
      }
      last = decoded(result).at(-1) ?? last;
      if (result.nextOffset === at) break;
      at = result.nextOffset;
    }
    if (last !== undefined || from === start) return last;
  }
}

function later(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/**
 * The smallest offset from which a read yields every record with seq >= `seq`: a binary search over
 * [log start, last stable offset), probing the first committed record at the middle.
 */
async function offsetOfSeq(fetcher: PartitionFetcher, seq: number): Promise<bigint> {
  let [low, high] = await fetcher.bounds();
  while (low < high) {
    const mid = low + (high - low) / 2n;
    const probe = await firstRecordFrom(fetcher, mid);
    if (probe === undefined || probe.record.seq >= seq) high = mid;
    else low = probe.offset + 1n;
  }
  return low;
}
