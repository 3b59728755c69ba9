import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';
import {
  bootstrapBrokers,
  defaultLayout,
  killBroker,
  layoutAt,
  startBroker,
  startCluster,
} from '../../kafka/cluster.ts';
import { KafkaLog } from '../../src/journal/kafka/index.ts';
import type { Log } from '../../src/journal/log-port.ts';

/**
 * The Kafka log under broker crashes: appends flow while the partition's leader is SIGKILLed and
 * restarted, again and again. On its own three-broker cluster (other ports, other data), so that the
 * shared cluster of the other test files never loses a broker.
 *
 * Afterwards every acknowledged append is in the log exactly once, in seq order. An append that failed
 * is of unknown status (the writer then reopens, as an engine would, and continues after whatever the
 * log holds); the log never holds a seq twice or out of order.
 */
const KILLS = Number(process.env.BROKER_KILLS ?? 3);
const IN_FLIGHT = 16;
const TOPIC = 'bourse-broker-kill';
const layout = layoutAt(19300, join(defaultLayout().dataDir, 'broker-kill'));
const brokers = bootstrapBrokers(layout);

async function partitionState(admin: Admin): Promise<{ leader: number; isr: number[] } | undefined> {
  const metadata = await admin.metadata({ topics: [TOPIC], forceUpdate: true }).catch(() => undefined);
  const partition = metadata?.topics.get(TOPIC)?.partitions[0];
  return partition === undefined ? undefined : { leader: partition.leader, isr: partition.isr };
}

async function openWithRetry(): Promise<Log> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await KafkaLog.open({ bootstrapBrokers: brokers, topic: TOPIC, clientId: 'bourse-broker-kill' });
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(500);
    }
  }
}

describe('kafka log: SIGKILL of the partition leader, then restart', () => {
  before(async () => {
    rmSync(layout.dataDir, { recursive: true, force: true });
    await startCluster(layout);
  });
  after(async () => {
    // Its data is thrown away: SIGKILL, not a controlled shutdown of three controllers at once.
    for (const id of layout.nodeIds) await killBroker(id, layout);
    rmSync(layout.dataDir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged append exactly once through ${KILLS} leader crashes`, async () => {
    const admin = new Admin({ clientId: 'bourse-broker-kill-admin', bootstrapBrokers: brokers });
    const acked = new Set<number>();
    const ackedAfterRestart: number[] = [];
    const phases: { restartMs: number; rejoinMs: number; firstAckMs: number }[] = [];
    let log = await openWithRetry();
    let next = log.lastSeq() + 1;
    let stop = false;
    let reopens = 0;

    const writer = (async () => {
      while (!stop) {
        const batch = Array.from({ length: IN_FLIGHT }, () => next++);
        const outcomes = await Promise.allSettled(
          batch.map((seq) => log.appendOne({ seq, ts: seq, payload: Buffer.from(`command ${seq}`) })),
        );
        outcomes.forEach((outcome, i) => {
          if (outcome.status === 'fulfilled') acked.add(batch[i]!);
        });
        if (outcomes.some((o) => o.status === 'rejected')) {
          // The log refuses appends after a failure; a new writer learns where the log ends.
          await log.close();
          log = await openWithRetry();
          next = log.lastSeq() + 1;
          reopens++;
        }
      }
    })();

    try {
      for (let kill = 0; kill < KILLS; kill++) {
        await sleep(1000);
        const state = await partitionState(admin);
        assert.ok(state !== undefined && state.leader >= 0, 'the partition has a leader before the kill');
        await killBroker(state.leader, layout);
        await sleep(1500);
        const t0 = Date.now();
        await startBroker(state.leader, layout);
        const t1 = Date.now();
        // The restarted broker catches up and rejoins the in-sync replicas before the next kill, so
        // that no kill ever leaves fewer than min.insync.replicas.
        for (;;) {
          const after = await partitionState(admin);
          if (after !== undefined && after.isr.length === 3) break;
          await sleep(200);
        }
        const t2 = Date.now();
        const before = acked.size;
        while (acked.size === before) await sleep(50);
        ackedAfterRestart.push(acked.size - before);
        phases.push({ restartMs: t1 - t0, rejoinMs: t2 - t1, firstAckMs: Date.now() - t2 });
      }
    } finally {
      stop = true;
      await writer;
      await log.close();
      await admin.close();
    }

    const reader = await openWithRetry();
    const seqs: number[] = [];
    try {
      for await (const batch of reader.read(1)) for (const r of batch) seqs.push(r.seq);
    } finally {
      await reader.close();
    }
    for (let i = 1; i < seqs.length; i++) {
      assert.ok(seqs[i]! > seqs[i - 1]!, `seq ${seqs[i]} after ${seqs[i - 1]}: a seq twice or out of order`);
    }
    const held = new Set(seqs);
    const lost = [...acked].filter((seq) => !held.has(seq));
    assert.deepEqual(lost, [], 'acknowledged appends missing from the log');
    assert.equal(ackedAfterRestart.length, KILLS, 'appends were acknowledged after every restart');
    console.log(
      JSON.stringify({ kills: KILLS, acked: acked.size, inLog: seqs.length, writerReopens: reopens, phases }),
    );
  });
});
