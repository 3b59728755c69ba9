/**
 * The first monitoring path of one environment, in the home region. Metrics: sidecar collectors remote-write to
 * vmagent, which forwards to VictoriaMetrics; vmalert evaluates the rules in infra/images/vmalert/ and notifies
 * Alertmanager, which calls the remediation controller; Grafana shows the dashboards kept in
 * infra/images/grafana/dashboards/. Traces: collectors send OTLP to the OpenTelemetry gateway, which exports to
 * Jaeger. Logs: Vector sidecars write stdout to the `bourse.logs` topic; Firehose reads the topic into OpenSearch
 * (short term, with Dashboards) and into the data lake bucket (long term).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { EbsDeviceVolumeType, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Domain, EngineVersion, TLSSecurityPolicy } from 'aws-cdk-lib/aws-opensearchservice';
import { BlockPublicAccess, Bucket, BucketEncryption, StorageClass } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledge, acknowledgeAwsCustomResourceProvider } from '../constructs/nag.ts';
import {
  BourseService,
  type BourseServiceProps,
  type DatabaseName,
  LOGS_TOPIC,
} from '../service/bourse-service.ts';
import { servicePlatform } from '../service/services-stack.ts';
import type { ComputeStack } from './compute-stack.ts';
import { PlatformStack, type PlatformStackProps, sharedVpc } from './environment.ts';
import type { KafkaBus } from './kafka-bus.ts';
import { actionFinding, arnOf, resourceFinding } from './nag-ids.ts';

type Component = Omit<BourseServiceProps, 'platform' | 'imageTag'>;

/** The observability components, deployed through BourseService like everything else. */
export const OBSERVABILITY_COMPONENTS: readonly Component[] = (
  [
    {
      serviceName: 'victoria-metrics',
      image: 'victoria-metrics',
      cpu: 2048,
      memoryMiB: 8192,
      containerPort: 8428,
      healthCheck: { path: '/health' },
      minTasks: 1,
      maxTasks: 1,
      singleWriter: true,
      command: ['-storageDataPath=/data', '-retentionPeriod=90d'],
      dataVolumeGiB: 500,
    },
    {
      serviceName: 'vmagent',
      image: 'vmagent',
      cpu: 512,
      memoryMiB: 1024,
      containerPort: 8429,
      healthCheck: { path: '/health' },
      command: [
        '-remoteWrite.url=http://victoria-metrics:8428/api/v1/write',
        '-remoteWrite.tmpDataPath=/data',
      ],
      dataVolumeGiB: 50,
    },
    {
      serviceName: 'vmalert',
      image: 'vmalert',
      cpu: 256,
      memoryMiB: 512,
      containerPort: 8880,
      healthCheck: { path: '/health' },
      minTasks: 1,
      maxTasks: 1,
      singleWriter: true,
      command: [
        '-rule=/etc/vmalert/rules/*.yaml',
        '-datasource.url=http://victoria-metrics:8428',
        '-notifier.url=http://alertmanager:9093',
        '-remoteWrite.url=http://victoria-metrics:8428',
      ],
    },
    {
      serviceName: 'alertmanager',
      image: 'alertmanager',
      cpu: 256,
      memoryMiB: 512,
      containerPort: 9093,
      healthCheck: { path: '/-/healthy' },
      minTasks: 1,
      maxTasks: 1,
      singleWriter: true,
    },
    {
      serviceName: 'grafana',
      image: 'grafana',
      cpu: 512,
      memoryMiB: 1024,
      containerPort: 3000,
      healthCheck: { path: '/api/health' },
      minTasks: 1,
      maxTasks: 1,
      singleWriter: true,
      secrets: { GF_SECURITY_ADMIN_PASSWORD: 'bourse/grafana/admin-password' },
      dataVolumeGiB: 20,
      dataPath: '/var/lib/grafana',
    },
    {
      serviceName: 'otel-gateway',
      image: 'otel-collector',
      cpu: 512,
      memoryMiB: 1024,
      containerPort: 4317,
      healthCheck: { path: '/', command: ['CMD', '/otelcol-contrib', 'components'] },
      metricsPort: 8888,
      command: ['--config=/etc/otelcol/gateway.yaml'],
    },
    {
      serviceName: 'jaeger',
      image: 'jaeger',
      cpu: 1024,
      memoryMiB: 2048,
      containerPort: 4317,
      healthCheck: { path: '/', command: ['CMD', '/go/bin/all-in-one-linux', 'version'] },
      metricsPort: 14269,
      minTasks: 1,
      maxTasks: 1,
      singleWriter: true,
      environment: {
        SPAN_STORAGE_TYPE: 'badger',
        BADGER_EPHEMERAL: 'false',
        BADGER_DIRECTORY_VALUE: '/data/v',
      },
      dataVolumeGiB: 200,
    },
  ] satisfies readonly Component[]
).map((c) => ({ ...c, telemetrySidecars: false }));

export interface ObservabilityStackProps extends PlatformStackProps {
  readonly compute: ComputeStack;
  readonly bus: KafkaBus;
  readonly databaseResourceIds: Readonly<Record<DatabaseName, string>>;
  readonly cacheReplicationGroupId: string;
  readonly imageTag: string;
}

export class ObservabilityStack extends PlatformStack {
  readonly search: Domain;
  readonly dataLake: Bucket;
  readonly components: ReadonlyMap<string, BourseService>;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const env = props.platformEnv;
    const sizing = env.settings.sizing;
    const vpc = sharedVpc(this, env, this.region);
    const key = new Key(this, 'LogsKey', {
      description: `Encrypts ${env.name} logs at rest`,
      enableKeyRotation: true,
    });

    // Data lake.
    const accessLogs = new Bucket(this, 'DataLakeAccessLogs', {
      bucketName: `${env.name}-data-lake-access-${this.account}-${this.region}`,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
    });
    acknowledge(accessLogs, {
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the data lake access logs; logging its own access would recurse.',
    });
    this.dataLake = new Bucket(this, 'DataLake', {
      bucketName: `${env.name}-data-lake-${this.account}-${this.region}`,
      encryption: BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data-lake/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          transitions: [
            { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) },
          ],
          expiration: Duration.days(sizing.dataLakeRetentionDays),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });

    // OpenSearch for short-term logs, with Dashboards, in the data subnets.
    const searchGroup = new SecurityGroup(this, 'SearchSecurityGroup', {
      vpc,
      description: `${env.name} OpenSearch: HTTPS from Bourse tasks and Firehose`,
      allowAllOutbound: false,
    });
    searchGroup.addIngressRule(props.compute.workloads, Port.tcp(443), 'HTTPS from Bourse tasks');
    const searchLogs = new LogGroup(this, 'SearchLogs', {
      logGroupName: `/bourse/${env.name}/opensearch`,
      retention: RetentionDays.ONE_MONTH,
    });
    this.search = new Domain(this, 'Search', {
      domainName: `${env.name}-logs`,
      version: EngineVersion.OPENSEARCH_2_17,
      vpc,
      vpcSubnets: [{ subnetGroupName: 'data' }],
      securityGroups: [searchGroup],
      capacity: {
        dataNodes: 3,
        dataNodeInstanceType: sizing.searchInstanceType,
        masterNodes: 3,
        masterNodeInstanceType: sizing.searchInstanceType,
        multiAzWithStandbyEnabled: false,
      },
      zoneAwareness: { enabled: true, availabilityZoneCount: 3 },
      ebs: { volumeSize: 200, volumeType: EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: key },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: TLSSecurityPolicy.TLS_1_2,
      fineGrainedAccessControl: {
        masterUserArn: `arn:${this.partition}:iam::${this.account}:role/${env.name}-search-admin`,
      },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: searchLogs,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: searchLogs,
        appLogEnabled: true,
        appLogGroup: searchLogs,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Firehose reads the logs topic into the data lake and into OpenSearch.
    const firehoseGroups = `arn:${this.partition}:kafka:${this.region}:${this.account}:group/${props.bus.clusterName}/*`;
    const firehoseRole = new Role(this, 'FirehoseRole', {
      assumedBy: new ServicePrincipal('firehose.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
      }),
      description: 'Reads the logs topic; writes the data lake and OpenSearch',
    });
    firehoseRole.addToPolicy(
      new PolicyStatement({
        sid: 'ReadLogsTopic',
        actions: [
          'kafka:GetBootstrapBrokers',
          'kafka:DescribeCluster',
          'kafka:DescribeClusterV2',
          'kafka-cluster:Connect',
        ],
        resources: [props.bus.clusterArn],
      }),
    );
    firehoseRole.addToPolicy(
      new PolicyStatement({
        sid: 'ReadLogsTopicData',
        actions: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:ReadData',
        ],
        resources: [props.bus.resourceArn('topic', LOGS_TOPIC)],
      }),
    );
    firehoseRole.addToPolicy(
      new PolicyStatement({
        sid: 'FirehoseConsumerGroup',
        actions: ['kafka-cluster:DescribeGroup'],
        resources: [firehoseGroups],
      }),
    );
    this.dataLake.grantWrite(firehoseRole);
    key.grantEncryptDecrypt(firehoseRole);
    this.search.grantIndexWrite('logs-*', firehoseRole);
    firehoseRole.addToPolicy(
      new PolicyStatement({
        sid: 'DescribeDomain',
        actions: ['es:DescribeDomain', 'es:DescribeDomains', 'es:DescribeDomainConfig'],
        resources: [this.search.domainArn, `${this.search.domainArn}/*`],
      }),
    );
    firehoseRole.addToPolicy(
      new PolicyStatement({
        sid: 'VpcDelivery',
        actions: [
          'ec2:DescribeVpcs',
          'ec2:DescribeVpcAttribute',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeNetworkInterfaces',
          'ec2:CreateNetworkInterface',
          'ec2:CreateNetworkInterfacePermission',
          'ec2:DeleteNetworkInterface',
        ],
        resources: ['*'],
      }),
    );
    const because = (reason: string) => (id: string) => ({ id, reason });
    const grants = because(
      "Grants from aws-cdk-lib, scoped to this stack's data lake, key and logs-* indices.",
    );
    acknowledge(
      firehoseRole,
      because(
        'Firehose VPC delivery uses EC2 network-interface actions, which have no resource scoping at create time.',
      )(resourceFinding('*')),
      because('Firehose chooses its own consumer group names on this cluster.')(
        resourceFinding(firehoseGroups),
      ),
      ...['s3:Abort*', 's3:DeleteObject*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((a) =>
        grants(actionFinding(a)),
      ),
      ...[
        `${arnOf(this.dataLake)}/*`,
        `${arnOf(this.search)}/logs-*`,
        `${arnOf(this.search)}/logs-*/*`,
        `${arnOf(this.search)}/*`,
      ].map((r) => grants(resourceFinding(r))),
    );
    acknowledge(
      this.search,
      {
        id: 'AwsSolutions-OS3',
        reason:
          'The domain is in the data subnets; its security group admits HTTPS from the application subnets only.',
      },
      {
        id: resourceFinding('*'),
        reason:
          "aws-cdk-lib sets the log groups' resource policy with logs:PutResourcePolicy, which has no resource type.",
      },
      {
        id: 'AwsSolutions-OS5',
        reason:
          'Fine-grained access control is on, so every request needs a mapped IAM role; there is no anonymous access.',
      },
    );
    const deliveryGroup = new SecurityGroup(this, 'DeliverySecurityGroup', {
      vpc,
      description: 'Firehose delivery into OpenSearch',
      allowAllOutbound: false,
    });
    deliveryGroup.addEgressRule(searchGroup, Port.tcp(443), 'OpenSearch');
    searchGroup.addIngressRule(deliveryGroup, Port.tcp(443), 'Firehose delivery');
    const source = {
      mskClusterArn: props.bus.clusterArn,
      topicName: LOGS_TOPIC,
      authenticationConfiguration: { roleArn: firehoseRole.roleArn, connectivity: 'PRIVATE' },
    };
    const deliveryLogs = new LogGroup(this, 'DeliveryLogs', {
      logGroupName: `/bourse/${env.name}/firehose`,
      retention: RetentionDays.ONE_MONTH,
    });
    deliveryLogs.grantWrite(firehoseRole);
    const logging = { enabled: true, logGroupName: deliveryLogs.logGroupName, logStreamName: 'delivery' };
    const toLake = new CfnDeliveryStream(this, 'LogsToDataLake', {
      deliveryStreamName: `${env.name}-logs-to-data-lake`,
      deliveryStreamType: 'MSKAsSource',
      mskSourceConfiguration: source,
      extendedS3DestinationConfiguration: {
        bucketArn: this.dataLake.bucketArn,
        roleArn: firehoseRole.roleArn,
        prefix: 'logs/!{timestamp:yyyy/MM/dd/HH}/',
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
        compressionFormat: 'GZIP',
        bufferingHints: { intervalInSeconds: 300, sizeInMBs: 64 },
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: key.keyArn } },
        cloudWatchLoggingOptions: logging,
      },
    });
    const toSearch = new CfnDeliveryStream(this, 'LogsToOpenSearch', {
      deliveryStreamName: `${env.name}-logs-to-opensearch`,
      deliveryStreamType: 'MSKAsSource',
      mskSourceConfiguration: source,
      amazonopensearchserviceDestinationConfiguration: {
        domainArn: this.search.domainArn,
        indexName: 'logs',
        indexRotationPeriod: 'OneDay',
        roleArn: firehoseRole.roleArn,
        s3BackupMode: 'FailedDocumentsOnly',
        s3Configuration: {
          bucketArn: this.dataLake.bucketArn,
          roleArn: firehoseRole.roleArn,
          prefix: 'opensearch-failed/',
          compressionFormat: 'GZIP',
          encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: key.keyArn } },
        },
        vpcConfiguration: {
          roleArn: firehoseRole.roleArn,
          subnetIds: vpc.selectSubnets({ subnetGroupName: 'app' }).subnetIds,
          securityGroupIds: [deliveryGroup.securityGroupId],
        },
        cloudWatchLoggingOptions: logging,
      },
    });
    for (const stream of [toLake, toSearch]) {
      stream.node.addDependency(firehoseRole);
      acknowledge(stream, {
        id: 'AwsSolutions-KDF1',
        reason:
          'Streams with an MSK source cannot take server-side encryption; records are encrypted in Kafka and at the destinations.',
      });
    }

    // Metrics, alerts, dashboards and traces.
    const platform = servicePlatform(this, props);
    const components = new Map<string, BourseService>();
    for (const component of OBSERVABILITY_COMPONENTS) {
      components.set(
        component.serviceName,
        new BourseService(this, component.serviceName, { ...component, platform, imageTag: props.imageTag }),
      );
    }
    this.components = components;
    acknowledgeAwsCustomResourceProvider(this);
  }
}
