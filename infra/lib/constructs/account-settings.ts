/**
 * Account-wide settings that CloudFormation has no resource for: EBS encryption by default (with the baseline key)
 * and the account-level S3 public-access block. A small Lambda-backed custom resource with inline code applies them,
 * because a StackSet template cannot carry file assets. Deleting the resource leaves the settings on.
 */
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledge, LAMBDA_BASIC_EXECUTION } from './nag.ts';

export interface AccountSettingsProps {
  /** Key that EBS uses by default for new volumes. */
  readonly ebsKey: IKey;
}

/** Runs in the Lambda runtime (Node.js 24, AWS SDK v3 included); answers CloudFormation by the pre-signed URL. */
export const ACCOUNT_SETTINGS_HANDLER = `
const { EC2Client, EnableEbsEncryptionByDefaultCommand, ModifyEbsDefaultKmsKeyIdCommand } = require('@aws-sdk/client-ec2');
const { S3ControlClient, PutPublicAccessBlockCommand } = require('@aws-sdk/client-s3-control');
exports.handler = async (event, context) => {
  const props = event.ResourceProperties;
  let status = 'SUCCESS';
  let reason = 'applied';
  try {
    if (event.RequestType !== 'Delete') {
      const ec2 = new EC2Client({});
      await ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
      await ec2.send(new ModifyEbsDefaultKmsKeyIdCommand({ KmsKeyId: props.EbsKeyArn }));
      await new S3ControlClient({}).send(new PutPublicAccessBlockCommand({
        AccountId: props.AccountId,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true,
        },
      }));
    }
  } catch (error) {
    status = 'FAILED';
    reason = String(error);
  }
  await fetch(event.ResponseURL, {
    method: 'PUT',
    body: JSON.stringify({
      Status: status, Reason: reason + ' (log stream ' + context.logStreamName + ')',
      PhysicalResourceId: 'account-settings-' + props.AccountId,
      StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
    }),
  });
};
`;

export class AccountSettings extends Construct {
  constructor(scope: Construct, id: string, props: AccountSettingsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const handler = new LambdaFunction(this, 'Handler', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline(ACCOUNT_SETTINGS_HANDLER),
      timeout: Duration.minutes(2),
      description: 'Turns on EBS encryption by default and the account-level S3 public-access block',
    });
    handler.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'ec2:EnableEbsEncryptionByDefault',
          'ec2:ModifyEbsDefaultKmsKeyId',
          's3:PutAccountPublicAccessBlock',
        ],
        resources: ['*'],
      }),
    );
    new CustomResource(this, 'Resource', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::BourseAccountSettings',
      properties: { EbsKeyArn: props.ebsKey.keyArn, AccountId: stack.account },
    });
    acknowledge(
      handler,
      {
        id: `AwsSolutions-IAM4[Policy::${LAMBDA_BASIC_EXECUTION}]`,
        reason:
          'The settings function only needs to write its own logs, which is what the basic execution role allows.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'EBS default encryption and the account public-access block are account-level APIs without resources.',
      },
    );
  }
}
