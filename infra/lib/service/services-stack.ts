/** Bourse's services in one environment and region, each deployed through BourseService. */

import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { ComputeStack } from '../platform/compute-stack.ts';
import { PlatformStack, type PlatformStackProps } from '../platform/environment.ts';
import type { KafkaBus } from '../platform/kafka-bus.ts';
import { BourseService, type DatabaseName, type ServicePlatform } from './bourse-service.ts';
import type { ServiceDefinition } from './definitions.ts';

export interface ServicesStackProps extends PlatformStackProps {
  readonly compute: ComputeStack;
  readonly bus: KafkaBus;
  readonly databaseResourceIds: Readonly<Record<DatabaseName, string>>;
  readonly cacheReplicationGroupId: string;
  readonly edge?: Pick<ServicePlatform, 'listener' | 'loadBalancerSecurityGroup' | 'originHeader'>;
  readonly remediationBus: IEventBus;
  readonly definitions: readonly ServiceDefinition[];
  /** Image tag of every service, the git commit CI built. */
  readonly imageTag: string;
}

/** The platform handles a stack's services share. */
export function servicePlatform(
  scope: PlatformStack,
  props: Omit<ServicesStackProps, 'definitions' | 'imageTag' | 'remediationBus' | 'env' | 'platformEnv'>,
): ServicePlatform {
  const env = scope.platformEnv;
  const logKey = new Key(scope, 'LogKey', {
    description: `Encrypts the ${scope.stackName} service logs`,
    enableKeyRotation: true,
  });
  logKey.grantEncryptDecrypt(new ServicePrincipal(`logs.${scope.region}.amazonaws.com`));
  return {
    name: env.name,
    cluster: props.compute.cluster,
    vpc: props.compute.vpc,
    workloads: props.compute.workloads,
    namespace: props.compute.namespace,
    latencyCapacityProvider: props.compute.latency.capacityProvider.capacityProviderName,
    generalCapacityProvider: props.compute.general.capacityProvider.capacityProviderName,
    bus: props.bus,
    databaseResourceIds: props.databaseResourceIds,
    cacheReplicationGroupId: props.cacheReplicationGroupId,
    imageAccount: env.zone.config.sharedAccounts.sharedServices.id,
    alarmTopic: props.compute.alarms.topic,
    logKey,
    ...props.edge,
  };
}

export class ServicesStack extends PlatformStack {
  readonly services: ReadonlyMap<string, BourseService>;
  /** What the stack's services were given; another service of this environment is added with it. */
  readonly platform: ServicePlatform;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    const platform = servicePlatform(this, props);
    this.platform = platform;
    const services = new Map<string, BourseService>();
    for (const { remediates, ...definition } of props.definitions) {
      services.set(
        definition.serviceName,
        new BourseService(this, definition.serviceName, {
          ...definition,
          platform,
          imageTag: props.imageTag,
          ...(remediates ? { putsEventsOn: props.remediationBus } : {}),
        }),
      );
    }
    this.services = services;
  }
}
