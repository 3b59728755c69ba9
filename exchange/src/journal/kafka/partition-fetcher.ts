/**
 * Reads committed records of partition 0 of a topic (the log's, or the snapshots'), at any offset, with one Fetch request at a
 * time (a Kafka consumer's poll without a group). Each fetcher owns its consumer client, because the
 * client keeps one incremental fetch session per broker and two interleaved readers would corrupt it.
 *
 * Isolation is read_committed: the broker returns nothing past the last stable offset, and this module
 * drops the records of aborted transactions (a fenced or crashed writer's unfinished append) the way
 * Kafka's own consumer does, from the response's list of aborted transactions.
 */

import type { RecordsBatch } from '@platformatic/kafka';
import {
  Consumer,
  FetchIsolationLevels,
  findErrorBy,
  IS_CONTROL,
  IS_TRANSACTIONAL,
} from '@platformatic/kafka';
import { contextOf } from './kafka-record-codec.ts';
import { RETRIES, retryDelay } from './retry-delay.ts';

/** One committed Kafka record as stored: a null value is a tombstone (on a compacted topic). */
export interface RawRecord {
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The log's trace context header, when the record has one. */
  readonly context?: Buffer;
}

export interface FetchResult {
  readonly records: readonly RawRecord[];
  /** Where the next fetch continues. */
  readonly nextOffset: bigint;
  /** The end of what a read_committed reader may see now. */
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
}

export interface FetcherOptions {
  readonly bootstrapBrokers: readonly string[];
  readonly clientId: string;
  readonly topic: string;
}

export class PartitionFetcher {
  readonly #consumer: Consumer;
  readonly #topic: string;

  constructor(options: FetcherOptions) {
    this.#topic = options.topic;
    this.#consumer = new Consumer({
      clientId: options.clientId,
      bootstrapBrokers: [...options.bootstrapBrokers],
      // The client requires a group id; a fetcher never joins or commits to it.
      groupId: `${options.clientId}-fetcher`,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      retries: RETRIES,
      retryDelay,
    });
  }

  /**
   * The committed records at `offset` and after, up to about `maxBytes` (at least one batch). Waits up
   * to `waitMs` at the broker when there is nothing new.
   */
  async fetch(offset: bigint, waitMs: number, maxBytes: number): Promise<FetchResult> {
    const metadata = await this.#consumer.metadata({ topics: [this.#topic] });
    const topic = metadata.topics.get(this.#topic);
    const partitionMeta = topic?.partitions[0];
    if (topic === undefined || partitionMeta === undefined) {
      throw new Error(`topic ${this.#topic} has no partition 0 in the cluster's metadata`);
    }
    let response: Awaited<ReturnType<Consumer['fetch']>>;
    try {
      response = await this.#consumer.fetch({
        node: partitionMeta.leader,
        topics: [
          {
            topicId: topic.id,
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: offset,
                lastFetchedEpoch: -1,
                partitionMaxBytes: maxBytes,
              },
            ],
          },
        ],
        maxWaitTime: waitMs,
        minBytes: 1,
        maxBytes,
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      });
    } catch (error) {
      if (findErrorBy(error as Error, 'apiId', 'OFFSET_OUT_OF_RANGE') !== null) {
        // Below the log start (pruned) or past the end: report the bounds and let the caller move.
        const [start, stable] = await this.bounds();
        return { records: [], nextOffset: offset, lastStableOffset: stable, logStartOffset: start };
      }
      throw error;
    }
    const partition = response.responses.flatMap((t) => t.partitions).find((p) => p.partitionIndex === 0);
    if (partition === undefined) {
      // An incremental fetch session leaves out a partition with nothing new: caught up.
      return { records: [], nextOffset: offset, lastStableOffset: offset, logStartOffset: -1n };
    }
    const records = committedRecords(partition.records ?? [], partition.abortedTransactions ?? [], offset);
    return {
      records: records.records,
      nextOffset: records.nextOffset,
      lastStableOffset: partition.lastStableOffset,
      logStartOffset: partition.logStartOffset,
    };
  }

  /** The last stable offset of the partition now: the end of what a read_committed reader sees. */
  async lastStableOffset(): Promise<bigint> {
    const latest = await this.#consumer.listOffsets({
      topics: [this.#topic],
      timestamp: -1n,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
    return latest.get(this.#topic)?.[0] ?? 0n;
  }

  /** [log start offset, last stable offset] of the partition now. */
  async bounds(): Promise<[bigint, bigint]> {
    const [earliest, latest] = await Promise.all([
      this.#consumer.listOffsets({ topics: [this.#topic], timestamp: -2n }),
      this.#consumer.listOffsets({
        topics: [this.#topic],
        timestamp: -1n,
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      }),
    ]);
    return [earliest.get(this.#topic)?.[0] ?? 0n, latest.get(this.#topic)?.[0] ?? 0n];
  }

  close(): Promise<void> {
    return this.#consumer.close(true);
  }
}

/**
 * Kafka's read_committed filter (the Java consumer's algorithm): walking the batches in offset order, a
 * producer enters the aborted set when one of its aborted transactions starts at or before the batch,
 * leaves it at its abort marker, and its transactional batches in between are dropped.
 */
function committedRecords(
  batches: readonly RecordsBatch[],
  abortedTransactions: readonly { producerId: bigint; firstOffset: bigint }[],
  fromOffset: bigint,
): { records: RawRecord[]; nextOffset: bigint } {
  const pendingAborts = [...abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const aborted = new Set<bigint>();
  const records: RawRecord[] = [];
  let nextOffset = fromOffset;
  for (const batch of [...batches].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1))) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    if (lastOffset < fromOffset) continue;
    while (pendingAborts.length > 0 && pendingAborts[0]!.firstOffset <= lastOffset) {
      aborted.add(pendingAborts.shift()!.producerId);
    }
    nextOffset = lastOffset + 1n;
    if (batch.attributes & IS_CONTROL) {
      // A control record's key: version (int16), then type (int16): 0 abort, 1 commit.
      const type = batch.records[0]?.key?.readInt16BE(2);
      if (type === 0) aborted.delete(batch.producerId);
      continue;
    }
    if (batch.attributes & IS_TRANSACTIONAL && aborted.has(batch.producerId)) continue;
    for (const kafkaRecord of batch.records) {
      const offset = batch.firstOffset + BigInt(kafkaRecord.offsetDelta);
      if (offset < fromOffset) continue;
      const context = contextOf(kafkaRecord.headers ?? []);
      records.push({
        offset,
        key: kafkaRecord.key,
        value: kafkaRecord.value,
        ...(context !== undefined && { context }),
      });
    }
  }
  return { records, nextOffset };
}
