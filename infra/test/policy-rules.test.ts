/**
 * Bourse's policy-as-code rules (lib/policies/guard) evaluated by the CloudFormation Guard engine that aws-cdk-lib
 * bundles. One fixture app holds a compliant and a violating resource for each rule; it is synthesized once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { App, Stack, Validations } from 'aws-cdk-lib';
import {
  CfnEIP,
  CfnInstance,
  CfnLaunchTemplate,
  CfnSecurityGroup,
  CfnSecurityGroupIngress,
  CfnSubnet,
  CfnVolume,
} from 'aws-cdk-lib/aws-ec2';
import { CfnAccessKey, CfnUser } from 'aws-cdk-lib/aws-iam';
import { CfnDBInstance } from 'aws-cdk-lib/aws-rds';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { CfnTopic } from 'aws-cdk-lib/aws-sns';
import { APP_CONTEXT } from '../lib/checks.ts';
import { guardRules, policyRulesPlugin } from '../lib/policies/policy-rules.ts';

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { cloudFormationResource?: { logicalId: string } }[];
}

function synthesizeFixtures(): Violation[] {
  const outdir = mkdtempSync(join(tmpdir(), 'bourse-rules-'));
  process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir, context: APP_CONTEXT });
  const s = new Stack(app, 'Fixtures', { env: { account: '111111111111', region: 'eu-west-1' } });
  const encrypted = {
    serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }],
  };
  // Buckets.
  new CfnBucket(s, 'GoodBucket', {
    bucketEncryption: encrypted,
    versioningConfiguration: { status: 'Enabled' },
  });
  new CfnBucket(s, 'UnversionedBucket', {
    bucketEncryption: encrypted,
    versioningConfiguration: { status: 'Suspended' },
  });
  new CfnBucket(s, 'UnencryptedBucket', { versioningConfiguration: { status: 'Enabled' } });
  // Instances and launch templates.
  const ami = 'ami-0123456789abcdef0';
  new CfnInstance(s, 'GoodInstance', { instanceType: 'c7i.large', imageId: ami });
  new CfnInstance(s, 'BurstableInstance', { instanceType: 't3.large', imageId: ami });
  new CfnInstance(s, 'PublicInstance', {
    instanceType: 'm7i.large',
    imageId: ami,
    networkInterfaces: [{ deviceIndex: '0', associatePublicIpAddress: true }],
  });
  new CfnLaunchTemplate(s, 'GoodLaunchTemplate', {
    launchTemplateData: {
      instanceType: 'c7g.xlarge',
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true } }],
    },
  });
  new CfnLaunchTemplate(s, 'BurstableLaunchTemplate', { launchTemplateData: { instanceType: 't4g.micro' } });
  new CfnLaunchTemplate(s, 'UnencryptedLaunchTemplate', {
    launchTemplateData: { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: false } }] },
  });
  new CfnDBInstance(s, 'BurstableDatabase', {
    dbInstanceClass: 'db.t3.medium',
    engine: 'mysql',
    storageEncrypted: true,
    allocatedStorage: '20',
  });
  // Volumes and topics.
  new CfnVolume(s, 'GoodVolume', { availabilityZone: 'eu-west-1a', size: 10, encrypted: true });
  new CfnVolume(s, 'UnencryptedVolume', { availabilityZone: 'eu-west-1a', size: 10 });
  new CfnTopic(s, 'UnencryptedTopic', {});
  new CfnTopic(s, 'GoodTopic', { kmsMasterKeyId: 'alias/aws/sns' });
  // IAM users.
  const user = new CfnUser(s, 'User', {});
  new CfnAccessKey(s, 'AccessKey', { userName: user.ref });
  // Security groups.
  const vpcId = 'vpc-0123456789abcdef0';
  new CfnSecurityGroup(s, 'HttpsGroup', {
    groupDescription: 'https',
    vpcId,
    securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '10.0.0.0/8' }],
  });
  new CfnSecurityGroup(s, 'SshRangeGroup', {
    groupDescription: 'ssh in a range',
    vpcId,
    securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 20, toPort: 25, cidrIp: '10.0.0.0/8' }],
  });
  new CfnSecurityGroup(s, 'AllTrafficGroup', {
    groupDescription: 'everything',
    vpcId,
    securityGroupIngress: [{ ipProtocol: '-1', cidrIp: '10.0.0.0/8' }],
  });
  new CfnSecurityGroupIngress(s, 'SshIngress', {
    groupId: 'sg-0123456789abcdef0',
    ipProtocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    cidrIp: '10.0.0.0/8',
  });
  // Subnets and addresses.
  const tag = (value: string) => [{ key: 'aws-cdk:subnet-name', value }];
  new CfnSubnet(s, 'EdgeSubnet', {
    vpcId,
    cidrBlock: '10.0.0.0/24',
    mapPublicIpOnLaunch: true,
    tags: tag('edge'),
  });
  new CfnSubnet(s, 'PublicAppSubnet', {
    vpcId,
    cidrBlock: '10.0.1.0/24',
    mapPublicIpOnLaunch: true,
    tags: tag('app'),
  });
  new CfnSubnet(s, 'PrivateAppSubnet', {
    vpcId,
    cidrBlock: '10.0.2.0/24',
    mapPublicIpOnLaunch: false,
    tags: tag('app'),
  });
  new CfnEIP(s, 'NatAddress', { domain: 'vpc' });
  new CfnEIP(s, 'InstanceAddress', { instanceId: 'i-0123456789abcdef0' });
  Validations.of(app).addPlugins(policyRulesPlugin());
  try {
    app.synth();
  } catch {
    // Expected: the fixtures violate the rules. The report is read below.
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: Violation[] }[];
  };
  return report.pluginReports
    .filter((p) => p.pluginName === 'CloudFormation Validate')
    .flatMap((p) => p.violations);
}

const violations = synthesizeFixtures();

function flagged(rule: string): string[] {
  return violations
    .filter((v) => v.ruleName === rule)
    .flatMap((v) => v.violatingConstructs.map((c) => c.cloudFormationResource?.logicalId ?? '?'))
    .sort();
}

describe('policy-as-code rules', () => {
  it('loads every rule file', () => {
    assert.deepEqual(
      guardRules().map((r) => r.name),
      [
        'encryption-at-rest.guard',
        'no-burstable-instances.guard',
        'no-iam-users.guard',
        'no-ssh-ingress.guard',
        'public-ip-only-in-edge.guard',
        'versioned-buckets.guard',
      ],
    );
  });

  it('reports violations as errors', () => {
    for (const v of violations.filter((v) => v.ruleName.startsWith('bourse_')))
      assert.equal(v.severity, 'error');
  });

  it('fails if an instance, launch template or database uses a burstable type', () => {
    assert.deepEqual(flagged('bourse_no_burstable_ec2_instances'), ['BurstableInstance']);
    assert.deepEqual(flagged('bourse_no_burstable_launch_templates'), ['BurstableLaunchTemplate']);
    assert.deepEqual(flagged('bourse_no_burstable_databases'), ['BurstableDatabase']);
  });

  it('fails if anything is not encrypted at rest', () => {
    assert.deepEqual(flagged('bourse_encrypted_buckets'), ['UnencryptedBucket']);
    assert.deepEqual(flagged('bourse_encrypted_volumes'), ['UnencryptedVolume']);
    assert.deepEqual(flagged('bourse_encrypted_launch_template_disks'), ['UnencryptedLaunchTemplate']);
    assert.deepEqual(flagged('bourse_encrypted_topics'), ['UnencryptedTopic']);
  });

  it('fails if a bucket is not versioned', () => {
    assert.deepEqual(flagged('bourse_versioned_buckets'), ['UnversionedBucket']);
  });

  it('fails if a template creates an IAM user or access key', () => {
    assert.deepEqual(flagged('bourse_no_iam_users'), ['AccessKey', 'User']);
  });

  it('fails if a security group admits port 22, directly, in a range or through all protocols', () => {
    assert.deepEqual(flagged('bourse_no_ssh_in_security_groups'), ['AllTrafficGroup', 'SshRangeGroup']);
    assert.deepEqual(flagged('bourse_no_ssh_ingress_rules'), ['SshIngress']);
  });

  it('fails if a public address appears outside the edge subnets', () => {
    assert.deepEqual(flagged('bourse_public_ip_subnets_are_edge'), ['PublicAppSubnet']);
    assert.deepEqual(flagged('bourse_no_public_ip_instances'), ['PublicInstance']);
    assert.deepEqual(flagged('bourse_no_instance_elastic_ips'), ['InstanceAddress']);
  });
});
