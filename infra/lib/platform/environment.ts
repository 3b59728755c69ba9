/**
 * What every platform stack of one environment needs to know: the landing zone, the platform configuration,
 * the exchange account, and the shared VPC (imported by attributes from configuration, never looked up).
 */
import { Annotations, Stack, type StackProps } from 'aws-cdk-lib';
import { type IVpc, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { environmentPlan, type LandingZone } from '../config/landing-zone.ts';
import type { PlatformConfig, PlatformEnvironmentConfig } from '../config/platform.ts';
import type { AccountConfig, EnvironmentConfig, RegionConfig } from '../config/types.ts';
import type { InspectedVpc } from '../constructs/inspected-vpc.ts';

export interface PlatformEnvironment {
  readonly zone: LandingZone;
  readonly platform: PlatformConfig;
  readonly environment: EnvironmentConfig;
  readonly settings: PlatformEnvironmentConfig;
  /** The account that runs the exchange in this environment. */
  readonly account: AccountConfig;
  /** Prefix of named resources, `bourse-<env>`. */
  readonly name: string;
  readonly homeRegion: RegionConfig;
  readonly standbyRegion: RegionConfig;
  /** The landing zone's network per region name, read for its subnet CIDRs (concrete at synthesis). */
  readonly networks: ReadonlyMap<string, InspectedVpc>;
}

/**
 * The environment's shared VPC in `region`, as seen from a workload account: ids come from the platform
 * configuration, zones and CIDRs from the landing zone's network plan, so nothing is looked up.
 */
export function sharedVpc(scope: Construct, env: PlatformEnvironment, region: string): IVpc {
  const ids = env.settings.vpcs[region];
  const network = env.networks.get(region);
  const regionConfig = env.zone.config.regions.find((r) => r.name === region);
  if (!ids || !network || !regionConfig)
    throw new Error(`no shared VPC for ${env.environment.name} in ${region}`);
  const cidrs = (tier: 'edge' | 'app' | 'data') => network.subnets(tier).map((s) => s.ipv4CidrBlock);
  const vpc = Vpc.fromVpcAttributes(scope, 'SharedVpc', {
    vpcId: ids.vpcId,
    vpcCidrBlock: vpcCidr(env, region),
    availabilityZones: [...regionConfig.availabilityZones],
    publicSubnetIds: [...ids.subnetIds.edge],
    publicSubnetNames: ['edge'],
    publicSubnetIpv4CidrBlocks: cidrs('edge'),
    privateSubnetIds: [...ids.subnetIds.app],
    privateSubnetNames: ['app'],
    privateSubnetIpv4CidrBlocks: cidrs('app'),
    isolatedSubnetIds: [...ids.subnetIds.data],
    isolatedSubnetNames: ['data'],
    isolatedSubnetIpv4CidrBlocks: cidrs('data'),
  });
  // Route tables belong to the networking account; nothing here routes.
  for (const subnet of [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets]) {
    Annotations.of(subnet).acknowledgeWarning(
      '@aws-cdk/aws-ec2:noSubnetRouteTableId',
      'Shared subnets: their route tables are managed by the networking account.',
    );
  }
  return vpc;
}

/** The shared VPC's CIDR, from the landing zone's plan (a literal, so security group rules can be read). */
export function vpcCidr(env: PlatformEnvironment, region: string): string {
  return environmentPlan(env.zone, region, env.environment).vpcCidr;
}

export interface PlatformStackProps extends StackProps {
  readonly env: { readonly account: string; readonly region: string };
  readonly platformEnv: PlatformEnvironment;
}

/** Every platform stack uses the configured zones of its region rather than asking AWS for them. */
export class PlatformStack extends Stack {
  readonly platformEnv: PlatformEnvironment;
  private readonly zones: readonly string[];
  override get availabilityZones(): string[] {
    return [...this.zones];
  }
  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    this.platformEnv = props.platformEnv;
    this.zones =
      props.platformEnv.zone.config.regions.find((r) => r.name === props.env.region)?.availabilityZones ?? [];
  }
}
