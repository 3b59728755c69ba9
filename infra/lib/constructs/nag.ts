/**
 * Acknowledging cdk-nag findings. cdk-nag 3 runs as a CDK validation plugin and reads acknowledgements through
 * `Validations.of(scope).acknowledge`; this wrapper only insists that every acknowledgement carries a reason.
 */
import { type Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface Acknowledgement {
  /** Rule id, optionally with a finding, for example `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  /** Why the finding is acceptable here; shown in the validation report. */
  readonly reason: string;
}

export function acknowledge(scope: IConstruct, ...acks: readonly Acknowledgement[]): void {
  for (const ack of acks) {
    if (ack.reason.trim().length < 20) throw new Error(`acknowledgement of ${ack.id} needs a real reason`);
    Validations.of(scope).acknowledge({ id: ack.id, reason: ack.reason });
  }
}

export const LAMBDA_BASIC_EXECUTION =
  'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

/** The Lambda function CDK shares between every AwsCustomResource of a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * Acknowledges what cdk-nag finds on the singleton provider behind `AwsCustomResource`: its code, runtime and basic
 * execution policy are owned by aws-cdk-lib, not by us. Call after the last AwsCustomResource of the stack.
 */
export function acknowledgeAwsCustomResourceProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
  if (!provider) return;
  acknowledge(
    provider,
    {
      id: `AwsSolutions-IAM4[Policy::${LAMBDA_BASIC_EXECUTION}]`,
      reason: 'The AwsCustomResource provider from aws-cdk-lib logs through AWSLambdaBasicExecutionRole.',
    },
    {
      id: 'AwsSolutions-L1',
      reason: 'The AwsCustomResource provider runtime is pinned by aws-cdk-lib and upgraded with it.',
    },
  );
}
