/**
 * GitHub Actions' way into one deploy target account: the GitHub OIDC provider, and a role that only this
 * repository's workflows, running in the named GitHub environment, can assume. In an environment's exchange
 * account the role may only assume the CDK bootstrap roles (CloudFormation then deploys with its own role); in
 * the shared services account, the `build` role may only push Bourse's images. Exchange accounts also get the
 * role Image Builder uses to write the hardened AMI id into their SSM parameter.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccountPrincipal,
  ManagedPolicy,
  OidcProviderNative,
  PolicyStatement,
  Role,
  WebIdentityPrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledge } from '../constructs/nag.ts';
import { IMAGE_NAMES, repositoryName } from './images.ts';
import { managedPolicyFinding, resourceFinding } from './nag-ids.ts';

export const GITHUB_ISSUER = 'token.actions.githubusercontent.com';

export interface CicdStackProps extends StackProps {
  readonly prefix: string;
  /** `owner/name` of the repository whose workflows may assume the role. */
  readonly githubRepository: string;
  /** GitHub environment the workflow job must run in: `dev`, `staging`, `prod`, or `build` for images. */
  readonly githubEnvironment: string;
  /** `deploy` assumes the CDK bootstrap roles; `images` pushes to Bourse's ECR repositories. */
  readonly purpose: 'deploy' | 'images';
  /**
   * Account running the Image Builder distribution, trusted to write the AMI parameter here.
   * @default - no distribution role
   */
  readonly imageBuilderAccount?: string;
}

export class CicdStack extends Stack {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: CicdStackProps) {
    super(scope, id, props);
    const provider = new OidcProviderNative(this, 'GitHub', {
      url: `https://${GITHUB_ISSUER}`,
      clientIds: ['sts.amazonaws.com'],
    });
    this.role = new Role(this, 'Role', {
      roleName: `${props.prefix}-github-${props.purpose}-${props.githubEnvironment}`,
      description: `GitHub Actions of ${props.githubRepository}, environment ${props.githubEnvironment} only`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_ISSUER}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_ISSUER}:sub`]: `repo:${props.githubRepository}:environment:${props.githubEnvironment}`,
        },
      }),
    });
    if (props.purpose === 'deploy') {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'AssumeCdkBootstrapRoles',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${this.partition}:iam::${this.account}:role/cdk-hnb659fds-*`],
        }),
      );
      acknowledge(this.role, {
        id: resourceFinding(`arn:${this.partition}:iam::${this.account}:role/cdk-hnb659fds-*`),
        reason:
          'The CDK bootstrap roles of this account (deploy, file and image publishing, lookup) share this prefix per region.',
      });
    } else {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'PushImages',
          actions: [
            'ecr:BatchCheckLayerAvailability',
            'ecr:InitiateLayerUpload',
            'ecr:UploadLayerPart',
            'ecr:CompleteLayerUpload',
            'ecr:PutImage',
            'ecr:BatchGetImage',
            'ecr:DescribeImageScanFindings',
            'ecr:DescribeImages',
          ],
          resources: IMAGE_NAMES.map(
            (image) =>
              `arn:${this.partition}:ecr:${this.region}:${this.account}:repository/${repositoryName(image)}`,
          ),
        }),
      );
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'RegistryLogin',
          actions: ['ecr:GetAuthorizationToken'],
          resources: ['*'],
        }),
      );
      acknowledge(this.role, {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken has no resource type; pushing is limited to the bourse/* repositories.',
      });
    }
    if (props.imageBuilderAccount) {
      const distribution = new Role(this, 'ImageBuilderDistribution', {
        roleName: 'EC2ImageBuilderDistributionCrossAccountRole',
        description: 'Lets Image Builder in the shared services account write the hardened AMI id here',
        assumedBy: new AccountPrincipal(props.imageBuilderAccount),
        managedPolicies: [
          ManagedPolicy.fromAwsManagedPolicyName('Ec2ImageBuilderCrossAccountDistributionAccess'),
        ],
      });
      acknowledge(distribution, {
        id: managedPolicyFinding('Ec2ImageBuilderCrossAccountDistributionAccess'),
        reason:
          'Image Builder requires this AWS-managed policy under this exact role name for cross-account distribution.',
      });
    }
  }
}
