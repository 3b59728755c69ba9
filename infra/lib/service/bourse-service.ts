/**
 * The one way a Bourse service is deployed. From an image and what the service declares it uses (topics,
 * databases, the cache, secrets, an event bus), it builds the ECS service and task definition with:
 *
 *   task ─┬─ app container ── stdout ──▶ FireLens ──▶ vector (log router) ──▶ Kafka `bourse.logs`
 *         ├─ otel-collector: scrapes the app's Prometheus endpoint, receives OTLP ──▶ vmagent, OpenTelemetry gateway
 *         └─ Service Connect proxy (ECS-managed)
 *
 * a task role granting exactly the declared use (no `*` action or resource), health checks, autoscaling,
 * a deployment circuit breaker with rollback, alarms, and placement on latency or general capacity.
 */
import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  CfnSecurityGroupEgress,
  type ISecurityGroup,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
} from 'aws-cdk-lib/aws-ec2';
import { type IRepository, Repository } from 'aws-cdk-lib/aws-ecr';
import {
  AppProtocol,
  type ContainerDefinition,
  ContainerImage,
  Ec2Service,
  Ec2TaskDefinition,
  Secret as EcsSecret,
  FirelensLogRouterType,
  type ICluster,
  LogDrivers,
  NetworkMode,
  PlacementConstraint,
  PlacementStrategy,
  Protocol,
  ServiceManagedVolume,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationListenerRule,
  ApplicationProtocol,
  ApplicationTargetGroup,
  type IApplicationListener,
  ListenerAction,
  ListenerCondition,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { INamespace } from 'aws-cdk-lib/aws-servicediscovery';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { isBurstable } from '../config/platform.ts';
import { acknowledge } from '../constructs/nag.ts';
import { MYSQL_PORT } from '../platform/aurora.ts';
import { CACHE_PORT } from '../platform/data-stack.ts';
import { type ImageName, repositoryName } from '../platform/images.ts';
import { KAFKA_IAM_PORT, type KafkaBus } from '../platform/kafka-bus.ts';
import { managedPolicyFinding, resourceFinding } from '../platform/nag-ids.ts';
import type { TopicName } from '../platform/topics.ts';

export type DatabaseName = 'trading' | 'back-office';

/** What the platform offers a service; built once per environment and region by the services stack. */
export interface ServicePlatform {
  /** `bourse-<env>`: prefixes alarm names, log groups and roles. */
  readonly name: string;
  readonly cluster: ICluster;
  readonly vpc: IVpc;
  /** Carried by every Bourse task; a service admits its Service Connect peers through it. */
  readonly workloads: ISecurityGroup;
  readonly namespace: INamespace;
  readonly latencyCapacityProvider: string;
  readonly generalCapacityProvider: string;
  readonly bus: KafkaBus;
  /** The `DbClusterResourceId` of each database cluster, for `rds-db:connect`. */
  readonly databaseResourceIds: Readonly<Record<DatabaseName, string>>;
  /** The Valkey replication group id; services connect as an IAM-authenticated user named after them. */
  readonly cacheReplicationGroupId: string;
  /** Account holding the ECR repositories (shared services); images are pulled from its replica in this region. */
  readonly imageAccount: string;
  /** Receives every service alarm; alarm state changes also reach EventBridge for remediation. */
  readonly alarmTopic: ITopic;
  /** Encrypts the services' log groups. */
  readonly logKey: IKey;
  /** The public load balancer's HTTPS listener, behind CloudFront. */
  readonly listener?: IApplicationListener;
  readonly loadBalancerSecurityGroup?: ISecurityGroup;
  /** Header CloudFront adds to every origin request, and its secret value (a dynamic reference). */
  readonly originHeader?: { readonly name: string; readonly value: string };
}

export interface ServiceHealthCheck {
  /** HTTP path that answers 200 when the service can do its work, for example `/health`. */
  readonly path: string;
  /**
   * The container health check command, in Docker's form.
   * @default - `wget` of `path` on the container port
   */
  readonly command?: readonly string[];
  /**
   * Seconds between checks.
   * @default 10
   */
  readonly intervalSeconds?: number;
  /**
   * Seconds a new task may take before failed checks count.
   * @default 30
   */
  readonly startPeriodSeconds?: number;
}

export interface BourseServiceProps {
  readonly platform: ServicePlatform;
  /** Lower-case name, unique in the environment: names the service, its role, its alarms and its DNS name. */
  readonly serviceName: string;
  /** Image repository, `bourse/<image>` in the image account. */
  readonly image: ImageName;
  /** Immutable image tag, for example the git commit. */
  readonly imageTag: string;
  /** CPU units (1024 per vCPU) reserved for the application container. */
  readonly cpu: number;
  /** Memory for the application container, in MiB. */
  readonly memoryMiB: number;
  /** Port the application listens on. */
  readonly containerPort: number;
  /**
   * How ECS and the load balancer decide the service is healthy. Required: a service without one is refused.
   * @default - none, which fails validation
   */
  readonly healthCheck?: ServiceHealthCheck;
  /**
   * Runs on the capacity in the cluster placement group (engine, gateway).
   * @default false - spread capacity
   */
  readonly latencySensitive?: boolean;
  /**
   * Pins tasks to instances of this type. Burstable types are refused.
   * @default - any instance of the chosen capacity
   */
  readonly instanceType?: string;
  /**
   * At most one task at any time: deployments stop the old task before starting the new one and there is no
   * autoscaling (the matching engine is the single writer of the journal).
   * @default false
   */
  readonly singleWriter?: boolean;
  /**
   * Fewest tasks; autoscaling never goes below.
   * @default 2, or 1 for a single writer
   */
  readonly minTasks?: number;
  /**
   * Most tasks autoscaling may run.
   * @default 2 × minTasks, or 1 for a single writer
   */
  readonly maxTasks?: number;
  /**
   * Average CPU utilization autoscaling aims for, in percent.
   * @default 60
   */
  readonly targetCpuPercent?: number;
  /**
   * Topics the service writes to.
   * @default - none
   */
  readonly produces?: readonly TopicName[];
  /**
   * Topics the service reads, each in the consumer group `<service>.<topic>`.
   * @default - none
   */
  readonly consumes?: readonly TopicName[];
  /**
   * Databases the service connects to, as the IAM-authenticated database user named after the service.
   * @default - none
   */
  readonly databases?: readonly DatabaseName[];
  /**
   * Connects to the Valkey cache as the IAM-authenticated user named after the service.
   * @default false
   */
  readonly usesCache?: boolean;
  /**
   * Secrets Manager secrets by name, injected as environment variables (variable → secret name).
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /**
   * Event bus the service puts events on.
   * @default - none
   */
  readonly putsEventsOn?: IEventBus;
  /**
   * Path patterns routed to the service from CloudFront through the public load balancer.
   * @default - not reachable from outside the VPC
   */
  readonly publicPaths?: readonly string[];
  /**
   * Priority of the service's rule on the public listener; lower wins. Required with `publicPaths`.
   * @default - none
   */
  readonly listenerPriority?: number;
  /**
   * Port of the Prometheus endpoint.
   * @default - the container port
   */
  readonly metricsPort?: number;
  /**
   * Path of the Prometheus endpoint.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * Plain environment variables (never secrets).
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Overrides the image's command.
   * @default - the image's command
   */
  readonly command?: readonly string[];
  /**
   * An encrypted EBS volume managed by ECS, mounted at `dataPath`, in GiB.
   * @default - no data volume
   */
  readonly dataVolumeGiB?: number;
  /**
   * Where the data volume is mounted.
   * @default '/data'
   */
  readonly dataPath?: string;
  /**
   * Adds the Vector log router and the OpenTelemetry collector. The observability components themselves log to
   * CloudWatch instead, so that a broken log pipeline cannot hide its own failure.
   * @default true
   */
  readonly telemetrySidecars?: boolean;
}

/** Resources for which AWS offers no narrower ARN, with the reason; the least-privilege test reads this list. */
export const WILDCARD_RESOURCE_EXCEPTIONS: Readonly<Record<string, string>> = {
  'ecr:GetAuthorizationToken':
    'ECR issues registry-wide tokens; the action has no resource type (execution roles only).',
};

const NAME = /^[a-z][a-z0-9-]{1,30}$/;
export const VECTOR_CPU = 128;
export const VECTOR_MEMORY_MIB = 256;
export const COLLECTOR_CPU = 128;
export const COLLECTOR_MEMORY_MIB = 256;
export const LOGS_TOPIC: TopicName = 'bourse.logs';

/** Validation happens before any resource is created; each message quotes the bad value and says what to do. */
export function validateServiceProps(props: BourseServiceProps): void {
  const name = props.serviceName;
  const fail = (message: string) => {
    throw new Error(`service '${name}': ${message}`);
  };
  if (!NAME.test(name)) fail(`serviceName must match ${NAME}`);
  if (!props.healthCheck) {
    fail('declares no health check; set healthCheck.path to an endpoint that answers 200 when healthy');
  } else if (!props.healthCheck.path.startsWith('/')) {
    fail(`healthCheck.path '${props.healthCheck.path}' must start with /`);
  }
  if (props.instanceType !== undefined && isBurstable(props.instanceType)) {
    fail(
      `${props.latencySensitive ? 'a latency-sensitive service ' : ''}asks for burstable instance type '${props.instanceType}'; CPU credits run out under sustained load, use an m, c or r type`,
    );
  }
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(props.imageTag) || props.imageTag === 'latest') {
    fail(`imageTag '${props.imageTag}' must be an immutable release tag, not 'latest'`);
  }
  for (const [key, value] of [
    ['cpu', props.cpu],
    ['memoryMiB', props.memoryMiB],
  ] as const) {
    if (!Number.isInteger(value) || value < 128)
      fail(`${key} must be a whole number of at least 128, got ${value}`);
  }
  if (!Number.isInteger(props.containerPort) || props.containerPort < 1024 || props.containerPort > 65535) {
    fail(`containerPort must be an unprivileged port (1024-65535), got ${props.containerPort}`);
  }
  if (props.singleWriter && ((props.minTasks ?? 1) !== 1 || (props.maxTasks ?? 1) !== 1)) {
    fail(
      `a single writer runs exactly one task, got minTasks ${props.minTasks} and maxTasks ${props.maxTasks}`,
    );
  }
  const min = props.minTasks ?? (props.singleWriter ? 1 : 2);
  const max = props.maxTasks ?? (props.singleWriter ? 1 : 2 * min);
  if (!Number.isInteger(min) || min < 0 || max < min) {
    fail(`task counts must satisfy 0 <= minTasks <= maxTasks, got ${min} and ${max}`);
  }
  const target = props.targetCpuPercent ?? 60;
  if (!(target >= 10 && target <= 90)) fail(`targetCpuPercent must be 10-90, got ${target}`);
  if (props.publicPaths && props.publicPaths.length > 0) {
    if (!props.platform.listener) fail('has publicPaths but the platform has no public listener');
    if (props.listenerPriority === undefined) fail('has publicPaths but no listenerPriority');
  }
  const overlap = (props.produces ?? []).filter((t) => t === LOGS_TOPIC);
  if (overlap.length > 0) fail(`produces '${LOGS_TOPIC}' itself; the Vector sidecar ships its stdout there`);
}

export class BourseService extends Construct {
  readonly service: Ec2Service;
  readonly taskDefinition: Ec2TaskDefinition;
  readonly taskRole: Role;
  readonly app: ContainerDefinition;
  readonly securityGroup: SecurityGroup;
  readonly alarms: readonly Alarm[];
  readonly targetGroup?: ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: BourseServiceProps) {
    super(scope, id);
    validateServiceProps(props);
    const stack = Stack.of(this);
    const { platform, serviceName } = props;
    const health = props.healthCheck as ServiceHealthCheck;
    const fullName = `${platform.name}-${serviceName}`;
    const sidecars = props.telemetrySidecars ?? true;
    const min = props.minTasks ?? (props.singleWriter ? 1 : 2);
    const max = props.maxTasks ?? (props.singleWriter ? 1 : 2 * min);
    const metricsPort = props.metricsPort ?? props.containerPort;

    this.taskRole = new Role(this, 'TaskRole', {
      roleName: `${fullName}-task`,
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      description: `Task role of ${serviceName}: only what it declares it uses`,
    });
    this.grantDeclaredUse(props);

    this.taskDefinition = new Ec2TaskDefinition(this, 'Task', {
      family: fullName,
      networkMode: NetworkMode.AWS_VPC,
      taskRole: this.taskRole,
    });
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/bourse/${platform.name}/${serviceName}`,
      retention: RetentionDays.ONE_MONTH,
      encryptionKey: platform.logKey,
    });
    const repository = (image: ImageName): IRepository =>
      Repository.fromRepositoryAttributes(this, `Repository-${image}`, {
        repositoryArn: `arn:${stack.partition}:ecr:${stack.region}:${platform.imageAccount}:repository/${repositoryName(image)}`,
        repositoryName: repositoryName(image),
      });
    // Each declared secret is created here, generated once and kept if the stack goes, so that no deployment
    // depends on a secret someone had to create by hand.
    const secrets = Object.fromEntries(
      Object.entries(props.secrets ?? {}).map(([variable, secretName]) => {
        const secret = new Secret(this, `Secret-${variable}`, {
          secretName,
          description: `${variable} of ${serviceName}, generated at first deployment`,
          generateSecretString: { excludePunctuation: true, passwordLength: 64 },
          removalPolicy: RemovalPolicy.RETAIN,
        });
        acknowledge(secret, {
          id: 'AwsSolutions-SMG4',
          reason:
            'Read once at task start; replacing it is a coordinated change (new value, then a rolling restart), not a rotation Lambda.',
        });
        return [variable, EcsSecret.fromSecretsManager(secret)];
      }),
    );
    const healthCommand = health.command
      ? [...health.command]
      : ['CMD-SHELL', `wget -q -O /dev/null http://127.0.0.1:${props.containerPort}${health.path} || exit 1`];

    this.app = this.taskDefinition.addContainer('app', {
      containerName: serviceName,
      image: ContainerImage.fromEcrRepository(repository(props.image), props.imageTag),
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      essential: true,
      // Bourse's own images run unprivileged on a read-only root; third-party components keep their image's user.
      ...(sidecars ? { readonlyRootFilesystem: true, user: '1000' } : {}),
      ...(props.command ? { command: [...props.command] } : {}),
      environment: {
        BOURSE_SERVICE: serviceName,
        BOURSE_ENVIRONMENT: platform.name,
        MSK_CLUSTER_ARN: platform.bus.clusterArn,
        MSK_BOOTSTRAP: platform.bus.bootstrapBrokers,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317',
        OTEL_SERVICE_NAME: serviceName,
        ...props.environment,
      },
      secrets,
      portMappings: [
        {
          name: serviceName,
          containerPort: props.containerPort,
          protocol: Protocol.TCP,
          appProtocol: AppProtocol.http,
        },
        ...(metricsPort !== props.containerPort
          ? [{ containerPort: metricsPort, protocol: Protocol.TCP }]
          : []),
      ],
      healthCheck: {
        command: healthCommand,
        interval: Duration.seconds(health.intervalSeconds ?? 10),
        startPeriod: Duration.seconds(health.startPeriodSeconds ?? 30),
        retries: 3,
        timeout: Duration.seconds(5),
      },
      logging: sidecars
        ? LogDrivers.firelens({ options: {} })
        : LogDrivers.awsLogs({ logGroup, streamPrefix: serviceName }),
    });

    if (sidecars) {
      // FireLens hands stdout to the router over the forward protocol; Vector's image reads it and writes the
      // lines to the logs topic (config in infra/images/vector/vector.yaml).
      this.taskDefinition.addFirelensLogRouter('log-router', {
        containerName: 'vector',
        image: ContainerImage.fromEcrRepository(repository('vector'), props.imageTag),
        firelensConfig: { type: FirelensLogRouterType.FLUENTD },
        cpu: VECTOR_CPU,
        memoryReservationMiB: VECTOR_MEMORY_MIB,
        essential: true,
        readonlyRootFilesystem: false,
        environment: {
          MSK_BOOTSTRAP: platform.bus.bootstrapBrokers,
          KAFKA_TOPIC: LOGS_TOPIC,
          BOURSE_SERVICE: serviceName,
        },
        logging: LogDrivers.awsLogs({ logGroup, streamPrefix: 'vector' }),
      });
      this.taskDefinition.addContainer('otel-collector', {
        containerName: 'otel-collector',
        image: ContainerImage.fromEcrRepository(repository('otel-collector'), props.imageTag),
        cpu: COLLECTOR_CPU,
        memoryReservationMiB: COLLECTOR_MEMORY_MIB,
        essential: false,
        readonlyRootFilesystem: true,
        command: ['--config=env:OTEL_CONFIG'],
        environment: {
          OTEL_CONFIG: collectorConfig(serviceName, metricsPort, props.metricsPath ?? '/metrics'),
        },
        logging: LogDrivers.awsLogs({ logGroup, streamPrefix: 'otel-collector' }),
      });
    }

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: platform.vpc,
      description: `Tasks of ${serviceName}: Service Connect peers (Bourse tasks), the load balancer`,
      allowAllOutbound: false,
    });
    this.allowDeclaredEgress(props);
    this.securityGroup.addIngressRule(
      platform.workloads,
      Port.tcp(props.containerPort),
      'Service Connect peers',
    );

    const capacityProvider = props.latencySensitive
      ? platform.latencyCapacityProvider
      : platform.generalCapacityProvider;
    this.service = new Ec2Service(this, 'Service', {
      serviceName,
      cluster: platform.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: min,
      capacityProviderStrategies: [{ capacityProvider, weight: 1 }],
      securityGroups: [this.securityGroup, platform.workloads],
      vpcSubnets: { subnetGroupName: 'app' },
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: props.singleWriter ? 0 : 100,
      maxHealthyPercent: props.singleWriter ? 100 : 200,
      enableExecuteCommand: false,
      placementStrategies: props.latencySensitive
        ? [PlacementStrategy.packedByCpu()]
        : [
            PlacementStrategy.spreadAcross('attribute:ecs.availability-zone'),
            PlacementStrategy.spreadAcrossInstances(),
          ],
      ...(props.instanceType
        ? {
            placementConstraints: [
              PlacementConstraint.memberOf(`attribute:ecs.instance-type == ${props.instanceType}`),
            ],
          }
        : {}),
      healthCheckGracePeriod:
        props.publicPaths && props.publicPaths.length > 0
          ? Duration.seconds(health.startPeriodSeconds ?? 30)
          : undefined,
      serviceConnectConfiguration: {
        namespace: platform.namespace.namespaceName,
        services: [{ portMappingName: serviceName, dnsName: serviceName, port: props.containerPort }],
        logDriver: LogDrivers.awsLogs({ logGroup, streamPrefix: 'service-connect' }),
      },
    });

    if (props.dataVolumeGiB !== undefined) {
      const volume = new ServiceManagedVolume(this, 'Data', {
        name: 'data',
        managedEBSVolume: { size: Size.gibibytes(props.dataVolumeGiB), encrypted: true },
      });
      this.taskDefinition.addVolume({ name: 'data', configuredAtLaunch: true });
      volume.mountIn(this.app, { containerPath: props.dataPath ?? '/data', readOnly: false });
      this.service.addVolume(volume);
      acknowledge(volume, {
        id: managedPolicyFinding('service-role/AmazonECSInfrastructureRolePolicyForVolumes'),
        reason: 'ECS attaches managed EBS volumes with exactly this AWS-maintained infrastructure policy.',
      });
    }

    if (!props.singleWriter && max > min) {
      this.service
        .autoScaleTaskCount({ minCapacity: min, maxCapacity: max })
        .scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: props.targetCpuPercent ?? 60 });
    }

    if (props.publicPaths && props.publicPaths.length > 0 && platform.listener) {
      this.targetGroup = new ApplicationTargetGroup(this, 'Target', {
        vpc: platform.vpc,
        port: props.containerPort,
        protocol: ApplicationProtocol.HTTP,
        targetType: TargetType.IP,
        deregistrationDelay: Duration.seconds(30),
        healthCheck: { path: health.path, interval: Duration.seconds(10), healthyThresholdCount: 2 },
        targets: [this.service],
      });
      new ApplicationListenerRule(this, 'Route', {
        listener: platform.listener,
        priority: props.listenerPriority as number,
        conditions: [
          ListenerCondition.pathPatterns([...props.publicPaths]),
          ...(platform.originHeader
            ? [ListenerCondition.httpHeader(platform.originHeader.name, [platform.originHeader.value])]
            : []),
        ],
        action: ListenerAction.forward([this.targetGroup]),
      });
      if (platform.loadBalancerSecurityGroup) {
        this.securityGroup.addIngressRule(
          platform.loadBalancerSecurityGroup,
          Port.tcp(props.containerPort),
          'The public load balancer',
        );
        // The load balancer's group denies outbound traffic; the rule to this service's port lives here, beside
        // the service, so the edge stack never references the services stack.
        new CfnSecurityGroupEgress(this, 'LoadBalancerToService', {
          groupId: platform.loadBalancerSecurityGroup.securityGroupId,
          destinationSecurityGroupId: this.securityGroup.securityGroupId,
          ipProtocol: 'tcp',
          fromPort: props.containerPort,
          toPort: props.containerPort,
          description: `To ${serviceName}`,
        });
      }
    }

    this.alarms = this.addAlarms(props, min);
    acknowledge(
      this.taskDefinition,
      {
        id: 'AwsSolutions-ECS2',
        reason:
          'Plain environment variables carry names and ARNs only; secrets are injected from Secrets Manager.',
      },
      {
        id: resourceFinding('*'),
        reason: WILDCARD_RESOURCE_EXCEPTIONS['ecr:GetAuthorizationToken'] ?? '',
      },
    );
  }

  /**
   * Outbound traffic is denied unless declared: Kafka (every task ships its logs there), the databases and the
   * cache it declares, its Service Connect peers (Bourse tasks only), and HTTPS to AWS APIs, which leaves the VPC
   * through the environment's firewall and its domain allow-list.
   */
  private allowDeclaredEgress(props: BourseServiceProps): void {
    const { platform } = props;
    const vpc = Peer.ipv4(platform.vpc.vpcCidrBlock);
    const group = this.securityGroup;
    group.addEgressRule(vpc, Port.tcp(KAFKA_IAM_PORT), 'Kafka brokers (IAM, TLS)');
    if ((props.databases ?? []).length > 0) group.addEgressRule(vpc, Port.tcp(MYSQL_PORT), 'Databases');
    if (props.usesCache) group.addEgressRule(vpc, Port.tcp(CACHE_PORT), 'Valkey cache');
    group.addEgressRule(platform.workloads, Port.allTcp(), 'Service Connect peers and the telemetry gateway');
    group.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs, through the firewall');
  }

  private grantDeclaredUse(props: BourseServiceProps): void {
    const { platform, serviceName } = props;
    const stack = Stack.of(this);
    const bus = platform.bus;
    const logs = (props.telemetrySidecars ?? true) ? [LOGS_TOPIC] : [];
    const produces = [...(props.produces ?? []), ...logs];
    const consumes = props.consumes ?? [];
    const role = this.taskRole;
    role.addToPolicy(
      new PolicyStatement({
        sid: 'FindBrokers',
        actions: ['kafka:GetBootstrapBrokers', 'kafka:DescribeClusterV2'],
        resources: [bus.clusterArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'ConnectToKafka',
        actions: [
          'kafka-cluster:Connect',
          ...(produces.length > 0 ? ['kafka-cluster:WriteDataIdempotently'] : []),
        ],
        resources: [bus.clusterArn],
      }),
    );
    if (produces.length > 0) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'Produce',
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
          resources: produces.map((t) => bus.resourceArn('topic', t)),
        }),
      );
    }
    if (consumes.length > 0) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'Consume',
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          resources: consumes.map((t) => bus.resourceArn('topic', t)),
        }),
      );
      role.addToPolicy(
        new PolicyStatement({
          sid: 'OwnConsumerGroups',
          actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
          resources: consumerGroups(serviceName, consumes).map((g) => bus.resourceArn('group', g)),
        }),
      );
    }
    for (const database of props.databases ?? []) {
      role.addToPolicy(
        new PolicyStatement({
          sid: `Connect${database === 'trading' ? 'Trading' : 'BackOffice'}Database`,
          actions: ['rds-db:connect'],
          resources: [
            `arn:${stack.partition}:rds-db:${stack.region}:${stack.account}:dbuser:${platform.databaseResourceIds[database]}/${serviceName}`,
          ],
        }),
      );
    }
    if (props.usesCache) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'ConnectToCache',
          actions: ['elasticache:Connect'],
          resources: [
            `arn:${stack.partition}:elasticache:${stack.region}:${stack.account}:replicationgroup:${platform.cacheReplicationGroupId}`,
            `arn:${stack.partition}:elasticache:${stack.region}:${stack.account}:user:${cacheUserId(platform.name, serviceName)}`,
          ],
        }),
      );
    }
    if (props.putsEventsOn) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'PutEvents',
          actions: ['events:PutEvents'],
          resources: [props.putsEventsOn.eventBusArn],
        }),
      );
    }
  }

  private addAlarms(props: BourseServiceProps, min: number): Alarm[] {
    const { platform, serviceName } = props;
    const dimensions = { ClusterName: platform.cluster.clusterName, ServiceName: serviceName };
    const action = new SnsAction(platform.alarmTopic);
    // Alarm names read `<env>/<service>/<remediation>`; the remediation state machine parses them.
    const alarms = [
      new Alarm(this, 'CpuHigh', {
        alarmName: `${platform.name}/${serviceName}/scale-out`,
        alarmDescription: `${serviceName} CPU above 85% for 5 minutes`,
        metric: this.service.metricCpuUtilization({ period: Duration.minutes(1) }),
        threshold: 85,
        evaluationPeriods: 5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
      new Alarm(this, 'MemoryHigh', {
        alarmName: `${platform.name}/${serviceName}/restart`,
        alarmDescription: `${serviceName} memory above 90% for 5 minutes (a leak: restart)`,
        metric: this.service.metricMemoryUtilization({ period: Duration.minutes(1) }),
        threshold: 90,
        evaluationPeriods: 5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
      new Alarm(this, 'TasksMissing', {
        alarmName: `${platform.name}/${serviceName}/notify-tasks-missing`,
        alarmDescription: `${serviceName} runs fewer than ${min} tasks`,
        metric: new Metric({
          namespace: 'ECS/ContainerInsights',
          metricName: 'RunningTaskCount',
          dimensionsMap: dimensions,
          statistic: 'Minimum',
          period: Duration.minutes(1),
        }),
        threshold: min,
        evaluationPeriods: 3,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
      }),
    ];
    if (this.targetGroup) {
      alarms.push(
        new Alarm(this, 'Http5xx', {
          alarmName: `${platform.name}/${serviceName}/notify-5xx`,
          alarmDescription: `${serviceName} answers more than 10 5xx per minute`,
          metric: this.targetGroup.metrics.httpCodeTarget(
            // biome-ignore lint/suspicious/noExplicitAny: the enum value is a string constant.
            'HTTPCode_Target_5XX_Count' as any,
            { period: Duration.minutes(1), statistic: 'Sum' },
          ),
          threshold: 10,
          evaluationPeriods: 3,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const alarm of alarms) alarm.addAlarmAction(action);
    return alarms;
  }
}

/** Consumer groups a service may use: one per consumed topic, `<service>.<topic>`. */
export function consumerGroups(serviceName: string, topics: readonly string[]): string[] {
  return topics.map((t) => `${serviceName}.${t}`);
}

/** ElastiCache user ids are unique per account and region: `<env>-<service>`. */
export function cacheUserId(platformName: string, serviceName: string): string {
  return `${platformName}-${serviceName}`.slice(0, 40);
}

/**
 * The sidecar collector's configuration: OTLP from the app and a Prometheus scrape of its endpoint; traces to the
 * OpenTelemetry gateway (in front of Jaeger), metrics by remote write to vmagent. Names resolve through Service
 * Connect.
 */
export function collectorConfig(serviceName: string, metricsPort: number, metricsPath: string): string {
  return JSON.stringify({
    receivers: {
      otlp: { protocols: { grpc: { endpoint: '127.0.0.1:4317' } } },
      prometheus: {
        config: {
          scrape_configs: [
            {
              job_name: serviceName,
              scrape_interval: '15s',
              metrics_path: metricsPath,
              static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }],
            },
          ],
        },
      },
    },
    processors: { batch: {} },
    exporters: {
      otlp: { endpoint: 'otel-gateway:4317', tls: { insecure: true } },
      prometheusremotewrite: { endpoint: 'http://vmagent:8429/api/v1/write' },
    },
    service: {
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp'] },
        metrics: {
          receivers: ['otlp', 'prometheus'],
          processors: ['batch'],
          exporters: ['prometheusremotewrite'],
        },
      },
    },
  });
}
