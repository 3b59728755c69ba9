/**
 * Bourse's policy-as-code rules (lib/policies/guard) evaluated by the CloudFormation Guard engine that aws-cdk-lib
 * bundles. One fixture app holds a compliant and a violating resource for each rule; it is synthesized once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { APP_CONTEXT } from '../lib/checks.ts';
import { guardRules, policyRulesPlugin } from '../lib/policies/policy-rules.ts';

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { cloudFormationResource?: { logicalId: string } }[];
}

type Fixture = readonly [type: string, properties: Record<string, unknown>];

const ami = 'ami-0123456789abcdef0';
const vpcId = 'vpc-0123456789abcdef0';
const kms = {
  ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
};
const bucket = (versioning: string, encrypted: boolean): Fixture => [
  'AWS::S3::Bucket',
  { ...(encrypted ? { BucketEncryption: kms } : {}), VersioningConfiguration: { Status: versioning } },
];
const disk = (encrypted: boolean) => [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: encrypted } }];
const database = (type: string, encrypted: boolean): Fixture => [
  'AWS::RDS::DBInstance',
  { DBInstanceClass: type, Engine: 'mysql', AllocatedStorage: '20', StorageEncrypted: encrypted },
];
const cache = (type: string, encrypted: boolean): Fixture => [
  'AWS::ElastiCache::ReplicationGroup',
  {
    ReplicationGroupDescription: 'cache',
    CacheNodeType: type,
    Engine: 'valkey',
    NumCacheClusters: 2,
    AtRestEncryptionEnabled: encrypted,
  },
];
const kafka = (type: string): Fixture => [
  'AWS::MSK::Cluster',
  {
    ClusterName: 'bus',
    KafkaVersion: '3.7.x',
    NumberOfBrokerNodes: 3,
    BrokerNodeGroupInfo: { InstanceType: type, ClientSubnets: ['subnet-1', 'subnet-2', 'subnet-3'] },
  },
];
const table = (encrypted: boolean): Fixture => [
  'AWS::DynamoDB::Table',
  {
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...(encrypted ? { SSESpecification: { SSEEnabled: true } } : {}),
  },
];
const ingress = (from: number, to: number) => ({
  IpProtocol: 'tcp',
  FromPort: from,
  ToPort: to,
  CidrIp: '10.0.0.0/8',
});
const subnet = (tier: string): Fixture => [
  'AWS::EC2::Subnet',
  {
    VpcId: vpcId,
    CidrBlock: '10.0.0.0/24',
    MapPublicIpOnLaunch: true,
    Tags: [{ Key: 'aws-cdk:subnet-name', Value: tier }],
  },
];
const nic = (publicIp: boolean) => [{ DeviceIndex: '0', AssociatePublicIpAddress: publicIp }];

/**
 * One compliant and one violating resource per Guard rule (issue 19: a rule deleted, or weakened so that it never
 * matches, must fail a test). The first test checks that every rule of lib/policies/guard has exactly these two.
 */
const FIXTURES: Readonly<Record<string, { pass: Fixture; fail: Fixture }>> = {
  bourse_encrypted_buckets: { pass: bucket('Enabled', true), fail: bucket('Enabled', false) },
  bourse_encrypted_volumes: {
    pass: ['AWS::EC2::Volume', { AvailabilityZone: 'eu-west-1a', Size: 10, Encrypted: true }],
    fail: ['AWS::EC2::Volume', { AvailabilityZone: 'eu-west-1a', Size: 10, Encrypted: false }],
  },
  bourse_encrypted_launch_template_disks: {
    pass: ['AWS::EC2::LaunchTemplate', { LaunchTemplateData: { BlockDeviceMappings: disk(true) } }],
    fail: ['AWS::EC2::LaunchTemplate', { LaunchTemplateData: { BlockDeviceMappings: disk(false) } }],
  },
  bourse_encrypted_db_clusters: {
    pass: ['AWS::RDS::DBCluster', { Engine: 'aurora-mysql', StorageEncrypted: true }],
    fail: ['AWS::RDS::DBCluster', { Engine: 'aurora-mysql', StorageEncrypted: false }],
  },
  bourse_encrypted_db_instances: {
    pass: database('db.r7g.large', true),
    fail: database('db.r7g.large', false),
  },
  bourse_encrypted_tables: { pass: table(true), fail: table(false) },
  bourse_encrypted_topics: {
    pass: ['AWS::SNS::Topic', { KmsMasterKeyId: 'alias/aws/sns' }],
    fail: ['AWS::SNS::Topic', {}],
  },
  bourse_encrypted_queues: {
    pass: ['AWS::SQS::Queue', { KmsMasterKeyId: 'alias/aws/sqs' }],
    fail: ['AWS::SQS::Queue', { SqsManagedSseEnabled: false }],
  },
  bourse_encrypted_file_systems: {
    pass: ['AWS::EFS::FileSystem', { Encrypted: true }],
    fail: ['AWS::EFS::FileSystem', { Encrypted: false }],
  },
  bourse_encrypted_caches: { pass: cache('cache.r7g.large', true), fail: cache('cache.r7g.large', false) },
  bourse_no_burstable_ec2_instances: {
    pass: ['AWS::EC2::Instance', { InstanceType: 'c7i.large', ImageId: ami }],
    fail: ['AWS::EC2::Instance', { InstanceType: 't3.large', ImageId: ami }],
  },
  bourse_no_burstable_launch_templates: {
    pass: ['AWS::EC2::LaunchTemplate', { LaunchTemplateData: { InstanceType: 'c7g.xlarge' } }],
    fail: ['AWS::EC2::LaunchTemplate', { LaunchTemplateData: { InstanceType: 't4g.micro' } }],
  },
  bourse_no_burstable_databases: {
    pass: database('db.r7g.large', true),
    fail: database('db.t3.medium', true),
  },
  bourse_no_burstable_caches: { pass: cache('cache.r7g.large', true), fail: cache('cache.t4g.micro', true) },
  bourse_no_burstable_kafka: { pass: kafka('kafka.m7g.large'), fail: kafka('kafka.t3.small') },
  bourse_no_iam_users: {
    pass: ['AWS::IAM::Role', { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } }],
    fail: ['AWS::IAM::User', {}],
  },
  bourse_no_ssh_in_security_groups: {
    pass: [
      'AWS::EC2::SecurityGroup',
      { GroupDescription: 'https', VpcId: vpcId, SecurityGroupIngress: [ingress(443, 443)] },
    ],
    fail: [
      'AWS::EC2::SecurityGroup',
      { GroupDescription: 'ssh', VpcId: vpcId, SecurityGroupIngress: [ingress(20, 25)] },
    ],
  },
  bourse_no_ssh_ingress_rules: {
    pass: ['AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', ...ingress(443, 443) }],
    fail: ['AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', ...ingress(22, 22) }],
  },
  bourse_public_ip_subnets_are_edge: { pass: subnet('edge'), fail: subnet('app') },
  bourse_no_public_ip_instances: {
    pass: ['AWS::EC2::Instance', { InstanceType: 'm7i.large', ImageId: ami, NetworkInterfaces: nic(false) }],
    fail: ['AWS::EC2::Instance', { InstanceType: 'm7i.large', ImageId: ami, NetworkInterfaces: nic(true) }],
  },
  bourse_no_public_ip_launch_templates: {
    pass: ['AWS::EC2::LaunchTemplate', { LaunchTemplateData: { NetworkInterfaces: nic(false) } }],
    fail: ['AWS::EC2::LaunchTemplate', { LaunchTemplateData: { NetworkInterfaces: nic(true) } }],
  },
  bourse_no_instance_elastic_ips: {
    pass: ['AWS::EC2::EIP', { Domain: 'vpc' }],
    fail: ['AWS::EC2::EIP', { InstanceId: 'i-0123456789abcdef0' }],
  },
  bourse_versioned_buckets: { pass: bucket('Enabled', true), fail: bucket('Suspended', true) },
};

/** Further violations a rule must catch: each clause of a rule has a fixture that only that clause flags. */
const MORE_VIOLATIONS: Readonly<Record<string, readonly Fixture[]>> = {
  bourse_no_ssh_in_security_groups: [
    [
      'AWS::EC2::SecurityGroup',
      {
        GroupDescription: 'all',
        VpcId: vpcId,
        SecurityGroupIngress: [{ IpProtocol: '-1', CidrIp: '10.0.0.0/8' }],
      },
    ],
  ],
  bourse_no_ssh_ingress_rules: [
    [
      'AWS::EC2::SecurityGroupIngress',
      { GroupId: 'sg-0123456789abcdef0', IpProtocol: '-1', CidrIp: '10.0.0.0/8' },
    ],
  ],
};

/** Logical ids of a rule's fixtures: `Pass<n>` and `Fail<n>`, n its place in FIXTURES. */
const fixtureId = (rule: string, kind: 'Pass' | 'Fail') => `${kind}${Object.keys(FIXTURES).indexOf(rule)}`;

function synthesizeFixtures(): Violation[] {
  const outdir = mkdtempSync(join(tmpdir(), 'bourse-rules-'));
  process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir, context: APP_CONTEXT });
  const s = new Stack(app, 'Fixtures', { env: { account: '111111111111', region: 'eu-west-1' } });
  for (const [rule, { pass, fail }] of Object.entries(FIXTURES)) {
    new CfnResource(s, fixtureId(rule, 'Pass'), { type: pass[0], properties: pass[1] });
    new CfnResource(s, fixtureId(rule, 'Fail'), { type: fail[0], properties: fail[1] });
    for (const [i, [type, properties]] of (MORE_VIOLATIONS[rule] ?? []).entries()) {
      new CfnResource(s, `${fixtureId(rule, 'Fail')}More${i}`, { type, properties });
    }
  }
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

  it('has a compliant and a violating fixture for each of the 23 rules, and no fixture for a rule that is gone', () => {
    const rules = guardRules().flatMap((r) => [...r.content.matchAll(/^rule (\w+)/gm)].map((m) => m[1]));
    assert.equal(rules.length, 23);
    assert.deepEqual([...rules].sort(), Object.keys(FIXTURES).sort());
  });

  it('reports violations as errors', () => {
    for (const v of violations.filter((v) => v.ruleName.startsWith('bourse_')))
      assert.equal(v.severity, 'error');
  });

  for (const rule of Object.keys(FIXTURES)) {
    it(`${rule}: flags its violating fixture and passes its compliant one`, () => {
      const found = flagged(rule);
      assert.ok(found.includes(fixtureId(rule, 'Fail')), `${rule} does not flag ${fixtureId(rule, 'Fail')}`);
      assert.ok(!found.includes(fixtureId(rule, 'Pass')), `${rule} flags its compliant fixture`);
      for (const i of (MORE_VIOLATIONS[rule] ?? []).keys()) {
        assert.ok(found.includes(`${fixtureId(rule, 'Fail')}More${i}`), `${rule} misses violation ${i}`);
      }
    });
  }
});
