/**
 * An Aurora MySQL cluster with Bourse's defaults: encrypted with its own key, IAM database authentication for
 * services, TLS required, binary logging in ROW format (the source of the analytics and standby replicas), audit,
 * error and slow-query logs exported, enhanced monitoring, deletion protection, and the admin credentials in
 * Secrets Manager, rotated every 30 days.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Connections,
  InstanceType,
  type IPeer,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
} from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  AuroraMysqlEngineVersion,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
  ParameterGroup,
} from 'aws-cdk-lib/aws-rds';
import { SecretRotation, SecretRotationApplication } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../constructs/nag.ts';
import { managedPolicyFinding } from './nag-ids.ts';

export const MYSQL_PORT = 3306;
export const AURORA_VERSION = AuroraMysqlEngineVersion.VER_3_08_0;

/** Cluster parameters every Bourse cluster shares; `binlog_format` ROW makes it a replication source. */
export const CLUSTER_PARAMETERS = {
  binlog_format: 'ROW',
  binlog_row_image: 'FULL',
  require_secure_transport: 'ON',
  server_audit_logging: '1',
  server_audit_events: 'CONNECT,QUERY_DCL,QUERY_DDL',
  tls_version: 'TLSv1.2,TLSv1.3',
} as const;

export interface AuroraClusterProps {
  readonly clusterIdentifier: string;
  readonly vpc: IVpc;
  /** Who may connect: the security group every Bourse task carries. */
  readonly clients: IPeer;
  /** Instance class, `db.` prefix included, for example `db.r7g.large`. */
  readonly instanceClass: string;
  readonly readers: number;
  readonly defaultDatabaseName: string;
}

export class AuroraCluster extends Construct {
  readonly cluster: DatabaseCluster;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AuroraClusterProps) {
    super(scope, id);
    const engine = DatabaseClusterEngine.auroraMysql({ version: AURORA_VERSION });
    this.key = new Key(this, 'Key', {
      description: `Encrypts the ${props.clusterIdentifier} database`,
      enableKeyRotation: true,
    });
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.clusterIdentifier}: MySQL over TLS from Bourse tasks`,
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(props.clients, Port.tcp(MYSQL_PORT), 'MySQL clients');
    const instanceType = new InstanceType(props.instanceClass.replace(/^db\./, ''));
    this.cluster = new DatabaseCluster(this, 'Cluster', {
      clusterIdentifier: props.clusterIdentifier,
      engine,
      credentials: Credentials.fromGeneratedSecret('bourse_admin', {
        secretName: `bourse/${props.clusterIdentifier}/admin`,
      }),
      defaultDatabaseName: props.defaultDatabaseName,
      vpc: props.vpc,
      vpcSubnets: { subnetGroupName: 'data' },
      securityGroups: [securityGroup],
      port: MYSQL_PORT,
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      iamAuthentication: true,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      backup: { retention: Duration.days(14), preferredWindow: '02:00-03:00' },
      cloudwatchLogsExports: ['audit', 'error', 'slowquery'],
      monitoringInterval: Duration.seconds(15),
      parameterGroup: new ParameterGroup(this, 'ClusterParameters', {
        engine,
        description: `${props.clusterIdentifier}: binlog ROW, TLS only, audit`,
        parameters: { ...CLUSTER_PARAMETERS },
      }),
      writer: ClusterInstance.provisioned('Writer', {
        instanceType,
        enablePerformanceInsights: true,
        performanceInsightEncryptionKey: this.key,
        publiclyAccessible: false,
      }),
      readers: Array.from({ length: props.readers }, (_, i) =>
        ClusterInstance.provisioned(`Reader${i + 1}`, {
          instanceType,
          enablePerformanceInsights: true,
          performanceInsightEncryptionKey: this.key,
          publiclyAccessible: false,
        }),
      ),
    });
    // The cluster's own connections carry its port as a deploy-time attribute; the rotation function is admitted
    // on the literal port, so the rules over security groups can read it.
    const secret = this.cluster.secret;
    if (!secret) throw new Error(`${props.clusterIdentifier} has no generated secret`);
    // The rotation function reaches Secrets Manager over HTTPS and the cluster on its port, nothing else.
    const rotationGroup = new SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description: `Secret rotation of ${props.clusterIdentifier}: Secrets Manager and the cluster`,
      allowAllOutbound: false,
    });
    rotationGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'Secrets Manager, through the firewall');
    rotationGroup.addEgressRule(securityGroup, Port.tcp(MYSQL_PORT), 'The cluster');
    new SecretRotation(this, 'Rotation', {
      application: SecretRotationApplication.MYSQL_ROTATION_SINGLE_USER,
      secret,
      securityGroup: rotationGroup,
      target: {
        connections: new Connections({ securityGroups: [securityGroup], defaultPort: Port.tcp(MYSQL_PORT) }),
      },
      vpc: props.vpc,
      vpcSubnets: { subnetGroupName: 'app' },
      automaticallyAfter: Duration.days(30),
    });
    acknowledge(this.cluster, {
      id: managedPolicyFinding('service-role/AmazonRDSEnhancedMonitoringRole'),
      reason: 'Enhanced monitoring requires the AWS-managed AmazonRDSEnhancedMonitoringRole policy.',
    });
    acknowledge(this.cluster, {
      id: 'AwsSolutions-RDS14',
      reason:
        'Backtrack is not available on clusters that are binlog replication sources; snapshots and PITR cover rollback.',
    });
    acknowledge(this.cluster, {
      id: 'AwsSolutions-RDS11',
      reason:
        'Clients in the shared VPC expect MySQL on 3306; access is limited to the application subnets over TLS.',
    });
  }
}
