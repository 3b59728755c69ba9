/**
 * The SCPs proven offline: each request is evaluated with @cloud-copilot/iam-simulate against the SCPs that the
 * synthesized organization template attaches to the trading OU, exactly as AWS Organizations would receive them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { ACCOUNT, decide, type NamedPolicy, type SimulatedRequest } from './support/scp-simulator.ts';
import { synthesize } from './support/synth.ts';

const json = synthesize({ only: ['Organization'] }).json('Organization');

function policiesAttachedTo(ouName: string): NamedPolicy[] {
  const ou = Object.entries(json.Resources).find(
    ([, r]) => r.Type === 'AWS::Organizations::OrganizationalUnit' && r.Properties.Name === ouName,
  );
  assert.ok(ou);
  const ref = JSON.stringify({ 'Fn::GetAtt': [ou[0], 'Id'] });
  return Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::Organizations::Policy')
    .filter((r) => r.Properties.TargetIds.some((t: unknown) => JSON.stringify(t) === ref))
    .map((r) => ({ name: r.Properties.Name, policy: r.Properties.Content }));
}

const trading = policiesAttachedTo('trading');
const suspended = policiesAttachedTo('suspended');
const region = bourseConfig.regions[0]?.name ?? '';
const volume = `arn:aws:ec2:${region}:${ACCOUNT}:volume/vol-0123456789abcdef0`;
const instance = `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0123456789abcdef0`;
const bucket = 'arn:aws:s3:::bourse-trading-data';

async function expectDecision(request: SimulatedRequest, expected: string, policies = trading) {
  assert.equal(await decide(policies, request), expected, JSON.stringify(request));
}

describe('service control policies, simulated', () => {
  it('attaches the four guardrail SCPs and not FullAWSAccess to a domain OU', () => {
    assert.deepEqual(trading.map((p) => p.name).sort(), [
      'bourse-data-protection',
      'bourse-identity-and-organization',
      'bourse-regions-and-compute',
      'bourse-service-allow-list',
    ]);
  });

  it('denies CreateVolume without encryption and allows it with encryption', async () => {
    await expectDecision(
      { action: 'ec2:CreateVolume', resource: volume, context: { 'ec2:Encrypted': 'false' } },
      'ExplicitlyDenied',
    );
    await expectDecision(
      { action: 'ec2:CreateVolume', resource: volume, context: { 'ec2:Encrypted': 'true' } },
      'Allowed',
    );
  });

  it('denies RunInstances with an unencrypted volume and allows it with an encrypted one', async () => {
    await expectDecision(
      { action: 'ec2:RunInstances', resource: volume, context: { 'ec2:Encrypted': 'false' } },
      'ExplicitlyDenied',
    );
    await expectDecision(
      { action: 'ec2:RunInstances', resource: volume, context: { 'ec2:Encrypted': 'true' } },
      'Allowed',
    );
  });

  it('denies PutBucketVersioning (Suspended) to people and allows it to the CloudFormation execution role', async () => {
    await expectDecision({ action: 's3:PutBucketVersioning', resource: bucket }, 'ExplicitlyDenied');
    await expectDecision(
      {
        action: 's3:PutBucketVersioning',
        resource: bucket,
        principal: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${region}`,
      },
      'Allowed',
    );
  });

  it('denies loosening the account and bucket public-access blocks', async () => {
    await expectDecision({ action: 's3:PutAccountPublicAccessBlock' }, 'ExplicitlyDenied');
    await expectDecision({ action: 's3:PutBucketPublicAccessBlock', resource: bucket }, 'ExplicitlyDenied');
  });

  it('denies creating IAM users and access keys', async () => {
    await expectDecision(
      { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/mallory` },
      'ExplicitlyDenied',
    );
    await expectDecision(
      { action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/mallory` },
      'ExplicitlyDenied',
    );
  });

  it('denies leaving the organization', async () => {
    await expectDecision({ action: 'organizations:LeaveOrganization' }, 'ExplicitlyDenied');
  });

  it('protects CloudTrail, Config, GuardDuty and Security Hub from being switched off', async () => {
    const trail = `arn:aws:cloudtrail:${region}:${ACCOUNT}:trail/bourse-organization`;
    await expectDecision({ action: 'cloudtrail:StopLogging', resource: trail }, 'ExplicitlyDenied');
    await expectDecision(
      {
        action: 'config:StopConfigurationRecorder',
        resource: `arn:aws:config:${region}:${ACCOUNT}:configuration-recorder/default/abc123`,
      },
      'ExplicitlyDenied',
    );
    await expectDecision(
      {
        action: 'guardduty:DeleteDetector',
        resource: `arn:aws:guardduty:${region}:${ACCOUNT}:detector/12abc34d567e8fa901bc2d34e56789f0`,
      },
      'ExplicitlyDenied',
    );
    await expectDecision(
      {
        action: 'securityhub:DisableSecurityHub',
        resource: `arn:aws:securityhub:${region}:${ACCOUNT}:hub/default`,
      },
      'ExplicitlyDenied',
    );
  });

  it('denies a region outside the two and allows both configured regions', async () => {
    const queue = (r: string) => `arn:aws:sqs:${r}:${ACCOUNT}:orders`;
    await expectDecision(
      {
        action: 'sqs:SendMessage',
        resource: queue('us-east-2'),
        context: { 'aws:RequestedRegion': 'us-east-2' },
      },
      'ExplicitlyDenied',
    );
    for (const r of bourseConfig.regions) {
      await expectDecision(
        { action: 'sqs:SendMessage', resource: queue(r.name), context: { 'aws:RequestedRegion': r.name } },
        'Allowed',
      );
    }
    // Global services are exempt from the region deny.
    await expectDecision(
      {
        action: 'iam:GetRole',
        resource: `arn:aws:iam::${ACCOUNT}:role/developer`,
        context: { 'aws:RequestedRegion': 'us-east-1' },
      },
      'Allowed',
    );
  });

  it('denies burstable instance types and allows others', async () => {
    const launch = (type: string) => ({
      action: 'ec2:RunInstances',
      resource: instance,
      context: { 'ec2:InstanceType': type, 'ec2:MetadataHttpTokens': 'required' },
    });
    await expectDecision(launch('t3.large'), 'ExplicitlyDenied');
    await expectDecision(launch('t4g.micro'), 'ExplicitlyDenied');
    await expectDecision(launch('c7i.2xlarge'), 'Allowed');
    await expectDecision(launch('trn1.2xlarge'), 'Allowed');
  });

  it('requires IMDSv2 on launch', async () => {
    const launch = (tokens: string) => ({
      action: 'ec2:RunInstances',
      resource: instance,
      context: { 'ec2:InstanceType': 'c7i.large', 'ec2:MetadataHttpTokens': tokens },
    });
    await expectDecision(launch('optional'), 'ExplicitlyDenied');
    await expectDecision(launch('required'), 'Allowed');
  });

  it('denies services outside the allow-list', async () => {
    await expectDecision({ action: 'gamelift:CreateFleet' }, 'ImplicitlyDenied');
    await expectDecision(
      {
        action: 'sagemaker:CreateNotebookInstance',
        resource: `arn:aws:sagemaker:${region}:${ACCOUNT}:notebook-instance/x`,
      },
      'ImplicitlyDenied',
    );
  });

  it('allows ordinary deployment actions', async () => {
    const requests: SimulatedRequest[] = [
      {
        action: 'cloudformation:CreateStack',
        resource: `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/bourse-gateway/1`,
      },
      {
        action: 'sts:AssumeRole',
        resource: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-${region}`,
      },
      { action: 's3:PutObject', resource: `${bucket}/assets/app.zip` },
      { action: 'ecr:PutImage', resource: `arn:aws:ecr:${region}:${ACCOUNT}:repository/bourse/gateway` },
      { action: 'ecs:UpdateService', resource: `arn:aws:ecs:${region}:${ACCOUNT}:service/bourse/gateway` },
      { action: 'ec2:CreateVolume', resource: volume, context: { 'ec2:Encrypted': 'true' } },
      { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/gateway-task` },
    ];
    for (const request of requests) await expectDecision(request, 'Allowed');
  });

  it('denies everything in a suspended account', async () => {
    await expectDecision({ action: 's3:GetObject', resource: `${bucket}/x` }, 'ExplicitlyDenied', suspended);
  });
});
