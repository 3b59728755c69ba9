/**
 * The scale-out adapter of the snapshot store port: snapshots on a compacted Kafka topic of the same
 * cluster as the log, so that every engine instance, on any machine, recovers from the same ones.
 *
 * A snapshot is its encoded bytes (snapshot-format.ts, checksums included) cut into records of
 * `chunkBytes`, keyed `s/<seq>/c/<index>`, then one record keyed `s/<seq>/end` naming the chunk count
 * and the byte length. One partition keeps them in order and the producer is idempotent, so an end
 * record is only ever seen after all its chunks: a snapshot without an end (a writer that died midway)
 * is not listed at all. Compaction keeps the newest value of each key, and `prune` writes tombstones
 * (the end first, so a reader never lists a snapshot whose chunks are going).
 *
 * Why a compacted topic rather than an S3-shaped object store: the cluster is already there and
 * replicated (RF 3, min.insync.replicas 2), recovery needs the log's brokers anyway, and a second
 * store would be a second thing to run, secure and fail over. Its limit: every read scans the topic
 * (the live snapshots plus tombstones not yet compacted), which is fine for a few snapshots of tens of
 * megabytes; state of gigabytes would want an object store behind this same port.
 */
import { ProduceAcks, Producer } from '@platformatic/kafka';
import { ensureTopic } from '../../kafka/ensure-topic.ts';
import { PartitionFetcher } from '../../kafka/partition-fetcher.ts';
import { RETRIES, retryDelay } from '../../kafka/retry-delay.ts';
import { decodeSnapshot, encodeSnapshot } from '../snapshot-format.ts';
import {
  type LatestValid,
  latestValidOf,
  type Snapshot,
  type SnapshotEntry,
  type SnapshotProblem,
  type SnapshotStore,
} from '../snapshot-store.ts';

export interface KafkaSnapshotStoreOptions {
  readonly bootstrapBrokers: readonly string[];
  /** The compacted topic that holds the snapshots. Created when it does not exist. */
  readonly topic: string;
  /** @default 'bourse-snapshots' */
  readonly clientId?: string;
  /** @default 3 */
  readonly replicationFactor?: number;
  /** Bytes per record; the topic's max.message.bytes is set above it. @default 1 MiB */
  readonly chunkBytes?: number;
}

const SEQ_DIGITS = 20;
// One chunk per produce: the broker's max.message.bytes bounds a whole record batch, not a record.
const CHUNKS_PER_SEND = 1;
const SCAN_MAX_BYTES = 16 * 1024 * 1024;

interface EndRecord {
  readonly chunks: number;
  readonly bytes: number;
}

/** The live records of the topic: key -> value, tombstoned keys removed. */
type TopicState = Map<string, Buffer>;

export class KafkaSnapshotStore implements SnapshotStore {
  readonly #topic: string;
  readonly #chunkBytes: number;
  readonly #producer: Producer;
  readonly #fetcher: PartitionFetcher;

  private constructor(topic: string, chunkBytes: number, producer: Producer, fetcher: PartitionFetcher) {
    this.#topic = topic;
    this.#chunkBytes = chunkBytes;
    this.#producer = producer;
    this.#fetcher = fetcher;
  }

  static async open(options: KafkaSnapshotStoreOptions): Promise<KafkaSnapshotStore> {
    const clientId = options.clientId ?? 'bourse-snapshots';
    const replicationFactor = options.replicationFactor ?? 3;
    const chunkBytes = options.chunkBytes ?? 1024 * 1024;
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1024) {
      throw new TypeError(
        `chunkBytes must be an integer of at least 1024, got ${JSON.stringify(chunkBytes)}`,
      );
    }
    await ensureTopic(
      { bootstrapBrokers: options.bootstrapBrokers, clientId, replicationFactor },
      options.topic,
      [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor)) },
        { name: 'unclean.leader.election.enable', value: 'false' },
        { name: 'max.message.bytes', value: String(chunkBytes + 64 * 1024) },
        { name: 'segment.bytes', value: String(64 * 1024 * 1024) },
      ],
    );
    const producer = new Producer({
      clientId,
      bootstrapBrokers: [...options.bootstrapBrokers],
      idempotent: true,
      acks: ProduceAcks.ALL,
      retries: RETRIES,
      retryDelay,
    });
    const fetcher = new PartitionFetcher({
      bootstrapBrokers: options.bootstrapBrokers,
      clientId,
      topic: options.topic,
    });
    return new KafkaSnapshotStore(options.topic, chunkBytes, producer, fetcher);
  }

  async write(seq: number, ts: number, body: Uint8Array | string): Promise<SnapshotEntry> {
    if (!Number.isSafeInteger(seq) || seq < 0)
      throw new RangeError(`seq must be a non-negative safe integer, got ${seq}`);
    if (!Number.isSafeInteger(ts) || ts < 0)
      throw new RangeError(`ts must be a non-negative safe integer, got ${ts}`);
    const bytes = Buffer.concat(
      encodeSnapshot({ seq, ts, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body }),
    );
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += this.#chunkBytes)
      chunks.push(bytes.subarray(at, at + this.#chunkBytes));
    for (let i = 0; i < chunks.length; i += CHUNKS_PER_SEND) {
      await this.#send(
        chunks.slice(i, i + CHUNKS_PER_SEND).map((value, j) => ({ key: chunkKey(seq, i + j), value })),
      );
    }
    const end: EndRecord = { chunks: chunks.length, bytes: bytes.length };
    await this.#send([{ key: endKey(seq), value: Buffer.from(JSON.stringify(end)) }]);
    return { seq, file: this.#location(seq), bytes: bytes.length };
  }

  async list(): Promise<SnapshotEntry[]> {
    return entriesOf(await this.#scan(), (seq) => this.#location(seq));
  }

  async load(file: string): Promise<Snapshot | SnapshotProblem> {
    const seq = this.#seqOf(file);
    if (seq === undefined) return { file, offset: 0, reason: `not a snapshot of topic ${this.#topic}` };
    const state = await this.#scan();
    const end = parseEnd(state.get(endKey(seq)));
    if (end === undefined) return { file, offset: 0, reason: 'no complete snapshot under this seq' };
    const chunks: Buffer[] = [];
    for (let i = 0; i < end.chunks; i++) {
      const chunk = state.get(chunkKey(seq, i));
      if (chunk === undefined)
        return { file, offset: i * this.#chunkBytes, reason: `record ${i} of ${end.chunks} is missing` };
      chunks.push(chunk);
    }
    const bytes = Buffer.concat(chunks);
    if (bytes.length !== end.bytes) {
      return { file, offset: 0, reason: `${bytes.length} bytes stored, the end record says ${end.bytes}` };
    }
    const decoded = decodeSnapshot(bytes);
    if ('reason' in decoded) return { file, ...decoded };
    if (decoded.seq !== seq)
      return { file, offset: 8, reason: `header says seq ${decoded.seq} but the key says ${seq}` };
    return { ...decoded, file };
  }

  latestValid(): Promise<LatestValid> {
    return latestValidOf(this);
  }

  async prune(keepFromSeq: number): Promise<SnapshotEntry[]> {
    const state = await this.#scan();
    const doomed = entriesOf(state, (seq) => this.#location(seq)).filter((entry) => entry.seq < keepFromSeq);
    for (const entry of doomed) {
      const end = parseEnd(state.get(endKey(entry.seq)));
      await this.#send([{ key: endKey(entry.seq), value: null }]);
      const tombstones = Array.from({ length: end?.chunks ?? 0 }, (_, i) => ({
        key: chunkKey(entry.seq, i),
        value: null,
      }));
      for (let i = 0; i < tombstones.length; i += CHUNKS_PER_SEND)
        await this.#send(tombstones.slice(i, i + CHUNKS_PER_SEND));
    }
    return doomed;
  }

  async close(): Promise<void> {
    await this.#producer.close(true).catch(() => {});
    await this.#fetcher.close();
  }

  async #send(records: readonly { key: string; value: Buffer | null }[]): Promise<void> {
    await this.#producer.send({
      messages: records.map((r) => ({
        topic: this.#topic,
        partition: 0,
        key: Buffer.from(r.key),
        // A null value is Kafka's tombstone; the client writes it as length -1, though its type says Buffer.
        value: r.value as Buffer,
      })),
      acks: ProduceAcks.ALL,
    });
  }

  /** Reads the whole topic up to its end, keeping each key's newest value. */
  async #scan(): Promise<TopicState> {
    const state: TopicState = new Map();
    let [offset, end] = await this.#fetcher.bounds();
    while (offset < end) {
      const result = await this.#fetcher.fetch(offset, 0, SCAN_MAX_BYTES);
      if (result.logStartOffset > offset) {
        offset = result.logStartOffset;
        continue;
      }
      for (const record of result.records) {
        if (record.key === null) continue;
        const key = record.key.toString();
        if (record.value === null) state.delete(key);
        else state.set(key, record.value);
      }
      if (result.nextOffset === offset) break;
      offset = result.nextOffset;
    }
    return state;
  }

  #location(seq: number): string {
    return `kafka:${this.#topic}/${seq}`;
  }

  #seqOf(file: string): number | undefined {
    const prefix = `kafka:${this.#topic}/`;
    if (!file.startsWith(prefix)) return undefined;
    const seq = Number(file.slice(prefix.length));
    return Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
  }
}

function padded(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, '0');
}

function chunkKey(seq: number, index: number): string {
  return `s/${padded(seq)}/c/${index}`;
}

function endKey(seq: number): string {
  return `s/${padded(seq)}/end`;
}

const END_KEY = /^s\/(\d{20})\/end$/;

function parseEnd(value: Buffer | undefined): EndRecord | undefined {
  if (value === undefined) return undefined;
  try {
    const end = JSON.parse(value.toString()) as EndRecord;
    return Number.isSafeInteger(end.chunks) && Number.isSafeInteger(end.bytes) ? end : undefined;
  } catch {
    return undefined;
  }
}

function entriesOf(state: TopicState, location: (seq: number) => string): SnapshotEntry[] {
  const entries: SnapshotEntry[] = [];
  for (const [key, value] of state) {
    const seq = END_KEY.exec(key)?.[1];
    if (seq === undefined) continue;
    entries.push({ seq: Number(seq), file: location(Number(seq)), bytes: parseEnd(value)?.bytes ?? 0 });
  }
  return entries.sort((a, b) => b.seq - a.seq);
}
