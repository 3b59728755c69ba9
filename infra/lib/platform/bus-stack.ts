/** The message bus of one environment in the home region: Bourse's Kafka on MSK, with its topics. */
import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { acknowledgeAwsCustomResourceProvider } from '../constructs/nag.ts';
import { PlatformStack, type PlatformStackProps, sharedVpc } from './environment.ts';
import { KafkaBus } from './kafka-bus.ts';

export interface BusStackProps extends PlatformStackProps {
  /** The security group every Bourse task carries (from the compute stack). */
  readonly workloads: ISecurityGroup;
}

export class BusStack extends PlatformStack {
  readonly bus: KafkaBus;

  constructor(scope: Construct, id: string, props: BusStackProps) {
    super(scope, id, props);
    const env = props.platformEnv;
    const vpc = sharedVpc(this, env, this.region);
    this.bus = new KafkaBus(this, 'Bus', {
      clusterName: `${env.name}-bus`,
      vpc,
      clients: props.workloads,
      brokerType: env.settings.sizing.kafkaBrokerType,
      brokerStorageGiB: env.settings.sizing.kafkaBrokerStorageGiB,
    });
    acknowledgeAwsCustomResourceProvider(this);
  }
}
