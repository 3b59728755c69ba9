import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { cidr, contains, overlaps } from '../lib/config/ipv4.ts';
import { SESSION_MANAGER_ENDPOINTS } from '../lib/constructs/inspected-vpc.ts';
import { synthesize, type TemplateJson } from './support/synth.ts';

const ids = bourseConfig.environments.flatMap((e) =>
  bourseConfig.regions.map((r) => `Network-${e.name}-${r.name}`),
);
const synth = synthesize({ only: ids });
const home = bourseConfig.regions[0]?.name ?? '';
const prod = synth.template(`Network-prod-${home}`);
const dev = synth.template(`Network-dev-${home}`);
const devJson = synth.json(`Network-dev-${home}`);

function ofType(json: TemplateJson, type: string) {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}
function subnetsNamed(json: TemplateJson, tier: string) {
  return ofType(json, 'AWS::EC2::Subnet').filter(([, r]) =>
    r.Properties.Tags.some(
      (t: { Key: string; Value: string }) => t.Key === 'aws-cdk:subnet-name' && t.Value === tier,
    ),
  );
}

describe('network stacks', () => {
  it('synthesizes one network stack per environment and region, in the networking account', () => {
    for (const id of ids) {
      const artifact = synth.artifact(id);
      assert.equal(artifact.environment.account, bourseConfig.sharedAccounts.networking.id);
    }
  });

  it('builds one VPC over three zones with edge, firewall, app, data and isolated subnets', () => {
    dev.resourceCountIs('AWS::EC2::VPC', 1);
    for (const tier of ['edge', 'firewall', 'app', 'data', 'isolated']) {
      const subnets = subnetsNamed(devJson, tier);
      assert.equal(subnets.length, 3, tier);
      assert.deepEqual(
        subnets.map(([, s]) => s.Properties.AvailabilityZone).sort(),
        bourseConfig.regions[0]?.availabilityZones.slice().sort(),
      );
    }
  });

  it('gives every VPC its planned, non-overlapping range', () => {
    const vpcCidrs = ids.map((id) => {
      const [vpc] = ofType(synth.json(id), 'AWS::EC2::VPC');
      assert.ok(vpc);
      return cidr(vpc[1].Properties.CidrBlock);
    });
    for (const [i, a] of vpcCidrs.entries()) {
      for (const b of vpcCidrs.slice(i + 1)) assert.ok(!overlaps(a, b));
    }
    const devCidr = cidr(ofType(devJson, 'AWS::EC2::VPC')[0]?.[1].Properties.CidrBlock);
    assert.ok(contains(cidr(bourseConfig.network.supernets[home] ?? ''), devCidr));
  });

  it('runs Network Firewall in its own subnets, one endpoint per zone', () => {
    const firewalls = ofType(devJson, 'AWS::NetworkFirewall::Firewall');
    assert.equal(firewalls.length, 3);
    const firewallSubnetIds = subnetsNamed(devJson, 'firewall')
      .map(([id]) => id)
      .sort();
    assert.deepEqual(
      firewalls.map(([, f]) => f.Properties.SubnetMappings[0].SubnetId.Ref).sort(),
      firewallSubnetIds,
    );
    dev.hasResourceProperties('AWS::NetworkFirewall::Firewall', {
      DeleteProtection: true,
      SubnetChangeProtection: true,
    });
    dev.resourceCountIs('AWS::NetworkFirewall::LoggingConfiguration', 3);
  });

  it('routes application egress through the firewall, then NAT, and replies back through the firewall', () => {
    const routes = ofType(devJson, 'AWS::EC2::Route').map(([id, r]) => ({ id, ...r.Properties }));
    const toFirewall = routes.filter((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.VpcEndpointId);
    assert.equal(toFirewall.length, 3, 'one default route per app subnet to its zone firewall endpoint');
    for (const r of toFirewall) {
      assert.match(JSON.stringify(r.RouteTableId), /appSubnet/);
      assert.match(JSON.stringify(r.VpcEndpointId), /EndpointIds/);
    }
    const firewallToNat = routes.filter((r) => r.NatGatewayId);
    assert.equal(firewallToNat.length, 3);
    for (const r of firewallToNat) assert.match(JSON.stringify(r.RouteTableId), /firewallSubnet/);
    const returns = routes.filter((r) => r.DestinationCidrBlock !== '0.0.0.0/0' && r.VpcEndpointId);
    assert.equal(returns.length, 3);
    for (const r of returns) assert.match(JSON.stringify(r.RouteTableId), /edgeSubnet/);
    // Data and isolated subnets have no route out of the VPC.
    for (const r of routes) assert.doesNotMatch(JSON.stringify(r.RouteTableId), /dataSubnet|isolatedSubnet/);
  });

  it('blocks egress in staging and dev except to the allow-listed domains', () => {
    const allowed = bourseConfig.environments.find((e) => e.name === 'dev')?.allowedDomains ?? [];
    dev.hasResourceProperties('AWS::NetworkFirewall::RuleGroup', {
      Type: 'STATEFUL',
      RuleGroup: {
        RulesSource: {
          RulesSourceList: {
            GeneratedRulesType: 'ALLOWLIST',
            Targets: [...allowed],
            TargetTypes: ['TLS_SNI', 'HTTP_HOST'],
          },
        },
      },
    });
    dev.hasResourceProperties('AWS::NetworkFirewall::FirewallPolicy', {
      FirewallPolicy: { StatefulDefaultActions: ['aws:drop_established', 'aws:alert_established'] },
    });
    dev.hasResourceProperties('AWS::Route53Resolver::FirewallRuleGroup', {
      FirewallRules: [
        Match.objectLike({ Action: 'ALLOW', Priority: 100 }),
        Match.objectLike({ Action: 'BLOCK', BlockResponse: 'NXDOMAIN', Priority: 200 }),
      ],
    });
    dev.hasResourceProperties('AWS::Route53Resolver::FirewallDomainList', {
      Domains: Match.arrayWith(['amazonaws.com', '*.amazonaws.com', 'registry.npmjs.org']),
    });
    dev.hasResourceProperties('AWS::Route53Resolver::FirewallDomainList', { Domains: ['*'] });
    synth
      .template(`Network-staging-${home}`)
      .resourceCountIs('AWS::Route53Resolver::FirewallRuleGroupAssociation', 1);
  });

  it('inspects production egress without the DNS allow-list, in front of its domain allow-list', () => {
    prod.resourceCountIs('AWS::Route53Resolver::FirewallRuleGroupAssociation', 0);
    prod.hasResourceProperties('AWS::NetworkFirewall::RuleGroup', {
      RuleGroup: { RulesSource: { RulesString: Match.stringLikeRegexp('drop tcp .* 22 ') } },
    });
    prod.hasResourceProperties('AWS::NetworkFirewall::RuleGroup', {
      RuleGroup: {
        RulesSource: {
          RulesSourceList: { GeneratedRulesType: 'ALLOWLIST', Targets: ['.amazonaws.com'] },
        },
      },
    });
  });

  // Issue 19: production's firewall passed established flows by default (aws:alert_established alone).
  it('denies egress by default in every environment: established flows no rule passes are dropped', () => {
    for (const network of [prod, dev]) {
      network.hasResourceProperties('AWS::NetworkFirewall::FirewallPolicy', {
        FirewallPolicy: { StatefulDefaultActions: Match.arrayWith(['aws:drop_established']) },
      });
    }
  });

  it("shares the edge, app, data and isolated subnets with the environment's accounts through RAM", () => {
    const devAccounts = bourseConfig.workloadAccounts.filter((a) => a.environment === 'dev').map((a) => a.id);
    const [share] = ofType(devJson, 'AWS::RAM::ResourceShare');
    assert.ok(share);
    assert.equal(share[1].Properties.AllowExternalPrincipals, false);
    assert.deepEqual([...share[1].Properties.Principals].sort(), [...devAccounts].sort());
    assert.equal(share[1].Properties.ResourceArns.length, 12);
    assert.doesNotMatch(JSON.stringify(share[1].Properties.ResourceArns), /firewallSubnet/);
  });

  it('lets Session Manager work without internet through VPC endpoints', () => {
    for (const service of SESSION_MANAGER_ENDPOINTS) {
      dev.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.${home}.${service}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
      });
    }
    dev.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
  });

  it('opens no security group on port 22 and maps no public address on launch', () => {
    for (const [, sg] of ofType(devJson, 'AWS::EC2::SecurityGroup')) {
      for (const rule of sg.Properties.SecurityGroupIngress ?? []) {
        assert.notEqual(rule.IpProtocol, '-1');
        assert.ok(rule.FromPort > 22 || rule.ToPort < 22, JSON.stringify(rule));
      }
    }
    for (const [, subnet] of ofType(devJson, 'AWS::EC2::Subnet'))
      assert.equal(subnet.Properties.MapPublicIpOnLaunch, false);
  });

  it('sends flow logs from every VPC to the log archive', () => {
    for (const id of ids) {
      synth.template(id).hasResourceProperties('AWS::EC2::FlowLog', {
        LogDestinationType: 's3',
        LogDestination: Match.stringLikeRegexp(
          `bourse-flow-logs-${bourseConfig.sharedAccounts.logArchive.id}`,
        ),
        TrafficType: 'ALL',
      });
    }
  });

  it('leaves no cdk-nag or policy finding unacknowledged', () => {
    assert.deepEqual(synth.violations, []);
  });
});
