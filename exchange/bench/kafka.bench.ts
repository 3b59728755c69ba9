/**
 * npm run bench:kafka — the command log on the project's three-broker cluster (RF 3,
 * min.insync.replicas 2, acks=all), on one workload of encoded commands:
 *
 *   kafka log      the log port's Kafka adapter: group-committed transactions, each append
 *                  acknowledged once read_committed readers see it
 *   raw producer   the same client alone, idempotent, acks=all, the same group-commit batching
 *                  (one produce in flight, carrying everything queued meanwhile), no transaction:
 *                  the ceiling the adapter is measured against
 *   file journal   the embedded default (fsync'd group commit) on the same records
 *
 * Each runs flat out (2,048 appends in flight) and paced at BENCH_RATE per second. Every figure is
 * checked against a read-back of what was appended. The engine service and its failover are not
 * built yet (issue 14, step 4): this bench measures the log under it. Prints a table, then one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ProduceAcks, Producer } from '@platformatic/kafka';
import { FileJournal } from '../src/journal/file/file-journal.ts';
import { KafkaLog } from '../src/journal/kafka/index.ts';
import type { Log, LogRecord } from '../src/journal/log-port.ts';
import { encodeCommand } from '../src/sequencer/command-codec.ts';
import { deleteTopics, ensureKafka } from '../test/support/kafka.ts';
import { shallowWorkload, toUnstampedCommand } from './engine/workloads.ts';
import { percentile } from './support/latency.ts';

const RECORDS = Number(process.env.BENCH_COMMANDS ?? 50_000);
const PACED_PER_SEC = Number(process.env.BENCH_RATE ?? 5_000);
const PACED_RECORDS = Number(process.env.BENCH_PACED_COMMANDS ?? 15_000);
const MAX_IN_FLIGHT = 2_048;

type Append = (record: LogRecord) => Promise<void>;

interface Run {
  readonly perSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

/** Offers `records` at `rate` per second in 1 ms slices (flat out when 0); each latency is submit to resolve. */
async function drive(append: Append, records: readonly LogRecord[], rate: number): Promise<Run> {
  const latencies = new Float64Array(records.length);
  let acknowledged = 0;
  let next = 0;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    const offer = () => {
      const elapsed = performance.now() - start;
      const due =
        rate > 0 ? Math.min(records.length, Math.floor((elapsed * rate) / 1000) + 1) : records.length;
      while (next < due && next - acknowledged < MAX_IN_FLIGHT) {
        const index = next++;
        const submitted = performance.now();
        append(records[index]!).then(() => {
          latencies[index] = performance.now() - submitted;
          if (++acknowledged === records.length) resolve();
        }, reject);
      }
      if (next < records.length) setTimeout(offer, next - acknowledged >= MAX_IN_FLIGHT ? 0 : 1);
    };
    offer();
  });
  const seconds = (performance.now() - start) / 1000;
  const sorted = latencies.slice().sort();
  const at = (q: number) => Math.round(percentile(sorted, q) * 1000) / 1000;
  return { perSec: Math.round(records.length / seconds), p50Ms: at(0.5), p99Ms: at(0.99), p999Ms: at(0.999) };
}

/** The raw client with the adapter's batching: one produce in flight, carrying everything queued meanwhile. */
function rawGroupProducer(brokers: string[], topic: string): { append: Append; close: () => Promise<void> } {
  const producer = new Producer({
    clientId: 'bourse-bench-raw',
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
  });
  let queue: { record: LogRecord; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let flushing = false;
  const flush = async () => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await producer.send({
          messages: batch.map(({ record }) => ({
            topic,
            partition: 0,
            key: Buffer.from(String(record.seq)),
            value: Buffer.from(record.payload),
          })),
          acks: ProduceAcks.ALL,
        });
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    flushing = false;
  };
  return {
    append: (record) =>
      new Promise<void>((resolve, reject) => {
        queue.push({ record, resolve, reject });
        if (!flushing) void flush();
      }),
    close: () => producer.close(true),
  };
}

async function readBackCount(log: Log): Promise<number> {
  let count = 0;
  let last = 0;
  for await (const batch of log.read(1)) {
    for (const r of batch) {
      if (r.seq <= last) throw new Error(`read back seq ${r.seq} after ${last}`);
      last = r.seq;
      count++;
    }
  }
  return count;
}

function recordsOf(count: number, firstSeq: number): LogRecord[] {
  const { ops } = shallowWorkload(count, 7);
  return ops.map((op, i) => ({
    seq: firstSeq + i,
    ts: 1_767_225_600_000 + i,
    payload: encodeCommand(toUnstampedCommand(op)),
  }));
}

const brokers = await ensureKafka();
const flat = recordsOf(RECORDS, 1);
const paced = recordsOf(PACED_RECORDS, RECORDS + 1);
const payloadBytes = Math.round(flat.reduce((n, r) => n + r.payload.length, 0) / flat.length);
const topics: string[] = [];
const results: Record<string, { flat: Run; paced: Run }> = {};

async function measureLog(name: string, log: Log): Promise<void> {
  const flatRun = await drive((r) => log.appendOne(r), flat, 0);
  const pacedRun = await drive((r) => log.appendOne(r), paced, PACED_PER_SEC);
  const held = await readBackCount(log);
  if (held !== RECORDS + PACED_RECORDS)
    throw new Error(`${name}: ${held} records read back, ${RECORDS + PACED_RECORDS} appended`);
  results[name] = { flat: flatRun, paced: pacedRun };
}

try {
  const kafkaTopic = `bourse-bench-log-${randomUUID()}`;
  topics.push(kafkaTopic);
  const kafkaLog = await KafkaLog.open({
    bootstrapBrokers: brokers,
    topic: kafkaTopic,
    clientId: 'bourse-bench',
  });
  await measureLog('kafkaLog', kafkaLog);
  await kafkaLog.close();

  const rawTopic = `bourse-bench-raw-${randomUUID()}`;
  topics.push(rawTopic);
  // The raw run's topic is made by the adapter's own topic setup, so both write to identical topics.
  await (
    await KafkaLog.open({ bootstrapBrokers: brokers, topic: rawTopic, clientId: 'bourse-bench-setup' })
  ).close();
  const raw = rawGroupProducer(brokers, rawTopic);
  results.rawProducer = {
    flat: await drive(raw.append, flat, 0),
    paced: await drive(raw.append, paced, PACED_PER_SEC),
  };
  await raw.close();

  const dir = await mkdtemp(join(os.tmpdir(), 'bourse-bench-kafka-'));
  try {
    const journal = await FileJournal.open({ dir });
    await measureLog('fileJournal', journal);
    await journal.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  await deleteTopics(brokers, topics).catch(() => {});
}

const kafkaLog = results.kafkaLog!;
const rawProducer = results.rawProducer!;
const fileJournal = results.fileJournal!;
const ratio = Math.round((kafkaLog.flat.perSec / rawProducer.flat.perSec) * 1000) / 1000;
console.log(
  `${RECORDS} encoded commands (mean ${payloadBytes} B) flat out, ${PACED_RECORDS} paced at ${PACED_PER_SEC}/s; 3 brokers, RF 3, acks=all`,
);
console.log(
  '| path | appends/s flat out | ack p50 / p99 / p99.9 ms flat out | ack p50 / p99 / p99.9 ms paced |',
);
console.log('|---|---|---|---|');
for (const [name, r] of Object.entries(results)) {
  console.log(
    `| ${name} | ${r.flat.perSec} | ${r.flat.p50Ms} / ${r.flat.p99Ms} / ${r.flat.p999Ms} | ${r.paced.p50Ms} / ${r.paced.p99Ms} / ${r.paced.p999Ms} |`,
  );
}
console.log(`kafka log / raw producer (flat out): ${ratio}`);
console.log(
  JSON.stringify({
    bench: 'kafka',
    records: RECORDS,
    pacedRecords: PACED_RECORDS,
    pacedPerSec: PACED_PER_SEC,
    payloadBytes,
    kafkaLog,
    rawProducer,
    fileJournal,
    kafkaLogToRawRatio: ratio,
    engineService: null,
    failoverMs: null,
    note: 'the engine service and its failover are not built yet; these are the log-level figures',
    cpus: os.cpus().length,
  }),
);
