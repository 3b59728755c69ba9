import { randomUUID } from 'node:crypto';
import { KafkaSnapshotStore } from '../../src/journal/snapshots/kafka/kafka-snapshot-store.ts';
import type { SnapshotStore } from '../../src/journal/snapshots/snapshot-store.ts';
import { deleteTopics, ensureKafka } from '../support/kafka.ts';
import { snapshotContract } from './snapshot-contract.ts';

// A fresh compacted topic per harness on the project's three-broker cluster.
snapshotContract('kafka snapshot store (three brokers)', async () => {
  const brokers = await ensureKafka();
  const topic = `bourse-snapshots-contract-${randomUUID()}`;
  return {
    open: () => KafkaSnapshotStore.open({ bootstrapBrokers: brokers, topic }),
    close: (store: SnapshotStore) => (store as KafkaSnapshotStore).close(),
    destroy: () => deleteTopics(brokers, [topic]),
  };
});
