/**
 * An MSK cluster over three zones: one broker per zone, TLS between clients and brokers and inside the cluster,
 * IAM authentication only, encryption at rest with its own key, broker logs, Prometheus exporters for vmagent,
 * conservative server properties (no topic auto-creation, three replicas, two in sync), and Bourse's topics.
 */
import { Fn, Stack } from 'aws-cdk-lib';
import { type IPeer, type IVpc, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnCluster, CfnClusterPolicy, CfnConfiguration, CfnTopic } from 'aws-cdk-lib/aws-msk';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { TOPICS, topicConfigs } from './topics.ts';

/** Clients reach the brokers on the SASL/IAM over TLS port only. */
export const KAFKA_IAM_PORT = 9098;

export interface KafkaBusProps {
  readonly clusterName: string;
  readonly vpc: IVpc;
  /** Who may reach the brokers: the security group every Bourse task carries. */
  readonly clients: IPeer;
  readonly brokerType: string;
  readonly brokerStorageGiB: number;
  /**
   * Create Bourse's topics. A replication target gets its topics from MSK Replicator instead.
   * @default true
   */
  readonly createTopics?: boolean;
}

export class KafkaBus extends Construct {
  readonly cluster: CfnCluster;
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly securityGroup: SecurityGroup;
  /** The brokers' SASL/IAM addresses, read from MSK at deploy time (CloudFormation exposes no attribute). */
  readonly bootstrapBrokers: string;

  constructor(scope: Construct, id: string, props: KafkaBusProps) {
    super(scope, id);
    const subnets = props.vpc.selectSubnets({ subnetGroupName: 'data' }).subnetIds;
    if (subnets.length !== 3) throw new Error(`MSK needs three zones, got ${subnets.length} data subnets`);
    this.clusterName = props.clusterName;
    const key = new Key(this, 'Key', {
      description: `Encrypts the ${props.clusterName} Kafka volumes`,
      enableKeyRotation: true,
    });
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Kafka brokers of ${props.clusterName}: IAM over TLS from Bourse tasks`,
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(props.clients, Port.tcp(KAFKA_IAM_PORT), 'Kafka clients (IAM, TLS)');
    this.securityGroup.addIngressRule(this.securityGroup, Port.tcp(KAFKA_IAM_PORT), 'Brokers and replicator');
    const logs = new LogGroup(this, 'BrokerLogs', {
      logGroupName: `/bourse/msk/${props.clusterName}`,
      retention: RetentionDays.THREE_MONTHS,
    });
    const configuration = new CfnConfiguration(this, 'Configuration', {
      name: props.clusterName,
      kafkaVersionsList: ['3.8.x'],
      serverProperties: [
        'auto.create.topics.enable=false',
        'default.replication.factor=3',
        'min.insync.replicas=2',
        'unclean.leader.election.enable=false',
        'num.partitions=1',
      ].join('\n'),
    });
    this.cluster = new CfnCluster(this, 'Cluster', {
      clusterName: props.clusterName,
      kafkaVersion: '3.8.x',
      numberOfBrokerNodes: 3,
      brokerNodeGroupInfo: {
        instanceType: props.brokerType,
        clientSubnets: subnets,
        securityGroups: [this.securityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: props.brokerStorageGiB } },
        // Multi-VPC private connectivity with IAM lets Firehose read the logs topic.
        connectivityInfo: { vpcConnectivity: { clientAuthentication: { sasl: { iam: { enabled: true } } } } },
      },
      clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
      encryptionInfo: {
        encryptionAtRest: { dataVolumeKmsKeyId: key.keyArn },
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      configurationInfo: { arn: configuration.attrArn, revision: 1 },
      enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      openMonitoring: {
        prometheus: { jmxExporter: { enabledInBroker: true }, nodeExporter: { enabledInBroker: true } },
      },
      loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: logs.logGroupName } } },
    });
    this.clusterArn = this.cluster.attrArn;

    // Firehose reads the logs topic through multi-VPC connectivity, which the cluster policy must allow.
    new CfnClusterPolicy(this, 'FirehosePolicy', {
      clusterArn: this.clusterArn,
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'FirehoseReadsThroughPrivateConnectivity',
            Effect: 'Allow',
            Principal: { Service: new ServicePrincipal('firehose.amazonaws.com').service },
            Action: ['kafka:CreateVpcConnection', 'kafka:GetBootstrapBrokers', 'kafka:DescribeClusterV2'],
            Resource: this.clusterArn,
          },
        ],
      },
    });

    const brokers = new AwsCustomResource(this, 'BootstrapBrokers', {
      onUpdate: {
        service: 'Kafka',
        action: 'getBootstrapBrokers',
        parameters: { ClusterArn: this.clusterArn },
        physicalResourceId: PhysicalResourceId.of(`${props.clusterName}-bootstrap-brokers`),
        outputPaths: ['BootstrapBrokerStringSaslIam'],
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.clusterArn] }),
      installLatestAwsSdk: false,
    });
    this.bootstrapBrokers = brokers.getResponseField('BootstrapBrokerStringSaslIam');

    if (props.createTopics ?? true) {
      for (const topic of TOPICS) {
        new CfnTopic(this, `Topic-${topic.name}`, {
          clusterArn: this.clusterArn,
          topicName: topic.name,
          partitionCount: topic.partitions,
          replicationFactor: 3,
          configs: topicConfigs(topic),
        });
      }
    }
  }

  /** `arn:...:<kind>/<cluster name>/<cluster uuid>/<name>` for topics and groups of this cluster. */
  resourceArn(kind: 'topic' | 'group', name: string): string {
    const stack = Stack.of(this);
    const uuid = Fn.select(2, Fn.split('/', this.clusterArn));
    return `arn:${stack.partition}:kafka:${stack.region}:${stack.account}:${kind}/${this.clusterName}/${uuid}/${name}`;
  }
}
