/**
 * The baseline every member account receives through a service-managed StackSet: the CI/CD deployment role, a
 * read-only audit role and a break-glass role; a KMS key; EBS encryption by default; the account-level S3
 * public-access block; Session Manager preferences with session logs to the log archive; and the AWS Config
 * recorder that the organization's Config rules evaluate. It is synthesized as its own template (no assets, no
 * bootstrap) and embedded in the StackSet by BaselineStackSetStack.
 */
import {
  BootstraplessSynthesizer,
  CfnCondition,
  CfnResource,
  Duration,
  Fn,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { CfnConfigurationRecorder, CfnDeliveryChannel } from 'aws-cdk-lib/aws-config';
import {
  AccountPrincipal,
  AnyPrincipal,
  ManagedPolicy,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import type { Construct, IConstruct } from 'constructs';
import type { LandingZone } from '../config/landing-zone.ts';
import { BASELINE_ROLE_NAMES, ciRoleArn, logBucketName } from '../config/names.ts';
import { AccountSettings } from '../constructs/account-settings.ts';
import { acknowledge } from '../constructs/nag.ts';

export interface AccountBaselineStackProps extends StackProps {
  readonly zone: LandingZone;
}

export class AccountBaselineStack extends Stack {
  constructor(scope: Construct, id: string, props: AccountBaselineStackProps) {
    super(scope, id, { ...props, synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false });
    const { zone } = props;
    const { config } = zone;
    const shared = config.sharedAccounts;

    const key = new Key(this, 'BaselineKey', {
      alias: `${config.prefix}/baseline`,
      description: 'Default key for EBS volumes and Session Manager sessions in this account',
      enableKeyRotation: true,
    });
    // The pattern of AWS's own aws/ebs key: any principal of this account, but only through EC2.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowEbsThroughEc2',
        principals: [new AnyPrincipal()],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:CreateGrant',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:CallerAccount': this.account,
            'kms:ViaService': `ec2.${this.region}.amazonaws.com`,
          },
        },
      }),
    );

    new AccountSettings(this, 'AccountSettings', { ebsKey: key });

    // The StackSet deploys this template in every region, but IAM names are global: resources with a fixed IAM
    // name (and everything attached to them) exist once, in the home region.
    const isHomeRegion = new CfnCondition(this, 'IsHomeRegion', {
      expression: Fn.conditionEquals(this.region, zone.homeRegion),
    });
    const homeRegionOnly = (...scopes: IConstruct[]) => {
      for (const scope of scopes) {
        for (const c of scope.node.findAll())
          if (c instanceof CfnResource) c.cfnOptions.condition = isHomeRegion;
      }
    };

    // Roles. Trust goes to accounts with a condition on the calling role, because a trust policy naming a role
    // that does not exist yet would fail to deploy.
    const deployment = new Role(this, 'DeploymentRole', {
      roleName: BASELINE_ROLE_NAMES.deployment,
      description: 'Assumed by CI/CD in the shared services account; deploys through the CDK bootstrap roles',
      assumedBy: new AccountPrincipal(shared.sharedServices.id).withConditions({
        ArnEquals: { 'aws:PrincipalArn': ciRoleArn(zone) },
      }),
      maxSessionDuration: Duration.hours(1),
    });
    deployment.addToPolicy(
      new PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: [`arn:aws:iam::${this.account}:role/cdk-hnb659fds-*`],
      }),
    );
    acknowledge(deployment, {
      id: `AwsSolutions-IAM5[Resource::arn:aws:iam::<AWS::AccountId>:role/cdk-hnb659fds-*]`,
      reason:
        'The CDK bootstrap roles of this account share the hnb659fds qualifier; their suffix is per region.',
    });

    const audit = new Role(this, 'AuditRole', {
      roleName: BASELINE_ROLE_NAMES.audit,
      description: 'Read-only audit access for the security account',
      assumedBy: new AccountPrincipal(shared.security.id),
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('SecurityAudit'),
        ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'),
      ],
      maxSessionDuration: Duration.hours(4),
    });
    acknowledge(
      audit,
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/SecurityAudit]',
        reason: 'AWS maintains SecurityAudit as services change; auditors need exactly its coverage.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
        reason: 'AWS maintains ReadOnlyAccess as services change; the audit role is read-only by definition.',
      },
    );

    const breakGlass = new Role(this, 'BreakGlassRole', {
      roleName: BASELINE_ROLE_NAMES.breakGlass,
      description:
        'Emergency administrator access from the management account, MFA required; every use alerts',
      assumedBy: new AccountPrincipal(shared.management.id).withConditions({
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      }),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
      maxSessionDuration: Duration.hours(1),
    });
    acknowledge(breakGlass, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess]',
      reason:
        'Break-glass access is full administrator access by design, behind MFA and for one hour at most.',
    });

    // Session Manager preferences: sessions encrypted with the baseline key, logged to the log archive.
    new CfnDocument(this, 'SessionManagerPreferences', {
      name: 'SSM-SessionManagerRunShell',
      documentType: 'Session',
      documentFormat: 'JSON',
      updateMethod: 'NewVersion',
      content: {
        schemaVersion: '1.0',
        description: 'Bourse Session Manager preferences',
        sessionType: 'Standard_Stream',
        inputs: {
          s3BucketName: logBucketName(zone, 'session-logs'),
          s3KeyPrefix: this.account,
          s3EncryptionEnabled: true,
          cloudWatchLogGroupName: '',
          cloudWatchEncryptionEnabled: true,
          kmsKeyId: key.keyId,
          runAsEnabled: false,
          idleSessionTimeout: '20',
          maxSessionDuration: '120',
          shellProfile: { linux: 'exec /bin/bash -l', windows: '' },
        },
      },
    });

    homeRegionOnly(deployment, audit, breakGlass);

    // AWS Config recorder and delivery channel: the organization's Config rules evaluate what this records.
    const recorderRole = new Role(this, 'ConfigRecorderRole', {
      assumedBy: new ServicePrincipal('config.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
    });
    acknowledge(recorderRole, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]',
      reason:
        'AWS_ConfigRole is the policy AWS maintains for the recorder to describe every supported resource type.',
    });
    const recorder = new CfnConfigurationRecorder(this, 'ConfigRecorder', {
      name: 'default',
      roleArn: recorderRole.roleArn,
      recordingGroup: {
        allSupported: true,
        // Global resources (IAM) are recorded once, in the home region.
        includeGlobalResourceTypes: Fn.conditionIf(isHomeRegion.logicalId, true, false) as unknown as boolean,
      },
    });
    const channel = new CfnDeliveryChannel(this, 'ConfigDeliveryChannel', {
      name: 'default',
      s3BucketName: logBucketName(zone, 'config'),
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    channel.node.addDependency(recorder);
  }
}
