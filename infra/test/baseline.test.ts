import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { BASELINE_ROLE_NAMES } from '../lib/config/names.ts';
import { MAX_TEMPLATE_BODY_BYTES } from '../lib/stacks/baseline-stack-set-stack.ts';
import { synthesize } from './support/synth.ts';

const synth = synthesize({ only: ['Organization', 'Baseline'] });
const json = synth.json('Baseline');
const stackSet = Object.values(json.Resources).find((r) => r.Type === 'AWS::CloudFormation::StackSet');
assert.ok(stackSet);
const body: string = stackSet.Properties.TemplateBody;
const baseline = Template.fromJSON(JSON.parse(body));

describe('account baseline', () => {
  it('is a service-managed StackSet that deploys automatically to every OU but suspended, in both regions', () => {
    synth.template('Baseline').hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: Match.anyValue() },
          Regions: bourseConfig.regions.map((r) => r.name),
        },
      ],
    });
    const ous = stackSet.Properties.StackInstancesGroup[0].DeploymentTargets.OrganizationalUnitIds;
    assert.equal(ous.length, bourseConfig.domains.length + 3);
  });

  it('fits the inline template limit and needs no bootstrap or assets', () => {
    assert.ok(Buffer.byteLength(body) <= MAX_TEMPLATE_BODY_BYTES);
    assert.doesNotMatch(body, /BootstrapVersion|cdk-hnb659fds-assets|S3Bucket"/);
  });

  it('creates the CI/CD deployment role, trusted only by the CI role of the shared services account', () => {
    baseline.hasResourceProperties('AWS::IAM::Role', {
      RoleName: BASELINE_ROLE_NAMES.deployment,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: {
              ArnEquals: {
                'aws:PrincipalArn': `arn:aws:iam::${bourseConfig.sharedAccounts.sharedServices.id}:role/bourse-ci`,
              },
            },
          }),
        ],
      },
    });
    baseline.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
          }),
        ],
      },
    });
  });

  it('creates a read-only audit role for the security account', () => {
    const [audit] = Object.values(
      baseline.findResources('AWS::IAM::Role', { Properties: { RoleName: BASELINE_ROLE_NAMES.audit } }),
    );
    assert.ok(audit);
    const text = JSON.stringify(audit);
    assert.match(text, /:iam::aws:policy\/ReadOnlyAccess/);
    assert.match(text, /:iam::aws:policy\/SecurityAudit/);
    assert.match(text, new RegExp(`:iam::${bourseConfig.sharedAccounts.security.id}:root`));
  });

  it('creates a break-glass role that requires MFA and lasts an hour', () => {
    baseline.hasResourceProperties('AWS::IAM::Role', {
      RoleName: BASELINE_ROLE_NAMES.breakGlass,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })],
      },
    });
  });

  it('creates a rotating KMS key usable for EBS only through EC2', () => {
    baseline.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowEbsThroughEc2',
            Condition: { StringEquals: Match.objectLike({ 'kms:ViaService': Match.anyValue() }) },
          }),
        ]),
      },
    });
  });

  it('turns on EBS encryption by default and the account-level S3 public-access block', () => {
    baseline.hasResourceProperties('Custom::BourseAccountSettings', { EbsKeyArn: Match.anyValue() });
    baseline.hasResourceProperties('AWS::Lambda::Function', {
      Code: {
        ZipFile: Match.stringLikeRegexp(
          'EnableEbsEncryptionByDefaultCommand[\\s\\S]*PutPublicAccessBlockCommand',
        ),
      },
      Runtime: 'nodejs24.x',
    });
    baseline.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: [
              'ec2:EnableEbsEncryptionByDefault',
              'ec2:ModifyEbsDefaultKmsKeyId',
              's3:PutAccountPublicAccessBlock',
            ],
          }),
        ],
      },
    });
  });

  it('sets Session Manager preferences that log sessions to the log archive, encrypted', () => {
    baseline.hasResourceProperties('AWS::SSM::Document', {
      Name: 'SSM-SessionManagerRunShell',
      DocumentType: 'Session',
      Content: Match.objectLike({
        inputs: Match.objectLike({
          s3BucketName: `bourse-session-logs-${bourseConfig.sharedAccounts.logArchive.id}-eu-west-1`,
          s3EncryptionEnabled: true,
          kmsKeyId: Match.anyValue(),
        }),
      }),
    });
  });

  it('records configuration for the organization Config rules, global resources in the home region', () => {
    baseline.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: {
        AllSupported: true,
        IncludeGlobalResourceTypes: { 'Fn::If': ['IsHomeRegion', true, false] },
      },
    });
    baseline.hasResourceProperties('AWS::Config::DeliveryChannel', {
      S3BucketName: `bourse-config-${bourseConfig.sharedAccounts.logArchive.id}-eu-west-1`,
    });
  });

  it('leaves no cdk-nag or policy finding unacknowledged, in the StackSet stack or the baseline itself', () => {
    // The baseline is synthesized in an app of its own with the same plugins; a finding there fails this file.
    assert.deepEqual(synth.violations, []);
  });
});
