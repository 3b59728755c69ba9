/** Options of the Kafka adapter of the log port, validated up front with messages that quote the bad value. */

export interface KafkaLogOptions {
  /** `host:port` of at least one broker of the cluster. */
  readonly bootstrapBrokers: readonly string[];
  /** The topic that holds this log, one partition (partition 0). Created when it does not exist. */
  readonly topic: string;
  /**
   * The writer's transactional id. Every writer of one log uses the same id: opening a writer makes the
   * transaction coordinator bump the id's epoch, which fences every older writer of it for good.
   * @default - `bourse-log-<topic>`
   */
  readonly transactionalId?: string;
  /** The client id the brokers log. @default 'bourse-log' */
  readonly clientId?: string;
  /** Replication factor of a topic this adapter creates. @default 3 */
  readonly replicationFactor?: number;
  /** `min.insync.replicas` of a topic this adapter creates. @default 2 */
  readonly minInsyncReplicas?: number;
  /** The largest payload an append takes, in bytes (the topic's max.message.bytes is set above it). @default 8 MiB */
  readonly maxPayloadBytes?: number;
  /** How long a tail's fetch waits at the broker for new records, in milliseconds. @default 100 */
  readonly tailWaitMs?: number;
}

export type ResolvedKafkaLogOptions = Required<KafkaLogOptions>;

export function resolveKafkaLogOptions(options: KafkaLogOptions): ResolvedKafkaLogOptions {
  const { bootstrapBrokers, topic } = options;
  if (!Array.isArray(bootstrapBrokers) || bootstrapBrokers.length === 0) {
    throw new TypeError(
      `bootstrapBrokers must list at least one 'host:port', got ${JSON.stringify(bootstrapBrokers)}`,
    );
  }
  for (const broker of bootstrapBrokers) {
    if (typeof broker !== 'string' || !/^[^:\s]+:\d{1,5}$/.test(broker)) {
      throw new TypeError(`bootstrapBrokers entry ${JSON.stringify(broker)} must be 'host:port'`);
    }
  }
  if (typeof topic !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) {
    throw new TypeError(`topic ${JSON.stringify(topic)} must be 1 to 249 of [a-zA-Z0-9._-] (Kafka's rule)`);
  }
  const resolved: ResolvedKafkaLogOptions = {
    bootstrapBrokers,
    topic,
    transactionalId: options.transactionalId ?? `bourse-log-${topic}`,
    clientId: options.clientId ?? 'bourse-log',
    replicationFactor: options.replicationFactor ?? 3,
    minInsyncReplicas: options.minInsyncReplicas ?? 2,
    maxPayloadBytes: options.maxPayloadBytes ?? 8 * 1024 * 1024,
    tailWaitMs: options.tailWaitMs ?? 100,
  };
  positiveInteger('replicationFactor', resolved.replicationFactor);
  positiveInteger('minInsyncReplicas', resolved.minInsyncReplicas);
  positiveInteger('maxPayloadBytes', resolved.maxPayloadBytes);
  positiveInteger('tailWaitMs', resolved.tailWaitMs);
  if (resolved.minInsyncReplicas > resolved.replicationFactor) {
    throw new TypeError(
      `minInsyncReplicas ${resolved.minInsyncReplicas} must not exceed replicationFactor ${resolved.replicationFactor}`,
    );
  }
  return resolved;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}
