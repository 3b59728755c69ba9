/**
 * Service control policy statements, each a small named set. A statement's Sid is its name, so a denial seen in
 * CloudTrail or in a simulation points straight back to the function here that wrote it.
 *
 * Roles that run the guardrailed changes on the platform's behalf are exempt where noted: the CloudFormation
 * execution role of the CDK bootstrap (deploys) and the StackSets execution role (the account baseline).
 */
import type { PolicyStatementJson } from './policy-json.ts';

/** Principals allowed through the "protect" statements: infrastructure as code, never a person. */
export const AUTOMATION_ROLE_ARNS = [
  'arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*',
  'arn:aws:iam::*:role/stacksets-exec-*',
] as const;

const exceptAutomation = { ArnNotLike: { 'aws:PrincipalArn': [...AUTOMATION_ROLE_ARNS] } };

/**
 * Services a Bourse account may use, and single actions of services that are otherwise closed (such as the
 * Organizations reads the Config aggregator needs); everything else is denied because FullAWSAccess is detached.
 */
export function allowListedServices(
  services: readonly string[],
  actions: readonly string[] = [],
): PolicyStatementJson[] {
  return [
    {
      Sid: 'AllowListedServices',
      Effect: 'Allow',
      Action: [...[...services].sort().map((s) => `${s}:*`), ...[...actions].sort()],
      Resource: '*',
    },
  ];
}

/** EBS volumes must be encrypted, whether created alone or with an instance. */
export function denyUnencryptedEbs(): PolicyStatementJson[] {
  return [
    {
      Sid: 'DenyUnencryptedCreateVolume',
      Effect: 'Deny',
      Action: 'ec2:CreateVolume',
      Resource: '*',
      Condition: { Bool: { 'ec2:Encrypted': 'false' } },
    },
    {
      Sid: 'DenyUnencryptedRunInstancesVolume',
      Effect: 'Deny',
      Action: 'ec2:RunInstances',
      Resource: 'arn:aws:ec2:*:*:volume/*',
      Condition: { Bool: { 'ec2:Encrypted': 'false' } },
    },
  ];
}

/**
 * S3 has no condition key for the versioning status in a request, so suspending versioning is prevented by denying
 * PutBucketVersioning to everyone but infrastructure as code, whose templates the policy-as-code rule
 * "versioned buckets" checks. Public-access blocks are protected the same way.
 */
export function protectS3Guardrails(): PolicyStatementJson[] {
  return [
    {
      Sid: 'DenyChangingBucketVersioning',
      Effect: 'Deny',
      Action: 's3:PutBucketVersioning',
      Resource: '*',
      Condition: exceptAutomation,
    },
    {
      Sid: 'DenyLooseningPublicAccessBlocks',
      Effect: 'Deny',
      // The Delete*PublicAccessBlock APIs are authorized by these same two Put actions.
      Action: ['s3:PutAccountPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
      Resource: '*',
      Condition: exceptAutomation,
    },
  ];
}

/** People sign in through IAM Identity Center; long-lived IAM users and keys are never created. */
export function denyIamUsers(): PolicyStatementJson[] {
  return [
    {
      Sid: 'DenyIamUsersAndAccessKeys',
      Effect: 'Deny',
      Action: ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile'],
      Resource: '*',
    },
  ];
}

export function denyLeavingOrganization(): PolicyStatementJson[] {
  return [
    {
      Sid: 'DenyLeavingOrganization',
      Effect: 'Deny',
      Action: 'organizations:LeaveOrganization',
      Resource: '*',
    },
  ];
}

/** CloudTrail, Config, GuardDuty and Security Hub cannot be switched off from inside an account. */
export function protectSecurityServices(): PolicyStatementJson[] {
  return [
    {
      Sid: 'ProtectSecurityServices',
      Effect: 'Deny',
      Action: [
        'cloudtrail:DeleteTrail',
        'cloudtrail:StopLogging',
        'cloudtrail:UpdateTrail',
        'cloudtrail:PutEventSelectors',
        'config:DeleteConfigurationRecorder',
        'config:DeleteDeliveryChannel',
        'config:StopConfigurationRecorder',
        'config:DeleteOrganizationConfigRule',
        'guardduty:DeleteDetector',
        'guardduty:DisassociateFromAdministratorAccount',
        'guardduty:DisassociateFromMasterAccount',
        'guardduty:UpdateDetector',
        'guardduty:StopMonitoringMembers',
        'securityhub:DisableSecurityHub',
        'securityhub:DisassociateFromAdministratorAccount',
        'securityhub:DisassociateFromMasterAccount',
        'securityhub:BatchDisableStandards',
      ],
      Resource: '*',
      Condition: exceptAutomation,
    },
  ];
}

/**
 * Global services whose requests AWS routes through us-east-1 (or another fixed region) and which a region deny
 * must therefore leave alone; from AWS's documented example for aws:RequestedRegion, less the services the
 * allow-list closes anyway (an exemption there decides nothing, test/scp-mutation.test.ts).
 */
export const GLOBAL_SERVICE_ACTIONS = [
  // CloudFront certificates live in us-east-1.
  'acm:*',
  'budgets:*',
  'ce:*',
  'cloudfront:*',
  'health:*',
  'iam:*',
  'kms:*',
  'organizations:*',
  'route53:*',
  's3:ListAllMyBuckets',
  'sso:*',
  'sts:*',
  'support:*',
  'wafv2:*',
] as const;

/** CloudFront's certificate and web ACL must live in us-east-1, so the edge stack and its bootstrap run there. */
export const EDGE_REGION = 'us-east-1';

/**
 * What the edge stack and the CDK bootstrap create in the edge region beyond the global services: the bootstrap's
 * stack, bucket, repository and version parameter, and the web ACL's log group (test/deploys/deployment-actions.ts).
 */
export const EDGE_REGION_ACTIONS = ['cloudformation:*', 'ecr:*', 'logs:*', 's3:*', 'ssm:*'] as const;

/**
 * The configured regions are open; the edge region is open to the global services and the edge's own actions only;
 * every other region is closed to everything but the global services.
 */
export function denyOutsideRegions(regions: readonly string[]): PolicyStatementJson[] {
  return [
    {
      Sid: 'DenyOutsideApprovedRegions',
      Effect: 'Deny',
      NotAction: [...GLOBAL_SERVICE_ACTIONS],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': [...new Set([...regions, EDGE_REGION])] } },
    },
    ...(regions.includes(EDGE_REGION)
      ? []
      : [
          {
            Sid: 'DenyEdgeRegionBeyondTheEdge',
            Effect: 'Deny' as const,
            // s3:ListAllMyBuckets and the like are inside the edge's own services already.
            NotAction: [
              ...GLOBAL_SERVICE_ACTIONS.filter(
                (a) => !(EDGE_REGION_ACTIONS as readonly string[]).includes(`${a.split(':')[0]}:*`),
              ),
              ...EDGE_REGION_ACTIONS,
            ],
            Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': EDGE_REGION } },
          },
        ]),
  ];
}

/** Burstable instances throttle under sustained load, which a matching engine cannot afford. */
export function denyBurstableInstances(patterns: readonly string[]): PolicyStatementJson[] {
  return [
    {
      Sid: 'DenyBurstableInstanceTypes',
      Effect: 'Deny',
      Action: 'ec2:RunInstances',
      Resource: 'arn:aws:ec2:*:*:instance/*',
      Condition: { StringLike: { 'ec2:InstanceType': [...patterns] } },
    },
  ];
}

/** Instances must use IMDSv2 (session tokens), and credentials delivered by IMDSv1 are refused. */
export function requireImdsV2(): PolicyStatementJson[] {
  return [
    {
      Sid: 'RequireImdsV2OnLaunch',
      Effect: 'Deny',
      Action: 'ec2:RunInstances',
      Resource: 'arn:aws:ec2:*:*:instance/*',
      Condition: { StringNotEquals: { 'ec2:MetadataHttpTokens': 'required' } },
    },
    {
      Sid: 'DenyImdsV1RoleCredentials',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { NumericLessThan: { 'ec2:RoleDelivery': '2.0' } },
    },
  ];
}

/** Suspended accounts can do nothing until they are closed or reinstated. */
export function denyAll(): PolicyStatementJson[] {
  return [{ Sid: 'DenyAllInSuspendedAccounts', Effect: 'Deny', Action: '*', Resource: '*' }];
}
