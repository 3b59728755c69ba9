/**
 * The Kafka cluster for tests: started through the project's own script code (kafka/cluster.ts), once,
 * and reused when it already runs (by an earlier test file, or `npm run kafka -- start`). It is left
 * running for the next test file; `npm run kafka -- stop` stops it.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';
import { bootstrapBrokers, startCluster } from '../../kafka/cluster.ts';

let ready: Promise<string[]> | undefined;

/** The bootstrap list of a running three-broker cluster, every broker registered. */
export function ensureKafka(): Promise<string[]> {
  ready ??= (async () => {
    await startCluster();
    const brokers = bootstrapBrokers();
    const admin = new Admin({ clientId: 'bourse-test-setup', bootstrapBrokers: brokers });
    try {
      for (;;) {
        const metadata = await admin.metadata({ topics: [], forceUpdate: true }).catch(() => undefined);
        if (metadata !== undefined && metadata.brokers.size === 3) return brokers;
        await sleep(200);
      }
    } finally {
      await admin.close();
    }
  })();
  return ready;
}

/** Deletes topics a test created. */
export async function deleteTopics(brokers: readonly string[], topics: readonly string[]): Promise<void> {
  const admin = new Admin({ clientId: 'bourse-test-cleanup', bootstrapBrokers: [...brokers] });
  try {
    await admin.deleteTopics({ topics: [...topics] });
  } finally {
    await admin.close();
  }
}
