/**
 * ECS capacity on EC2 with Bourse's host defaults: a launch template with the hardened AMI from Image Builder
 * (resolved from SSM at deploy time), IMDSv2 only with a hop limit of 1 (tasks use their task role, never the
 * host's), an encrypted gp3 root volume, detailed monitoring, no inbound rule, Session Manager instead of SSH, and
 * a placement group: `cluster` packs instances close together for latency, `spread` puts each on distinct racks.
 */
import { Duration } from 'aws-cdk-lib';
import { AutoScalingGroup, BlockDeviceVolume, EbsDeviceVolumeType } from 'aws-cdk-lib/aws-autoscaling';
import {
  InstanceType,
  type ISubnet,
  type IVpc,
  LaunchTemplate,
  MachineImage,
  Peer,
  PlacementGroup,
  PlacementGroupSpreadLevel,
  PlacementGroupStrategy,
  Port,
  SecurityGroup,
  UserData,
} from 'aws-cdk-lib/aws-ec2';
import { AsgCapacityProvider, type Cluster, MachineImageType } from 'aws-cdk-lib/aws-ecs';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { isBurstable } from '../config/platform.ts';
import { acknowledge } from '../constructs/nag.ts';
import { actionFinding, managedPolicyFinding, resourceFinding } from './nag-ids.ts';

/** Parameter the Image Builder distribution writes the newest hardened ECS AMI id to, in every target account. */
export const HARDENED_AMI_PARAMETER = '/bourse/images/ecs-hardened/ami-id';

/** AWS allows at most this many running instances per zone in a rack-level spread placement group. */
export const SPREAD_INSTANCES_PER_ZONE = 7;

export interface HardenedCapacityProps {
  readonly cluster: Cluster;
  readonly vpc: IVpc;
  /** Name of the capacity provider, which services select; also names the launch template and the group. */
  readonly name: string;
  /** EC2 instance type; burstable families are refused. */
  readonly instanceType: string;
  /** `cluster`: one zone, instances close together (latency). `spread`: across zones, distinct racks. */
  readonly placement: 'cluster' | 'spread';
  readonly subnets: readonly ISubnet[];
  readonly minInstances: number;
  readonly maxInstances: number;
  /** Receives Auto Scaling launch and termination failures. */
  readonly notificationTopic: ITopic;
  /**
   * Size of the encrypted root volume, in GiB.
   * @default 100
   */
  readonly rootVolumeGiB?: number;
}

export class HardenedCapacity extends Construct {
  readonly capacityProvider: AsgCapacityProvider;
  readonly autoScalingGroup: AutoScalingGroup;
  readonly launchTemplate: LaunchTemplate;
  readonly placementGroup: PlacementGroup;

  constructor(scope: Construct, id: string, props: HardenedCapacityProps) {
    super(scope, id);
    if (isBurstable(props.instanceType)) {
      throw new Error(
        `capacity '${props.name}': instance type '${props.instanceType}' is burstable; use m, c or r`,
      );
    }
    if (props.placement === 'cluster' && props.subnets.length !== 1) {
      throw new Error(
        `capacity '${props.name}': a cluster placement group lives in one zone, got ${props.subnets.length} subnets`,
      );
    }
    const spreadLimit = SPREAD_INSTANCES_PER_ZONE * props.subnets.length;
    if (props.placement === 'spread' && props.maxInstances > spreadLimit) {
      throw new Error(
        `capacity '${props.name}': maxInstances ${props.maxInstances} exceeds the spread placement limit of ${spreadLimit} (${SPREAD_INSTANCES_PER_ZONE} per zone)`,
      );
    }

    this.placementGroup = new PlacementGroup(this, 'PlacementGroup', {
      placementGroupName: props.name,
      ...(props.placement === 'cluster'
        ? { strategy: PlacementGroupStrategy.CLUSTER }
        : { strategy: PlacementGroupStrategy.SPREAD, spreadLevel: PlacementGroupSpreadLevel.RACK }),
    });

    const role = new Role(this, 'InstanceRole', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      description: `ECS container instances of ${props.name}`,
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEC2ContainerServiceforEC2Role'),
        ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
      ],
    });
    for (const policy of [
      'service-role/AmazonEC2ContainerServiceforEC2Role',
      'AmazonSSMManagedInstanceCore',
    ]) {
      acknowledge(role, {
        id: managedPolicyFinding(policy),
        reason:
          'The ECS and SSM agents need exactly the AWS-maintained instance policies, which follow new agent APIs.',
      });
    }
    acknowledge(
      role,
      {
        id: actionFinding('ecs:Submit*'),
        reason:
          'The ECS agent reports task and container state changes through the ecs:Submit* family (added by ECS).',
      },
      {
        id: resourceFinding('*'),
        reason:
          'ecs:DiscoverPollEndpoint, ecr:GetAuthorizationToken and logs actions of the ECS agent have no resource type.',
      },
    );
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `ECS hosts of ${props.name}: no inbound; tasks have their own groups`,
      allowAllOutbound: false,
    });
    // The ECS agent, image pulls, Session Manager and CloudWatch: HTTPS to AWS APIs, through the firewall.
    securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs, through the firewall');

    this.launchTemplate = new LaunchTemplate(this, 'LaunchTemplate', {
      launchTemplateName: props.name,
      instanceType: new InstanceType(props.instanceType),
      machineImage: MachineImage.fromSsmParameter(HARDENED_AMI_PARAMETER, { userData: UserData.forLinux() }),
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      ebsOptimized: true,
      role,
      securityGroup,
      placementGroup: this.placementGroup,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: BlockDeviceVolume.ebs(props.rootVolumeGiB ?? 100, {
            encrypted: true,
            volumeType: EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });

    this.autoScalingGroup = new AutoScalingGroup(this, 'Group', {
      autoScalingGroupName: props.name,
      vpc: props.vpc,
      vpcSubnets: { subnets: [...props.subnets] },
      launchTemplate: this.launchTemplate,
      minCapacity: props.minInstances,
      maxCapacity: props.maxInstances,
      newInstancesProtectedFromScaleIn: true,
      defaultInstanceWarmup: Duration.minutes(2),
      notifications: [{ topic: props.notificationTopic }],
    });
    acknowledge(this.autoScalingGroup, {
      id: 'AwsSolutions-AS1',
      reason:
        'ECS container instances are replaced by ECS managed scaling; task health is checked per service.',
    });

    this.capacityProvider = new AsgCapacityProvider(this, 'CapacityProvider', {
      capacityProviderName: props.name,
      autoScalingGroup: this.autoScalingGroup,
      machineImageType: MachineImageType.AMAZON_LINUX_2,
      enableManagedScaling: true,
      enableManagedTerminationProtection: true,
      enableManagedDraining: true,
      targetCapacityPercent: 100,
    });
    props.cluster.addAsgCapacityProvider(this.capacityProvider);
  }
}
