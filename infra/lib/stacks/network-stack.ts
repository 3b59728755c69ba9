/**
 * Networking for one environment in one region, in the networking account: the inspected VPC, DNS Firewall where
 * egress is blocked, and a RAM share that gives the environment's workload accounts its subnets.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnResourceShare } from 'aws-cdk-lib/aws-ram';
import type { Construct } from 'constructs';
import { accountsOfEnvironment, environmentPlan, type LandingZone } from '../config/landing-zone.ts';
import { logBucketName } from '../config/names.ts';
import type { EnvironmentConfig, RegionConfig } from '../config/types.ts';
import { DnsEgressFirewall } from '../constructs/dns-egress-firewall.ts';
import { InspectedVpc, type SubnetTier } from '../constructs/inspected-vpc.ts';

export interface NetworkStackProps extends StackProps {
  readonly zone: LandingZone;
  readonly environment: EnvironmentConfig;
  readonly region: RegionConfig;
}

/** Subnet tiers shared with workload accounts; the firewall subnets stay with the networking account. */
export const SHARED_TIERS: readonly SubnetTier[] = ['edge', 'app', 'data', 'isolated'];

export class NetworkStack extends Stack {
  readonly network: InspectedVpc;
  private readonly zones: readonly string[];

  /** The configured zones, so that nothing asks AWS for them at synthesis (a context lookup). */
  override get availabilityZones(): string[] {
    return [...this.zones];
  }

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    this.zones = props.region.availabilityZones;
    const { zone, environment, region } = props;
    const name = `${zone.config.prefix}-${environment.name}`;
    const plan = environmentPlan(zone, region.name, environment);
    const blocked = environment.egress === 'allow-list';

    this.network = new InspectedVpc(this, 'Network', {
      name,
      cidr: plan.vpcCidr,
      availabilityZones: region.availabilityZones,
      allowedDomains: environment.allowedDomains,
      inspect: environment.egress === 'inspected',
      flowLogsBucketName: logBucketName(zone, 'flow-logs'),
    });
    if (blocked) {
      new DnsEgressFirewall(this, 'DnsFirewall', {
        name,
        vpcId: this.network.vpc.vpcId,
        allowedDomains: environment.allowedDomains,
      });
    }

    const accounts = accountsOfEnvironment(zone.config, environment.name);
    if (accounts.length > 0) {
      new CfnResourceShare(this, 'SubnetShare', {
        name: `${name}-subnets`,
        allowExternalPrincipals: false,
        principals: accounts.map((a) => a.id),
        resourceArns: SHARED_TIERS.flatMap((tier) =>
          this.network
            .subnets(tier)
            .map((s) => `arn:aws:ec2:${this.region}:${this.account}:subnet/${s.subnetId}`),
        ),
      });
    }
  }
}
