/**
 * The composition root of the platform (issue 6): which platform stack goes to which account and region, beside
 * the landing zone's. Per environment, in the exchange account (`<exchangeDomain>-<env>`):
 *
 *   home region:    Compute → Bus, Data → Monitoring → Observability, Edge (+ EdgeGlobal in us-east-1) → Services
 *   second region:  Compute (warm, minimum size), Standby (MSK Replicator, Aurora replicas, analytics)
 *   global:         Cicd (GitHub OIDC provider, deploy role for that GitHub environment)
 *
 * and once, in the shared services account: Images (Image Builder, ECR, CodeArtifact) and its Cicd (image pushes).
 */
import type { App } from 'aws-cdk-lib';
import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { type LandingZone, stackName } from '../config/landing-zone.ts';
import { type PlatformConfig, validatePlatformConfig } from '../config/platform.ts';
import type { LandingZoneStacks } from '../landing-zone.ts';
import { EDGE_REGION } from '../policies/scp-statements.ts';
import { cacheUsers, SERVICE_DEFINITIONS } from '../service/definitions.ts';
import { ServicesStack } from '../service/services-stack.ts';
import { BusStack } from './bus-stack.ts';
import { CicdStack } from './cicd-stack.ts';
import { ComputeStack } from './compute-stack.ts';
import { DataStack } from './data-stack.ts';
import { EdgeGlobalStack } from './edge-global-stack.ts';
import { EdgeStack, ORIGIN_HEADER } from './edge-stack.ts';
import type { PlatformEnvironment } from './environment.ts';
import { ImagesStack } from './images-stack.ts';
import { MonitoringStack } from './monitoring-stack.ts';
import { ObservabilityStack } from './observability-stack.ts';
import { StandbyStack } from './standby-stack.ts';

/** Context key carrying the image tag CI built (the git commit); `npm run synth` without it uses `unreleased`. */
export const IMAGE_TAG_CONTEXT = 'bourse:imageTag';

export interface EnvironmentPlatformStacks {
  readonly compute: ComputeStack;
  readonly bus: BusStack;
  readonly data: DataStack;
  readonly edgeGlobal: EdgeGlobalStack;
  readonly edge: EdgeStack;
  readonly monitoring: MonitoringStack;
  readonly observability: ObservabilityStack;
  readonly services: ServicesStack;
  readonly standbyCompute: ComputeStack;
  readonly standby: StandbyStack;
  readonly cicd: CicdStack;
}

export interface PlatformStacks {
  readonly images: ImagesStack;
  readonly imagesCicd: CicdStack;
  /** Keyed by environment name. */
  readonly environments: ReadonlyMap<string, EnvironmentPlatformStacks>;
}

export function addPlatform(
  app: App,
  zone: LandingZone,
  landingZone: LandingZoneStacks,
  platform: PlatformConfig,
): PlatformStacks {
  validatePlatformConfig(platform, zone);
  const { config } = zone;
  const imageTag = String(app.node.tryGetContext(IMAGE_TAG_CONTEXT) ?? 'unreleased');
  const shared = config.sharedAccounts.sharedServices;
  const exchangeAccounts = config.workloadAccounts.filter((a) => a.domain === platform.exchangeDomain);
  const [homeRegion, standbyRegion] = config.regions;
  if (!homeRegion || !standbyRegion) throw new Error('the platform needs two regions');

  const images = new ImagesStack(app, 'Images', {
    stackName: stackName(zone, shared, 'images'),
    env: { account: shared.id, region: homeRegion.name },
    zone,
    exchangeAccounts,
  });
  const imagesCicd = new CicdStack(app, 'Cicd-build', {
    stackName: stackName(zone, shared, 'github-build'),
    env: { account: shared.id, region: homeRegion.name },
    prefix: config.prefix,
    githubRepository: platform.githubRepository,
    githubEnvironment: 'build',
    purpose: 'images',
  });

  const environments = new Map<string, EnvironmentPlatformStacks>();
  for (const environment of config.environments) {
    const account = exchangeAccounts.find((a) => a.environment === environment.name);
    const settings = platform.environments[environment.name];
    if (!account || !settings) continue;
    const networks = new Map(
      config.regions.map((r) => {
        const network = landingZone.networks.get(`${environment.name}/${r.name}`);
        if (!network) throw new Error(`no network stack for ${environment.name} in ${r.name}`);
        return [r.name, network.network] as const;
      }),
    );
    const platformEnv: PlatformEnvironment = {
      zone,
      platform,
      environment,
      settings,
      account,
      name: `${config.prefix}-${environment.name}`,
      homeRegion,
      standbyRegion,
      networks,
    };
    const home = { account: account.id, region: homeRegion.name };
    const standbyEnv = { account: account.id, region: standbyRegion.name };
    const name = (purpose: string, region?: string) => stackName(zone, account, purpose, region);
    const common = { platformEnv, terminationProtection: environment.name === 'prod' };
    const e = environment.name;

    const compute = new ComputeStack(app, `Compute-${e}`, {
      ...common,
      stackName: name('compute'),
      env: home,
    });
    const bus = new BusStack(app, `Bus-${e}`, {
      ...common,
      stackName: name('bus'),
      env: home,
      workloads: compute.workloads,
    });
    const data = new DataStack(app, `Data-${e}`, {
      ...common,
      stackName: name('data'),
      env: home,
      cacheUsers: cacheUsers(),
      workloads: compute.workloads,
    });
    const edgeGlobal = new EdgeGlobalStack(app, `EdgeGlobal-${e}`, {
      stackName: name('edge-global'),
      env: { account: account.id, region: EDGE_REGION },
      platformEnv,
    });
    const edge = new EdgeStack(app, `Edge-${e}`, {
      ...common,
      stackName: name('edge'),
      env: home,
      webAclArn: edgeGlobal.webAcl.attrArn,
      viewerCertificate: edgeGlobal.certificate,
    });
    const clusterMetric = (namespace: string, metricName: string, dimensionsMap: Record<string, string>) =>
      new Metric({ namespace, metricName, dimensionsMap, statistic: 'Maximum' });
    const monitoring = new MonitoringStack(app, `Monitoring-${e}`, {
      ...common,
      stackName: name('monitoring'),
      env: home,
      compute,
      platformAlarms: [
        {
          id: 'kafka-offline-partitions',
          description: 'Kafka has offline partitions',
          metric: clusterMetric('AWS/Kafka', 'OfflinePartitionsCount', {
            'Cluster Name': bus.bus.clusterName,
          }),
          threshold: 0,
          comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        },
        {
          id: 'trading-db-cpu',
          description: 'The trading database writer CPU is above 80%',
          metric: data.trading.cluster.metricCPUUtilization(),
          threshold: 80,
          comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        },
        {
          id: 'cache-cpu',
          description: 'The cache engine CPU is above 80%',
          metric: clusterMetric('AWS/ElastiCache', 'EngineCPUUtilization', {
            ReplicationGroupId: data.cacheReplicationGroupId,
          }),
          threshold: 80,
          comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        },
        {
          id: 'origin-5xx',
          description: 'The public load balancer answers more than 50 5xx per minute',
          metric: edge.loadBalancer.metrics.httpCodeElb('HTTPCode_ELB_5XX_Count' as never, {
            statistic: 'Sum',
          }),
          threshold: 50,
          comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        },
      ],
    });
    const databaseResourceIds = {
      trading: data.trading.cluster.clusterResourceIdentifier,
      'back-office': data.backOffice.cluster.clusterResourceIdentifier,
    };
    const observability = new ObservabilityStack(app, `Observability-${e}`, {
      ...common,
      stackName: name('observability'),
      env: home,
      compute,
      bus: bus.bus,
      databaseResourceIds,
      cacheReplicationGroupId: data.cacheReplicationGroupId,
      imageTag,
    });
    const services = new ServicesStack(app, `Services-${e}`, {
      ...common,
      stackName: name('services'),
      env: home,
      compute,
      bus: bus.bus,
      databaseResourceIds,
      cacheReplicationGroupId: data.cacheReplicationGroupId,
      edge: {
        listener: edge.listener,
        loadBalancerSecurityGroup: edge.loadBalancerSecurityGroup,
        originHeader: { name: ORIGIN_HEADER, value: edge.originHeaderValue },
      },
      remediationBus: monitoring.remediationBus,
      definitions: SERVICE_DEFINITIONS,
      imageTag,
    });
    services.node.addDependency(data);
    services.node.addDependency(observability);

    const standbyCompute = new ComputeStack(app, `Compute-${e}-${standbyRegion.name}`, {
      ...common,
      stackName: name('compute', standbyRegion.name),
      env: standbyEnv,
      standby: true,
    });
    const standby = new StandbyStack(app, `Standby-${e}`, {
      ...common,
      stackName: name('standby', standbyRegion.name),
      env: standbyEnv,
      sourceBusArn: bus.bus.clusterArn,
      sourceBusSecurityGroupId: bus.bus.securityGroup.securityGroupId,
      workloads: standbyCompute.workloads,
    });
    standby.node.addDependency(data);

    const cicd = new CicdStack(app, `Cicd-${e}`, {
      stackName: name('github-deploy'),
      env: home,
      prefix: config.prefix,
      githubRepository: platform.githubRepository,
      githubEnvironment: e,
      purpose: 'deploy',
      imageBuilderAccount: shared.id,
    });
    environments.set(e, {
      compute,
      bus,
      data,
      edgeGlobal,
      edge,
      monitoring,
      observability,
      services,
      standbyCompute,
      standby,
      cicd,
    });
  }
  return { images, imagesCicd, environments };
}
