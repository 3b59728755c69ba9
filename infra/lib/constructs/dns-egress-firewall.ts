/**
 * Route 53 Resolver DNS Firewall for an egress-blocked VPC: names on the allow-list resolve, every other name gets
 * NXDOMAIN. Together with Network Firewall's domain list this blocks egress by name and by connection.
 */
import {
  CfnFirewallDomainList,
  CfnFirewallRuleGroup,
  CfnFirewallRuleGroupAssociation,
} from 'aws-cdk-lib/aws-route53resolver';
import { Construct } from 'constructs';

export interface DnsEgressFirewallProps {
  readonly name: string;
  readonly vpcId: string;
  /** Domains in Network Firewall syntax: `.example.com` for a domain and its subdomains, `host.example.com` exactly. */
  readonly allowedDomains: readonly string[];
}

/** Names every VPC needs: the VPC's own DNS (EC2 host names and private zones of AWS services). */
const ALWAYS_ALLOWED = ['*.internal', 'internal'];

/** `.example.com` becomes `example.com` and `*.example.com`; a host name stays as it is. */
export function toDnsFirewallDomains(domains: readonly string[]): string[] {
  return domains.flatMap((d) => (d.startsWith('.') ? [d.slice(1), `*${d}`] : [d]));
}

export class DnsEgressFirewall extends Construct {
  constructor(scope: Construct, id: string, props: DnsEgressFirewallProps) {
    super(scope, id);
    const allowed = new CfnFirewallDomainList(this, 'Allowed', {
      name: `${props.name}-allowed`,
      domains: [...ALWAYS_ALLOWED, ...toDnsFirewallDomains(props.allowedDomains)],
    });
    const everything = new CfnFirewallDomainList(this, 'Everything', {
      name: `${props.name}-everything`,
      domains: ['*'],
    });
    const group = new CfnFirewallRuleGroup(this, 'RuleGroup', {
      name: `${props.name}-egress`,
      firewallRules: [
        { action: 'ALLOW', firewallDomainListId: allowed.attrId, priority: 100 },
        {
          action: 'BLOCK',
          blockResponse: 'NXDOMAIN',
          firewallDomainListId: everything.attrId,
          priority: 200,
        },
      ],
    });
    new CfnFirewallRuleGroupAssociation(this, 'Association', {
      name: `${props.name}-egress`,
      firewallRuleGroupId: group.attrId,
      vpcId: props.vpcId,
      priority: 101,
      mutationProtection: 'ENABLED',
    });
  }
}
