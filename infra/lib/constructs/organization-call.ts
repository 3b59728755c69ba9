/**
 * One AWS API call made by CloudFormation on create (and its inverse on delete), for the organization settings
 * that have no CloudFormation resource: trusted service access, delegated administrators, SCP detachment.
 */
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, type AwsSdkCall, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

export interface OrganizationCallProps {
  readonly onCreate: AwsSdkCall;
  /** @default - nothing is called on delete; the setting stays as it is */
  readonly onDelete?: AwsSdkCall;
  /** IAM actions the calls need, for example `organizations:EnableAWSServiceAccess`. */
  readonly actions: readonly string[];
  /** Error codes that mean the call's effect is already in place and may be ignored. */
  readonly ignoreErrorCodesMatching?: string;
}

export class OrganizationCall extends Construct {
  constructor(scope: Construct, id: string, props: OrganizationCallProps) {
    super(scope, id);
    const physicalResourceId = PhysicalResourceId.of(`${Stack.of(this).stackName}-${this.node.addr}`);
    const resource = new AwsCustomResource(this, 'Call', {
      onCreate: {
        ...props.onCreate,
        physicalResourceId,
        ignoreErrorCodesMatching: props.ignoreErrorCodesMatching ?? props.onCreate.ignoreErrorCodesMatching,
      },
      ...(props.onDelete ? { onDelete: { ...props.onDelete, physicalResourceId } } : {}),
      policy: {
        statements: [new PolicyStatement({ actions: [...props.actions], resources: ['*'] })],
      },
      installLatestAwsSdk: false,
    });
    acknowledge(resource, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Organizations, delegated-admin and service-enablement APIs accept no resource-level permissions.',
    });
  }
}
