/**
 * The writing side of the Kafka log: appends become one Kafka transaction at a time, group-committed
 * (every append that arrives while a transaction is in flight rides in the next one), on an idempotent
 * producer with acks=all. An append resolves once its transaction has committed and the partition's
 * last stable offset has passed it, so a read_committed reader that starts then sees it.
 *
 * The transactional id is what fences: a newer writer's InitProducerId bumps the id's epoch, the
 * coordinator aborts this writer's open transaction, and every later request of this writer fails with
 * PRODUCER_FENCED. After a fence or any failure nothing more is appended (whether the last transaction
 * committed may be unknown: a caller answers "unknown status", and recovers by opening a new writer).
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { findErrorBy, ProduceAcks, Producer } from '@platformatic/kafka';
import {
  JournalClosedError,
  type JournalError,
  JournalFencedError,
  JournalIoError,
  JournalRecordError,
  JournalSequenceError,
} from '../log-errors.ts';
import type { LogRecord } from '../log-port.ts';
import type { ResolvedKafkaLogOptions } from './kafka-log-options.ts';
import { contextHeaders, encodeKey, KEY_BYTES } from './kafka-record-codec.ts';
import type { PartitionFetcher } from './partition-fetcher.ts';
import { RETRIES, retryDelay } from './retry-delay.ts';

interface PendingAppend {
  readonly records: readonly LogRecord[];
  readonly resolve: () => void;
  readonly reject: (error: JournalError) => void;
}

export class TransactionalAppender {
  readonly #options: ResolvedKafkaLogOptions;
  readonly #producer: Producer;
  readonly #stable: PartitionFetcher;
  #queue: PendingAppend[] = [];
  #flushing: Promise<void> | undefined;
  #acceptedSeq: number;
  #durableSeq: number;
  #failure: JournalError | undefined;
  #closing = false;

  private constructor(options: ResolvedKafkaLogOptions, producer: Producer, stable: PartitionFetcher) {
    this.#options = options;
    this.#producer = producer;
    this.#stable = stable;
    this.#acceptedSeq = 0;
    this.#durableSeq = 0;
  }

  /**
   * Registers this writer with the transaction coordinator, which fences every older writer of the
   * same transactional id and aborts its open transaction. Only then is the log's end read.
   */
  static async start(
    options: ResolvedKafkaLogOptions,
    stable: PartitionFetcher,
  ): Promise<TransactionalAppender> {
    const producer = new Producer({
      clientId: options.clientId,
      bootstrapBrokers: [...options.bootstrapBrokers],
      transactionalId: options.transactionalId,
      idempotent: true,
      acks: ProduceAcks.ALL,
      retries: RETRIES,
      retryDelay,
    });
    try {
      // No producer id and epoch of our own (-1): the coordinator then bumps the epoch of whatever writer
      // held the transactional id, which is the fence.
      const fence = await producer.beginTransaction({ producerId: -1n, producerEpoch: -1 });
      await fence.cancel();
    } catch (error) {
      await producer.close(true).catch(() => {});
      await stable.close();
      throw new JournalIoError(
        `registering the writer of topic ${options.topic} failed: ${String(error)}`,
        error,
      );
    }
    return new TransactionalAppender(options, producer, stable);
  }

  /** Continues after `lastSeq`, the end of the log as read after this writer fenced the older ones. */
  startAfter(lastSeq: number): void {
    this.#acceptedSeq = lastSeq;
    this.#durableSeq = lastSeq;
  }

  lastSeq(): number {
    return this.#durableSeq;
  }

  append(records: readonly LogRecord[]): Promise<void> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    let prev = this.#acceptedSeq;
    for (const record of records) {
      const invalid = this.#check(record, prev);
      if (invalid !== undefined) return Promise.reject(invalid);
      prev = record.seq;
    }
    if (records.length === 0) return Promise.resolve();
    // Copies, so that a caller may reuse its buffers as soon as this returns.
    const copies = records.map((r) => ({
      seq: r.seq,
      ts: r.ts,
      payload: Buffer.from(r.payload),
      ...(r.context !== undefined && { context: Buffer.from(r.context) }),
    }));
    this.#acceptedSeq = prev;
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ records: copies, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** Waits for every accepted append to settle, then releases the producer and the fetcher. */
  async close(): Promise<void> {
    this.#closing = true;
    while (this.#flushing !== undefined) await this.#flushing;
    await this.#producer.close(true).catch(() => {});
    await this.#stable.close();
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      if (this.#failure !== undefined) {
        for (const pending of batch) pending.reject(this.#failure);
        continue;
      }
      try {
        await this.#commit(batch.flatMap((p) => p.records));
        this.#durableSeq = batch.at(-1)!.records.at(-1)!.seq;
        for (const pending of batch) pending.resolve();
      } catch (error) {
        this.#failure = this.#faultOf(error);
        for (const pending of batch) pending.reject(this.#failure);
      }
    }
    this.#flushing = undefined;
  }

  async #commit(records: readonly LogRecord[]): Promise<void> {
    const transaction = await this.#producer.beginTransaction();
    try {
      let endOffset = 0n;
      // One produce per group of records under the topic's max.message.bytes, which bounds a whole
      // record batch: a group commit of several large appends would otherwise be refused as one.
      for (const group of this.#produceGroups(records)) {
        const result = await transaction.send({
          messages: group.map((r) => ({
            topic: this.#options.topic,
            partition: 0,
            key: encodeKey(r),
            value: r.payload as Buffer,
            // A trace context rides in a header, so a record without one is the same bytes as ever.
            ...(r.context !== undefined && { headers: contextHeaders(r.context) }),
          })),
          acks: ProduceAcks.ALL,
        });
        const base = result.offsets?.find((o) => o.topic === this.#options.topic)?.offset;
        if (base === undefined) throw new Error('the broker answered the produce without an offset');
        endOffset = base + BigInt(group.length);
      }
      await transaction.commit();
      await this.#untilStable(endOffset);
    } catch (error) {
      if (!transaction.completed) await transaction.abort().catch(() => {});
      throw error;
    }
  }

  #produceGroups(records: readonly LogRecord[]): LogRecord[][] {
    const groups: LogRecord[][] = [];
    let group: LogRecord[] = [];
    let bytes = 0;
    for (const record of records) {
      const size = record.payload.length + KEY_BYTES + 32;
      if (group.length > 0 && bytes + size > this.#options.maxPayloadBytes) {
        groups.push(group);
        group = [];
        bytes = 0;
      }
      group.push(record);
      bytes += size;
    }
    if (group.length > 0) groups.push(group);
    return groups;
  }

  /**
   * The coordinator answers a commit before the commit markers reach the partition; until they do, a
   * read_committed reader stops short of the records. Waits for the last stable offset to pass them.
   */
  async #untilStable(endOffset: bigint): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if ((await this.#stable.lastStableOffset()) >= endOffset) return;
      await sleep(Math.min(1 + attempt, 20));
    }
  }

  #faultOf(error: unknown): JournalError {
    const fenced =
      findErrorBy(error as Error, 'apiId', 'PRODUCER_FENCED') ??
      findErrorBy(error as Error, 'apiId', 'INVALID_PRODUCER_EPOCH') ??
      findErrorBy(error as Error, 'apiId', 'TRANSACTIONAL_ID_NOT_FOUND');
    if (fenced !== null) {
      return new JournalFencedError(
        `a newer writer of topic ${this.#options.topic} (transactional id ${this.#options.transactionalId}) has started; this one appends no more`,
        error,
      );
    }
    return new JournalIoError(
      `appending to topic ${this.#options.topic} failed, so whether the last records are durable is unknown: ${String(error)}`,
      error,
    );
  }

  #refusal(): JournalError | undefined {
    if (this.#failure !== undefined) return this.#failure;
    if (this.#closing) return new JournalClosedError();
    return undefined;
  }

  #check(record: LogRecord, prevSeq: number): JournalError | undefined {
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
    if (payload.length > this.#options.maxPayloadBytes) {
      return new JournalRecordError(
        `payload of seq ${seq} is ${payload.length} bytes, over maxPayloadBytes ${this.#options.maxPayloadBytes}`,
      );
    }
    return undefined;
  }
}
