/**
 * Bourse's landing zone. The platform team edits this file; `validateConfig` checks it before synthesis.
 * The ids here (accounts, organization, Identity Center, SIEM) are examples in the right shape: a deployable synthesis
 * takes the real ones from the deployment values file and refuses these (lib/config/deployment.ts, infra/README.md).
 */
import type { EnvironmentName, LandingZoneConfig, WorkloadAccountConfig } from './types.ts';

const DOMAINS = ['trading', 'wallet', 'market-data', 'identity', 'back-office', 'data', 'platform'] as const;
const ENVIRONMENTS: readonly EnvironmentName[] = ['prod', 'staging', 'dev'];

/** One account per domain and environment, with ids allocated in a readable pattern. */
function workloadAccounts(): WorkloadAccountConfig[] {
  return DOMAINS.flatMap((domain, d) =>
    ENVIRONMENTS.map((environment, e) => ({
      name: `${domain}-${environment}`,
      id: `2${String(d + 1).padStart(2, '0')}${String(e + 1).padStart(2, '0')}0000000`,
      email: `aws+${domain}-${environment}@bourse.example`,
      domain,
      environment,
    })),
  );
}

export const bourseConfig: LandingZoneConfig = {
  prefix: 'bourse',
  organizationId: 'o-bourse0001',
  regions: [
    { name: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
    { name: 'eu-central-1', availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'] },
  ],
  environments: [
    // Production reaches AWS APIs only.
    { name: 'prod', egress: 'inspected', allowedDomains: ['.amazonaws.com'] },
    {
      name: 'staging',
      egress: 'allow-list',
      allowedDomains: ['.amazonaws.com', 'registry.npmjs.org', '.github.com', '.githubusercontent.com'],
    },
    {
      name: 'dev',
      egress: 'allow-list',
      allowedDomains: ['.amazonaws.com', 'registry.npmjs.org', '.github.com', '.githubusercontent.com'],
    },
  ],
  domains: DOMAINS.map((name) => ({
    name,
    ownerEmail: `${name}-owners@bourse.example`,
    monthlyBudgetUsd: name === 'trading' || name === 'data' ? 20_000 : 5_000,
  })),
  sharedAccounts: {
    management: { name: 'management', id: '100000000001', email: 'aws+management@bourse.example' },
    security: { name: 'security', id: '100000000002', email: 'aws+security@bourse.example' },
    logArchive: { name: 'log-archive', id: '100000000003', email: 'aws+log-archive@bourse.example' },
    networking: { name: 'networking', id: '100000000004', email: 'aws+networking@bourse.example' },
    sharedServices: {
      name: 'shared-services',
      id: '100000000005',
      email: 'aws+shared-services@bourse.example',
    },
    sandbox: { name: 'sandbox', id: '100000000006', email: 'aws+sandbox@bourse.example' },
  },
  workloadAccounts: workloadAccounts(),
  network: {
    supernets: { 'eu-west-1': '10.0.0.0/12', 'eu-central-1': '10.16.0.0/12' },
    reservedCidrs: ['10.255.0.0/16'],
    maxAccountsPerEnvironment: 16,
    vpcPrefixLength: 16,
    accountPrefixLength: 20,
  },
  identity: {
    instanceArn: 'arn:aws:sso:::instance/ssoins-7223a0b0c0d0e0f0',
    groups: {
      admins: '90670000-0000-4000-8000-000000000001',
      developers: '90670000-0000-4000-8000-000000000002',
      readOnly: '90670000-0000-4000-8000-000000000003',
      onCall: '90670000-0000-4000-8000-000000000004',
    },
    productionAccessMinutes: 60,
    approvalTimeoutMinutes: 30,
    approverEmail: 'production-approvers@bourse.example',
  },
  guardrails: {
    allowedServices: [
      'acm',
      'application-autoscaling',
      'autoscaling',
      'backup',
      'cloudformation',
      'cloudfront',
      'cloudtrail',
      'cloudwatch',
      'codeartifact',
      'config',
      'ec2',
      'ec2messages',
      'ecr',
      'ecs',
      'elasticache',
      'elasticloadbalancing',
      'events',
      'guardduty',
      'health',
      'iam',
      'imagebuilder',
      'inspector2',
      'kafka',
      'kafka-cluster',
      'kms',
      'lambda',
      'logs',
      'ram',
      'rds',
      'route53',
      'route53resolver',
      's3',
      'secretsmanager',
      'securityhub',
      'sns',
      'sqs',
      'ssm',
      'ssmmessages',
      'sso',
      'states',
      'sts',
      'support',
      'synthetics',
      'tag',
      'wafv2',
      'es',
      'aoss',
      'xray',
      'network-firewall',
      'ce',
      'budgets',
      'access-analyzer',
      // Observability's log delivery, the compute stacks' Service Connect namespaces, the data stacks' secret
      // rotation (an application from the Serverless Application Repository), monitoring's audit table, and IAM
      // authentication to the databases at run time.
      'firehose',
      'servicediscovery',
      'serverlessrepo',
      'dynamodb',
      'rds-db',
    ],
    // What the security account's Config aggregator role (AWSConfigRoleForOrganizations) reads.
    allowedActions: [
      'organizations:DescribeOrganization',
      'organizations:ListAccounts',
      'organizations:ListAWSServiceAccessForOrganization',
      'organizations:ListDelegatedAdministrators',
    ],
    burstableInstanceTypes: ['t1.*', 't2.*', 't3.*', 't3a.*', 't4g.*'],
  },
  siem: { accountId: '300000000001', externalId: 'bourse-panther-log-reader', logRetentionDays: 2555 },
  securityEmail: 'security@bourse.example',
  notificationSenderEmail: 'platform@bourse.example',
  costAnomalyThresholdUsd: 100,
};
