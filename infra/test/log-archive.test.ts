import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { synthesize } from './support/synth.ts';

const synth = synthesize({ only: ['Organization', 'LogArchive'] });
const template = synth.template('LogArchive');
const json = synth.json('LogArchive');
const logArchiveId = bourseConfig.sharedAccounts.logArchive.id;

describe('log archive stack', () => {
  it('deploys to the log archive account in the home region', () => {
    const artifact = synth.artifact('LogArchive');
    assert.equal(artifact.environment.account, logArchiveId);
    assert.equal(artifact.environment.region, bourseConfig.regions[0]?.name);
  });

  it('runs an organization CloudTrail over all regions with log file validation and KMS', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: Match.anyValue(),
      SnsTopicName: Match.anyValue(),
      IsLogging: true,
    });
  });

  it('keeps the trail in a versioned, object-locked, KMS-encrypted bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `bourse-cloudtrail-${logArchiveId}-eu-west-1`,
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
    });
  });

  it('versions and blocks public access on every bucket, and retains them', () => {
    const buckets = Object.values(json.Resources).filter((r) => r.Type === 'AWS::S3::Bucket');
    assert.equal(buckets.length, 5);
    template.allResources('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('accepts VPC flow logs, Session Manager logs and Config snapshots from the organization only', () => {
    const policies = JSON.stringify(
      Object.values(json.Resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy'),
    );
    assert.match(policies, /AWSLogDeliveryWrite/);
    assert.match(policies, /AllowSessionLogsFromTheOrganization/);
    assert.match(policies, /AWSConfigBucketDelivery/);
    assert.ok((policies.match(new RegExp(bourseConfig.organizationId, 'g')) ?? []).length >= 5);
  });

  it('announces new log objects on an encrypted SNS topic the SIEM may subscribe to', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowSiemToSubscribe', Action: 'sns:Subscribe' }),
          Match.objectLike({ Sid: 'AllowS3EventNotifications', Action: 'sns:Publish' }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.stringLikeRegexp('flow-logs'),
      NotificationConfiguration: { TopicConfigurations: [Match.objectLike({ Event: 's3:ObjectCreated:*' })] },
    });
  });

  it('gives the SIEM a read-only role behind an external id', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'bourse-siem-log-reader',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: { StringEquals: { 'sts:ExternalId': bourseConfig.siem.externalId } },
            Principal: { AWS: Match.stringLikeRegexp(bourseConfig.siem.accountId) },
          }),
        ],
      },
    });
    const [policy] = Object.values(json.Resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes('SiemReader'),
    );
    assert.ok(policy);
    const actions = policy.Properties.PolicyDocument.Statement.flatMap(
      (s: { Action: string | string[] }) => s.Action,
    );
    for (const action of actions) assert.match(action, /^(s3:(Get|List)|kms:Decrypt)/);
  });

  it('rotates the logs key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('leaves no cdk-nag or policy finding unacknowledged', () => {
    assert.deepEqual(synth.violations, []);
  });
});
