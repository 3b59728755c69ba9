import { randomUUID } from 'node:crypto';
import { KafkaLog } from '../../src/journal/kafka/index.ts';
import { deleteTopics, ensureKafka } from '../support/kafka.ts';
import { logContract } from './log-contract.ts';

// One fresh topic per harness on the project's three-broker cluster (replication factor 3,
// min.insync.replicas 2). A second `open()` of the same topic is a second writer: it fences the first.
logContract(
  'kafka log (three brokers)',
  async () => {
    const brokers = await ensureKafka();
    const topic = `bourse-contract-${randomUUID()}`;
    return {
      open: () => KafkaLog.open({ bootstrapBrokers: brokers, topic }),
      destroy: () => deleteTopics(brokers, [topic]),
    };
  },
  { secondWriter: 'fences-the-first' },
);
