/**
 * Data stores of one environment in the home region, separated by workload: the trading cluster (latency-
 * sensitive order and balance data), the back-office cluster, and Valkey (ElastiCache replication group over
 * three zones, TLS, IAM-authenticated users per service). The analytics cluster and the standby replicas, which
 * replicate the trading cluster's binlog, live in the standby region (StandbyStack).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { type ISecurityGroup, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { CfnReplicationGroup, CfnSubnetGroup, CfnUser, CfnUserGroup } from 'aws-cdk-lib/aws-elasticache';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from '../constructs/nag.ts';
import { cacheUserId } from '../service/bourse-service.ts';
import { AuroraCluster } from './aurora.ts';
import { PlatformStack, type PlatformStackProps, sharedVpc } from './environment.ts';

export const CACHE_PORT = 6380;

export interface DataStackProps extends PlatformStackProps {
  /** Services that connect to the cache; each gets an IAM-authenticated Valkey user. */
  readonly cacheUsers: readonly string[];
  /** The security group every Bourse task carries (from the compute stack). */
  readonly workloads: ISecurityGroup;
}

/** The trading cluster's identifier, known to the standby region without a cross-region reference. */
export function clusterIdentifier(envName: string, database: 'trading' | 'back-office'): string {
  return `${envName}-${database}`;
}

export class DataStack extends PlatformStack {
  readonly trading: AuroraCluster;
  readonly backOffice: AuroraCluster;
  readonly cache: CfnReplicationGroup;
  readonly cacheReplicationGroupId: string;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const env = props.platformEnv;
    const sizing = env.settings.sizing;
    const vpc = sharedVpc(this, env, this.region);

    this.trading = new AuroraCluster(this, 'Trading', {
      clusterIdentifier: clusterIdentifier(env.name, 'trading'),
      vpc,
      clients: props.workloads,
      instanceClass: sizing.databaseInstanceClass,
      readers: sizing.databaseReaders,
      defaultDatabaseName: 'trading',
    });
    this.backOffice = new AuroraCluster(this, 'BackOffice', {
      clusterIdentifier: clusterIdentifier(env.name, 'back-office'),
      vpc,
      clients: props.workloads,
      instanceClass: sizing.databaseInstanceClass,
      readers: sizing.databaseReaders,
      defaultDatabaseName: 'back_office',
    });

    // Valkey.
    const key = new Key(this, 'CacheKey', {
      description: `Encrypts the ${env.name} cache`,
      enableKeyRotation: true,
    });
    const securityGroup = new SecurityGroup(this, 'CacheSecurityGroup', {
      vpc,
      description: `${env.name} cache: Valkey over TLS from Bourse tasks`,
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(props.workloads, Port.tcp(CACHE_PORT), 'Valkey clients');
    const subnets = new CfnSubnetGroup(this, 'CacheSubnets', {
      cacheSubnetGroupName: `${env.name}-cache`,
      description: `${env.name} cache in the data subnets`,
      subnetIds: vpc.selectSubnets({ subnetGroupName: 'data' }).subnetIds,
    });
    // The default user must exist in every user group; it is switched off.
    const defaultUser = new CfnUser(this, 'CacheDefaultUser', {
      engine: 'valkey',
      userId: `${env.name}-default-off`,
      userName: 'default',
      accessString: 'off -@all',
      noPasswordRequired: true,
    });
    const users = props.cacheUsers.map(
      (service) =>
        new CfnUser(this, `CacheUser-${service}`, {
          engine: 'valkey',
          userId: cacheUserId(env.name, service),
          userName: cacheUserId(env.name, service),
          accessString: `on ~${service}:* ~shared:* &* +@all -@dangerous`,
          authenticationMode: { Type: 'iam' },
        }),
    );
    const group = new CfnUserGroup(this, 'CacheUsers', {
      engine: 'valkey',
      userGroupId: `${env.name}-cache-users`,
      userIds: [defaultUser.userId, ...users.map((u) => u.userId)],
    });
    for (const user of [defaultUser, ...users]) group.node.addDependency(user);
    const slowLog = new LogGroup(this, 'CacheSlowLog', {
      logGroupName: `/bourse/${env.name}/cache/slow-log`,
      retention: RetentionDays.ONE_MONTH,
    });
    this.cacheReplicationGroupId = `${env.name}-cache`;
    this.cache = new CfnReplicationGroup(this, 'Cache', {
      replicationGroupId: this.cacheReplicationGroupId,
      replicationGroupDescription: `${env.name} Valkey: sessions, rate limits, hot reads`,
      engine: 'valkey',
      engineVersion: '8.0',
      cacheNodeType: sizing.cacheNodeType,
      numNodeGroups: 1,
      replicasPerNodeGroup: 2,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      preferredCacheClusterAZs: [...this.availabilityZones],
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      kmsKeyId: key.keyArn,
      userGroupIds: [group.userGroupId],
      port: CACHE_PORT,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      snapshotRetentionLimit: 7,
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations: [
        {
          destinationType: 'cloudwatch-logs',
          destinationDetails: { cloudWatchLogsDetails: { logGroup: slowLog.logGroupName } },
          logFormat: 'json',
          logType: 'slow-log',
        },
      ],
    });
    // Sessions and rate limits can be rebuilt, but a final snapshot keeps what a mistaken removal would lose.
    this.cache.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    this.cache.node.addDependency(group);
    acknowledge(this.cache, {
      id: 'AwsSolutions-AEC6',
      reason:
        'Clients authenticate as IAM-authenticated Valkey users (RBAC user group); the default user is off.',
    });
  }
}
