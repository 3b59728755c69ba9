/**
 * Bourse's platform. The platform team edits this file. Its VPC, subnet and hosted zone ids are examples in the right
 * shape: the real ones, known once the network stacks are deployed, come from the deployment values file
 * (lib/config/deployment.ts, infra/README.md).
 */

import type { PlatformConfig, PlatformEnvironmentConfig, PlatformSizing, SharedVpcIds } from './platform.ts';
import type { EnvironmentName } from './types.ts';

const PRODUCTION: PlatformSizing = {
  latencyInstanceType: 'c7i.4xlarge',
  latencyInstances: 3,
  generalInstanceType: 'm7i.2xlarge',
  generalMinInstances: 3,
  generalMaxInstances: 21,
  kafkaBrokerType: 'kafka.m7g.xlarge',
  kafkaBrokerStorageGiB: 2000,
  databaseInstanceClass: 'db.r7g.2xlarge',
  databaseReaders: 2,
  cacheNodeType: 'cache.r7g.xlarge',
  searchInstanceType: 'r7g.large.search',
  searchRetentionDays: 14,
  dataLakeRetentionDays: 2555,
};

const SMALL: PlatformSizing = {
  latencyInstanceType: 'c7i.xlarge',
  latencyInstances: 3,
  generalInstanceType: 'm7i.large',
  generalMinInstances: 3,
  generalMaxInstances: 6,
  kafkaBrokerType: 'kafka.m7g.large',
  kafkaBrokerStorageGiB: 100,
  databaseInstanceClass: 'db.r7g.large',
  databaseReaders: 1,
  cacheNodeType: 'cache.r7g.large',
  searchInstanceType: 'r7g.large.search',
  searchRetentionDays: 7,
  dataLakeRetentionDays: 365,
};

/** Placeholder-shaped ids in a readable pattern until the network stacks are deployed and their ids recorded. */
function vpcIds(env: number, region: number): SharedVpcIds {
  const id = (kind: number, n: number) => `${env}${region}${kind}${n}`.padStart(17, '0');
  return {
    vpcId: `vpc-${id(0, 0)}`,
    subnetIds: {
      edge: [0, 1, 2].map((n) => `subnet-${id(1, n)}`),
      app: [0, 1, 2].map((n) => `subnet-${id(2, n)}`),
      data: [0, 1, 2].map((n) => `subnet-${id(3, n)}`),
    },
  };
}

function environment(
  name: EnvironmentName,
  index: number,
  sizing: PlatformSizing,
): PlatformEnvironmentConfig {
  return {
    sizing,
    zoneName: `${name}.bourse.example`,
    hostedZoneId: `Z0BOURSE${name.toUpperCase()}0001`,
    alarmEmail: `platform-alarms+${name}@bourse.example`,
    vpcs: { 'eu-west-1': vpcIds(index, 1), 'eu-central-1': vpcIds(index, 2) },
  };
}

export const boursePlatform: PlatformConfig = {
  exchangeDomain: 'trading',
  githubRepository: 'bourse-exchange/bourse',
  environments: {
    prod: environment('prod', 1, PRODUCTION),
    staging: environment('staging', 2, SMALL),
    dev: environment('dev', 3, SMALL),
  },
};
