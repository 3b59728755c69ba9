/**
 * In the security account (the delegated administrator), per region: GuardDuty, Security Hub and Inspector enabled
 * for every account of the organization, now and as accounts join; the organization's AWS Config rules, which
 * alert on what is not worth a hard deny; an organization-wide Config aggregator; and alerts to the security team.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnConfigurationAggregator, CfnOrganizationConfigRule } from 'aws-cdk-lib/aws-config';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { CfnDetector } from 'aws-cdk-lib/aws-guardduty';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnFindingAggregator, CfnHub, CfnOrganizationConfiguration } from 'aws-cdk-lib/aws-securityhub';
import type { Construct } from 'constructs';
import type { LandingZone } from '../config/landing-zone.ts';
import { AlertTopic } from '../constructs/alert-topic.ts';
import { acknowledge, acknowledgeAwsCustomResourceProvider } from '../constructs/nag.ts';
import { OrganizationCall } from '../constructs/organization-call.ts';

export interface SecurityServicesStackProps extends StackProps {
  readonly zone: LandingZone;
}

/**
 * AWS managed Config rules deployed to every account. Each flags what a hard deny cannot express or would make
 * too brittle; `global` rules evaluate IAM and run in the home region only.
 */
export const ORGANIZATION_CONFIG_RULES: readonly {
  readonly identifier: string;
  readonly global?: boolean;
}[] = [
  { identifier: 'EC2_EBS_ENCRYPTION_BY_DEFAULT' },
  { identifier: 'ENCRYPTED_VOLUMES' },
  { identifier: 'EC2_IMDSV2_CHECK' },
  { identifier: 'EC2_INSTANCE_NO_PUBLIC_IP' },
  { identifier: 'INCOMING_SSH_DISABLED' },
  { identifier: 'VPC_DEFAULT_SECURITY_GROUP_CLOSED' },
  { identifier: 'VPC_FLOW_LOGS_ENABLED' },
  { identifier: 'S3_BUCKET_VERSIONING_ENABLED' },
  { identifier: 'S3_BUCKET_SSL_REQUESTS_ONLY' },
  { identifier: 'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC' },
  { identifier: 'RDS_STORAGE_ENCRYPTED' },
  { identifier: 'CLOUD_TRAIL_ENABLED' },
  { identifier: 'ROOT_ACCOUNT_MFA_ENABLED', global: true },
  { identifier: 'IAM_ROOT_ACCESS_KEY_CHECK', global: true },
  { identifier: 'IAM_USER_NO_POLICIES_CHECK', global: true },
];

export const GUARDDUTY_FEATURES = [
  'S3_DATA_EVENTS',
  'EBS_MALWARE_PROTECTION',
  'RUNTIME_MONITORING',
  'RDS_LOGIN_EVENTS',
];

export class SecurityServicesStack extends Stack {
  readonly alerts: AlertTopic;

  constructor(scope: Construct, id: string, props: SecurityServicesStackProps) {
    super(scope, id, props);
    const { zone } = props;
    const { config } = zone;
    const isHome = this.region === zone.homeRegion;

    // GuardDuty: this account's detector, then auto-enable for every member with the same features.
    const detector = new CfnDetector(this, 'GuardDuty', {
      enable: true,
      findingPublishingFrequency: 'FIFTEEN_MINUTES',
      features: GUARDDUTY_FEATURES.map((name) => ({ name, status: 'ENABLED' })),
    });
    new OrganizationCall(this, 'GuardDutyOrganization', {
      onCreate: {
        service: 'GuardDuty',
        action: 'updateOrganizationConfiguration',
        parameters: {
          DetectorId: detector.ref,
          AutoEnableOrganizationMembers: 'ALL',
          Features: GUARDDUTY_FEATURES.map((Name) => ({ Name, AutoEnable: 'ALL' })),
        },
      },
      actions: ['guardduty:UpdateOrganizationConfiguration'],
    });

    // Security Hub with the default standards, auto-enabled for members; the home region aggregates the other.
    const hub = new CfnHub(this, 'SecurityHub', {
      enableDefaultStandards: true,
      controlFindingGenerator: 'SECURITY_CONTROL',
      autoEnableControls: true,
    });
    const hubOrg = new CfnOrganizationConfiguration(this, 'SecurityHubOrganization', {
      autoEnable: true,
      autoEnableStandards: 'DEFAULT',
      configurationType: 'LOCAL',
    });
    hubOrg.node.addDependency(hub);
    if (isHome) {
      const aggregator = new CfnFindingAggregator(this, 'SecurityHubAggregator', {
        regionLinkingMode: 'SPECIFIED_REGIONS',
        regions: zone.regionNames.filter((r) => r !== zone.homeRegion),
      });
      aggregator.node.addDependency(hub);
    }

    // Inspector: continuous vulnerability scanning of EC2, ECR images and Lambda, for this account and members.
    const inspectorTypes = ['EC2', 'ECR', 'LAMBDA', 'LAMBDA_CODE'];
    const inspector = new OrganizationCall(this, 'Inspector', {
      onCreate: {
        service: 'Inspector2',
        action: 'enable',
        parameters: { resourceTypes: inspectorTypes, accountIds: [this.account] },
      },
      actions: ['inspector2:Enable', 'iam:CreateServiceLinkedRole'],
    });
    const inspectorOrg = new OrganizationCall(this, 'InspectorOrganization', {
      onCreate: {
        service: 'Inspector2',
        action: 'updateOrganizationConfiguration',
        parameters: { autoEnable: { ec2: true, ecr: true, lambda: true, lambdaCode: true } },
      },
      actions: ['inspector2:UpdateOrganizationConfiguration'],
    });
    inspectorOrg.node.addDependency(inspector);

    // AWS Config: organization rules and an aggregator over every account and region.
    for (const rule of ORGANIZATION_CONFIG_RULES.filter((r) => isHome || !r.global)) {
      new CfnOrganizationConfigRule(this, `ConfigRule-${rule.identifier}`, {
        organizationConfigRuleName: `${config.prefix}-${rule.identifier.toLowerCase().replaceAll('_', '-')}`,
        organizationManagedRuleMetadata: { ruleIdentifier: rule.identifier },
        excludedAccounts: [config.sharedAccounts.management.id],
      });
    }
    if (isHome) {
      const aggregatorRole = new Role(this, 'ConfigAggregatorRole', {
        assumedBy: new ServicePrincipal('config.amazonaws.com'),
        managedPolicies: [
          ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSConfigRoleForOrganizations'),
        ],
      });
      acknowledge(aggregatorRole, {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSConfigRoleForOrganizations]',
        reason:
          'The organization aggregator needs exactly the read-only Organizations access AWS maintains in this policy.',
      });
      new CfnConfigurationAggregator(this, 'ConfigAggregator', {
        configurationAggregatorName: `${config.prefix}-organization`,
        organizationAggregationSource: { roleArn: aggregatorRole.roleArn, allAwsRegions: true },
      });
    }

    // Alerts: failed Config rule evaluations (which reach Security Hub from every account), high-severity
    // GuardDuty findings and critical Security Hub findings go to the security team.
    this.alerts = new AlertTopic(this, 'Alerts', {
      topicName: `${config.prefix}-security-alerts`,
      email: config.securityEmail,
      publishers: ['events.amazonaws.com'],
    });
    const target = new SnsTopic(this.alerts.topic);
    new Rule(this, 'ConfigNonCompliance', {
      description: 'AWS Config rule evaluations that failed, in any account of the organization',
      eventPattern: {
        source: ['aws.securityhub'],
        detailType: ['Security Hub Findings - Imported'],
        detail: {
          findings: {
            ProductName: ['Config'],
            Compliance: { Status: ['FAILED'] },
            RecordState: ['ACTIVE'],
          },
        },
      },
      targets: [target],
    });
    new Rule(this, 'GuardDutyHighSeverity', {
      description: 'GuardDuty findings of severity 7 or more',
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        detail: { severity: [{ numeric: ['>=', 7] }] },
      },
      targets: [target],
    });
    new Rule(this, 'SecurityHubCritical', {
      description: 'Critical Security Hub findings',
      eventPattern: {
        source: ['aws.securityhub'],
        detailType: ['Security Hub Findings - Imported'],
        detail: { findings: { Severity: { Label: ['CRITICAL'] }, RecordState: ['ACTIVE'] } },
      },
      targets: [target],
    });
    acknowledgeAwsCustomResourceProvider(this);
  }
}
