/**
 * The warm standby of one environment, in the second region: MSK with MSK Replicator copying every Bourse topic
 * from the home cluster, Aurora cross-region read replicas of the trading and back-office clusters (binlog
 * replication, promoted on failover), and the analytics cluster, a binlog replica of the trading cluster where
 * heavy queries run away from the trading path. Compute in this region is a ComputeStack at minimum size.
 * Failover steps: infra/docs/failover.md.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { type ISecurityGroup, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnReplicator } from 'aws-cdk-lib/aws-msk';
import {
  CfnDBCluster,
  CfnDBClusterParameterGroup,
  CfnDBInstance,
  CfnDBSubnetGroup,
} from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { acknowledge, acknowledgeAwsCustomResourceProvider } from '../constructs/nag.ts';
import { AURORA_VERSION, CLUSTER_PARAMETERS, MYSQL_PORT } from './aurora.ts';
import { clusterIdentifier } from './data-stack.ts';
import { PlatformStack, type PlatformStackProps, sharedVpc } from './environment.ts';
import { KafkaBus } from './kafka-bus.ts';
import { managedPolicyFinding, resourceFinding } from './nag-ids.ts';
import { TOPICS } from './topics.ts';

export interface StandbyStackProps extends PlatformStackProps {
  /** ARN of the home region's MSK cluster (a cross-region reference). */
  readonly sourceBusArn: string;
  /** Security group of the home region's brokers, which admits the replicator (a cross-region reference). */
  readonly sourceBusSecurityGroupId: string;
  /** The security group every Bourse task in this region carries (from the standby compute stack). */
  readonly workloads: ISecurityGroup;
}

export const REPLICAS = ['trading', 'back-office', 'analytics'] as const;

export class StandbyStack extends PlatformStack {
  readonly bus: KafkaBus;
  readonly replicator: CfnReplicator;
  readonly replicas: ReadonlyMap<string, CfnDBCluster>;

  constructor(scope: Construct, id: string, props: StandbyStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const env = props.platformEnv;
    const sizing = env.settings.sizing;
    const home = env.homeRegion.name;
    const vpc = sharedVpc(this, env, this.region);

    this.bus = new KafkaBus(this, 'Bus', {
      clusterName: `${env.name}-bus-standby`,
      vpc,
      clients: props.workloads,
      brokerType: sizing.kafkaBrokerType,
      brokerStorageGiB: sizing.kafkaBrokerStorageGiB,
      createTopics: false,
    });
    acknowledgeAwsCustomResourceProvider(this);
    const replicatorRole = new Role(this, 'ReplicatorRole', {
      assumedBy: new ServicePrincipal('kafka.amazonaws.com'),
      description: 'MSK Replicator: reads the home cluster, writes the standby cluster',
    });
    const topicArns = (clusterArn: string, region: string) => {
      const name = clusterArn.includes('standby') ? `${env.name}-bus-standby` : `${env.name}-bus`;
      return `arn:${this.partition}:kafka:${region}:${this.account}:topic/${name}/*`;
    };
    replicatorRole.addToPolicy(
      new PolicyStatement({
        sid: 'Clusters',
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:AlterCluster'],
        resources: [props.sourceBusArn, this.bus.clusterArn],
      }),
    );
    replicatorRole.addToPolicy(
      new PolicyStatement({
        sid: 'Topics',
        actions: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:CreateTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:WriteData',
          'kafka-cluster:ReadData',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
        ],
        resources: [topicArns('source', home), topicArns('standby', this.region)],
      }),
    );
    replicatorRole.addToPolicy(
      new PolicyStatement({
        sid: 'Groups',
        actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
        resources: [
          `arn:${this.partition}:kafka:${home}:${this.account}:group/${env.name}-bus/*`,
          `arn:${this.partition}:kafka:${this.region}:${this.account}:group/${env.name}-bus-standby/*`,
        ],
      }),
    );
    for (const resource of [
      topicArns('source', home),
      topicArns('standby', this.region),
      `arn:${this.partition}:kafka:${home}:${this.account}:group/${env.name}-bus/*`,
      `arn:${this.partition}:kafka:${this.region}:${this.account}:group/${env.name}-bus-standby/*`,
    ]) {
      acknowledge(replicatorRole, {
        id: resourceFinding(resource),
        reason:
          'The replicator copies every topic and consumer group of the two named clusters, created over time.',
      });
    }
    const subnets = vpc.selectSubnets({ subnetGroupName: 'data' }).subnetIds;
    this.replicator = new CfnReplicator(this, 'Replicator', {
      replicatorName: `${env.name}-bus-to-standby`,
      description: 'Copies Bourse topics and consumer offsets to the standby region',
      serviceExecutionRoleArn: replicatorRole.roleArn,
      kafkaClusters: [
        {
          amazonMskCluster: { mskClusterArn: props.sourceBusArn },
          vpcConfig: {
            subnetIds: [...(env.settings.vpcs[home]?.subnetIds.data ?? [])],
            securityGroupIds: [props.sourceBusSecurityGroupId],
          },
        },
        {
          amazonMskCluster: { mskClusterArn: this.bus.clusterArn },
          vpcConfig: { subnetIds: subnets, securityGroupIds: [this.bus.securityGroup.securityGroupId] },
        },
      ],
      replicationInfoList: [
        {
          sourceKafkaClusterArn: props.sourceBusArn,
          targetKafkaClusterArn: this.bus.clusterArn,
          targetCompressionType: 'LZ4',
          topicReplication: {
            topicsToReplicate: TOPICS.map((t) => t.name.replace('.', '\\.')),
            copyTopicConfigurations: true,
            copyAccessControlListsForTopics: false,
            detectAndCopyNewTopics: true,
            startingPosition: { type: 'EARLIEST' },
            topicNameConfiguration: { type: 'IDENTICAL' },
          },
          consumerGroupReplication: {
            consumerGroupsToReplicate: ['.*'],
            synchroniseConsumerGroupOffsets: true,
            detectAndCopyNewConsumerGroups: true,
          },
        },
      ],
    });

    // Aurora cross-region replicas: binlog replication from the home clusters.
    const key = new Key(this, 'DatabaseKey', {
      description: `Encrypts ${env.name} standby databases`,
      enableKeyRotation: true,
    });
    const securityGroup = new SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      description: 'Standby and analytics databases: MySQL over TLS from Bourse tasks',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(props.workloads, Port.tcp(MYSQL_PORT), 'MySQL clients');
    const subnetGroup = new CfnDBSubnetGroup(this, 'DatabaseSubnets', {
      dbSubnetGroupDescription: `${env.name} standby databases`,
      subnetIds: subnets,
    });
    const parameters = new CfnDBClusterParameterGroup(this, 'ClusterParameters', {
      family: 'aurora-mysql8.0',
      description: 'Standby replicas: binlog ROW (so a promoted replica can feed others), TLS only',
      parameters: { ...CLUSTER_PARAMETERS },
    });
    const monitoringRole = new Role(this, 'MonitoringRole', {
      assumedBy: new ServicePrincipal('monitoring.rds.amazonaws.com'),
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole'),
      ],
    });
    acknowledge(monitoringRole, {
      id: managedPolicyFinding('service-role/AmazonRDSEnhancedMonitoringRole'),
      reason: 'Enhanced monitoring requires the AWS-managed AmazonRDSEnhancedMonitoringRole policy.',
    });
    const replicas = new Map<string, CfnDBCluster>();
    for (const replica of REPLICAS) {
      const source = replica === 'back-office' ? 'back-office' : 'trading';
      const id =
        replica === 'analytics' ? `${env.name}-analytics` : `${clusterIdentifier(env.name, source)}-standby`;
      const cluster = new CfnDBCluster(this, `Replica-${replica}`, {
        dbClusterIdentifier: id,
        engine: 'aurora-mysql',
        engineVersion: AURORA_VERSION.auroraMysqlFullVersion,
        replicationSourceIdentifier: `arn:${this.partition}:rds:${home}:${this.account}:cluster:${clusterIdentifier(env.name, source)}`,
        sourceRegion: home,
        storageEncrypted: true,
        kmsKeyId: key.keyArn,
        dbSubnetGroupName: subnetGroup.ref,
        vpcSecurityGroupIds: [securityGroup.securityGroupId],
        dbClusterParameterGroupName: parameters.ref,
        enableIamDatabaseAuthentication: true,
        deletionProtection: true,
        backupRetentionPeriod: 7,
        enableCloudwatchLogsExports: ['audit', 'error', 'slowquery'],
        port: MYSQL_PORT,
      });
      cluster.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
      acknowledge(cluster, {
        id: 'AwsSolutions-RDS11',
        reason:
          'Clients in the shared VPC expect MySQL on 3306; access is limited to the application subnets over TLS.',
      });
      acknowledge(cluster, {
        id: 'AwsSolutions-RDS14',
        reason: 'Backtrack is not available on binlog read replicas; snapshots and PITR cover rollback.',
      });
      acknowledge(cluster, {
        id: 'AwsSolutions-RDS6',
        reason:
          'IAM database authentication is enabled; the nag rule does not read it from a replica cluster.',
      });
      const instance = new CfnDBInstance(this, `Replica-${replica}-Instance`, {
        dbClusterIdentifier: cluster.ref,
        dbInstanceClass: sizing.databaseInstanceClass,
        engine: 'aurora-mysql',
        publiclyAccessible: false,
        monitoringInterval: 15,
        monitoringRoleArn: monitoringRole.roleArn,
        enablePerformanceInsights: true,
        performanceInsightsKmsKeyId: key.keyArn,
        autoMinorVersionUpgrade: true,
      });
      // The data lives in the cluster (snapshotted on removal); an instance of it can go with the stack.
      instance.applyRemovalPolicy(RemovalPolicy.DESTROY);
      replicas.set(replica, cluster);
    }
    this.replicas = replicas;
  }
}
