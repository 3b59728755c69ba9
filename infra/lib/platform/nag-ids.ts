/**
 * cdk-nag 3 matches an acknowledgement by the exact finding id, which for IAM findings embeds the policy or
 * resource as cdk-nag renders it. These build those ids, so acknowledgements stay exact rather than blanket.
 */
import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/<name>]` */
export function managedPolicyFinding(name: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
}

/** `<LogicalId.Arn>` as cdk-nag renders `Fn::GetAtt` of a construct's default resource. */
export function arnOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement;
  return `<${Stack.of(construct).getLogicalId(resource)}.Arn>`;
}

export function resourceFinding(resource: string): string {
  return `AwsSolutions-IAM5[Resource::${resource}]`;
}

export function actionFinding(action: string): string {
  return `AwsSolutions-IAM5[Action::${action}]`;
}
