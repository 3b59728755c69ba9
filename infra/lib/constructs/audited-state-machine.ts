/**
 * A Standard Step Functions state machine with Bourse's audit defaults: every state's input and output logged to
 * a KMS-encrypted log group kept for a year, X-Ray tracing, and a time-out for the whole execution.
 */
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  type IChainable,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

export interface AuditedStateMachineProps {
  readonly stateMachineName: string;
  readonly definition: IChainable;
  /** The longest an execution may run before it fails. */
  readonly timeout: Duration;
}

export class AuditedStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AuditedStateMachineProps) {
    super(scope, id);
    const key = new Key(this, 'LogKey', {
      description: `Encrypts the ${props.stateMachineName} log`,
      enableKeyRotation: true,
    });
    key.grantEncryptDecrypt(new ServicePrincipal('logs.amazonaws.com'));
    this.logGroup = new LogGroup(this, 'Log', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      encryptionKey: key,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(props.definition),
      timeout: props.timeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });
    acknowledge(this.stateMachine, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions needs logs:*Delivery and X-Ray actions, which support no resource-level permissions.',
    });
  }
}
