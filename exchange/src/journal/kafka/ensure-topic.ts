/** Creates a one-partition topic when it does not exist yet, and waits until its leader is known. */

import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';

export interface ClusterClientOptions {
  readonly bootstrapBrokers: readonly string[];
  readonly clientId: string;
  readonly replicationFactor: number;
}

export async function ensureTopic(
  options: ClusterClientOptions,
  topic: string,
  configs: readonly { name: string; value: string }[],
): Promise<void> {
  const admin = new Admin({
    clientId: `${options.clientId}-admin`,
    bootstrapBrokers: [...options.bootstrapBrokers],
  });
  try {
    if ((await admin.listTopics()).includes(topic)) return;
    try {
      await admin.createTopics({
        topics: [topic],
        partitions: 1,
        replicas: options.replicationFactor,
        configs: [...configs],
      });
    } catch (error) {
      // Another writer or reader created it at the same moment.
      if (!(await admin.listTopics()).includes(topic)) throw error;
    }
    // A new topic's leader takes a moment to be known to every broker.
    for (let i = 0; i < 100; i++) {
      const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
      const leader = metadata.topics.get(topic)?.partitions[0]?.leader;
      if (leader !== undefined && leader >= 0) return;
      await sleep(50);
    }
  } finally {
    await admin.close();
  }
}
