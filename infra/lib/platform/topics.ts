/**
 * The Kafka topics Bourse uses, declared in code and created as `AWS::MSK::Topic` resources. Services declare the
 * topics they produce and consume by these names; their task roles get access to exactly those topics.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** How long records are kept, in hours; -1 keeps them forever. */
  readonly retentionHours: number;
  readonly description: string;
}

export const TOPICS = [
  {
    name: 'bourse.commands',
    partitions: 1,
    retentionHours: 24 * 7,
    description: 'Orders and cancels from the gateway, in arrival order, to the single-writer engine',
  },
  {
    name: 'bourse.events',
    partitions: 1,
    retentionHours: -1,
    description:
      "The engine's journal: every accepted, rejected and matched command, the exchange's source of truth",
  },
  {
    name: 'bourse.market-data',
    partitions: 12,
    retentionHours: 24,
    description: 'Depth, trades, tickers and candles projected by market data for the gateway streams',
  },
  {
    name: 'bourse.logs',
    partitions: 12,
    retentionHours: 24 * 3,
    description: 'Container stdout shipped by the Vector sidecars, read into OpenSearch and the data lake',
  },
] as const satisfies readonly TopicSpec[];

export type TopicName = (typeof TOPICS)[number]['name'];

/** Topic configuration as MSK's topic API takes it: Java properties, base64-encoded. */
export function topicConfigs(topic: TopicSpec): string {
  const properties = [
    `retention.ms=${topic.retentionHours < 0 ? -1 : topic.retentionHours * 3_600_000}`,
    'min.insync.replicas=2',
    'unclean.leader.election.enable=false',
    'cleanup.policy=delete',
  ].join('\n');
  return Buffer.from(properties, 'utf8').toString('base64');
}
