/**
 * Compute for one environment and region in the exchange account: an ECS cluster on EC2 (Container Insights,
 * Service Connect namespace) with two capacity providers built from hardened launch templates. `latency` runs in
 * a cluster placement group in the first zone (engine, gateway); `general` spreads across the three zones.
 */
import { type IVpc, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { Cluster, ContainerInsights } from 'aws-cdk-lib/aws-ecs';
import { HttpNamespace } from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import { AlertTopic } from '../constructs/alert-topic.ts';
import { PlatformStack, type PlatformStackProps, sharedVpc } from './environment.ts';
import { HardenedCapacity } from './hardened-capacity.ts';

export interface ComputeStackProps extends PlatformStackProps {
  /**
   * Runs as a warm standby: the minimum of each capacity is one instance per zone used.
   * @default false
   */
  readonly standby?: boolean;
}

export class ComputeStack extends PlatformStack {
  readonly vpc: IVpc;
  readonly cluster: Cluster;
  readonly namespace: HttpNamespace;
  readonly latency: HardenedCapacity;
  readonly general: HardenedCapacity;
  readonly alarms: AlertTopic;
  /**
   * Carried by every Bourse task. Data stores and services admit this group rather than the shared VPC's ranges,
   * which other domains' accounts use too.
   */
  readonly workloads: SecurityGroup;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const env = props.platformEnv;
    const sizing = env.settings.sizing;
    this.vpc = sharedVpc(this, env, this.region);
    this.alarms = new AlertTopic(this, 'Alarms', {
      topicName: `${env.name}-platform-alarms`,
      email: env.settings.alarmEmail,
      publishers: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'],
    });

    this.workloads = new SecurityGroup(this, 'Workloads', {
      vpc: this.vpc,
      description: `Bourse tasks of ${env.name}: admitted by the data stores and by each other`,
      // A task's outbound traffic is what its own service group declares; this shared group adds none.
      allowAllOutbound: false,
    });
    this.namespace = new HttpNamespace(this, 'Namespace', {
      name: `${env.name}.bourse.internal`,
      description: 'Service Connect names of Bourse services',
    });
    this.cluster = new Cluster(this, 'Cluster', {
      clusterName: env.name,
      vpc: this.vpc,
      containerInsightsV2: ContainerInsights.ENHANCED,
      enableFargateCapacityProviders: false,
    });
    this.cluster.addExistingDefaultCloudMapNamespace({ namespace: this.namespace });

    const app = this.vpc.selectSubnets({ subnetGroupName: 'app' }).subnets;
    const first = app[0];
    if (!first) throw new Error('the shared VPC has no app subnet');
    this.latency = new HardenedCapacity(this, 'Latency', {
      cluster: this.cluster,
      vpc: this.vpc,
      name: `${env.name}-latency`,
      instanceType: sizing.latencyInstanceType,
      placement: 'cluster',
      subnets: [first],
      minInstances: props.standby ? 1 : sizing.latencyInstances,
      maxInstances: sizing.latencyInstances,
      notificationTopic: this.alarms.topic,
    });
    this.general = new HardenedCapacity(this, 'General', {
      cluster: this.cluster,
      vpc: this.vpc,
      name: `${env.name}-general`,
      instanceType: sizing.generalInstanceType,
      placement: 'spread',
      subnets: app,
      minInstances: props.standby ? app.length : sizing.generalMinInstances,
      maxInstances: sizing.generalMaxInstances,
      notificationTopic: this.alarms.topic,
    });
  }
}
