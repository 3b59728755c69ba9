/**
 * The platform's configuration (issue 6), beside the landing zone's: which account runs the exchange, how big each
 * environment is, where its DNS lives, and the ids of the shared VPC's subnets once the network stacks exist.
 * Like account ids, VPC and subnet ids are recorded here after the network stacks are deployed, so synthesis needs
 * no lookup. `validatePlatformConfig` checks it against the landing zone before anything is built.
 */
import type { LandingZone } from './landing-zone.ts';
import { ENVIRONMENT_NAMES, type EnvironmentName } from './types.ts';

export interface SharedVpcIds {
  readonly vpcId: string;
  /** Subnet ids per shared tier, one per zone in the order of the region's `availabilityZones`. */
  readonly subnetIds: {
    readonly edge: readonly string[];
    readonly app: readonly string[];
    readonly data: readonly string[];
  };
}

export interface PlatformSizing {
  /** Instance type of the capacity in the cluster placement group (engine, gateway). Never burstable. */
  readonly latencyInstanceType: string;
  /** Instances of the latency-sensitive capacity, which is not scaled in while tasks run. */
  readonly latencyInstances: number;
  /** Instance type of the spread capacity (everything else). Never burstable. */
  readonly generalInstanceType: string;
  readonly generalMinInstances: number;
  readonly generalMaxInstances: number;
  /** MSK broker type, for example `kafka.m7g.large`. */
  readonly kafkaBrokerType: string;
  /** EBS storage per broker, in GiB. */
  readonly kafkaBrokerStorageGiB: number;
  /** Aurora instance class, for example `db.r7g.large`. */
  readonly databaseInstanceClass: string;
  /** Readers per Aurora cluster besides the writer. */
  readonly databaseReaders: number;
  /** ElastiCache node type, for example `cache.r7g.large`. */
  readonly cacheNodeType: string;
  /** OpenSearch data node type, for example `r7g.large.search`. */
  readonly searchInstanceType: string;
  /** Short-term logs stay in OpenSearch this many days; the data lake keeps them longer. */
  readonly searchRetentionDays: number;
  /** Logs in the data lake expire after this many days. */
  readonly dataLakeRetentionDays: number;
}

export interface PlatformEnvironmentConfig {
  readonly sizing: PlatformSizing;
  /** DNS: the environment's public zone (for example `dev.bourse.example`), hosted in the exchange account. */
  readonly zoneName: string;
  readonly hostedZoneId: string;
  /** Receives the platform's alarms. */
  readonly alarmEmail: string;
  /** Shared VPC ids per region name. */
  readonly vpcs: Readonly<Record<string, SharedVpcIds>>;
}

export interface PlatformConfig {
  /** The domain whose account in each environment runs the exchange, for example `trading`. */
  readonly exchangeDomain: string;
  /** The GitHub repository whose workflows may deploy, `owner/name`. */
  readonly githubRepository: string;
  /** Configuration per environment; every landing zone environment needs one. */
  readonly environments: Readonly<Record<EnvironmentName, PlatformEnvironmentConfig>>;
}

export class PlatformConfigError extends Error {
  override readonly name = 'PlatformConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid platform configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

const BURSTABLE = /^(db\.|cache\.|kafka\.)?t\d+[a-z]*\.|^t\d+[a-z]*\..*\.search$/;

/** True for burstable families in any service's spelling: `t3.large`, `db.t4g.medium`, `t3.small.search`. */
export function isBurstable(instanceType: string): boolean {
  return BURSTABLE.test(instanceType);
}

/** Throws a PlatformConfigError listing every problem, each with the path and the bad value. */
export function validatePlatformConfig(platform: PlatformConfig, zone: LandingZone): void {
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);
  const { config } = zone;

  if (!config.domains.some((d) => d.name === platform.exchangeDomain)) {
    problem('exchangeDomain', `'${platform.exchangeDomain}' is not a declared domain`);
  }
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(platform.githubRepository)) {
    problem('githubRepository', `'${platform.githubRepository}' is not owner/name`);
  }
  for (const environment of config.environments) {
    const path = `environments.${environment.name}`;
    const env = platform.environments[environment.name];
    if (!env) {
      problem(path, `missing; every landing zone environment (${ENVIRONMENT_NAMES.join(', ')}) needs one`);
      continue;
    }
    if (
      !config.workloadAccounts.some(
        (a) => a.domain === platform.exchangeDomain && a.environment === environment.name,
      )
    ) {
      problem(path, `no '${platform.exchangeDomain}' account in ${environment.name}`);
    }
    const s = env.sizing;
    for (const key of [
      'latencyInstanceType',
      'generalInstanceType',
      'kafkaBrokerType',
      'databaseInstanceClass',
      'cacheNodeType',
      'searchInstanceType',
    ] as const) {
      if (isBurstable(s[key])) problem(`${path}.sizing.${key}`, `'${s[key]}' is burstable; use m, c or r`);
    }
    if (!s.kafkaBrokerType.startsWith('kafka.')) {
      problem(`${path}.sizing.kafkaBrokerType`, `'${s.kafkaBrokerType}' must start with kafka.`);
    }
    if (!s.databaseInstanceClass.startsWith('db.')) {
      problem(`${path}.sizing.databaseInstanceClass`, `'${s.databaseInstanceClass}' must start with db.`);
    }
    if (!s.cacheNodeType.startsWith('cache.')) {
      problem(`${path}.sizing.cacheNodeType`, `'${s.cacheNodeType}' must start with cache.`);
    }
    for (const key of [
      'latencyInstances',
      'generalMinInstances',
      'generalMaxInstances',
      'kafkaBrokerStorageGiB',
      'searchRetentionDays',
      'dataLakeRetentionDays',
    ] as const) {
      if (!Number.isInteger(s[key]) || s[key] < 1) {
        problem(`${path}.sizing.${key}`, `must be a whole number of at least 1, got ${s[key]}`);
      }
    }
    if (s.generalMaxInstances < s.generalMinInstances) {
      problem(
        `${path}.sizing.generalMaxInstances`,
        `${s.generalMaxInstances} is below generalMinInstances ${s.generalMinInstances}`,
      );
    }
    if (s.generalMaxInstances > 7 * 3) {
      problem(
        `${path}.sizing.generalMaxInstances`,
        `${s.generalMaxInstances} exceeds 21, the rack-level spread placement limit (7 per zone over 3 zones)`,
      );
    }
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(env.zoneName)) {
      problem(`${path}.zoneName`, `'${env.zoneName}' is not a DNS name`);
    }
    if (!/^Z[A-Z0-9]{8,31}$/.test(env.hostedZoneId)) {
      problem(`${path}.hostedZoneId`, `'${env.hostedZoneId}' is not a Route 53 hosted zone id`);
    }
    if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(env.alarmEmail)) {
      problem(`${path}.alarmEmail`, `'${env.alarmEmail}' is not an email address`);
    }
    for (const region of config.regions) {
      const vpc = env.vpcs[region.name];
      const vpath = `${path}.vpcs.${region.name}`;
      if (!vpc) {
        problem(vpath, 'missing; record the shared VPC ids after deploying the network stack');
        continue;
      }
      if (!/^vpc-[0-9a-f]{8,17}$/.test(vpc.vpcId))
        problem(`${vpath}.vpcId`, `'${vpc.vpcId}' is not a VPC id`);
      for (const tier of ['edge', 'app', 'data'] as const) {
        const ids = vpc.subnetIds[tier];
        if (ids.length !== region.availabilityZones.length) {
          problem(`${vpath}.subnetIds.${tier}`, `expected one subnet per zone, got [${ids.join(', ')}]`);
        }
        ids.forEach((id, i) => {
          if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) {
            problem(`${vpath}.subnetIds.${tier}[${i}]`, `'${id}' is not a subnet id`);
          }
        });
      }
    }
  }
  if (problems.length > 0) throw new PlatformConfigError(problems);
}
