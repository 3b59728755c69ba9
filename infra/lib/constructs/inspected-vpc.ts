/**
 * One VPC over three zones with subnets for the edge, the firewall, applications, data and isolated workloads,
 * and AWS Network Firewall in its own subnets. Outbound traffic from the application subnets goes
 *
 *   app subnet (zone n) ──0.0.0.0/0──▶ firewall endpoint (zone n) ──▶ NAT gateway (edge, zone n) ──▶ internet gateway
 *
 * and the edge route table sends replies for the zone's application range back through the same endpoint, so the
 * firewall sees both directions. Data and isolated subnets have no route out of the VPC. Only edge subnets may hold
 * public addresses, and even they do not assign them on launch.
 */
import { Fn, Stack } from 'aws-cdk-lib';
import {
  CfnRoute,
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  type ISubnet,
  Peer,
  Port,
  type PublicSubnet,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  CfnFirewall,
  CfnFirewallPolicy,
  CfnLoggingConfiguration,
  CfnRuleGroup,
} from 'aws-cdk-lib/aws-networkfirewall';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

export const SUBNET_TIERS = ['edge', 'firewall', 'app', 'data', 'isolated'] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

export interface InspectedVpcProps {
  /** Name used for the VPC, the firewall and its policy. */
  readonly name: string;
  readonly cidr: string;
  /** Exactly three zones. */
  readonly availabilityZones: readonly string[];
  /** Domains outbound HTTP and TLS may reach; everything else is dropped (the firewall denies by default). */
  readonly allowedDomains: readonly string[];
  /**
   * Inspect outbound traffic before the allow-list: drop SSH, alert on anything off the web ports.
   * @default false
   */
  readonly inspect?: boolean;
  /** Name of the log archive bucket receiving VPC flow logs and firewall logs. */
  readonly flowLogsBucketName: string;
}

/** Session Manager works through these endpoints without any internet access. */
export const SESSION_MANAGER_ENDPOINTS = ['ssm', 'ssmmessages', 'ec2messages', 'kms', 'logs'] as const;

export class InspectedVpc extends Construct {
  readonly vpc: Vpc;
  readonly firewall: readonly CfnFirewall[];

  constructor(scope: Construct, id: string, props: InspectedVpcProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.vpc = new Vpc(this, 'Vpc', {
      vpcName: props.name,
      ipAddresses: IpAddresses.cidr(props.cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: 0,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'edge', subnetType: SubnetType.PUBLIC, cidrMask: 22, mapPublicIpOnLaunch: false },
        { name: 'firewall', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 28 },
        { name: 'app', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 19 },
        { name: 'data', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
        { name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 22 },
      ],
    });

    acknowledge(this.vpc, {
      id: 'CloudFormation-Validate::W3010',
      reason:
        'Zones come from the configuration so that subnet placement and the CIDR plan are fixed and need no lookup.',
    });

    const edge = this.subnets('edge');
    const firewallSubnets = this.subnets('firewall');
    const app = this.subnets('app');

    const policy = new CfnFirewallPolicy(this, 'Policy', {
      firewallPolicyName: props.name,
      firewallPolicy: {
        statelessDefaultActions: ['aws:forward_to_sfe'],
        statelessFragmentDefaultActions: ['aws:forward_to_sfe'],
        statefulEngineOptions: { ruleOrder: 'STRICT_ORDER' },
        // Deny by default: an established flow that no rule passes is dropped, and logged.
        statefulDefaultActions: ['aws:drop_established', 'aws:alert_established'],
        statefulRuleGroupReferences: [
          ...(props.inspect ? [{ resourceArn: this.inspection(props).attrRuleGroupArn, priority: 50 }] : []),
          { resourceArn: this.allowList(props).attrRuleGroupArn, priority: 100 },
        ],
      },
    });

    const logBucket = Bucket.fromBucketName(this, 'FlowLogsBucket', props.flowLogsBucketName);
    const firewalls: CfnFirewall[] = [];
    props.availabilityZones.forEach((zone, i) => {
      const fwSubnet = firewallSubnets[i];
      const edgeSubnet = edge[i];
      const appSubnet = app[i];
      if (!fwSubnet || !edgeSubnet || !appSubnet) throw new Error(`missing subnets in ${zone}`);
      // One firewall per zone, so its single endpoint id is known to be in that zone (EndpointIds is unordered).
      const firewall = new CfnFirewall(this, `Firewall${i}`, {
        firewallName: `${props.name}-${zone}`,
        firewallPolicyArn: policy.attrFirewallPolicyArn,
        vpcId: this.vpc.vpcId,
        subnetMappings: [{ subnetId: fwSubnet.subnetId }],
        deleteProtection: true,
        subnetChangeProtection: true,
        firewallPolicyChangeProtection: false,
      });
      new CfnLoggingConfiguration(this, `FirewallLogging${i}`, {
        firewallArn: firewall.attrFirewallArn,
        loggingConfiguration: {
          logDestinationConfigs: (['ALERT', 'FLOW'] as const).map((logType) => ({
            logType,
            logDestinationType: 'S3',
            logDestination: {
              bucketName: props.flowLogsBucketName,
              prefix: `network-firewall/${stack.account}`,
            },
          })),
        },
      });
      firewalls.push(firewall);
      const endpointId = Fn.select(1, Fn.split(':', Fn.select(0, firewall.attrEndpointIds)));

      const nat = (edgeSubnet as PublicSubnet).addNatGateway();
      new CfnRoute(this, `FirewallToNat${i}`, {
        routeTableId: fwSubnet.routeTable.routeTableId,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: nat.ref,
      });
      new CfnRoute(this, `AppToFirewall${i}`, {
        routeTableId: appSubnet.routeTable.routeTableId,
        destinationCidrBlock: '0.0.0.0/0',
        vpcEndpointId: endpointId,
      });
      new CfnRoute(this, `EdgeReturnToFirewall${i}`, {
        routeTableId: edgeSubnet.routeTable.routeTableId,
        destinationCidrBlock: appSubnet.ipv4CidrBlock,
        vpcEndpointId: endpointId,
      });
    });
    this.firewall = firewalls;

    this.vpc.addFlowLog('FlowLogs', {
      destination: FlowLogDestination.toS3(logBucket, `vpc-flow-logs/${stack.account}`),
      trafficType: FlowLogTrafficType.ALL,
    });

    // Session Manager without internet: interface endpoints in the application subnets, S3 through a gateway.
    // The VPC's CIDR is given literally (not the VPC's CidrBlock attribute) so rules can read it at synth time.
    const endpointGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'HTTPS from the VPC to the Session Manager endpoints',
      allowAllOutbound: false,
    });
    endpointGroup.addIngressRule(Peer.ipv4(props.cidr), Port.tcp(443), 'HTTPS from the VPC');
    for (const service of SESSION_MANAGER_ENDPOINTS) {
      this.vpc.addInterfaceEndpoint(`Endpoint-${service}`, {
        service: new InterfaceVpcEndpointAwsService(service),
        subnets: { subnetGroupName: 'app' },
        privateDnsEnabled: true,
        securityGroups: [endpointGroup],
        open: false,
      });
    }
    this.vpc.addGatewayEndpoint('Endpoint-s3', {
      service: GatewayVpcEndpointAwsService.S3,
      subnets: [{ subnetGroupName: 'app' }, { subnetGroupName: 'data' }, { subnetGroupName: 'isolated' }],
    });
  }

  subnets(tier: SubnetTier): readonly ISubnet[] {
    return this.vpc.selectSubnets({ subnetGroupName: tier }).subnets;
  }

  private allowList(props: InspectedVpcProps): CfnRuleGroup {
    return new CfnRuleGroup(this, 'EgressAllowList', {
      ruleGroupName: `${props.name}-egress-allow-list`,
      type: 'STATEFUL',
      capacity: 100,
      ruleGroup: {
        statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
        rulesSource: {
          rulesSourceList: {
            generatedRulesType: 'ALLOWLIST',
            targetTypes: ['TLS_SNI', 'HTTP_HOST'],
            targets: [...props.allowedDomains],
          },
        },
      },
    });
  }

  private inspection(props: InspectedVpcProps): CfnRuleGroup {
    return new CfnRuleGroup(this, 'EgressInspection', {
      ruleGroupName: `${props.name}-egress-inspection`,
      type: 'STATEFUL',
      capacity: 100,
      ruleGroup: {
        statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
        rulesSource: {
          rulesString: [
            'drop tcp $HOME_NET any -> $EXTERNAL_NET 22 (msg:"outbound SSH"; flow:to_server; sid:1000001; rev:1;)',
            'alert tcp $HOME_NET any -> $EXTERNAL_NET ![80,443] (msg:"egress off the web ports"; flow:to_server; sid:1000002; rev:1;)',
          ].join('\n'),
        },
      },
    });
  }
}
